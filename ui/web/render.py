"""Pure HTML and text rendering for the web UI: no gradio, no model, no I/O.

Every piece of user or model text goes through :func:`html.escape` before it reaches the page.
Works on anything shaped like ``translate.Segment`` and ``summarize.SummarySentence``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "AlignedRow",
    "FLAG_LABELS",
    "MARKS_NOTE",
    "UNSURE_BELOW",
    "marked_english",
    "aligned_rows",
    "aligned_view",
    "error_box",
    "flag_badges",
    "model_status",
    "provenance_view",
    "status_box",
]


class SegmentLike(Protocol):
    index: int
    source: str
    target: str
    paragraph: int
    sentence: int
    flags: tuple[str, ...]
    confidence: float | None
    weak: tuple[tuple[int, int], ...]


class SummarySentenceLike(Protocol):
    text: str
    sources: list[int]
    flags: tuple[str, ...]


# flag -> (short label, explanation, severity). Severity: "bad" (the output is suspect),
# "warn" (worth a look), "info" (how it was made).
FLAG_LABELS: dict[str, tuple[str, str, str]] = {
    "empty": ("empty", "The model produced no words for this sentence.", "bad"),
    "repetition": ("repetition", "The output repeats itself (a generation loop).", "bad"),
    "too-long": ("too long", "The output is much longer than the source.", "bad"),
    "too-short": (
        "too short",
        "The output is much shorter than the source: text may be missing.",
        "bad",
    ),
    "degenerate": ("degenerate", "Still suspect after a retry with stricter settings.", "bad"),
    "numbers": ("numbers", "A number of the source is missing from the translation.", "warn"),
    "persian-urdu": (
        "Persian/Urdu",
        "Persian or Urdu letters: the model is trained on Arabic.",
        "warn",
    ),
    "retried": ("retried", "Translated again with stricter settings.", "warn"),
    "untouchable-restored": (
        "restored",
        "A URL, e-mail or Latin name was put back as written.",
        "warn",
    ),
    "windowed": ("split", "A long sentence, translated in several windows.", "info"),
    "passthrough": ("as written", "Only numbers or symbols: kept as written.", "info"),
    "edited": (
        "edited",
        "A person corrected this sentence; the model's English is kept in the downloads.",
        "info",
    ),
}
# A sentence whose confidence (the geometric mean of its tokens' probabilities) is below this
# is marked unsure; a word is underlined when one of its tokens is below 0.5 (Segment.weak).
UNSURE_BELOW = 0.5
MARKS_NOTE = (
    "Underlined words and sentences marked “unsure” are where the model gave its own words a "
    "low probability: a hint of where to look first, not a judgement of quality — a sure "
    "sentence can still be wrong, and an unsure one right."
)
_SEVERITY_ORDER = {"bad": 0, "warn": 1, "info": 2}


@dataclass
class AlignedRow:
    """One source sentence of the aligned view: its segments joined back together."""

    sentence: int
    paragraph: int
    source: str
    target: str
    segments: list[int]
    flags: tuple[str, ...]
    cited_by: list[int] = field(default_factory=list)
    confidence: float | None = None  # the lowest of its segments'

    @property
    def unsure(self) -> bool:
        """The model's confidence in some part of the row is below ``UNSURE_BELOW``."""
        return self.confidence is not None and self.confidence < UNSURE_BELOW

    @property
    def severity(self) -> str | None:
        """The worst severity among the row's flags (None when it has none worth showing)."""
        levels = [FLAG_LABELS.get(f, (f, "", "warn"))[2] for f in self.flags]
        levels = [level for level in levels if level != "info"]
        return min(levels, key=_SEVERITY_ORDER.__getitem__) if levels else None


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def aligned_rows(
    segments: Sequence[SegmentLike],
    summary: Sequence[SummarySentenceLike] | None = None,
) -> list[AlignedRow]:
    """Group segments by source sentence (windows of one sentence become one row).

    ``summary`` sentences' ``sources`` are segment indices; each row lists, 1-based, the summary
    sentences that cite one of its segments.
    """
    rows: list[AlignedRow] = []
    by_segment: dict[int, AlignedRow] = {}
    for seg in segments:
        if rows and rows[-1].sentence == seg.sentence:
            row = rows[-1]
            row.source = f"{row.source} {seg.source}"
            row.target = f"{row.target} {seg.target}"
            row.segments.append(seg.index)
            row.flags = tuple(dict.fromkeys([*row.flags, *seg.flags]))
            row.confidence = _lowest(row.confidence, getattr(seg, "confidence", None))
        else:
            row = AlignedRow(
                sentence=seg.sentence,
                paragraph=seg.paragraph,
                source=seg.source,
                target=seg.target,
                segments=[seg.index],
                flags=tuple(seg.flags),
                confidence=getattr(seg, "confidence", None),
            )
            rows.append(row)
        by_segment[seg.index] = row
    for number, sentence in enumerate(summary or (), start=1):
        for source in sentence.sources:
            row = by_segment.get(source)
            if row is not None and number not in row.cited_by:
                row.cited_by.append(number)
    return rows


def _lowest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def marked_english(segment: SegmentLike) -> str:
    """A segment's English, escaped, with its weak words underlined (``<u>``). Spans that do
    not fit the text (overlapping or out of range) are skipped: one pass, linear."""
    text = segment.target
    parts: list[str] = []
    position = 0
    for start, end in sorted(getattr(segment, "weak", ()) or ()):
        if start < position or end > len(text) or start >= end:
            continue
        parts.append(_esc(text[position:start]))
        parts.append(f'<u class="tj-weak">{_esc(text[start:end])}</u>')
        position = end
    parts.append(_esc(text[position:]))
    return "".join(parts)


def _row_id(row_number: int) -> str:
    return f"tj-sent-{row_number}"


def flag_badges(flags: Sequence[str]) -> str:
    """Coloured badges for the flags worth showing, worst first, each with its explanation."""
    known = [f for f in flags if f in FLAG_LABELS] + [f for f in flags if f not in FLAG_LABELS]
    known.sort(key=lambda f: _SEVERITY_ORDER[FLAG_LABELS.get(f, (f, "", "warn"))[2]])
    badges = []
    for flag in known:
        label, explanation, severity = FLAG_LABELS.get(flag, (flag, f"Flag: {flag}", "warn"))
        badges.append(
            f'<span class="tj-badge tj-{severity}" title="{_esc(explanation)}">{_esc(label)}</span>'
        )
    return "".join(badges)


def aligned_view(
    segments: Sequence[SegmentLike],
    summary: Sequence[SummarySentenceLike] | None = None,
    *,
    pending: bool = False,
    selected: int | None = None,
) -> str:
    """The sentence-aligned table: number, Arabic (right-to-left), English (unsure words
    underlined), flags, citations. ``selected`` (a 1-based row) is the row the editor has open.

    ``pending`` adds a last row saying that more sentences are on their way (streaming).
    """
    if not segments:
        return (
            '<div class="tj-empty">The sentence-by-sentence view appears here: each Arabic '
            "sentence beside its English translation.</div>"
        )
    rows = aligned_rows(segments, summary)
    by_index = {seg.index: seg for seg in segments}
    flagged = sum(1 for row in rows if row.severity)
    unsure = sum(1 for row in rows if row.unsure)
    parts = [
        '<div class="tj-aligned">',
        f'<p class="tj-caption">{len(rows)} sentence{"s" if len(rows) != 1 else ""}'
        + (f" · {flagged} flagged for a closer look" if flagged else "")
        + (f" · {unsure} unsure" if unsure else "")
        + "</p>",
        f'<p class="tj-marks-note" id="tj-marks-note">{_esc(MARKS_NOTE)}</p>',
        '<table class="tj-table"><thead><tr><th class="tj-num">#</th>'
        '<th class="tj-ar-head" lang="ar" dir="rtl">العربية</th><th>English</th>'
        '<th class="tj-notes">Notes</th></tr></thead><tbody>',
    ]
    previous_paragraph: int | None = None
    for number, row in enumerate(rows, start=1):
        classes = ["tj-row"]
        if row.severity:
            classes.append(f"tj-flagged tj-flagged-{row.severity}")
        if row.cited_by:
            classes.append("tj-cited")
        if row.unsure:
            classes.append("tj-unsure")
        if "edited" in row.flags:
            classes.append("tj-edited")
        current = ' aria-current="true"' if number == selected else ""
        if current:
            classes.append("tj-selected")
        if previous_paragraph is not None and row.paragraph != previous_paragraph:
            classes.append("tj-new-paragraph")
        previous_paragraph = row.paragraph
        cites = "".join(
            f'<span class="tj-cite" title="Used by summary sentence {n}">Σ{n}</span>'
            for n in row.cited_by
        )
        english = " ".join(marked_english(by_index[i]) for i in row.segments if i in by_index)
        parts.append(
            f'<tr id="{_row_id(number)}" class="{" ".join(classes)}"{current}>'
            f'<td class="tj-num">{number}</td>'
            f'<td class="tj-ar" lang="ar" dir="rtl">{_esc(row.source)}</td>'
            f'<td class="tj-en" lang="en">{english}</td>'
            f'<td class="tj-notes">{_unsure_badge(row)}{flag_badges(row.flags)}{cites}</td></tr>'
        )
    if pending:
        parts.append(
            '<tr class="tj-pending"><td class="tj-num">…</td>'
            '<td colspan="3">Translating the next sentences…</td></tr>'
        )
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _unsure_badge(row: AlignedRow) -> str:
    if not row.unsure or row.confidence is None:
        return ""
    return (
        f'<span class="tj-badge tj-unsure-badge" title="The model\'s own confidence in this '
        f'sentence: {row.confidence:.0%} (not a quality score)">unsure {row.confidence:.0%}</span>'
    )


def provenance_view(summary: Sequence[SummarySentenceLike], segments: Sequence[SegmentLike]) -> str:
    """Each summary sentence with links to the source sentences it came from."""
    if not summary:
        return ""
    rows = aligned_rows(segments)
    row_of_segment = {
        index: number for number, row in enumerate(rows, start=1) for index in row.segments
    }
    estimated = any("estimated-sources" in s.flags for s in summary)
    parts = [
        '<div class="tj-provenance"><p class="tj-provenance-title">The summary and where each '
        "sentence comes from (the numbers link to the rows below)</p>"
        '<ol class="tj-summary-list">'
    ]
    for sentence in summary:
        numbers = list(
            dict.fromkeys(row_of_segment[i] for i in sentence.sources if i in row_of_segment)
        )
        links = "".join(
            f'<a class="tj-source-link" href="#{_row_id(n)}" '
            f'title="{_esc(rows[n - 1].target)}">{n}</a>'
            for n in numbers
        )
        if not links:
            links = '<span class="tj-muted">no matching source sentence</span>'
        parts.append(
            f'<li><span class="tj-summary-sentence">{_esc(sentence.text)}</span>'
            f'<span class="tj-sources" aria-label="source sentences">from {links}</span></li>'
        )
    parts.append("</ol>")
    if estimated:
        parts.append(
            '<p class="tj-muted">Sources of an abstractive summary are estimated by word '
            "overlap.</p>"
        )
    parts.append("</div>")
    return "".join(parts)


def _inline(text: str) -> str:
    """Escaped text with `backticks` shown as code."""
    parts = _esc(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the text as it is
        return _esc(text)
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def error_box(message: str | None, *, hint: str | None = None) -> str:
    """A short error message and an optional hint (or an empty string when there is none);
    `backticks` become code."""
    if not message:
        return ""
    extra = f'<p class="tj-error-hint">{_inline(hint)}</p>' if hint else ""
    return (
        '<div class="tj-error" role="alert"><span class="tj-error-icon" aria-hidden="true">!</span>'
        f'<div><p class="tj-error-message">{_inline(message)}</p>{extra}</div></div>'
    )


def model_status(entries: Sequence[tuple[str, str, str, bool]], note: str = "") -> str:
    """Which models the server has: (role, name, state, ready) each, and a note (e.g. that
    summaries are extractive because the summary model is not downloaded)."""
    items = "".join(
        f'<li class="tj-model {"tj-model-ready" if ready else "tj-model-missing"}">'
        f'<span class="tj-model-role">{_esc(role)}</span> <code>{_esc(name)}</code> '
        f'<span class="tj-model-state">{_esc(state)}</span></li>'
        for role, name, state, ready in entries
    )
    extra = f'<p class="tj-model-note">{_inline(note)}</p>' if note else ""
    return f'<div class="tj-models"><ul>{items}</ul>{extra}</div>'


def status_box(message: str, state: str = "idle") -> str:
    """One status line: ``idle``, ``working`` (with a spinner), ``done`` or ``stopped``."""
    spinner = '<span class="tj-spinner" aria-hidden="true"></span>' if state == "working" else ""
    return (
        f'<div class="tj-status tj-status-{_esc(state)}" role="status" aria-live="polite">'
        f"{spinner}{_esc(message)}</div>"
    )
