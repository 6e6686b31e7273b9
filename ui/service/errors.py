"""ONE table: every error a surface can meet → message, hint, HTTP status, exit code, page text.

The library raises typed errors (``translate.errors``, ``translate.documents.errors``…); the
command line, the HTTP API, gradio's named endpoints and the page all call :func:`describe` and
read the :class:`Outcome` it returns, so a new error type is one new row here. The few error
classes of the ui itself are defined here too (and only here).

Rows are tried in order and the first whose type matches wins, so a subclass comes before its
base (``InputTooLarge`` before ``InputError``, ``TarjamaError`` last but one).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from translate.errors import (
    BatchInterrupted,
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelUnavailableError,
    ServerBusyError,
    TarjamaError,
)
from translate.memory.errors import MemoryStoreError

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "ERROR_TABLE",
    "AccessDenied",
    "InputTooLarge",
    "MemoryOff",
    "Outcome",
    "RateLimited",
    "Row",
    "UsageError",
    "describe",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
BUSY_RETRY_AFTER_S = 5  # the Retry-After of a "busy" answer


# -- the ui's own error classes ---------------------------------------------------------------
class UsageError(Exception):
    """A command line that cannot work (bad file, missing module for an option): exit 2."""


class InputTooLarge(InputError):
    """The input is over one of this server's size limits (HTTP 413)."""


class MemoryOff(Exception):
    """A memory route on a server started without a translation memory (HTTP 503)."""


class AccessDenied(Exception):
    """No API key, or an unknown one (``missing`` tells which)."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


class RateLimited(Exception):
    """Over the requests per minute of a key (or client address); ``retry_after`` seconds."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"{limit} per 1 minute")
        self.limit = limit
        self.retry_after = retry_after


# -- the table --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What one error means on every surface.

    ``code`` is the machine word of the HTTP error body; ``status`` the HTTP status;
    ``exit_code`` the command's exit status (None: the command line lets it propagate, a bug);
    ``headers`` extra HTTP headers (Retry-After). ``page_text`` is message and hint in one line.
    """

    code: str
    status: int
    exit_code: int | None
    message: str
    hint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def page_text(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


Explain = Callable[[BaseException, "_Context"], tuple[str, str | None]]


@dataclass(frozen=True)
class _Context:
    """Who asks: a server (``catalog`` set: paths redacted, model names public) or the CLI."""

    catalog: Catalog | None
    role: str
    model: str | None


@dataclass(frozen=True)
class Row:
    """One line of the table: the types it matches and what they become."""

    types: tuple[type[BaseException] | str, ...]
    code: str
    status: int
    exit_code: int | None
    explain: Explain

    def classes(self) -> tuple[type[BaseException], ...]:
        """The row's classes; a name stands for a class of translate.documents.errors, left
        out while that module is not loaded (its errors cannot have been raised then)."""
        module = sys.modules.get("translate.documents.errors")
        found = [getattr(module, t, None) if isinstance(t, str) else t for t in self.types]
        return tuple(t for t in found if t is not None)


def _plain(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    """The library's own message; a server hides local paths and the CLI-only advice."""
    message = str(exc)
    if ctx.catalog is not None:
        message = ctx.catalog.redact(message)
        message = message.replace(" or raise the limit (max_chars / --max-chars)", "")
    return message, None


def _too_large(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    message, _ = _plain(exc, ctx)
    return message, ("Split it into smaller parts." if ctx.catalog is not None else None)


def _busy(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    if ctx.catalog is None:
        return str(exc), None
    return "The server is busy with other articles.", "Try again in a moment."


def _document_limit(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    """A document over a reader's budget (characters, inflated bytes, pages, parse time)."""
    message, _ = _plain(exc, ctx)
    if ctx.catalog is not None:  # a server's limit is not the user's to raise
        message = message.replace(" or raise the limit (max_chars)", "")
    if type(exc).__name__ == "TooManyPagesError":
        return message, "Split the PDF into smaller files, or open the pages you need."
    if getattr(exc, "kind", None) == "characters":
        return message, "Open a shorter document, or only the part you need to translate."
    return message, "The file may be damaged or built to be expensive to read."


def _rate_limited(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    return f"Slowdown: {exc}", None


def _interrupted(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    if isinstance(exc, BatchInterrupted):
        return f"Interrupted: {exc}. Run the same command again to continue.", None
    return "Interrupted.", None


def _os_error(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    """The command line names the file (its caller adds what it was doing); a server keeps
    its own files to itself."""
    if ctx.catalog is not None:
        return _internal(exc, ctx)
    assert isinstance(exc, OSError)
    return str(exc.strerror or exc), None


def _memory(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    """A memory file that cannot be used: the CLI names the file; a server says why, without
    its path, and that translations go on without the memory's writes."""
    if ctx.catalog is None:
        return str(exc), None
    reason = type(exc).__name__.removesuffix("Error")
    words = {
        "NotAMemory": "its file is not a tarjama translation memory",
        "MemorySchema": "its file was written by a newer tarjama",
        "MemoryReadOnly": "its file cannot be written",
        "MemoryLocked": "another program holds its write lock",
        "MemoryNotFound": "it does not exist",
    }.get(reason, "its file cannot be used")
    return (
        f"The translation memory is not available: {words}.",
        "Try again later; the server's operator can see the details in the log.",
    )


def _internal(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    return (
        f"Something went wrong inside tarjama ({type(exc).__name__}).",
        "The details are in the server log; you can try again.",
    )


def _model(exc: BaseException, ctx: _Context) -> tuple[str, str | None]:
    """A model that cannot load, in the page's words: which one, and what to do about it."""
    catalog = ctx.catalog
    if catalog is None:
        return str(exc), None
    if isinstance(exc, MissingDependencyError):
        return "This server lacks a package the model needs.", catalog.redact(str(exc))
    role = getattr(exc, "tarjama_role", ctx.role)  # set when the summary model failed
    if role == "summarization":
        name = catalog.summary.public
        return (
            f"The summary model {name} is not available on this server.",
            "Pick the extractive summary under Options (it needs no model), or download "
            f"the model once with `tarjama models download {name}`.",
        )
    try:
        name = catalog.public_name(catalog.resolve(ctx.model))
    except ConfigError:
        name = ctx.model or "?"
    if any(c.local and c.public == name for c in catalog.translation):
        return (
            f"The model directory {name} cannot be loaded.",
            "Restart with `tarjama ui --model DIR` pointing to a model directory.",
        )
    return (
        f"The translation model {name} is not available on this server.",
        f"Download it once with `tarjama models download {name}`, or restart with "
        "`tarjama ui --model DIR` to use a local model directory.",
    )


_MODEL_ERRORS = (ModelUnavailableError, MissingDependencyError)
# Document errors by name: importing translate.documents would load every reader for
# `tarjama --help`; an error of a module that was never imported cannot have been raised.
_LIMIT_ERRORS = ("ExtractionLimitError", "TooManyPagesError")
ERROR_TABLE: tuple[Row, ...] = (
    Row((BatchInterrupted, KeyboardInterrupt), "interrupted", 500, EXIT_INTERRUPTED, _interrupted),
    Row((UsageError,), "bad_usage", 400, EXIT_USAGE, _plain),
    Row((InputTooLarge,), "too_large", 413, EXIT_FAILED, _too_large),
    Row(_LIMIT_ERRORS, "too_large", 413, EXIT_FAILED, _document_limit),
    Row((InputError,), "bad_input", 400, EXIT_FAILED, _plain),
    Row((ConfigError,), "bad_option", 400, EXIT_USAGE, _plain),
    Row((ServerBusyError,), "busy", 429, EXIT_FAILED, _busy),
    Row((RateLimited,), "rate_limited", 429, EXIT_FAILED, _rate_limited),
    Row((AccessDenied,), "key_invalid", 403, EXIT_USAGE, _plain),  # 401 when missing: below
    Row(_MODEL_ERRORS, "model_unavailable", 503, EXIT_FAILED, _model),
    Row((MemoryStoreError,), "memory_unavailable", 503, EXIT_FAILED, _memory),
    Row((MemoryOff,), "memory_off", 503, EXIT_USAGE, _plain),
    Row((TarjamaError,), "bad_input", 400, EXIT_FAILED, _plain),
    Row((OSError,), "internal", 500, EXIT_FAILED, _os_error),
    Row((Exception,), "internal", 500, None, _internal),
)


def _matches(exc: BaseException, row: Row) -> bool:
    classes = row.classes()
    return bool(classes) and isinstance(exc, classes)


def describe(
    exc: BaseException,
    catalog: Catalog | None = None,
    *,
    role: str = "translation",
    model: str | None = None,
) -> Outcome:
    """The :class:`Outcome` of ``exc``: the first row of :data:`ERROR_TABLE` that matches.

    With a ``catalog`` (a server) messages name public models and hide local paths; without
    one (the command line) they are the library's own. ``role`` ("translation" or
    "summarization") and ``model`` say which model a model error is about.
    """
    ctx = _Context(catalog, role, model)
    row = next((r for r in ERROR_TABLE if _matches(exc, r)), ERROR_TABLE[-1])
    message, hint = row.explain(exc, ctx)
    code, status, headers = row.code, row.status, {}
    if isinstance(exc, AccessDenied) and exc.missing:
        code, status = "key_missing", 401
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, ServerBusyError):  # a full queue drains within seconds
        headers["Retry-After"] = str(getattr(exc, "retry_after", None) or BUSY_RETRY_AFTER_S)
    return Outcome(code, status, row.exit_code, message, hint, headers)
