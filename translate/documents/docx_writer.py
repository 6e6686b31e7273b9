"""A bilingual Word document: a two-column table, Arabic (right to left) beside the English.

One row per block, in document order. Headings stay headings (the Heading styles, in both
columns), a source table becomes a table of the same shape in each column (the Arabic one
laid out right to left), a cue carries its timing. Sentences the translator flagged are
highlighted on both sides, the English followed by the reason; a block that could not be
translated says so in red. A sentence a person corrected (flag ``edited``) is highlighted
green, its English followed by ``[edited, machine: <the model's English>]``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ..errors import MissingDependencyError
from .exchange import EDITED
from .model import Block
from .subtitles import format_timestamp
from .translation import TranslatedBlock, TranslatedDocument, review_flags

INSTALL_HINT = "pip install 'tarjama[documents]' (python-docx)"
ARABIC_LANG = "ar-SA"


def _docx() -> Any:
    try:
        import docx
    except ImportError as exc:
        raise MissingDependencyError(
            f"Writing .docx files needs python-docx: {INSTALL_HINT}"
        ) from exc
    return docx


# WordprocessingML fixes the order of the children of pPr, rPr and tblPr; Word reports a file
# whose order is wrong as damaged. Each new element goes before the first of its successors.
_PPR_AFTER_BIDI = (
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_RPR_AFTER_RTL = ("w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_TBLPR_AFTER_BIDI = (
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)


def _set_rtl_paragraph(paragraph: Any) -> None:
    """Mark a paragraph right-to-left (<w:bidi/>): Word lays it out and aligns it for Arabic."""
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    if ppr.find(_qn("w:bidi")) is None:
        ppr.insert_element_before(OxmlElement("w:bidi"), *_PPR_AFTER_BIDI)


def _set_rtl_run(run: Any) -> None:
    """Mark a run right-to-left (<w:rtl/>) with an Arabic complex-script language."""
    from docx.oxml import OxmlElement

    rpr = run._r.get_or_add_rPr()
    if rpr.find(_qn("w:rtl")) is None:
        rpr.insert_element_before(OxmlElement("w:rtl"), *_RPR_AFTER_RTL)
    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = rpr.insert_element_before(OxmlElement("w:lang"), *_RPR_AFTER_LANG)
    lang.set(_qn("w:bidi"), ARABIC_LANG)


def _set_rtl_table(table: Any) -> None:
    """Lay a table's columns out from right to left (<w:bidiVisual/>)."""
    from docx.oxml import OxmlElement

    tblpr = table._tbl.tblPr
    if tblpr.find(_qn("w:bidiVisual")) is None:
        tblpr.insert_element_before(OxmlElement("w:bidiVisual"), *_TBLPR_AFTER_BIDI)


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _style_for(block: Block) -> str | None:
    if block.kind == "heading":
        return f"Heading {min(max(block.level or 2, 1), 6)}"
    return None


def _sentence_pieces(text: str, segments: Sequence[Any]) -> list[tuple[str, tuple[str, ...]]]:
    """``text`` cut at segment boundaries: (piece, flags of its segment or ())."""
    pieces: list[tuple[str, tuple[str, ...]]] = []
    position = 0
    for seg in sorted(segments, key=lambda s: s.start):
        if seg.start < position or seg.end > len(text):
            continue
        if seg.start > position:
            pieces.append((text[position : seg.start], ()))
        pieces.append((text[seg.start : seg.end], review_flags(seg.flags)))
        position = seg.end
    if position < len(text):
        pieces.append((text[position:], ()))
    return pieces


def _add_runs(
    paragraph: Any, pieces: Sequence[tuple[str, tuple[str, ...]]], *, rtl: bool, show_reasons: bool
) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    for text, flags in pieces:
        run = paragraph.add_run(text)
        if rtl:
            _set_rtl_run(run)
        if flags:
            edited = EDITED in flags  # a person's English: green, the model's beside it
            run.font.highlight_color = (
                WD_COLOR_INDEX.BRIGHT_GREEN if edited else WD_COLOR_INDEX.YELLOW
            )
            if show_reasons:
                note = paragraph.add_run(f" [{', '.join(flags)}]")
                note.italic = True
                note.font.size = Pt(8)
                note.font.color.rgb = RGBColor(0x00, 0x60, 0x00) if edited else RGBColor(0xB0, 0, 0)


def _timing_line(cell: Any, block: Block, *, rtl: bool) -> None:
    from docx.shared import Pt, RGBColor

    if block.start_ms is None or block.end_ms is None:
        return
    paragraph = cell.add_paragraph()
    run = paragraph.add_run(
        f"{block.index}  {format_timestamp(block.start_ms)} → {format_timestamp(block.end_ms)}"
    )
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x60, 0x60, 0x60)
    if rtl:
        _set_rtl_paragraph(paragraph)


def _fill_source(cell: Any, item: TranslatedBlock) -> None:
    block = item.block
    if block.kind == "cue":
        _timing_line(cell, block, rtl=True)
    paragraph = cell.add_paragraph(style=_style_for(block))
    _set_rtl_paragraph(paragraph)
    if block.kind == "cue" or not item.segments:
        flags = review_flags(item.flags)
        _add_runs(paragraph, [(block.translation_text, flags)], rtl=True, show_reasons=False)
    else:
        pieces = _sentence_pieces(block.translation_text, item.segments)
        _add_runs(paragraph, pieces, rtl=True, show_reasons=False)


def _fill_target(cell: Any, item: TranslatedBlock) -> None:
    from docx.shared import RGBColor

    block = item.block
    if block.kind == "cue":
        _timing_line(cell, block, rtl=False)
    paragraph = cell.add_paragraph(style=_style_for(block))
    if item.error:
        run = paragraph.add_run(f"[not translated: {item.error}]")
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
        return
    if block.kind == "cue" or not item.segments:
        _add_runs(
            paragraph, [(item.target, review_flags(item.flags))], rtl=False, show_reasons=True
        )
        return
    pieces: list[tuple[str, tuple[str, ...]]] = []
    previous = None
    for seg in item.segments:
        if previous is not None:
            pieces.append(("\n" if seg.paragraph != previous.paragraph else " ", ()))
        pieces.append((seg.target, _target_marks(seg)))
        previous = seg
    _add_runs(paragraph, pieces, rtl=False, show_reasons=True)


def _target_marks(seg: Any) -> tuple[str, ...]:
    """The marks shown after a segment's English: its review flags, or for a sentence a
    person corrected, ``edited`` and the model's English."""
    if EDITED in seg.flags:
        machine = getattr(seg, "machine", None)
        return (EDITED, f"machine: {machine}") if machine is not None else (EDITED,)
    return review_flags(seg.flags)


def _clear(cell: Any) -> None:
    """A new cell holds one empty paragraph; drop it so content starts at the top."""
    for paragraph in list(cell.paragraphs):
        if not paragraph.text:
            paragraph._p.getparent().remove(paragraph._p)


def _nested_table(cell: Any, cells: Sequence[TranslatedBlock], *, source: bool) -> None:
    rows = max(c.block.row or 0 for c in cells) + 1
    cols = max(c.block.col or 0 for c in cells) + 1
    table = cell.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    if source:
        _set_rtl_table(table)
    for item in cells:
        inner = table.cell(item.block.row or 0, item.block.col or 0)
        _clear(inner)
        if source:
            _fill_source(inner, item)
        else:
            _fill_target(inner, item)
    cell.add_paragraph()  # Word needs a paragraph after a table in a cell


def write_docx(translated: TranslatedDocument) -> bytes:
    """The bilingual .docx of ``translated``, as bytes."""
    docx = _docx()
    from docx.shared import Pt

    document = docx.Document()
    meta = translated.document.meta
    title = meta.title or meta.filename or meta.url or "Translation"
    document.add_heading(title, level=0)
    facts = [
        ("Source", meta.url or meta.filename),
        ("Site", meta.site),
        ("Author", meta.author),
        ("Date", meta.date),
        ("Model", translated.meta.get("model")),
    ]
    line = " · ".join(f"{k}: {v}" for k, v in facts if v)
    if line:
        document.add_paragraph(line).runs[0].font.size = Pt(9)
    legend = document.add_paragraph(
        "Highlighted sentences were flagged by the translator for review; the reason follows "
        "the English in brackets."
    )
    legend.runs[0].font.size = Pt(9)
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text = "العربية"
    _set_rtl_paragraph(header[0].paragraphs[0])
    _set_rtl_run(header[0].paragraphs[0].runs[0])
    header[1].text = "English"
    for cell in header:
        cell.paragraphs[0].runs[0].bold = True

    items = list(translated.blocks)
    i = 0
    while i < len(items):
        item = items[i]
        row = table.add_row().cells
        _clear(row[0])
        _clear(row[1])
        if item.block.kind == "cell":
            number = item.block.table
            group = []
            while (
                i < len(items) and items[i].block.kind == "cell" and items[i].block.table == number
            ):
                group.append(items[i])
                i += 1
            _nested_table(row[0], group, source=True)
            _nested_table(row[1], group, source=False)
            continue
        _fill_source(row[0], item)
        _fill_target(row[1], item)
        i += 1
    for warning in translated.warnings:
        document.add_paragraph(f"Note: {warning}").runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
