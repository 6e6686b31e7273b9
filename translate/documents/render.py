"""``write_document``: a TranslatedDocument in any output format, as bytes; ``save_document``
writes it to a file atomically.

Formats: ``text`` (the English, structure as plain text), ``markdown`` (the English with
headings and tables, then every sentence pair), ``json`` (everything), ``docx`` (bilingual
table), ``srt``/``vtt`` (subtitles with the source's timings), ``tmx`` (TMX 1.4) and
``xliff`` (XLIFF 2.0).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .errors import UnsupportedFormatError
from .translation import TranslatedBlock, TranslatedDocument, review_flags

FORMATS = ("text", "markdown", "json", "docx", "srt", "vtt", "tmx", "xliff")
BINARY_FORMATS = frozenset({"docx"})
SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".json": "json",
    ".docx": "docx",
    ".srt": "srt",
    ".vtt": "vtt",
    ".tmx": "tmx",
    ".xlf": "xliff",
    ".xliff": "xliff",
}


def format_for_path(path: str | Path) -> str | None:
    """The output format a file name asks for (``.docx`` → ``docx``…), or None."""
    return SUFFIXES.get(Path(path).suffix.lower())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _table_rows(cells: list[TranslatedBlock]) -> list[list[str]]:
    rows = max(c.block.row or 0 for c in cells) + 1
    cols = max(c.block.col or 0 for c in cells) + 1
    grid = [["" for _ in range(cols)] for _ in range(rows)]
    for item in cells:
        grid[item.block.row or 0][item.block.col or 0] = item.target or (
            f"[not translated: {item.error}]" if item.error else ""
        )
    return grid


def _grouped(translated: TranslatedDocument) -> list[TranslatedBlock | list[TranslatedBlock]]:
    """Blocks in order, with the cells of each table gathered into one list."""
    out: list[TranslatedBlock | list[TranslatedBlock]] = []
    for item in translated.blocks:
        previous = out[-1] if out else None
        if (
            item.block.kind == "cell"
            and isinstance(previous, list)
            and previous[0].block.table == item.block.table
        ):
            previous.append(item)
        elif item.block.kind == "cell":
            out.append([item])
        else:
            out.append(item)
    return out


def _target(item: TranslatedBlock) -> str:
    return item.target if not item.error else f"[not translated: {item.error}]"


def render_text(translated: TranslatedDocument) -> str:
    """The English with the document's structure in plain text (tables as tab-separated rows)."""
    parts: list[str] = []
    for entry in _grouped(translated):
        if isinstance(entry, list):
            parts.append("\n".join("\t".join(row) for row in _table_rows(entry)))
        elif _target(entry).strip():
            parts.append(_target(entry))
    return "\n\n".join(parts).rstrip("\n") + "\n"


def render_markdown(translated: TranslatedDocument) -> str:
    """The English as Markdown (headings, paragraphs, tables, cues with timings), then a table
    of every sentence pair with its flags."""
    from .exchange import describe_block

    meta = translated.document.meta
    lines: list[str] = [f"# {meta.title or meta.filename or meta.url or 'Translation'}", ""]
    facts = [
        (k, v)
        for k, v in (
            ("Source", meta.url or meta.filename),
            ("Site", meta.site),
            ("Author", meta.author),
            ("Date", meta.date),
        )
        if v
    ]
    if facts:
        lines += [" · ".join(f"{k}: {v}" for k, v in facts), ""]
    for entry in _grouped(translated):
        if isinstance(entry, list):
            grid = _table_rows(entry)
            lines.append("| " + " | ".join(_cell(c) for c in grid[0]) + " |")
            lines.append("|" + "---|" * len(grid[0]))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in grid[1:]]
            lines.append("")
            continue
        block = entry.block
        text = _target(entry)
        if block.kind == "heading":
            lines += [f"{'#' * min((block.level or 2) + 1, 6)} {text}", ""]
        elif block.kind == "cue":
            lines += [f"`{describe_block(block)}`  ", text, ""]
        elif text.strip():
            lines += [text, ""]
    lines += [f"> {w}" for w in translated.warnings]
    if translated.warnings:
        lines.append("")
    lines += ["## Sentences", "", "| # | Arabic | English | Flags |", "|---|---|---|---|"]
    for number, pair in enumerate(translated.pairs, start=1):
        flags = ", ".join(review_flags(pair.flags))
        lines.append(f"| {number} | {_cell(pair.source)} | {_cell(pair.target)} | {flags} |")
    model = translated.meta.get("model")
    if model:
        lines += ["", f"_model `{model}`_"]
    lines.append("")
    return "\n".join(lines)


def _subtitle_cues(translated: TranslatedDocument, fmt: str) -> list:
    if not translated.document.is_subtitles:
        raise UnsupportedFormatError(
            f"{fmt} output needs subtitles as input (cues with timings); this document is "
            f"{translated.document.meta.source_format}. Use docx, markdown, tmx or xliff."
        )
    # An untranslated cue keeps its Arabic so that no line of the film goes blank.
    return [
        (item.block, item.target if not item.error else item.block.translation_text)
        for item in translated.blocks
        if item.block.kind == "cue"
    ]


def write_document(translated: TranslatedDocument, fmt: str) -> bytes:
    """``translated`` rendered as ``fmt`` (one of :data:`FORMATS`), as bytes (UTF-8 for text)."""
    if fmt == "docx":
        from .docx_writer import write_docx

        return write_docx(translated)
    if fmt == "text":
        text = render_text(translated)
    elif fmt == "markdown":
        text = render_markdown(translated)
    elif fmt == "json":
        text = json.dumps(translated.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "srt":
        from .subtitles import write_srt

        text = write_srt(_subtitle_cues(translated, fmt))
    elif fmt == "vtt":
        from .subtitles import write_vtt

        extra = translated.document.meta.extra
        text = write_vtt(
            _subtitle_cues(translated, fmt),
            header=str(extra.get("vtt_header") or "WEBVTT"),
            preamble=list(extra.get("vtt_preamble") or ()),
        )
    elif fmt == "tmx":
        from .exchange import write_tmx

        text = write_tmx(translated)
    elif fmt == "xliff":
        from .exchange import write_xliff

        text = write_xliff(translated)
    else:
        raise UnsupportedFormatError(
            f"Unknown output format {fmt!r}; use one of {', '.join(FORMATS)}."
        )
    return text.encode("utf-8")


def save_document(translated: TranslatedDocument, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``translated`` to ``path`` (format from ``fmt`` or the suffix), atomically."""
    target = Path(path)
    chosen = fmt or format_for_path(target)
    if chosen is None:
        raise UnsupportedFormatError(
            f"Cannot tell the output format from {target.name}; name it .docx, .srt, .vtt, "
            ".tmx, .xlf, .md, .json or .txt, or pass fmt."
        )
    data = write_document(translated, chosen)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
