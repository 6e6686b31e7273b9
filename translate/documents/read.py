"""``read_document``: one door for every kind of input — a URL, a file path, or bytes.

The kind is taken from ``kind=`` if given, else from the URL's answer (its Content-Type) or the
file's extension, else sniffed from the first bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from .budget import CharBudget
from .errors import DocumentError, FetchError, UnsupportedFormatError
from .fetch import FetchOptions, fetch_url
from .model import Document, DocumentMeta

KINDS = ("html", "docx", "pdf", "srt", "vtt", "text")
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".srt": "srt",
    ".vtt": "vtt",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
# Files that are documents rather than plain text (a folder scan for batch jobs can use this).
DOCUMENT_SUFFIXES = frozenset({*(k for k, v in EXTENSIONS.items() if v != "text"), ".doc"})
MEDIA_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "text/srt": "srt",
    "text/plain": None,  # sniffed: plain text, or subtitles served as text
    "application/octet-stream": None,
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
# Possessive runs: with plain "\s*(?:...)?\s*" a 4 KB run of spaces took 0.6 s to refuse.
_SRT_START = re.compile(rb"^\s*+(?:\d++[ \t]*+\r?\n)?\s*+\d{1,3}:\d\d:\d\d[,.]\d{1,3}\s*-->")
_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)


def is_url(source: object) -> bool:
    """True for a string that starts with a URL scheme (``https://``, ``hf://``, ``ftp://``…)."""
    return isinstance(source, str) and bool(_URL.match(source.strip()))


def sniff_kind(data: bytes) -> str | None:
    """The kind of document ``data`` looks like, or None."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "docx"  # the docx reader tells a .doc, .xlsx, .odt or plain ZIP apart
    if head.startswith(b"WEBVTT"):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    if _HTML_START.search(head[:2048]):
        return "html"
    try:
        data[:65536].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < 65530:  # not just a character cut at the end of the sample
            return None
    return "text"


def read_document(
    source: str | Path | bytes,
    *,
    kind: str | None = None,
    fetch_options: FetchOptions | None = None,
    filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_chars: int | None = None,
) -> Document:
    """Read a URL (``http``/``https``), a file path, or the bytes of a file into a Document.

    ``kind`` forces the reader: ``html``, ``docx``, ``pdf``, ``srt``, ``vtt`` or ``text``.
    ``fetch_options`` governs fetching (timeouts, size cap, SSRF protection — on by default:
    pass ``FetchOptions(block_private=False)`` on one's own machine). ``filename`` names bytes
    in messages and metadata. Raises a :class:`~translate.documents.errors.DocumentError`
    subclass (an ``InputError``) with a specific message for every bad input. ``max_chars``
    caps the extracted text (default ``DEFAULT_MAX_CHARS``): over it,
    :class:`~translate.documents.errors.ExtractionLimitError` (checked while extracting .docx
    and PDF, whose text can be far larger than the file).
    """
    if kind is not None and kind not in KINDS:
        raise UnsupportedFormatError(
            f"Unknown document kind {kind!r}; use one of {', '.join(KINDS)}."
        )
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise DocumentError(_too_big(filename or "the file", len(data), max_bytes))
        chosen = kind or _kind_from_name(filename) or sniff_kind(data)
        return _parse(data, chosen, filename=filename, max_chars=max_chars)
    if isinstance(source, str) and is_url(source):
        return _read_url(source.strip(), kind, fetch_options, max_chars=max_chars)
    if not isinstance(source, (str, Path)):
        raise UnsupportedFormatError(
            f"read_document takes a URL, a path or bytes, not {type(source).__name__}."
        )
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(_too_big(str(path), size, max_bytes))
        data = path.read_bytes()
    except IsADirectoryError:
        raise DocumentError(f"{path} is a folder, not a document.") from None
    except OSError as exc:
        raise DocumentError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    name = filename or path.name
    chosen = kind or _kind_from_name(path.name) or sniff_kind(data)
    return _parse(data, chosen, filename=name, max_chars=max_chars)


def _too_big(name: str, size: int, limit: int) -> str:
    return f"{name} is {size:,} bytes; the limit is {limit:,}."


def _kind_from_name(name: str | None) -> str | None:
    if not name:
        return None
    suffix = Path(name).suffix.lower()
    if suffix == ".doc":
        return "docx"  # the docx reader explains that a .doc must be saved as .docx
    return EXTENSIONS.get(suffix)


def _parse(
    data: bytes,
    kind: str | None,
    *,
    filename: str | None = None,
    url: str | None = None,
    charset: str | None = None,
    max_chars: int | None = None,
) -> Document:
    document = _parse_kind(
        data, kind, filename=filename, url=url, charset=charset, max_chars=max_chars
    )
    # Readers whose text cannot outgrow their input (HTML, subtitles, text) are counted here.
    budget = CharBudget(max_chars, filename or url or "the input")
    for block in document.blocks:
        budget.add(block.text)
    return document


def _parse_kind(
    data: bytes,
    kind: str | None,
    *,
    filename: str | None,
    url: str | None,
    charset: str | None,
    max_chars: int | None,
) -> Document:
    name = filename or url or "the input"
    if kind is None:
        raise UnsupportedFormatError(
            f"{name} is not a kind of document tarjama reads (web page, Word .docx, PDF, "
            ".srt/.vtt subtitles, UTF-8 text)."
        )
    if kind == "html":
        from .html_reader import read_html

        return read_html(data, url=url, charset=charset, filename=filename)
    if kind == "docx":
        from .docx_reader import read_docx

        return read_docx(data, filename=filename or url, max_chars=max_chars)
    if kind == "pdf":
        from .pdf_reader import read_pdf

        return _with_url(read_pdf(data, filename=filename or url, max_chars=max_chars), url)
    if kind == "srt":
        from .subtitles import read_srt

        return _with_url(read_srt(data, filename=filename or url), url)
    if kind == "vtt":
        from .subtitles import read_vtt

        return _with_url(read_vtt(data, filename=filename or url), url)
    return _read_text(data, name, filename=filename, url=url, charset=charset)


def _with_url(document: Document, url: str | None) -> Document:
    if url is None:
        return document
    meta = document.meta
    return Document(
        document.blocks,
        DocumentMeta(
            meta.source_format,
            meta.title,
            meta.author,
            meta.date,
            meta.site,
            url,
            meta.filename,
            dict(meta.extra),
        ),
    )


def _read_text(
    data: bytes, name: str, *, filename: str | None, url: str | None, charset: str | None
) -> Document:
    try:
        text = data.decode(charset or "utf-8-sig")
    except (UnicodeDecodeError, LookupError):
        raise DocumentError(f"{name} is not UTF-8 text; re-save it as UTF-8.") from None
    if "\x00" in text:
        raise UnsupportedFormatError(f"{name} looks like binary data, not text.")
    document = Document.from_text(text, filename=filename)
    if not document.blocks:
        raise DocumentError(f"{name} is empty.")
    return _with_url(document, url)


def _read_url(
    url: str, kind: str | None, options: FetchOptions | None, *, max_chars: int | None = None
) -> Document:
    scheme = url.split(":", 1)[0].lower()
    if scheme == "hf":
        raise UnsupportedFormatError(
            f"{url} is a Hugging Face dataset, not a document: translate it with "
            "`tarjama batch` or translate.documents.translate_dataset."
        )

    def acceptable(media_type: str | None) -> bool:
        return kind is not None or media_type is None or media_type in MEDIA_TYPES

    resource = fetch_url(url, options, accept_type=acceptable)
    chosen = kind or (
        MEDIA_TYPES.get(resource.content_type or "") if resource.content_type else None
    )
    if chosen is None:
        chosen = _kind_from_name(resource.final_url.split("?", 1)[0]) or sniff_kind(resource.body)
    if chosen == "text" and kind is None and resource.content_type not in (None, "text/plain"):
        raise FetchError(
            f"{url} is {resource.content_type}, not a web page.", reason="not-html", url=url
        )
    return _parse(
        resource.body,
        chosen,
        url=resource.final_url,
        charset=resource.charset,
        max_chars=max_chars,
    )
