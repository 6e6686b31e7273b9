"""The server's translation memory: opening it, writing a confirmed correction, key names.

The library (:mod:`translate.memory`) keeps the units; this module is what the page, the HTTP
routes and LibreTranslate's ``/suggest`` share: :func:`open_server_memory` at start (a file that
cannot be used is an error then, never a silent fallback to no memory), :func:`remember` for a
correction (the page's editor calls it when an edit is confirmed), :func:`require` for routes
on a server started with ``--no-memory``, and :func:`key_name` for the API key's *name*.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from translate.memory import MemoryStore, TranslationMemory
from translate.memory import add as add_unit

from .errors import MemoryOff

__all__ = ["key_name", "open_server_memory", "remember", "require"]


def open_server_memory(path: str | Path, threshold: float | None = None) -> TranslationMemory:
    """The server's memory, writable (created 0600 if missing, folders included).

    Raises :class:`~translate.memory.MemoryStoreError` (not a memory, newer schema, read-only,
    locked) with the file named: the server refuses to start rather than run without it.
    """
    file = Path(path).expanduser()
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if threshold is None:
        return TranslationMemory(file)
    return TranslationMemory(file, threshold=threshold)


def key_name(key: str | None) -> str | None:
    """The name a unit records for the API key that wrote it: ``key-`` and the first 12 hex
    digits of its SHA-256 (the key itself never goes into the memory or its exports)."""
    if not key:
        return None
    return "key-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def require(memory: MemoryStore | None) -> MemoryStore:
    """``memory``, or :class:`MemoryOff` for a server started without one."""
    if memory is None:
        raise MemoryOff("This server runs without a translation memory (--no-memory).")
    return memory


def remember(
    memory: MemoryStore | None,
    source: str,
    target: str,
    *,
    origin: str = "edit",
    replaced_model: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """Store a confirmed correction (``source`` Arabic, ``target`` English) and return the unit
    as JSON-ready data; an existing source has its unit updated.

    The page's editor calls this with ``origin="edit"`` and the public name of the model whose
    output was corrected; the API with ``origin="api"`` or ``"suggest"`` and the request's key.
    Raises :class:`~translate.memory.UnitError` (empty, too long, NUL, lone surrogate, a target
    over ten times its source: HTTP 400), MemoryStoreError (503) or MemoryOff.
    """
    return add_unit(
        require(memory),
        source,
        target,
        origin=origin,
        replaced_model=replaced_model,
        key_name=key_name(key),
    )
