"""Text, JSON and Markdown renderings of results for the command line (no models, no I/O).

Works on anything shaped like ``translate.TranslationResult``, ``summarize.SummaryResult`` and
``summarize.Digest`` (their ``to_dict()`` is the JSON form).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

FORMATS = ("text", "json", "markdown")

__all__ = [
    "FORMATS",
    "format_digest",
    "format_models",
    "format_scores",
    "format_summary",
    "format_translation",
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


def format_digest(digest: Any, fmt: str) -> str:
    """A Digest: the translation and its summary (JSON: source, translation, summary)."""
    if fmt == "json":
        return to_json(digest.to_dict())
    translation, summary = digest.translation, digest.summary
    if fmt == "text":
        return f"SUMMARY\n{summary.text.strip()}\n\nTRANSLATION\n{translation.text.strip()}\n"
    lines = ["# Digest", "", "## Summary", "", *_summary_lines(summary, "segments"), ""]
    lines += ["## Translation", "", translation.text.strip(), ""]
    lines += [f"> {w}" for w in translation.warnings]
    lines += ["", _meta_line(translation.meta)]
    if summary.meta:
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
