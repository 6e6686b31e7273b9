"""Uploads, links and the server's temporary folder: files in, text and Documents out.

One private folder per server holds gradio's uploads, the cached downloads and each session's
downloads; it is removed when the server stops (or at exit).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from translate import InputError

from .config import TEXT_UPLOAD_TYPES, UPLOAD_TYPES, AppConfig
from .errors import InputTooLarge

__all__ = [
    "FETCH_SLOTS",
    "FETCH_TIMEOUT_S",
    "PARSE_MEMORY_BYTES",
    "PARSE_TIMEOUT_S",
    "UPLOAD_SLOTS",
    "Uploads",
    "check_chars",
    "load_examples",
    "read_text_file",
]

log = logging.getLogger(__name__)
_REPO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PARSE_MEMORY_BYTES = 1024 * 1024 * 1024  # address space of the worker reading one upload
PARSE_TIMEOUT_S = 20.0  # wall time of that worker
FETCH_TIMEOUT_S = 20.0  # a link's whole download, however slowly its bytes arrive
UPLOAD_SLOTS = 2  # uploads parsed at once (each worker up to PARSE_MEMORY_BYTES)
FETCH_SLOTS = 4  # links fetched at once by the page


class Uploads:
    """The server's temporary folder, uploaded files and fetched links."""

    def __init__(self, config: AppConfig) -> None:
        self.max_upload_bytes = config.max_upload_bytes
        self.max_chars = config.max_chars
        self.parse_memory_bytes = PARSE_MEMORY_BYTES
        self.parse_timeout = PARSE_TIMEOUT_S
        self.fetch_timeout = FETCH_TIMEOUT_S
        self.allow_private_fetch = config.allow_private_fetch
        self.tmp_root = Path(tempfile.mkdtemp(prefix="tarjama-ui-"))
        self.sessions_dir = self.tmp_root / "sessions"
        self.uploads_dir = self.tmp_root / "files"  # gradio's uploads and cached downloads
        self.sessions_dir.mkdir()
        self.uploads_dir.mkdir()
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.tmp_root, True)

    def cleanup(self) -> None:
        """Remove the temporary folder (also done at exit)."""
        self._finalizer()

    def read_upload(self, path: str | Path) -> str:
        """Read an uploaded file as text, then delete it (uploads are not kept)."""
        return self.open_upload(path)[0]

    def open_upload(self, path: str | Path) -> tuple[str, Any]:
        """An uploaded file's text for the source box, and its Document (None for plain
        text); the file is deleted after. A .docx, .pdf, .html, .srt or .vtt is read through
        ``translate.documents``; a bad one raises its DocumentError (an InputError)."""
        file = Path(path)
        try:
            suffix = file.suffix.lower()
            if suffix in TEXT_UPLOAD_TYPES:
                text = read_text_file(file, self.max_upload_bytes)
                check_chars(text, file.name, self.max_chars)
                return text, None
            if suffix not in UPLOAD_TYPES:
                raise InputError(
                    f"{file.name} is not a file the page opens ({', '.join(UPLOAD_TYPES)})."
                )
            limit = self.max_upload_bytes
            with file.open("rb") as fh:
                data = fh.read(limit + 1)
            if len(data) > limit:
                raise InputTooLarge(
                    f"{file.name} is larger than {limit // 1024:,} KiB; upload a single article."
                )
            from translate.documents import parse_isolated

            # In a worker process, capped in memory and time: a bomb (a .docx inflating to
            # 194 MB, 100,000 '<' in a subtitle cue) costs that worker, never the server's
            # other requests. Its text may not pass the page's character limit.
            document = parse_isolated(
                data,
                filename=file.name,
                max_chars=self.max_chars,
                memory_bytes=self.parse_memory_bytes,
                timeout=self.parse_timeout,
            )
            return document_source(document, file.name, self.max_chars), document
        finally:
            self.discard_upload(file)

    def fetch_link(self, url: str) -> tuple[str, Any]:
        """Fetch an article from a link: its text for the source box and its Document.

        Loopback, private and link-local addresses are refused (also through redirects and
        DNS) unless the server was started with ``allow_private_fetch``. Raises InputError
        (a FetchError, BlockedAddressError…) with a message for the page.
        """
        from translate.documents import FetchOptions, is_url, read_document

        link = (url or "").strip()
        if not link:
            raise InputError("Paste a link to an article first.")
        if not is_url(link):
            raise InputError("A link starts with http:// or https://.")
        options = FetchOptions(
            block_private=not self.allow_private_fetch, total_timeout=self.fetch_timeout
        )
        # In this process: the wait is on the network (no interpreter lock held) and ends at
        # the total deadline even while bytes trickle in; the body is capped (5 MiB) and its
        # text by the page's character limit.
        document = read_document(link, fetch_options=options, max_chars=self.max_chars)
        return document_source(document, link, self.max_chars), document

    def discard_upload(self, file: Path) -> None:
        """Remove an upload from the server's folder (only files inside it)."""
        try:
            resolved = file.resolve()
            if resolved.is_relative_to(self.uploads_dir.resolve()):
                resolved.unlink(missing_ok=True)
                if resolved.parent != self.uploads_dir.resolve():
                    resolved.parent.rmdir()
        except OSError:
            pass  # not empty, or already gone: the quota and the exit cleanup cover it

    def session_dir(self, session: str | None) -> Path:
        """A fresh folder for one session's downloads (only the latest run is kept)."""
        name = "".join(ch for ch in (session or "api") if ch.isalnum() or ch in "-_")[:64]
        folder = self.sessions_dir / (name or "session")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder


def document_source(document: Any, name: str, max_chars: int | None = None) -> str:
    """A Document's text for the source box; InputError when it has none, InputTooLarge when
    it is over ``max_chars``."""
    from translate.documents import document_text

    text = document_text(document).text
    if not text.strip():
        raise InputError(f"{name} has no text to translate.")
    if max_chars is not None:
        check_chars(text, name, max_chars)
    return text


def check_chars(text: str, name: str, max_chars: int) -> None:
    """InputTooLarge when a file's text is over the page's character limit: it would never
    be translated, so it is not sent to the browser either."""
    if len(text) > max_chars:
        raise InputTooLarge(
            f"{name} has {len(text):,} characters of text; this server translates up to "
            f"{max_chars:,} per request. Open a shorter document or only the part you need."
        )


def read_text_file(path: Path, max_bytes: int) -> str:
    """Read an uploaded text file as UTF-8 within ``max_bytes``; else an InputError saying why."""
    if path.suffix.lower() not in TEXT_UPLOAD_TYPES:
        kinds = ", ".join(TEXT_UPLOAD_TYPES)
        raise InputError(f"{path.name} is not a {kinds} file: upload plain UTF-8 text.")
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputTooLarge(
            f"{path.name} is larger than {max_bytes // 1024:,} KiB; upload a single article."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not UTF-8 text (undecodable byte at position {exc.start}). "
            "Save it as UTF-8 and upload it again."
        ) from None
    if "\x00" in text:
        raise InputError(f"{path.name} looks like binary data, not text.")
    if not text.strip():
        raise InputError(f"{path.name} is empty.")
    return text


def load_examples(directory: Path | None) -> dict[str, str]:
    """Label → text of the ``*.ar.txt`` examples (none when the folder is absent)."""
    folder = directory if directory is not None else _REPO_SEEDS
    examples: dict[str, str] = {}
    if not folder.is_dir():
        return examples
    for path in sorted(folder.glob("*.ar.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            log.warning("skipping unreadable example %s", path)
            continue
        label = path.name.removesuffix(".ar.txt").replace("-", " ").capitalize()
        examples[label] = text
    return examples
