"""The page's downloads: text, Markdown, JSON and an aligned table (CSV), named after the article.

Pure renderings plus one function that writes them into a folder; no gradio, no model. A
partial run (stopped with Cancel) is written the same way and says so.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .render import SegmentLike, SummarySentenceLike, aligned_rows

__all__ = [
    "DOCUMENT_KINDS",
    "DOWNLOAD_KINDS",
    "aligned_csv",
    "digest_json",
    "digest_markdown",
    "digest_text",
    "download_stem",
    "write_document_downloads",
    "write_downloads",
]

# kind -> (file extension, button label)
DOWNLOAD_KINDS: dict[str, tuple[str, str]] = {
    "txt": (".txt", "Text"),
    "md": (".md", "Markdown"),
    "json": (".json", "JSON"),
    "csv": (".csv", "Table (CSV)"),
    # Structured outputs, offered when the article came from a document (upload or link).
    "docx": (".docx", "Bilingual .docx"),
    "srt": (".srt", "Subtitles .srt"),
    "vtt": (".vtt", "Subtitles .vtt"),
    "tmx": (".tmx", "TMX"),
    "xliff": (".xlf", "XLIFF"),
}
DOCUMENT_KINDS = ("docx", "srt", "vtt", "tmx", "xliff")
SUBTITLE_KINDS = ("srt", "vtt")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
_ANY_WORD = re.compile(r"\w+")
_STEM_WORDS = 6


def download_stem(source: str, translation: str = "") -> str:
    """A file name (no extension) from the article: the first words of its title in English,
    else in Arabic, else ``tarjama-article``."""
    first_line = next((ln for ln in translation.splitlines() if ln.strip()), "")
    words = _LATIN_WORD.findall(first_line)[:_STEM_WORDS]
    if not words:
        title = next((ln for ln in source.splitlines() if ln.strip()), "")
        words = [w for w in _ANY_WORD.findall(title) if not w.isdigit() or len(w) > 1]
        words = words[:_STEM_WORDS]
    slug = "-".join(w.lower() for w in words)[:60].strip("-")
    return f"tarjama-{slug}" if slug else "tarjama-article"


def _model_line(meta: Mapping[str, Any]) -> str:
    model = meta.get("model") or "—"
    extras = [str(meta[k]) for k in ("backend", "device") if meta.get(k)]
    return f"{model} ({', '.join(extras)})" if extras else str(model)


def _summary_line(meta: Mapping[str, Any]) -> str:
    method = meta.get("method") or "—"
    if meta.get("model"):
        return f"{method}, {_model_line(meta)}, length {meta.get('length', '—')}"
    return f"{method}, length {meta.get('length', '—')}"


def digest_text(
    source: str,
    translation: str,
    summary: str,
    translation_meta: Mapping[str, Any],
    summary_meta: Mapping[str, Any] | None = None,
    *,
    note: str = "",
) -> str:
    """The plain-text download: models used, summary, translation, source (``note``: partial)."""
    lines = ["tarjama — Arabic to English", f"Translation model: {_model_line(translation_meta)}"]
    if summary_meta:
        lines.append(f"Summary: {_summary_line(summary_meta)}")
    if note:
        lines.append(note)
    lines += ["", "SUMMARY", "", summary or "(no summary)", "", "TRANSLATION", "", translation]
    lines += ["", "SOURCE (Arabic)", "", source.strip(), ""]
    return "\n".join(lines)


def digest_markdown(
    source: str,
    translation: str,
    summary: str,
    translation_meta: Mapping[str, Any],
    summary_meta: Mapping[str, Any] | None = None,
    *,
    note: str = "",
) -> str:
    """The Markdown download: the same content as :func:`digest_text`, with headings."""
    model = _model_line(translation_meta)
    lines = ["# tarjama — Arabic to English", "", f"- **Translation model:** {model}"]
    if summary_meta:
        lines.append(f"- **Summary:** {_summary_line(summary_meta)}")
    if note:
        lines += ["", f"> {note}"]
    lines += ["", "## Summary", "", summary or "_(no summary)_", "", "## Translation", ""]
    lines += [translation, "", "## Source (Arabic)", "", source.strip(), ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text (never runs it as a formula)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def aligned_csv(
    segments: Sequence[SegmentLike], summary: Sequence[SummarySentenceLike] | None = None
) -> str:
    """The aligned table: one row per source sentence, its English, flags, and the summary
    sentences (1-based) that cite it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["sentence", "paragraph", "arabic", "english", "flags", "summary_sentences"])
    for number, row in enumerate(aligned_rows(segments, summary), start=1):
        writer.writerow(
            [
                number,
                row.paragraph + 1,
                _cell(row.source),
                _cell(row.target),
                ";".join(row.flags),
                ";".join(str(n) for n in row.cited_by),
            ]
        )
    return "\ufeff" + out.getvalue()  # the BOM makes spreadsheet programs read UTF-8


def digest_json(
    source: str,
    translation: Mapping[str, Any],
    summary: Mapping[str, Any] | None,
    *,
    complete: bool = True,
) -> str:
    """The JSON download: the API's digest shape, plus ``complete`` (false after Cancel)."""
    data = {"source": source, "complete": complete, "translation": translation, "summary": summary}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_downloads(
    folder: Path,
    *,
    source: str,
    segments: Sequence[Any],
    translation_text: str,
    translation_meta: Mapping[str, Any],
    summary: Any | None = None,
    summary_meta: Mapping[str, Any] | None = None,
    note: str = "",
) -> dict[str, str]:
    """Write every download for one run into ``folder``; kind → path."""
    stem = download_stem(source, translation_text)
    summary_text = summary.text if summary is not None else ""
    sentences = summary.sentences if summary is not None else None
    translation = {
        "text": translation_text,
        "segments": [s.to_dict() for s in segments],
        "meta": dict(translation_meta),
        "flags": sorted({f for s in segments for f in s.flags}),
    }
    summary_dict = None
    if summary is not None:
        summary_dict = {**summary.to_dict(), "meta": dict(summary_meta or {})}
    args = (source, translation_text, summary_text, translation_meta, summary_meta)
    contents = {
        "txt": digest_text(*args, note=note),
        "md": digest_markdown(*args, note=note),
        "json": digest_json(source, translation, summary_dict, complete=not note),
        "csv": aligned_csv(segments, sentences),
    }
    paths = {}
    for kind, text in contents.items():
        path = folder / f"{stem}{DOWNLOAD_KINDS[kind][0]}"
        path.write_text(text, encoding="utf-8")
        paths[kind] = str(path)
    return paths


def write_document_downloads(folder: Path, stem: str, translated: Any) -> dict[str, str]:
    """Write the structured downloads of a translated document (a ``TranslatedDocument``) into
    ``folder``: bilingual .docx, TMX and XLIFF, and .srt/.vtt with the source's timings for
    subtitles; kind → path."""
    from translate.documents import write_document

    formats = {"docx": "docx", "tmx": "tmx", "xliff": "xliff"}
    if translated.document.is_subtitles:
        formats.update(srt="srt", vtt="vtt")
    paths = {}
    for kind, fmt in formats.items():
        path = folder / f"{stem}{DOWNLOAD_KINDS[kind][0]}"
        path.write_bytes(write_document(translated, fmt))
        paths[kind] = str(path)
    return paths
