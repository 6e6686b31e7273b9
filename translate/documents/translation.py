"""Translate a Document block by block, keeping its structure.

Every block with Arabic goes through ``Translator.translate_batch`` in one call, so sentences
of all blocks are batched together, and each sentence is translated exactly as it would be
alone. A block without Arabic letters (a number in a table, an English name, "[music]") is
kept as written, flagged ``passthrough``.

Subtitles: a sentence often runs over several cues. Consecutive cues are joined into one
text until a cue ends a sentence (or a pause, or too many cues, breaks the run); that text is
translated, and the English of a sentence that spans cues is spread back over them in
proportion to how much of the Arabic each cue held, cut at word boundaries. Cue count and
timings never change.

:func:`document_from_segments` builds the same structure from a text already translated (the
page's segments, with what the person chose to apply), without translating again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import TarjamaError
from ..pieces import join_paragraphs
from ..text import has_arabic
from ..types import Segment, TranslationResult
from .errors import DocumentError
from .model import Block, BlockSpan, Document

MAX_CUES_PER_SENTENCE = 6
MAX_PAUSE_MS = 2000  # a longer silence between two cues ends the sentence run
_ENDS_SENTENCE = re.compile(r"[.!?\u061f\u2026][\"'\u201d\u00bb)\]]*$")
# Flags that describe what happened rather than ask a reviewer to look.
INFORMATIONAL_FLAGS = frozenset({"passthrough", "windowed", "retried"})


def review_flags(flags: Sequence[str]) -> tuple[str, ...]:
    """The flags that call for a reviewer's eye (degenerate output, lost numbers, errors…)."""
    return tuple(f for f in flags if f not in INFORMATIONAL_FLAGS)


@dataclass(frozen=True)
class TranslatedBlock:
    """One block and its English.

    ``segments`` are the translator's segments that touch this block; their ``start``/``end``
    index the translated unit's text — the block's ``translation_text``, or for a cue, the
    run of cues it was translated with. ``error`` is set (and ``target`` empty) when the
    block could not be translated; the rest of the document still is.
    """

    block: Block
    target: str
    segments: tuple[Segment, ...] = ()
    flags: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"block": self.block.to_dict(), "target": self.target, "flags": list(self.flags)}
        if self.error:
            data["error"] = self.error
        data["segments"] = [s.to_dict() for s in self.segments]
        return data


@dataclass(frozen=True)
class SentencePair:
    """One source sentence and its English (windows of one long sentence joined), with the
    numbers of the blocks it comes from (several for a sentence that runs over cues)."""

    source: str
    target: str
    blocks: tuple[int, ...]
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranslatedDocument:
    """A document with the English of each block, the sentence pairs, and the model's meta."""

    document: Document
    blocks: tuple[TranslatedBlock, ...]
    pairs: tuple[SentencePair, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The English, one block per paragraph (blank lines between blocks)."""
        return "\n\n".join(t.target for t in self.blocks if t.target.strip())

    @property
    def flags(self) -> list[str]:
        return sorted({flag for t in self.blocks for flag in t.flags})

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": {"document": self.document.meta.to_dict(), "translation": dict(self.meta)},
            "text": self.text,
            "blocks": [t.to_dict() for t in self.blocks],
            "pairs": [
                {
                    "source": p.source,
                    "target": p.target,
                    "blocks": list(p.blocks),
                    "flags": list(p.flags),
                }
                for p in self.pairs
            ],
            "warnings": list(self.warnings),
            "flags": self.flags,
        }


@dataclass
class _Unit:
    """One text handed to the translator: a block, or a run of cues (private)."""

    blocks: list[int]
    text: str
    spans: list[tuple[int, int]]  # per block, its span in ``text``


def _cue_runs(document: Document) -> list[_Unit]:
    units: list[_Unit] = []
    current: _Unit | None = None
    previous: Block | None = None
    for number, block in enumerate(document.blocks):
        text = block.translation_text
        joins = (
            current is not None
            and previous is not None
            and previous.kind == "cue"
            and block.kind == "cue"
            and text
            and not _ENDS_SENTENCE.search(previous.translation_text)
            and len(current.blocks) < MAX_CUES_PER_SENTENCE
            and (block.start_ms or 0) - (previous.end_ms or 0) <= MAX_PAUSE_MS
        )
        if joins and current is not None:
            start = len(current.text) + 1
            current.text += " " + text
            current.blocks.append(number)
            current.spans.append((start, start + len(text)))
        else:
            current = _Unit([number], text, [(0, len(text))])
            units.append(current)
        previous = block if text else None
    return units


def cue_runs(document: Document) -> list[tuple[int, ...]]:
    """The block numbers of each text :func:`translate_document` translates as one: a run of
    cues that continue one sentence, or a single block."""
    return [tuple(unit.blocks) for unit in _units(document)]


def _units(document: Document) -> list[_Unit]:
    if document.is_subtitles:
        return _cue_runs(document)
    return [
        _Unit([n], b.translation_text, [(0, len(b.translation_text))])
        for n, b in enumerate(document.blocks)
    ]


def spread_words(text: str, weights: Sequence[int]) -> list[str]:
    """Cut ``text`` at word boundaries into ``len(weights)`` parts sized like ``weights``.

    Each part gets at least one word while there are words enough; no word is lost or cut.
    """
    words = text.split()
    parts = len(weights)
    if parts <= 1:
        return [" ".join(words)] * parts
    sizes = [max(w, 0) for w in weights]
    if not sum(sizes):
        sizes = [1] * parts
    total = sum(sizes)
    enough = len(words) >= parts
    bounds = [0]
    running = 0
    for i, size in enumerate(sizes[:-1]):
        running += size
        cut = round(len(words) * running / total)
        # Increasing cuts; with words enough, every part keeps at least one.
        low = bounds[-1] + 1 if enough else bounds[-1]
        high = len(words) - (parts - i - 1) if enough else len(words)
        bounds.append(min(max(cut, low), high))
    bounds.append(len(words))
    return [" ".join(words[bounds[i] : bounds[i + 1]]) for i in range(parts)]


def _sentence_pairs(unit: _Unit, segments: Sequence[Segment]) -> list[SentencePair]:
    """Join the windows of each sentence; name the blocks the sentence overlaps."""
    pairs: list[SentencePair] = []
    groups: dict[int, list[Segment]] = {}
    for seg in segments:
        groups.setdefault(seg.sentence, []).append(seg)
    for segs in groups.values():
        start, end = segs[0].start, segs[-1].end
        blocks = tuple(
            unit.blocks[i] for i, (s, e) in enumerate(unit.spans) if s < end and start < e
        )
        flags = tuple(dict.fromkeys(f for s in segs for f in s.flags))
        pairs.append(
            SentencePair(
                source=unit.text[start:end],
                target=" ".join(s.target for s in segs if s.target),
                blocks=blocks or (unit.blocks[0],),
                flags=flags,
            )
        )
    return pairs


def _cue_targets(unit: _Unit, result: TranslationResult) -> list[tuple[str, list[Segment]]]:
    """The English of each cue of a run, and the segments that touch it."""
    texts: list[list[str]] = [[] for _ in unit.blocks]
    touching: list[list[Segment]] = [[] for _ in unit.blocks]
    for seg in result.segments:
        overlaps = [
            (i, min(e, seg.end) - max(s, seg.start))
            for i, (s, e) in enumerate(unit.spans)
            if s < seg.end and seg.start < e
        ]
        if not overlaps:  # cannot happen: segments lie inside the text; keep the words anyway
            overlaps = [(len(unit.blocks) - 1, 1)]
        pieces = spread_words(seg.target, [size for _, size in overlaps])
        for (i, _), piece in zip(overlaps, pieces, strict=True):
            if piece:
                texts[i].append(piece)
            touching[i].append(seg)
    return [(" ".join(t), segs) for t, segs in zip(texts, touching, strict=True)]


def translate_document(
    document: Document,
    translator: Any,
    *,
    progress: Callable[[int], None] | None = None,
) -> TranslatedDocument:
    """Translate every block of ``document`` with ``translator`` (a :class:`Translator`).

    Raises :class:`DocumentError` if the document has no Arabic at all; a block the translator
    refuses (too long, for instance) gets its ``error`` and the others are still translated.
    """
    if not any(has_arabic(b.translation_text) for b in document.blocks):
        raise DocumentError(
            "The document contains no Arabic letters; tarjama translates Arabic into English."
        )
    units = _units(document)
    todo = [u for u in units if has_arabic(u.text)]
    outcomes = translator.translate_batch(
        [u.text for u in todo], on_error="return", progress=progress
    )
    by_unit: dict[int, TranslationResult | TarjamaError] = {
        id(u): o for u, o in zip(todo, outcomes, strict=True)
    }
    translated: list[TranslatedBlock | None] = [None] * len(document.blocks)
    pairs: list[SentencePair] = []
    warnings: list[str] = []
    for unit in units:
        outcome = by_unit.get(id(unit))
        if outcome is None:  # no Arabic: keep the text as written
            for number in unit.blocks:
                block = document.blocks[number]
                text = block.translation_text
                flags = ("passthrough",) if text else ()
                translated[number] = TranslatedBlock(block, text, flags=flags)
                if text:
                    pairs.append(SentencePair(text, text, (number,), flags))
            continue
        if isinstance(outcome, TarjamaError):
            for number in unit.blocks:
                translated[number] = TranslatedBlock(
                    document.blocks[number], "", flags=("error",), error=str(outcome)
                )
            warnings.append(f"Block {unit.blocks[0] + 1} was not translated: {outcome}")
            continue
        warnings += [w for w in outcome.warnings if w not in warnings]
        pairs += _sentence_pairs(unit, outcome.segments)
        if len(unit.blocks) == 1:
            number = unit.blocks[0]
            translated[number] = TranslatedBlock(
                document.blocks[number],
                outcome.text,
                tuple(outcome.segments),
                tuple(outcome.flags),
            )
            continue
        for number, (text, segs) in zip(unit.blocks, _cue_targets(unit, outcome), strict=True):
            flags = tuple(sorted({f for s in segs for f in s.flags}))
            translated[number] = TranslatedBlock(document.blocks[number], text, tuple(segs), flags)
    blocks = tuple(t for t in translated if t is not None)
    meta = dict(getattr(translator, "meta", {}) or {})
    return TranslatedDocument(document, blocks, tuple(pairs), meta, tuple(warnings))


def segments_by_block(
    spans: Sequence[BlockSpan], segments: Sequence[Segment]
) -> dict[int, list[Segment]]:
    """The ``segments`` of a text, by the number of the block (at ``spans`` in that text) where
    each starts, their offsets made the block's. Every segment lies in a block; one that did
    not would go to the block before it, never be dropped."""
    starts = [span.start for span in spans]
    out: dict[int, list[Segment]] = {}
    for seg in segments if spans else ():
        span = spans[max(0, bisect_right(starts, seg.start) - 1)]
        local = replace(seg, start=seg.start - span.start, end=seg.end - span.start)
        out.setdefault(span.block, []).append(local)
    return out


def document_from_segments(
    document: Document,
    spans: Sequence[BlockSpan],
    segments: Sequence[Segment],
    meta: Mapping[str, Any] | None = None,
) -> TranslatedDocument:
    """A TranslatedDocument of ``document`` made of ``segments``, a translation of a text that
    holds its blocks at ``spans`` (``document_text(document).spans`` for the document's own
    text), without translating again: each segment goes to the block where it starts, its
    offsets made the block's. A glossary or memory the segments were made with stays applied.

    Not for subtitles, whose cues :func:`translate_document` joins into sentences (ValueError).
    """
    if document.is_subtitles:
        raise ValueError("subtitles are translated by translate_document (cue runs)")
    mine = segments_by_block(spans, segments)
    blocks: list[TranslatedBlock] = []
    pairs: list[SentencePair] = []
    for number, block in enumerate(document.blocks):
        segs = mine.get(number, [])
        if not segs:
            blocks.append(TranslatedBlock(block, ""))
            continue
        text = block.translation_text
        flags = tuple(sorted({f for s in segs for f in s.flags}))
        blocks.append(TranslatedBlock(block, join_paragraphs(text, segs), tuple(segs), flags))
        pairs += _sentence_pairs(_Unit([number], text, [(0, len(text))]), segs)
    return TranslatedDocument(document, tuple(blocks), tuple(pairs), dict(meta or {}))
