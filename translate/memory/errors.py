"""Typed errors of the translation memory.

Two kinds: the store cannot be used (:class:`MemoryStoreError` and its kinds; a server answers
503 with the message, the CLI exits with it) and a unit cannot be stored
(:class:`UnitError`, an :class:`~translate.errors.InputError`; HTTP 400).
"""

from __future__ import annotations

from ..errors import InputError, TarjamaError


class MemoryStoreError(TarjamaError, RuntimeError):
    """The memory's file cannot be used; the message says which file and why."""


class NotAMemoryError(MemoryStoreError):
    """The file exists but is not a tarjama translation memory (another database, not SQLite)."""


class MemorySchemaError(MemoryStoreError):
    """The memory was written by a newer tarjama (its schema version is unknown here)."""


class MemoryReadOnlyError(MemoryStoreError):
    """The memory (or its folder) cannot be written, or was opened read-only."""


class MemoryLockedError(MemoryStoreError):
    """Another program held the memory's write lock for longer than the busy timeout."""


class MemoryNotFoundError(MemoryStoreError):
    """A memory opened read-only (or one unit asked for by id) does not exist."""


class UnitError(InputError):
    """A translation unit cannot be stored: empty, too long, NUL, lone surrogate, runaway target.

    ``line`` is the line of the unit in an imported file (None outside an import); ``bad`` lists
    every bad unit of an import as ``(line, reason)``.
    """

    def __init__(
        self, message: str, line: int | None = None, bad: list[tuple[int | None, str]] | None = None
    ) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.reason = message
        self.line = line
        self.bad = list(bad or [])


class ImportFormatError(UnitError):
    """An imported file cannot be read as TMX, CSV or TSV (at ``line`` when known)."""
