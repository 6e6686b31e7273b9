"""The translation memory's interface and the values it passes (no database here).

:class:`MemoryStore` is all that the translator, the batch engines and the interfaces use of a
memory; :class:`~translate.memory.store.TranslationMemory` (SQLite) is its implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .match import Match, Unit


@dataclass(frozen=True)
class MemoryStats:
    """What a memory holds, for ``tarjama memory stats`` and the API."""

    path: str
    id: str
    units: int
    by_origin: dict[str, int]
    fingerprint: str
    schema: int
    bytes: int
    last_updated: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.id,
            "units": self.units,
            "by_origin": dict(self.by_origin),
            "fingerprint": self.fingerprint,
            "schema": self.schema,
            "bytes": self.bytes,
            "last_updated": self.last_updated,
        }


@dataclass(frozen=True)
class ImportReport:
    """What an import did: units added and updated, and the bad ones skipped (line, reason)."""

    added: int
    updated: int
    skipped: list[tuple[int | None, str]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
        }


@dataclass(frozen=True)
class NewUnit:
    """A unit to write: already validated (:func:`~translate.memory.match.validate_unit`)."""

    source: str
    target: str
    origin: str = "api"
    replaced_model: str | None = None
    key_name: str | None = None
    line: int | None = None


class MemoryStore(Protocol):
    """What tarjama needs of a translation memory, whatever database holds it."""

    threshold: float

    def add(
        self,
        source: str,
        target: str,
        *,
        origin: str = "api",
        replaced_model: str | None = None,
        key_name: str | None = None,
    ) -> Unit: ...
    def add_many(self, units: Iterable[NewUnit]) -> ImportReport: ...
    def get(self, source: str) -> Unit | None: ...
    def get_id(self, unit_id: int) -> Unit | None: ...
    def lookup_many(self, keys: Sequence[str]) -> dict[str, Unit]: ...
    def near(self, keys: Sequence[str], limit: int = 3) -> dict[str, list[Match]]: ...
    def search(
        self, text: str, *, limit: int = 10, threshold: float | None = None
    ) -> list[Match]: ...
    def delete(self, unit_id: int) -> bool: ...
    def iter_units(self) -> Iterator[Unit]: ...
    def stats(self) -> MemoryStats: ...
    def fingerprint(self) -> str: ...
    def describe(self) -> dict[str, Any]: ...
    def close(self) -> None: ...
