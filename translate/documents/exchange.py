"""Translation-memory exchange formats: TMX 1.4 and XLIFF 2.0 (standard library XML only).

- **TMX 1.4** (LISA/GALA): one ``<tu>`` per source sentence, Arabic and English ``<tuv>``s,
  flags and the block the sentence came from as ``<prop>``s. Valid against the TMX 1.4 DTD.
- **XLIFF 2.0** (OASIS core): one ``<unit>`` per block (for subtitles, per sentence, since a
  sentence may span cues), one ``<segment>`` per sentence with ``<ignorable>`` for the spaces
  between sentences, so a CAT tool can rebuild the block; flags and errors as ``<note>``s.

A sentence a person corrected (flag ``"edited"``; the model's English in its ``machine``
attribute, see ``ui.service.edits``) is marked as a human translation: in TMX by
``<prop type="x-tarjama-origin">human</prop>`` and the model's English in
``<prop type="x-tarjama-machine">``; in XLIFF by ``state="reviewed"`` and a ``<note
category="machine-translation">`` holding the model's English.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from .. import __version__
from .model import Block
from .subtitles import format_timestamp
from .translation import TranslatedBlock, TranslatedDocument, review_flags

SOURCE_LANG = "ar"
TARGET_LANG = "en"
XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
TMX_DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
# Characters XML 1.0 cannot carry at all (C0 controls but tab/newline/CR, surrogates, FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EDITED = "edited"  # the flag of a sentence a person corrected


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def describe_block(block: Block) -> str:
    """Where a block sits, in words: ``heading 1``, ``paragraph``, ``table 1 row 2 col 3``,
    ``cue 4 00:00:01,000 --> 00:00:03,500``."""
    if block.kind == "heading":
        return f"heading {block.level or 2}"
    if block.kind == "cell":
        return (
            f"table {(block.table or 0) + 1} row {(block.row or 0) + 1} col {(block.col or 0) + 1}"
        )
    if block.kind == "cue" and block.start_ms is not None and block.end_ms is not None:
        timing = f"{format_timestamp(block.start_ms)} --> {format_timestamp(block.end_ms)}"
        return f"cue {block.index} {timing}"
    return block.kind


def write_tmx(translated: TranslatedDocument) -> str:
    """TMX 1.4 with one translation unit per sentence (empty or untranslated ones left out)."""
    now = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(
        root,
        "header",
        {
            "creationtool": "tarjama",
            "creationtoolversion": __version__,
            "segtype": "sentence",
            "o-tmf": "tarjama",
            "adminlang": "en",
            "srclang": SOURCE_LANG,
            "datatype": "plaintext",
            "creationdate": now,
        },
    )
    meta = translated.document.meta
    source = meta.url or meta.filename
    if source:
        ET.SubElement(header, "prop", type="x-source").text = _clean(source)
    if translated.meta.get("model"):
        ET.SubElement(header, "prop", type="x-model").text = _clean(str(translated.meta["model"]))
    body = ET.SubElement(root, "body")
    blocks = translated.document.blocks
    number = 0
    for pair in translated.pairs:
        if not pair.source.strip() or not pair.target.strip():
            continue
        number += 1
        tu = ET.SubElement(body, "tu", tuid=str(number), creationdate=now)
        where = "; ".join(describe_block(blocks[i]) for i in pair.blocks)
        ET.SubElement(tu, "prop", type="x-context").text = _clean(where)
        if pair.flags:
            ET.SubElement(tu, "prop", type="x-flags").text = " ".join(pair.flags)
        if EDITED in pair.flags:  # a human translation; the model's English kept beside it
            ET.SubElement(tu, "prop", type="x-tarjama-origin").text = "human"
            machine = getattr(pair, "machine", None)
            if machine is not None:
                ET.SubElement(tu, "prop", type="x-tarjama-machine").text = _clean(machine)
        for lang, text in ((SOURCE_LANG, pair.source), (TARGET_LANG, pair.target)):
            tuv = ET.SubElement(tu, "tuv", {"xml:lang": lang})
            ET.SubElement(tuv, "seg").text = _clean(text)
    ET.indent(root, space=" ")
    xml = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{TMX_DOCTYPE}\n{xml}\n'


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _notes(unit: ET.Element, notes: list[tuple[str, str]]) -> None:
    if not notes:
        return
    element = ET.SubElement(unit, _q("notes"))
    for category, text in notes:
        ET.SubElement(element, _q("note"), category=category).text = _clean(text)


def _segment(
    unit: ET.Element, number: int, source: str, target: str | None, *, edited: bool = False
) -> None:
    state = {"state": "reviewed" if edited else "translated"} if target is not None else {}
    segment = ET.SubElement(unit, _q("segment"), {"id": f"s{number}", **state})
    ET.SubElement(segment, _q("source")).text = _clean(source)
    if target is not None:
        ET.SubElement(segment, _q("target")).text = _clean(target)


def _ignorable(unit: ET.Element, text: str) -> None:
    element = ET.SubElement(unit, _q("ignorable"))
    ET.SubElement(element, _q("source")).text = _clean(text)


def _block_unit(parent: ET.Element, number: int, item: TranslatedBlock) -> None:
    block = item.block
    text = block.translation_text
    unit = ET.SubElement(parent, _q("unit"), id=f"u{number}", name=describe_block(block))
    if item.error:
        _notes(unit, [("error", item.error)])
        _segment(unit, 1, text, None)
        return
    if not item.segments:  # no Arabic: kept as written, nothing to translate
        unit.set("translate", "no")
        _segment(unit, 1, text, item.target)
        return
    groups: dict[int, list] = {}
    for seg in item.segments:
        groups.setdefault(seg.sentence, []).append(seg)
    notes = []
    for i, segs in enumerate(groups.values(), start=1):
        flags = review_flags([f for s in segs for f in s.flags])
        if flags:
            notes.append(("tarjama-flags", f"s{i}: {', '.join(dict.fromkeys(flags))}"))
        if any(EDITED in s.flags for s in segs):
            machine = " ".join(filter(None, (getattr(s, "machine", s.target) for s in segs)))
            notes.append(("machine-translation", f"s{i}: {machine}"))
    _notes(unit, notes)
    position = 0
    for i, segs in enumerate(groups.values(), start=1):
        start, end = segs[0].start, segs[-1].end
        if start > position:
            _ignorable(unit, text[position:start])
        target = " ".join(s.target for s in segs if s.target)
        edited = any(EDITED in s.flags for s in segs)
        _segment(unit, i, text[start:end], target, edited=edited)
        position = end
    if position < len(text):
        _ignorable(unit, text[position:])


def write_xliff(translated: TranslatedDocument) -> str:
    """XLIFF 2.0 (core) of ``translated``: source and target of every sentence."""
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(_q("xliff"), version="2.0", srcLang=SOURCE_LANG, trgLang=TARGET_LANG)
    meta = translated.document.meta
    attributes = {"id": "f1"}
    if meta.url or meta.filename:
        attributes["original"] = str(meta.url or meta.filename)
    file = ET.SubElement(root, _q("file"), attributes)
    blocks = translated.document.blocks
    if translated.document.is_subtitles:
        # A sentence may run over several cues: one unit per sentence, its cues in the name.
        for number, pair in enumerate(translated.pairs, start=1):
            cues = [blocks[i] for i in pair.blocks]
            unit = ET.SubElement(file, _q("unit"), id=f"u{number}", name=describe_block(cues[0]))
            notes = [("cues", "; ".join(describe_block(c) for c in cues))]
            flags = review_flags(pair.flags)
            if flags:
                notes.append(("tarjama-flags", f"s1: {', '.join(flags)}"))
            edited = EDITED in pair.flags
            if edited and getattr(pair, "machine", None) is not None:
                notes.append(("machine-translation", f"s1: {pair.machine}"))  # type: ignore[attr-defined]
            _notes(unit, notes)
            _segment(unit, 1, pair.source, pair.target, edited=edited)
        for item in translated.blocks:
            if item.error:
                unit = ET.SubElement(
                    file, _q("unit"), id=f"e{item.block.index}", name=describe_block(item.block)
                )
                _notes(unit, [("error", item.error)])
                _segment(unit, 1, item.block.translation_text, None)
    else:
        number = 0
        for item in translated.blocks:
            if not item.block.translation_text:
                continue
            number += 1
            _block_unit(file, number, item)
    if not len(file):  # XLIFF needs at least one unit
        unit = ET.SubElement(file, _q("unit"), id="u1", translate="no")
        _segment(unit, 1, "", "")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
