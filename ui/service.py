"""The service behind the page and the HTTP API: one :class:`Workbench` per server.

It holds the model catalog, one batching translator per model (so the page and every API
client share model batches), the input limits, the summary slots, and a private temporary
folder for downloads and uploads (removed at exit). No gradio and no HTTP here: ``ui/runs.py``
streams one page run from it, ``ui/app.py`` lays out the page and ``ui/api.py`` maps the JSON
calls and errors to routes.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate import InputError, TarjamaError, Translator
from translate.errors import ConfigError, MissingDependencyError, ModelUnavailableError
from translate.serving import BatchingTranslator, ServerBusyError
from translate.translator import validate_text

from .catalog import Catalog
from .config import TEXT_UPLOAD_TYPES, UPLOAD_TYPES, AppConfig

__all__ = ["InputTooLarge", "Workbench", "read_text_file"]

log = logging.getLogger(__name__)
_REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class InputTooLarge(InputError):
    """The input is over one of this server's size limits (HTTP 413)."""


class _Slots:
    """At most ``size`` summaries at once; past ``max_waiting`` waiting callers, ServerBusyError."""

    def __init__(self, size: int, max_waiting: int) -> None:
        self._semaphore = threading.BoundedSemaphore(max(1, size))
        self._waiting = 0
        self._lock = threading.Lock()
        self._max_waiting = max_waiting

    def __enter__(self) -> None:
        with self._lock:
            if self._waiting >= self._max_waiting:
                raise ServerBusyError("The server is busy with other summaries; try again shortly.")
            self._waiting += 1
        try:
            self._semaphore.acquire()
        finally:
            with self._lock:
                self._waiting -= 1

    def __exit__(self, *exc: object) -> None:
        self._semaphore.release()


class Workbench:
    """What the page and the API do, apart from their layout and routes.

    Raises ModelUnavailableError or ConfigError at construction for a model argument that
    cannot work (a local directory that does not exist, an unknown name): a server should
    refuse to start rather than fail on its first request.
    """

    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.catalog = Catalog(config.model, config.summary_model)
        self.tmp_root = Path(tempfile.mkdtemp(prefix="tarjama-ui-"))
        self.sessions_dir = self.tmp_root / "sessions"
        self.uploads_dir = self.tmp_root / "files"  # gradio's uploads and cached downloads
        self.sessions_dir.mkdir()
        self.uploads_dir.mkdir()
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.tmp_root, True)
        self.summary_method = config.summary_method
        self.summary_note = ""
        summary = self.catalog.summary
        if config.summary_method == "abstractive" and not summary.ready:
            # Without weights every abstractive run would fail: summarise extractively unless
            # the user picks abstractive (which downloads when the hub is reachable).
            self.summary_method = "extractive"
            self.summary_note = (
                f"{summary.public} is not downloaded: summaries are extractive (sentences "
                f"picked from the translation). For abstractive ones run `tarjama models "
                f"download {summary.public}` and restart."
                if not summary.local
                else f"{summary.public} is not a model directory: summaries are extractive."
            )
        self.examples = load_examples(config.examples_dir)
        self._translators: dict[str, BatchingTranslator] = {}
        self._lock = threading.Lock()
        self._summary_slots = _Slots(config.concurrency, config.max_queue)

    def cleanup(self) -> None:
        """Stop the translators and remove the temporary folder (also done at exit)."""
        with self._lock:
            for server in self._translators.values():
                server.close()
            self._translators.clear()
        self._finalizer()

    # -- models ------------------------------------------------------------------------------
    def translator(self, model: str | None = None) -> BatchingTranslator:
        """The shared, batching translator of a public model name (None: the default)."""
        internal = self.catalog.resolve(model)
        with self._lock:
            if internal not in self._translators:
                translator = Translator(
                    model=internal,
                    backend=self.config.backend,
                    device=self.config.device,
                    max_chars=self.config.max_chars,
                    cache_size=self.config.cache_size,
                    generation=self.config.translation_settings,
                )
                self._translators[internal] = BatchingTranslator(
                    translator,
                    batching=self.config.batching,
                    window_s=self.config.batch_window_s,
                    max_pending=self.config.max_queue,
                )
            return self._translators[internal]

    def public_meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """Result metadata as remote callers see it: model names, no local paths."""
        return self.catalog.public_meta(meta)

    # -- limits ------------------------------------------------------------------------------
    def check_text(self, text: object) -> str:
        """An Arabic text within this server's limits, else InputError (InputTooLarge)."""
        if isinstance(text, str) and len(text) > self.config.max_chars:
            raise InputTooLarge(
                f"The text has {len(text):,} characters; this server accepts up to "
                f"{self.config.max_chars:,} per request."
            )
        return validate_text(text, self.config.max_chars)

    def check_total(self, texts: Sequence[str], what: str = "texts") -> None:
        """A list of texts counts against the same limit as one text: the sum of its items."""
        if len(texts) > self.config.max_items:
            raise InputTooLarge(
                f"The request has {len(texts):,} {what}; this server accepts up to "
                f"{self.config.max_items:,}."
            )
        total = sum(len(t) for t in texts)
        if total > self.config.max_chars:
            raise InputTooLarge(
                f"The {what} have {total:,} characters in all; this server accepts up to "
                f"{self.config.max_chars:,} per request."
            )

    def check_english(self, text: object) -> str | list[str]:
        """Summary input (a str or a list of str) within the same limits as a translation."""
        if isinstance(text, str):
            from summarize.english import split_sentences

            self.check_total([text], "characters")
            if len(split_sentences(text)) > self.config.max_items:
                raise InputTooLarge(
                    f"The text has more than {self.config.max_items:,} sentences; this server "
                    "summarises up to that many per request."
                )
            return text
        if isinstance(text, list) and all(isinstance(item, str) for item in text):
            self.check_total(text, "sentences")
            return text
        raise InputError("The text must be a string or a list of strings (sentences).")

    # -- work --------------------------------------------------------------------------------
    def translate(self, text: str, model: str | None = None) -> Any:
        """One Arabic text → TranslationResult (through the shared batching translator)."""
        self.check_text(text)
        return self.translator(model).translate(text)

    def translate_many(self, texts: Sequence[str], model: str | None = None) -> list[Any]:
        """Several Arabic texts of one request (validated first, translated together)."""
        self.check_total(texts)
        for text in texts:
            self.check_text(text)
        return self.translator(model).translate_many(list(texts))

    def summarize(
        self,
        english: str | list[str],
        method: str | None = None,
        length: str | int | None = None,
        *,
        from_translation: bool = False,
    ) -> Any:
        """Summarise English within the limits; ``from_translation``: the segments of a
        translation this server made (its input was checked, and the "is this English?" check,
        meant for user input, could only reject a poor translation)."""
        if not from_translation:
            self.check_english(english)
        with self._summary_slots:
            try:
                return self._summarize(english, method, length, from_translation)
            except (ModelUnavailableError, MissingDependencyError) as exc:
                exc.tarjama_role = "summarization"  # type: ignore[attr-defined]  # for messages
                raise

    def _summarize(
        self, english: str | list[str], method: str | None, length: Any, from_translation: bool
    ) -> Any:
        from summarize import summarize

        return summarize(
            english,
            method=method or self.summary_method,
            model=self.config.summary_model,
            backend=self.config.backend,
            length=length or self.config.summary_length,
            device=self.config.device,
            check_language=not from_translation,
            # the English of a translation made here: its Arabic was already held to the limit
            max_chars=None if from_translation else self.config.max_chars,
        )

    def digest(
        self,
        text: str,
        model: str | None = None,
        method: str | None = None,
        length: str | int | None = None,
    ) -> Any:
        """Translate, then summarise the segments (sources index the segments)."""
        from summarize import Digest
        from summarize.digest import check_summary_options

        check_summary_options(
            method or self.summary_method, length or self.config.summary_length
        )
        translation = self.translate(text, model)
        targets = [segment.target for segment in translation.segments]
        summary = self.summarize(targets, method, length, from_translation=True)
        return Digest(source=text, translation=translation, summary=summary)

    # -- JSON for the API --------------------------------------------------------------------
    def translation_json(self, result: Any) -> dict[str, Any]:
        data = result.to_dict()
        data["meta"] = self.public_meta(data["meta"])
        return data

    def summary_json(self, summary: Any) -> dict[str, Any]:
        data = summary.to_dict()
        data["meta"] = self.public_meta(data["meta"])
        return data

    def digest_json(self, digest: Any) -> dict[str, Any]:
        return {
            "source": digest.source,
            "translation": self.translation_json(digest.translation),
            "summary": self.summary_json(digest.summary),
        }

    # -- messages ----------------------------------------------------------------------------
    def explain(
        self, exc: BaseException, role: str = "translation", model: str | None = None
    ) -> tuple[str, str | None]:
        """A short message and a hint for a remote caller, in the page's words (no paths)."""
        if isinstance(exc, (ModelUnavailableError, MissingDependencyError)):
            role = getattr(exc, "tarjama_role", role)  # set when the summary model failed
            return self._model_message(exc, role, model)
        if isinstance(exc, ServerBusyError):
            return "The server is busy with other articles.", "Try again in a moment."
        if isinstance(exc, InputTooLarge):
            return str(exc), "Split it into smaller parts."
        if isinstance(exc, TarjamaError):
            message = self.catalog.redact(str(exc))
            message = message.replace(" or raise the limit (max_chars / --max-chars)", "")
            return message, None
        return (
            f"Something went wrong inside tarjama ({type(exc).__name__}).",
            "The details are in the server log; you can try again.",
        )

    def _model_message(
        self, exc: BaseException, role: str, model: str | None
    ) -> tuple[str, str | None]:
        if isinstance(exc, MissingDependencyError):
            return "This server lacks a package the model needs.", self.catalog.redact(str(exc))
        if role == "summarization":
            name = self.catalog.summary.public
            return (
                f"The summary model {name} is not available on this server.",
                "Pick the extractive summary under Options (it needs no model), or download "
                f"the model once with `tarjama models download {name}`.",
            )
        try:
            name = self.catalog.public_name(self.catalog.resolve(model))
        except ConfigError:
            name = model or "?"
        local = any(c.local and c.public == name for c in self.catalog.translation)
        if local:
            return (
                f"The model directory {name} cannot be loaded.",
                "Restart with `tarjama ui --model DIR` pointing to a model directory.",
            )
        return (
            f"The translation model {name} is not available on this server.",
            f"Download it once with `tarjama models download {name}`, or restart with "
            "`tarjama ui --model DIR` to use a local model directory.",
        )

    # -- uploads and links -------------------------------------------------------------------
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
                return read_text_file(file, self.config.max_upload_bytes), None
            if suffix not in UPLOAD_TYPES:
                raise InputError(
                    f"{file.name} is not a file the page opens ({', '.join(UPLOAD_TYPES)})."
                )
            limit = self.config.max_upload_bytes
            with file.open("rb") as fh:
                data = fh.read(limit + 1)
            if len(data) > limit:
                raise InputTooLarge(
                    f"{file.name} is larger than {limit // 1024:,} KiB; upload a single article."
                )
            from translate.documents import read_document

            document = read_document(data, filename=file.name, max_bytes=limit)
            return self._document_source(document, file.name), document
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
        options = FetchOptions(block_private=not self.config.allow_private_fetch)
        document = read_document(link, fetch_options=options)
        return self._document_source(document, link), document

    def _document_source(self, document: Any, name: str) -> str:
        from translate.documents import document_text

        text = document_text(document).text
        if not text.strip():
            raise InputError(f"{name} has no text to translate.")
        return text

    def translate_document(self, document: Any, model: str | None = None) -> Any:
        """Translate a Document block by block through the shared batching translator (its
        sentence cache makes a document the page just translated cheap); model names only in
        the meta."""
        from dataclasses import replace

        from translate.documents import translate_document

        result = translate_document(document, _BatchAdapter(self.translator(model)))
        return replace(result, meta=self.public_meta(result.meta))

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


class _BatchAdapter:
    """``translate_batch`` (what ``translate_document`` calls) over a BatchingTranslator, so a
    document's blocks share the server's model batches like any request."""

    def __init__(self, server: BatchingTranslator) -> None:
        self.server = server
        self.meta = server.translator.meta

    def translate_batch(
        self, texts: Sequence[str], *, on_error: str = "raise", progress: Any = None
    ) -> list[Any]:
        try:
            results: list[Any] = self.server.translate_many(list(texts))
        except TarjamaError:
            if on_error != "return":
                raise
            results = []
            for text in texts:  # find the block at fault; the others are still translated
                try:
                    results.append(self.server.translate(text))
                except TarjamaError as exc:
                    results.append(exc)
        return results  # ``progress`` is not reported: the page's run already showed it


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
