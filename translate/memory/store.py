"""The translation memory's SQLite store: connections, transactions and reads.

:class:`~translate.memory.base.MemoryStore` is what the translator, the batch engines and the
interfaces use; any database that can keep units by a unique key, an index of words and one
fingerprint row can sit behind it (see the README for PostgreSQL). :class:`TranslationMemory` is
the embedded default: standard-library ``sqlite3``, WAL journal (readers never wait for the
writer), one transaction per write (``BEGIN IMMEDIATE``), a busy timeout so that short locks
wait, and the schema checked at open. ``synchronous=NORMAL``: a killed process loses nothing it
was told was written; a power cut may lose the last commits, never the file. Opening and
checking the file is ``sqlite_file``'s job; the SQL of writing units is ``sqlite_units``'.

The content fingerprint is the XOR of a 128-bit hash of every unit's key, source and target
(:func:`~translate.memory.match.unit_digest`), kept in the ``meta`` table by each write in the
same transaction: it changes exactly when what a translation could take from the memory
changes, and costs one row to read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import match as M
from . import sqlite_file as F
from . import sqlite_units as W
from .base import ImportReport, MemoryStats, NewUnit
from .errors import (
    MemoryReadOnlyError,
    MemoryStoreError,
    UnitError,
)
from .match import Match, Unit

DEFAULT_BUSY_TIMEOUT = 15.0  # seconds a write waits for another writer before MemoryLockedError
ORIGINS = ("edit", "api", "import", "suggest")


def _reopen(path: str, readonly: bool, threshold: float, busy_timeout: float) -> TranslationMemory:
    return TranslationMemory(
        path, readonly=readonly, threshold=threshold, busy_timeout=busy_timeout
    )


class TranslationMemory:
    """A translation memory in one SQLite file (created 0600 if missing, unless ``readonly``).

    Thread-safe (one connection per thread) and safe across processes (SQLite's locks).
    ``threshold`` is the least similarity of a near match (0.8). Opening checks the file:
    :class:`NotAMemoryError`, :class:`MemorySchemaError`, :class:`MemoryReadOnlyError`,
    :class:`MemoryNotFoundError` (``readonly`` and missing); a write that waits longer than
    ``busy_timeout`` seconds for another program's lock raises :class:`MemoryLockedError`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        threshold: float = M.DEFAULT_THRESHOLD,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.path = Path(path).expanduser().absolute()
        self.readonly = readonly
        self.threshold = threshold
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        F.prepare_file(self.path, readonly)
        try:
            self.id = F.check_schema(self._conn, self.path, readonly, busy_timeout)
        except BaseException:
            self.close()
            raise

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to another process (a Ray worker): it opens the same file itself.
        return (_reopen, (str(self.path), self.readonly, self.threshold, self.busy_timeout))

    def __repr__(self) -> str:
        return f"TranslationMemory({str(self.path)!r}, readonly={self.readonly})"

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        return F.connect(self.path, self.readonly, self.busy_timeout)

    def _sqlite_errors(self) -> contextlib.AbstractContextManager[None]:
        return F.sqlite_errors(self.path, self.busy_timeout)

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise MemoryStoreError(f"The translation memory {self.path} is closed.")
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        if self.readonly:
            raise MemoryReadOnlyError(f"The translation memory {self.path} was opened read-only.")
        conn = self._conn
        with self._sqlite_errors():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close every connection (of every thread); the memory cannot be used afterwards."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    # -- writing -----------------------------------------------------------------------------
    def add(
        self,
        source: str,
        target: str,
        *,
        origin: str = "api",
        replaced_model: str | None = None,
        key_name: str | None = None,
    ) -> Unit:
        """Store a unit (an existing source updates its unit); returns it. UnitError if bad."""
        source, target = M.validate_unit(source, target)
        new = NewUnit(source, target, origin, _label(replaced_model), _label(key_name))
        _check_origin(origin)
        with self._write() as conn:
            W.fold_digest(conn, W.upsert_units(conn, [new], F.now()))
            row = conn.execute(
                f"SELECT {W.COLUMNS} FROM units WHERE key = ?", (M.memory_key(source),)
            ).fetchone()
            unit = Unit(*row)
        return unit

    def add_many(self, units: Iterable[NewUnit], chunk: int = 20_000) -> ImportReport:
        """Store validated units, ``chunk`` per transaction (a later unit of one source wins).

        An import cut short keeps the chunks already committed; importing again is harmless
        (the same units update themselves to the same content).
        """
        added = updated = 0
        pending: list[NewUnit] = []

        def flush() -> None:
            nonlocal added, updated
            if not pending:
                return
            with self._write() as conn:
                change = W.upsert_units(conn, pending, F.now())
                W.fold_digest(conn, change)
            added += change.added
            updated += len(pending) - change.added
            pending.clear()

        for new in units:
            _check_origin(new.origin)
            pending.append(new)
            if len(pending) >= chunk:
                flush()
        flush()
        return ImportReport(added, updated, [])

    def delete(self, unit_id: int) -> bool:
        """Remove a unit by id; False if there was none."""
        with self._write() as conn:
            change = W.delete_unit(conn, int(unit_id))
            if change is None:
                return False
            W.fold_digest(conn, change)
        return True

    # -- reading -----------------------------------------------------------------------------
    def _fetch(self, conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Unit]:
        units: dict[int, Unit] = {}
        for start in range(0, len(ids), W.IN_CHUNK):
            part = list(ids[start : start + W.IN_CHUNK])
            marks = ",".join("?" * len(part))
            for row in conn.execute(f"SELECT {W.COLUMNS} FROM units WHERE id IN ({marks})", part):
                units[row[0]] = Unit(*row)
        return units

    def get(self, source: str) -> Unit | None:
        """The unit whose key is ``source``'s key (exact match), or None."""
        key = M.memory_key(source)
        return self.lookup_many([key]).get(key) if key else None

    def get_id(self, unit_id: int) -> Unit | None:
        """The unit with this id, or None."""
        with self._sqlite_errors():
            return self._fetch(self._conn, [int(unit_id)]).get(int(unit_id))

    def lookup_many(self, keys: Sequence[str]) -> dict[str, Unit]:
        """Units by key (already :func:`~translate.memory.match.memory_key`-ed), for the keys
        that have one."""
        found: dict[str, Unit] = {}
        unique = list(dict.fromkeys(k for k in keys if k))
        with self._sqlite_errors():
            conn = self._conn
            for start in range(0, len(unique), W.IN_CHUNK):
                part = unique[start : start + W.IN_CHUNK]
                marks = ",".join("?" * len(part))
                sql = f"SELECT {W.COLUMNS} FROM units WHERE key IN ({marks})"
                for row in conn.execute(sql, part):
                    found[row[2]] = Unit(*row)
        return found

    def search(self, text: str, *, limit: int = 10, threshold: float | None = None) -> list[Match]:
        """The exact match (similarity 1.0) and near matches of ``text``, best first."""
        key = M.memory_key(text) if isinstance(text, str) else ""
        if not key or limit < 1:
            return []
        threshold = self.threshold if threshold is None else threshold
        with self._sqlite_errors():
            conn = self._conn
            exact = self.lookup_many([key]).get(key)
            matches = [Match(exact, 1.0)] if exact else []
            ranked = self._near(conn, key, threshold, limit + 1)
            ids = [unit_id for unit_id, _ in ranked if not exact or unit_id != exact.id]
            units = self._fetch(conn, ids[:limit])
        similarity = dict(ranked)
        matches += [Match(units[i], min(similarity[i], 0.9999)) for i in ids[:limit] if i in units]
        return matches[:limit]

    def near(self, keys: Sequence[str], limit: int = 3) -> dict[str, list[Match]]:
        """Near matches (never the exact one) of each key, for the translator's suggestions."""
        out: dict[str, list[Match]] = {}
        with self._sqlite_errors():
            conn = self._conn
            for key in dict.fromkeys(k for k in keys if k):
                ranked = [(i, s) for i, s in self._near(conn, key, self.threshold, limit + 1)]
                units = self._fetch(conn, [i for i, _ in ranked])
                found = [
                    Match(units[i], s) for i, s in ranked if i in units and units[i].key != key
                ]
                if found:
                    out[key] = found[:limit]
        return out

    def _near(
        self, conn: sqlite3.Connection, key: str, threshold: float, limit: int
    ) -> list[tuple[int, float]]:
        """Ranked ``(id, similarity)`` of near candidates (bounded; see ``match``)."""
        if len(key) > M.MAX_NEAR_QUERY_CHARS:
            return []
        query_terms = M.terms(key)
        frequency: dict[int, int] = {}
        for start in range(0, len(query_terms), W.IN_CHUNK):
            part = query_terms[start : start + W.IN_CHUNK]
            marks = ",".join("?" * len(part))
            sql = f"SELECT term, df FROM vocab WHERE term IN ({marks})"
            frequency.update(conn.execute(sql, part).fetchall())
        low, high = M.length_band(len(key), threshold)
        shared: Counter[int] = Counter()
        for term in M.pick_terms(query_terms, frequency):
            rows = conn.execute(
                "SELECT unit FROM terms WHERE term = ? AND length BETWEEN ? AND ? LIMIT ?",
                (term, low, high, M.MAX_POSTINGS_PER_TERM),
            )
            shared.update(unit for (unit,) in rows)
        best = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[: M.MAX_CANDIDATES]
        ids = [unit for unit, _ in best]
        keys: list[tuple[int, str]] = []
        for start in range(0, len(ids), W.IN_CHUNK):
            part = ids[start : start + W.IN_CHUNK]
            marks = ",".join("?" * len(part))
            keys += conn.execute(f"SELECT id, key FROM units WHERE id IN ({marks})", part)
        return M.rank(key, keys, threshold, limit)

    def iter_units(self) -> Iterator[Unit]:
        """Every unit, by id (a consistent snapshot on its own connection)."""
        conn = self._connect()
        try:
            with self._sqlite_errors():
                cursor = conn.execute(f"SELECT {W.COLUMNS} FROM units ORDER BY id")
                while rows := cursor.fetchmany(1000):
                    for row in rows:
                        yield Unit(*row)
        finally:
            conn.close()

    def _meta(self) -> dict[str, str]:
        with self._sqlite_errors():
            return dict(self._conn.execute("SELECT name, value FROM meta"))

    def fingerprint(self) -> str:
        """A digest of the memory's content (keys, sources, targets); equal content, equal
        fingerprint, whatever the order of writes."""
        meta = self._meta()
        return _fingerprint(meta)

    def describe(self) -> dict[str, Any]:
        """The memory's identity and content fingerprint (for ``meta`` and batch sidecars)."""
        meta = self._meta()
        return {
            "path": str(self.path),
            "id": meta["id"],
            "fingerprint": _fingerprint(meta),
            "units": int(meta["units"]),
            "threshold": self.threshold,
        }

    def stats(self) -> MemoryStats:
        """Counts, identity and size of the memory."""
        meta = self._meta()
        with self._sqlite_errors():
            conn = self._conn
            by_origin = dict(conn.execute("SELECT origin, count(*) FROM units GROUP BY origin"))
            last = conn.execute("SELECT max(updated) FROM units").fetchone()[0]
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return MemoryStats(
            path=str(self.path),
            id=meta["id"],
            units=int(meta["units"]),
            by_origin=by_origin,
            fingerprint=_fingerprint(meta),
            schema=F.SCHEMA_VERSION,
            bytes=size,
            last_updated=last,
        )

    def recompute_fingerprint(self) -> str:
        """The fingerprint computed from every unit (a check of the stored one)."""
        digest = 0
        count = 0
        for unit in self.iter_units():
            digest ^= M.unit_digest(unit.key, unit.source, unit.target)
            count += 1
        return _fingerprint({"digest": format(digest, "x"), "units": str(count)})


def _fingerprint(meta: dict[str, str]) -> str:
    payload = f"{F.SCHEMA_VERSION}:{int(meta['units'])}:{int(meta['digest'], 16):032x}"
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _label(value: str | None) -> str | None:
    """A model or API key name as stored: short, printable, or refused."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 200 or not value.isprintable():
        raise UnitError("A model or key name must be printable text of at most 200 characters.")
    return value


def _check_origin(origin: str) -> None:
    if origin not in ORIGINS:
        raise UnitError(f"Unknown origin {origin!r}: use one of {', '.join(ORIGINS)}.")
