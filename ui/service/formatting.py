"""Text, JSON and Markdown renderings of results for the command line (no models, no I/O).

Works on anything shaped like ``translate.TranslationResult``, ``summarize.SummaryResult`` and
``summarize.Digest`` (their ``to_dict()`` is the JSON form).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

FORMATS = ("text", "json", "markdown")
# Output formats only a translated document has (its structure kept): the CLI's `translate`
# writes them, the page offers them as downloads.
DOCUMENT_FORMATS = ("docx", "srt", "vtt", "tmx", "xliff")

__all__ = [
    "DOCUMENT_FORMATS",
    "FORMATS",
    "document_json",
    "format_digest",
    "format_models",
    "format_scores",
    "format_summary",
    "format_translation",
    "model_line",
    "summary_line",
    "to_json",
]


def to_json(data: Any) -> str:
    """Pretty JSON that keeps Arabic readable (no \\u escapes)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _cell(text: object) -> str:
    """One Markdown table cell: pipes escaped, line breaks as <br>."""
    return str(text).replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _meta_line(meta: Mapping[str, Any]) -> str:
    parts = [f"model `{meta.get('model')}`"]
    if meta.get("revision"):
        parts.append(f"revision `{meta['revision']}`")
    for key in ("backend", "device", "quantization", "method"):
        if meta.get(key):
            parts.append(f"{key} `{meta[key]}`")
    return "_" + ", ".join(parts) + "_"


def format_translation(result: Any, fmt: str) -> str:
    """A TranslationResult as plain text (the English), JSON, or Markdown with a segment table."""
    if fmt == "json":
        return to_json(result.to_dict())
    if fmt == "text":
        return result.text.rstrip("\n") + "\n"
    lines = ["# Translation", "", result.text.strip(), ""]
    lines += [f"> {w}" for w in result.warnings]
    if result.warnings:
        lines.append("")
    lines += ["## Segments", "", "| # | Arabic | English | Flags |", "|---|---|---|---|"]
    for seg in result.segments:
        flags = ", ".join(seg.flags)
        lines.append(f"| {seg.index} | {_cell(seg.source)} | {_cell(seg.target)} | {flags} |")
    lines += ["", _meta_line(result.meta), ""]
    return "\n".join(lines)


def document_json(translated: Any) -> dict[str, Any]:
    """A TranslatedDocument as JSON that is a superset of a text translation's: ``text``,
    ``segments`` and ``meta`` as for plain text, plus the document's ``blocks``, ``pairs``,
    ``warnings`` and ``flags``.

    Each segment's ``start``/``end`` index the document's source text (its blocks joined by
    blank lines, ``translate.documents.document_text``) and ``blocks`` lists the blocks it
    comes from; a sentence over several subtitle cues spans those cues. Linear in the size of
    the document.
    """
    from translate.documents import document_text

    spans = {span.block: span for span in document_text(translated.document).spans}
    touched: dict[int, list[int]] = {}  # id(segment) -> the numbers of the blocks it touches
    ordered: list[Any] = []
    for number, item in enumerate(translated.blocks):
        for seg in item.segments:
            if id(seg) not in touched:
                touched[id(seg)] = []
                ordered.append((seg, item))
            touched[id(seg)].append(number)
    segments = []
    for index, (seg, item) in enumerate(ordered):
        numbers = touched[id(seg)]
        first, last = spans.get(numbers[0]), spans.get(numbers[-1])
        if first is None or last is None:
            continue  # an empty block has no text to point into (and no segments)
        if item.block.kind == "cue":  # the unit was a run of cues joined: span those cues
            start, end = first.start, last.end
        else:  # the segment indexes the block's own text
            start, end = first.start + seg.start, first.start + seg.end
        data = seg.to_dict()
        data.update(index=index, start=start, end=end, blocks=numbers)
        segments.append(data)
    data = translated.to_dict()
    return {"text": data.pop("text"), "segments": segments, **data}


def _summary_lines(summary: Any, sources_label: str) -> list[str]:
    lines = []
    for sentence in summary.sentences:
        where = ", ".join(str(i) for i in sentence.sources) or "none"
        extra = f"; {', '.join(sentence.flags)}" if sentence.flags else ""
        lines.append(f"- {sentence.text} _({sources_label} {where}{extra})_")
    if summary.flags:
        lines += ["", "Flags: " + ", ".join(summary.flags)]
    return lines


def format_summary(summary: Any, fmt: str) -> str:
    """A SummaryResult as plain text, JSON, or Markdown bullets with their source sentences."""
    if fmt == "json":
        return to_json(summary.to_dict())
    if fmt == "text":
        return summary.text.rstrip("\n") + "\n"
    lines = ["# Summary", "", *_summary_lines(summary, "sentences"), ""]
    if summary.meta:
        lines += [_meta_line(summary.meta), ""]
    return "\n".join(lines)


def model_line(meta: Mapping[str, Any]) -> str:
    """A translation model in words: ``opus-mt-ar-en (transformers, cpu)``."""
    model = meta.get("model") or "—"
    extras = [str(meta[k]) for k in ("backend", "device") if meta.get(k)]
    return f"{model} ({', '.join(extras)})" if extras else str(model)


def summary_line(meta: Mapping[str, Any]) -> str:
    """How a summary was made in words: ``extractive, length short`` (with its model)."""
    method = meta.get("method") or "—"
    if meta.get("model"):
        return f"{method}, {model_line(meta)}, length {meta.get('length', '—')}"
    return f"{method}, length {meta.get('length', '—')}"


def format_digest(
    digest: Any,
    fmt: str,
    *,
    title: str | None = None,
    note: str = "",
    with_source: bool = False,
    complete: bool | None = None,
) -> str:
    """A Digest: the translation and its summary (JSON: source, translation, summary).

    The one rendering of a digest, for ``tarjama digest -f`` and the page's downloads, which
    add: ``title`` (a heading naming the models used), ``note`` (a run stopped early),
    ``with_source`` (the Arabic at the end) and ``complete`` (JSON). ``digest.summary`` may
    be None (a run stopped before its summary): it reads "(no summary)".
    """
    translation, summary = digest.translation, digest.summary
    if fmt == "json":
        data: dict[str, Any] = {"source": digest.source}
        if complete is not None:
            data["complete"] = complete
        data["translation"] = translation.to_dict()
        data["summary"] = summary.to_dict() if summary is not None else None
        return to_json(data)
    source = digest.source.strip()
    if fmt == "text":
        lines = []
        if title:
            lines += [title, f"Translation model: {model_line(translation.meta)}"]
            if summary is not None and summary.meta:
                lines.append(f"Summary: {summary_line(summary.meta)}")
        if note:
            lines.append(note)
        if lines:
            lines.append("")
        summary_text = summary.text.strip() if summary is not None else "(no summary)"
        lines += ["SUMMARY", summary_text, "", "TRANSLATION", translation.text.strip()]
        if with_source:
            lines += ["", "SOURCE (Arabic)", source]
        return "\n".join(lines) + "\n"
    lines = [f"# {title or 'Digest'}", ""]
    if title:
        lines.append(f"- **Translation model:** {model_line(translation.meta)}")
        if summary is not None and summary.meta:
            lines.append(f"- **Summary:** {summary_line(summary.meta)}")
        lines.append("")
    if note:
        lines += [f"> {note}", ""]
    lines += ["## Summary", ""]
    lines += _summary_lines(summary, "segments") if summary is not None else ["_(no summary)_"]
    lines += ["", "## Translation", "", translation.text.strip(), ""]
    lines += [f"> {w}" for w in translation.warnings]
    if with_source:
        lines += ["", "## Source (Arabic)", "", source, ""]
    lines += ["", _meta_line(translation.meta)]
    if summary is not None and summary.meta:
        lines.append(_meta_line(summary.meta))
    lines.append("")
    return "\n".join(lines)


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - the loop always returns


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain, left-aligned text table."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    out = []
    for n, row in enumerate(cells):
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def format_models(entries: Sequence[Mapping[str, Any]], fmt: str = "text") -> str:
    """``tarjama models list``: one line per registry entry."""
    if fmt == "json":
        return to_json(list(entries))
    rows = [
        (
            ("* " if e["default"] else "  ") + e["name"],
            e["role"],
            e["source"],
            (e["revision"] or "main")[:12],
            "yes" if e["cached"] else "no",
            human_size(e["size"]),
        )
        for e in entries
    ]
    return table(["  name", "role", "source", "revision", "cached", "size"], rows) + (
        "(* default for its role)\n"
    )


def format_scores(scores: Mapping[str, Any], title: str) -> str:
    """Metric scores as a two-column table; nested mappings (metadata) are left to the JSON."""
    rows: list[tuple[str, object]] = []
    meta = scores.get("meta")
    if isinstance(meta, Mapping):
        rows += [(key, meta[key]) for key in ("model", "backend") if meta.get(key)]
    for key, value in scores.items():
        if isinstance(value, float):
            rows.append((key, f"{value:.2f}"))
        elif isinstance(value, (int, str)) or value is None:
            rows.append((key, value))
    return f"{title}\n" + table(["metric", "value"], rows)
