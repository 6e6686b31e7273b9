"""Parse an upload in a worker process with a memory cap and a time cap.

A parser holds the interpreter lock while it works, and a hostile file can make it allocate
gigabytes: run in a server's process, one upload stalls every other request. Here the parse
runs in a fresh process ('forkserver' where there is one, else 'spawn': never a fork of a
threaded server), under ``RLIMIT_AS``; the parent waits at most ``timeout`` seconds and kills
the worker on overrun. The Document comes back pickled; typed errors come back as themselves.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from .errors import DocumentError, ExtractionLimitError
from .model import Document

DEFAULT_MEMORY_BYTES = 1024 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0


class ParseLimitError(ExtractionLimitError):
    """The worker parsing a document ran out of its memory or time cap and was stopped."""


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _worker(
    out: Any, data: bytes, kind: str | None, filename: str | None, max_chars: int | None, cap: int
) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # pragma: no cover - no RLIMIT_AS here
        pass
    from .read import read_document

    answer: tuple[str, Any]
    try:
        answer = ("ok", read_document(data, kind=kind, filename=filename, max_chars=max_chars))
    except MemoryError:
        answer = ("memory", None)
    except DocumentError as exc:
        # Sent as parts: errors with keyword-only fields (line=, reason=) do not unpickle.
        answer = ("error", (type(exc), str(exc), dict(vars(exc))))
    except Exception as exc:  # noqa: BLE001 - a parser bug must come back as a message
        answer = ("error", (DocumentError, f"The document could not be read ({exc!r:.200}).", {}))
    del data
    try:
        out.send(answer)  # in this thread: a Queue's feeder thread may fail to start under the cap
    except MemoryError:
        out.send(("memory", None))
    finally:
        out.close()


def _rebuild(cls: type[DocumentError], message: str, fields: dict[str, Any]) -> DocumentError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(fields)
    return exc


def _wait(out: Any, worker: Any, timeout: float) -> tuple[str, Any] | None:
    """The worker's answer, or None if it died or ran past ``timeout`` without one."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if out.poll(min(0.2, left)):
            try:
                return out.recv()
            except (EOFError, OSError):  # it died before a whole answer was sent
                return None
        if not worker.is_alive() and not out.poll(0):
            return None
    return None


def parse_isolated(
    data: bytes,
    *,
    kind: str | None = None,
    filename: str | None = None,
    max_chars: int | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
) -> Document:
    """``read_document(data, ...)`` in a worker process capped at ``memory_bytes`` of address
    space and ``timeout`` seconds of wall time.

    Returns the Document (equal to the in-process parse). Raises the reader's own
    DocumentError subclass for a bad file, and :class:`ParseLimitError` (an
    ``ExtractionLimitError``, so an ``InputError``) when the worker ran out of memory, time, or
    died; the worker is killed then. Starting a worker costs tens of milliseconds; call it for
    uploads (documents, subtitles), not for short text.
    """
    ctx = _context()
    out, child_end = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_worker,
        args=(child_end, bytes(data), kind, filename, max_chars, memory_bytes),
        daemon=True,
    )
    name = filename or "the document"
    try:
        worker.start()
        child_end.close()  # ours is closed so that the worker's death reads as end of file
    except (OSError, EOFError) as exc:  # the worker died while starting (a cap too small...)
        raise ParseLimitError(
            f"Reading {name} failed: the reader process could not start ({exc}); its memory "
            f"cap is {memory_bytes // 2**20:,} MiB.",
            kind="bytes",
            limit=memory_bytes,
        ) from None
    try:
        answer = _wait(out, worker, timeout)
        if answer is not None:
            status, value = answer
        else:
            timed_out = worker.is_alive()
            worker.kill()
            worker.join()
            if timed_out:
                raise ParseLimitError(
                    f"Reading {name} took longer than {timeout:g} s, the limit; it was stopped.",
                    kind="seconds",
                    limit=int(timeout),
                )
            raise ParseLimitError(
                f"Reading {name} stopped: the reader ended abnormally (exit {worker.exitcode}); "
                f"it may need more than {memory_bytes // 2**20:,} MiB.",
                kind="bytes",
                limit=memory_bytes,
            )
    finally:
        if worker.is_alive():
            worker.join(1.0)
        if worker.is_alive():
            worker.kill()
            worker.join()
        out.close()
    if status == "ok":
        return value
    if status == "memory":
        raise ParseLimitError(
            f"Reading {name} needs more than {memory_bytes // 2**20:,} MiB of memory, the "
            "limit; it was stopped.",
            kind="bytes",
            limit=memory_bytes,
        )
    raise _rebuild(*value)
