"""A translation memory: a correction made once is used everywhere after.

    from translate import Translator
    from translate.memory import TranslationMemory

    memory = TranslationMemory("newsroom.tm")
    memory.add("قال الأمين العام للأمم المتحدة", "The UN Secretary-General said", origin="edit")
    translator = Translator(memory=memory)   # exact matches: the unit's English, flag "memory"

The library functions below are what the interfaces call (the HTTP routes, ``tarjama memory``,
the page): :func:`add`, :func:`search`, :func:`delete`, :func:`stats`, :func:`import_file`,
:func:`export_tmx` / :func:`export_file`. Errors: :class:`UnitError` (an InputError: HTTP 400)
for a bad unit, :class:`MemoryStoreError` and its kinds (HTTP 503, a CLI message) for a file that
cannot be used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .base import ImportReport, MemoryStats, MemoryStore, NewUnit
from .errors import (
    ImportFormatError,
    MemoryLockedError,
    MemoryNotFoundError,
    MemoryReadOnlyError,
    MemorySchemaError,
    MemoryStoreError,
    NotAMemoryError,
    UnitError,
)
from .exchange import export_file, export_tmx, import_file, iter_tmx
from .match import DEFAULT_THRESHOLD, MAX_UNIT_CHARS, Match, Unit, memory_key, validate_unit
from .store import ORIGINS, TranslationMemory

ENV_VAR = "TARJAMA_MEMORY"
FILE_NAME = "memory.sqlite3"

__all__ = [
    "DEFAULT_THRESHOLD",
    "ENV_VAR",
    "MAX_UNIT_CHARS",
    "ORIGINS",
    "ImportFormatError",
    "ImportReport",
    "Match",
    "MemoryLockedError",
    "MemoryNotFoundError",
    "MemoryReadOnlyError",
    "MemorySchemaError",
    "MemoryStats",
    "MemoryStore",
    "MemoryStoreError",
    "NewUnit",
    "NotAMemoryError",
    "TranslationMemory",
    "Unit",
    "UnitError",
    "add",
    "default_memory_path",
    "delete",
    "export_file",
    "export_tmx",
    "import_file",
    "iter_tmx",
    "memory_key",
    "memory_path",
    "search",
    "stats",
    "validate_unit",
]


def default_memory_path() -> Path:
    """Where a server keeps its memory unless told otherwise: the user's data folder."""
    import platformdirs

    return platformdirs.user_data_path("tarjama", appauthor=False) / FILE_NAME


def memory_path(
    flag: str | os.PathLike[str] | None = None,
    *,
    server: bool = False,
    disabled: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """The memory file an interface should open, or None for no memory.

    ``--memory PATH`` (``flag``) wins, then ``$TARJAMA_MEMORY``; a server (``server=True``)
    falls back to :func:`default_memory_path`, the CLI and batch jobs to no memory.
    ``disabled`` (``--no-memory``) gives None. Read the environment only here, at the edge.
    """
    if disabled:
        return None
    if flag:
        return Path(flag).expanduser()
    env = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return default_memory_path() if server else None


def add(
    memory: MemoryStore,
    source: str,
    target: str,
    *,
    origin: str = "api",
    replaced_model: str | None = None,
    key_name: str | None = None,
) -> dict[str, Any]:
    """Store (or update) a unit; the unit as JSON-ready data (``POST /api/v1/memory``)."""
    unit = memory.add(
        source, target, origin=origin, replaced_model=replaced_model, key_name=key_name
    )
    return unit.to_dict()


def search(memory: MemoryStore, text: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """Exact and near matches with their similarity, best first (``GET /api/v1/memory?q=``)."""
    return [
        {**match.unit.to_dict(), "similarity": round(match.similarity, 4)}
        for match in memory.search(text, limit=max(1, min(int(limit), 100)))
    ]


def delete(memory: MemoryStore, unit_id: int) -> bool:
    """Remove a unit; False if there was none (``DELETE /api/v1/memory/{id}``: 204 or 404)."""
    return memory.delete(unit_id)


def stats(memory: MemoryStore) -> dict[str, Any]:
    """Counts, identity and fingerprint of the memory (``tarjama memory stats``)."""
    return memory.stats().to_dict()
