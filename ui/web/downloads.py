"""The page's downloads: text, Markdown, JSON and an aligned table (CSV), named after the article,
plus bilingual .docx, TMX and XLIFF of every article (pasted text is a document of one paragraph
per line), and .srt/.vtt when it came from subtitles.

Text, Markdown and JSON are ``tarjama digest -f``'s one rendering (``ui.service.formatting``)
with the models used and the source added; no gradio, no model. A partial run (stopped with
Cancel) is written the same way and says so.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translate.pieces import join_paragraphs
from translate.types import TranslationResult

from ..service.formatting import DOCUMENT_FORMATS, format_digest
from .render import SegmentLike, SummarySentenceLike, aligned_rows

__all__ = [
    "DOCUMENT_KINDS",
    "DOWNLOAD_KINDS",
    "RunDigest",
    "aligned_csv",
    "digest_download",
    "download_stem",
    "write_structured_downloads",
    "write_document_downloads",
    "write_downloads",
]

# kind -> (file extension, button label)
DOWNLOAD_KINDS: dict[str, tuple[str, str]] = {
    "txt": (".txt", "Text"),
    "md": (".md", "Markdown"),
    "json": (".json", "JSON"),
    "csv": (".csv", "Table (CSV)"),
    # Structured outputs: .docx, TMX and XLIFF for every article, subtitles for subtitles.
    "docx": (".docx", "Bilingual .docx"),
    "srt": (".srt", "Subtitles .srt"),
    "vtt": (".vtt", "Subtitles .vtt"),
    "tmx": (".tmx", "TMX"),
    "xliff": (".xlf", "XLIFF"),
}
DOCUMENT_KINDS = DOCUMENT_FORMATS
SUBTITLE_KINDS = ("srt", "vtt")
log = logging.getLogger(__name__)
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


TITLE = "tarjama — Arabic to English"


@dataclass(frozen=True)
class RunDigest:
    """What one page run made, shaped like ``summarize.Digest`` (``summary`` None: the run
    stopped before it) so that ``ui.service.formatting.format_digest`` renders it."""

    source: str
    translation: Any  # a TranslationResult
    summary: Any | None = None  # a SummaryResult


def digest_download(digest: RunDigest, fmt: str, *, note: str = "") -> str:
    """A download in ``fmt`` (text, markdown, json): ``tarjama digest -f FMT``'s rendering
    plus the models used, the Arabic source, and ``note`` for a partial run."""
    if fmt == "json":
        return format_digest(digest, "json", complete=not note)
    return format_digest(digest, fmt, title=TITLE, note=note, with_source=True)


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
    translation = TranslationResult(
        text=translation_text, segments=list(segments), meta=dict(translation_meta)
    )
    if summary is not None:
        summary = replace(summary, meta=dict(summary_meta or {}))
    digest = RunDigest(source, translation, summary)
    contents = {
        "txt": digest_download(digest, "text", note=note),
        "md": digest_download(digest, "markdown", note=note),
        "json": digest_download(digest, "json", note=note),
        "csv": aligned_csv(segments, summary.sentences if summary is not None else None),
    }
    paths = {}
    for kind, text in contents.items():
        path = folder / f"{stem}{DOWNLOAD_KINDS[kind][0]}"
        path.write_text(text, encoding="utf-8")
        paths[kind] = str(path)
    return paths


def write_run_downloads(
    folder: Path,
    bench: Any,
    *,
    source: str,
    segments: Sequence[Any],
    meta: Mapping[str, Any],
    summary: Any | None,
    document: Any,
    model: str | None,
    view: Any = None,
    note: str = "",
    machine: Sequence[Any] | None = None,
) -> dict[str, str]:
    """Every download of a page run's English (``segments``) into ``folder``; kind → path.

    The plain files (:func:`write_downloads`: their errors are raised), then, for a complete
    run (no ``note``: nothing is written after Cancel), the structured ones
    (:func:`write_structured_downloads`). ``machine``: the machine's segments where
    ``segments`` hold a person's edits; the structured files are made of them with the edits
    on top, so that they record which sentences a person changed.
    """
    english = join_paragraphs(source, segments)
    paths = write_downloads(
        folder,
        source=source,
        segments=segments,
        translation_text=english,
        translation_meta=meta,
        summary=summary,
        summary_meta=bench.public_meta(summary.meta) if summary is not None else None,
        note=note,
    )
    if not note:
        paths.update(
            write_structured_downloads(
                folder,
                bench,
                source=source,
                english=english,
                document=document,
                segments=machine if machine is not None else segments,
                model=model,
                meta=meta,
                view=view,
                edited=list(segments) if machine is not None else None,
            )
        )
    return paths


def write_structured_downloads(
    folder: Path,
    bench: Any,
    *,
    source: str,
    english: str,
    document: Any,
    segments: Sequence[Any],
    model: str | None,
    meta: Mapping[str, Any],
    view: Any = None,
    edited: list[Any] | None = None,
) -> dict[str, str]:
    """Bilingual .docx, TMX and XLIFF (and .srt/.vtt for subtitles) of a page run into
    ``folder``: of the ``document`` the ``source`` was loaded from, else of the pasted text
    (one paragraph block per non-empty line). They are made of the run's own ``segments``
    (with the glossary and memory it applied; nothing translated again), except subtitles,
    whose cues are joined into sentences by translating the document again (through the
    sentence cache and ``view``, the run's glossary view). ``edited``: the page's segments after
    a person's edits, applied on top. ``english`` is the run's joined English (the file names).
    A failure is logged and loses only these files; kind → path."""
    from translate.documents import Document, document_from_segments, document_text, line_spans

    from ..service.edits import apply_edits_to_document

    try:
        if document is None:
            document, spans = Document.from_text(source), line_spans(source)
        else:
            spans = document_text(document).spans
        if document.is_subtitles:
            translated = bench.translate_document(document, model, view=view)
        else:
            translated = document_from_segments(document, spans, segments, meta)
        if edited is not None:
            translated = apply_edits_to_document(translated, edited)
        return write_document_downloads(folder, download_stem(source, english), translated)
    except Exception:  # noqa: BLE001 - the plain downloads, the page and the edit stay usable
        log.exception("could not write the structured downloads")
        return {}


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
