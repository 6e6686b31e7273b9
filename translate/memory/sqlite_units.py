"""Writing units to a translation memory's SQLite file, inside the caller's transaction.

A unit is three rows' worth of work: the unit itself, one index row per word (``terms``) and
the word's document frequency (``vocab``). Each write returns its change to the content digest
(an XOR of unit digests, see :func:`~translate.memory.match.unit_digest`) and to the unit
count; :func:`fold_digest` applies it to the ``meta`` rows in the same transaction, so the
fingerprint always describes what is committed.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from . import match as M
from .base import NewUnit
from .errors import UnitError

IN_CHUNK = 500  # ids or keys per "IN (...)": under SQLite's variable limit
COLUMNS = "id, source, key, target, origin, replaced_model, key_name, created, updated"


class Change(NamedTuple):
    """What a write did to the content digest and the unit count."""

    digest: int
    added: int


def upsert_units(conn: sqlite3.Connection, pending: Sequence[NewUnit], now: str) -> Change:
    """Insert or update units (a later unit of one key wins): sorted index rows, one vocabulary
    update a word. ``Change.added`` counts the new units; the rest updated existing ones."""
    latest: dict[str, NewUnit] = {}
    for new in pending:
        key = M.memory_key(new.source)
        if not key:
            raise UnitError("The source has nothing left once normalised.", new.line)
        latest[key] = new
    keys = list(latest)
    existing: dict[str, tuple[int, str, str]] = {}
    for start in range(0, len(keys), IN_CHUNK):
        part = keys[start : start + IN_CHUNK]
        sql = f"SELECT key, id, source, target FROM units WHERE key IN ({_marks(part)})"
        existing.update((row[0], row[1:]) for row in conn.execute(sql, part))
    # Ids given here: one write transaction holds the lock, and AUTOINCREMENT's counter
    # (never below a deleted unit's id) follows the largest id inserted.
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'units'").fetchone()
    next_id = seq[0] if seq else 0
    digest = 0
    updates, inserts, index = [], [], []
    frequency: Counter[int] = Counter()
    for key, new in latest.items():
        fresh = M.unit_digest(key, new.source, new.target)
        fields = (new.source, new.target, new.origin, new.replaced_model, new.key_name)
        if key in existing:
            unit_id, old_source, old_target = existing[key]
            digest ^= M.unit_digest(key, old_source, old_target) ^ fresh
            updates.append((*fields, now, unit_id))
            continue
        next_id += 1
        inserts.append((next_id, key, *fields, now, now))
        term_ids = M.terms(key)
        index += [(term, len(key), next_id) for term in term_ids]
        frequency.update(term_ids)
        digest ^= fresh
    conn.executemany(
        "UPDATE units SET source = ?, target = ?, origin = ?, replaced_model = ?, "
        "key_name = ?, updated = ? WHERE id = ?",
        updates,
    )
    conn.executemany(
        "INSERT INTO units (id, key, source, target, origin, replaced_model, key_name, "
        "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        inserts,
    )
    index.sort()  # in key order: each index page is touched once
    conn.executemany("INSERT INTO terms (term, length, unit) VALUES (?, ?, ?)", index)
    conn.executemany(
        "INSERT INTO vocab (term, df) VALUES (?, ?) "
        "ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
        sorted(frequency.items()),
    )
    return Change(digest, len(inserts))


def delete_unit(conn: sqlite3.Connection, unit_id: int) -> Change | None:
    """Remove a unit and its index rows; None if there was no such unit."""
    row = conn.execute("SELECT key, source, target FROM units WHERE id = ?", (unit_id,)).fetchone()
    if row is None:
        return None
    key, source, target = row
    term_ids = M.terms(key)
    conn.execute("DELETE FROM units WHERE id = ?", (unit_id,))
    conn.executemany(
        "DELETE FROM terms WHERE term = ? AND length = ? AND unit = ?",
        [(term, len(key), unit_id) for term in term_ids],
    )
    conn.executemany("UPDATE vocab SET df = df - 1 WHERE term = ?", [(term,) for term in term_ids])
    conn.execute("DELETE FROM vocab WHERE df <= 0")
    return Change(M.unit_digest(key, source, target), -1)


def fold_digest(conn: sqlite3.Connection, change: Change) -> None:
    """Apply a write's change to the stored digest and unit count."""
    if change.digest == 0 and change.added == 0:
        return
    stored = dict(conn.execute("SELECT name, value FROM meta WHERE name IN ('digest', 'units')"))
    conn.executemany(
        "UPDATE meta SET value = ? WHERE name = ?",
        [
            (format(int(stored["digest"], 16) ^ change.digest, "x"), "digest"),
            (str(int(stored["units"]) + change.added), "units"),
        ],
    )


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))
