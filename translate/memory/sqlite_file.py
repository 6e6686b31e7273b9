"""Opening a translation memory's SQLite file: checks, connections, schema, typed errors.

Every way a file can be unusable ends in a typed error naming the file (see ``errors``); the
file is never changed unless it is new (empty) or already a memory of a schema we know.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from .errors import (
    MemoryLockedError,
    MemoryNotFoundError,
    MemoryReadOnlyError,
    MemorySchemaError,
    MemoryStoreError,
    NotAMemoryError,
)

SCHEMA_VERSION = 1
APPLICATION_ID = 0x544A4D31  # "TJM1" in PRAGMA application_id: this file is a tarjama memory
_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL,
    replaced_model TEXT,
    key_name TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE terms (
    term INTEGER NOT NULL, length INTEGER NOT NULL, unit INTEGER NOT NULL,
    PRIMARY KEY (term, length, unit)
) WITHOUT ROWID;
CREATE TABLE vocab (term INTEGER PRIMARY KEY, df INTEGER NOT NULL);
"""


def now() -> str:
    """The current UTC time, ISO 8601 to the second (units' created/updated)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def prepare_file(path: Path, readonly: bool) -> None:
    """Create a missing memory file 0600 (not when ``readonly``); refuse what cannot be used."""
    if path.is_dir():
        raise NotAMemoryError(f"{path} is a folder, not a translation memory file.")
    if readonly:
        if not path.is_file():
            raise MemoryNotFoundError(f"There is no translation memory at {path}.")
        return
    folder = path.parent
    if not path.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Created by us, 0600, before SQLite opens it: it holds unpublished text (SQLite
            # gives its -wal and -shm files the same mode).
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass  # another process created it a moment ago: open that one
        except OSError as exc:
            raise MemoryReadOnlyError(
                f"Cannot create the translation memory {path}: {exc.strerror}. Choose another "
                "path (--memory PATH) or make the folder writable."
            ) from None
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        which = "file" if not os.access(path, os.W_OK) else f"folder {folder}"
        raise MemoryReadOnlyError(
            f"The translation memory {path} cannot be written (its {which} is read-only; "
            "SQLite also writes its journal beside the file). Make it writable, or open it "
            "read-only to translate with it without adding to it."
        )


def connect(path: Path, readonly: bool, busy_timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode (writes BEGIN themselves) with the busy timeout."""
    if readonly:
        target, uri = f"file:{quote(str(path))}?mode=ro", True
    else:
        target, uri = str(path), False
    with sqlite_errors(path, busy_timeout):
        conn = sqlite3.connect(
            target,
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=uri,
        )
        conn.execute("PRAGMA synchronous=NORMAL")
        # 32 MB of pages (allocated as used): an import's index writes stay in memory.
        conn.execute("PRAGMA cache_size=-32768")
    return conn


def check_schema(conn: sqlite3.Connection, path: Path, readonly: bool, timeout: float) -> str:
    """Create the schema in a new file, or check an existing one; returns the memory's id."""
    with sqlite_errors(path, timeout):
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and version == 0 and tables == 0:
            if readonly:
                raise NotAMemoryError(f"{path} is an empty file, not a translation memory.")
            _create(conn)
        elif app_id != APPLICATION_ID or version < 1:
            raise NotAMemoryError(
                f"{path} is an SQLite database, but not a tarjama translation memory "
                "(another program's file?). Choose another path; it was left unchanged."
            )
        elif version > SCHEMA_VERSION:
            raise MemorySchemaError(
                f"The translation memory {path} has schema version {version}, written by a "
                f"newer tarjama; this one reads version {SCHEMA_VERSION}. Upgrade tarjama; the "
                "file was left unchanged."
            )
        elif not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
        row = conn.execute("SELECT value FROM meta WHERE name = 'id'").fetchone()
    if row is None:
        raise NotAMemoryError(f"{path} has no memory id: it is damaged.")
    return str(row[0])


def _create(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")  # outside a transaction, as SQLite requires
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have created it while we waited for the lock.
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?)",
                [("id", uuid.uuid4().hex), ("created", now()), ("digest", "0"), ("units", "0")],
            )
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def sqlite_errors(path: Path, busy_timeout: float) -> Iterator[None]:
    """SQLite's errors as the memory's typed errors, each naming the file."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise MemoryLockedError(
                f"The translation memory {path} is locked by another program (waited "
                f"{busy_timeout:g} s for its write lock). Try again when it is done."
            ) from None
        if "readonly" in text or "read-only" in text:
            raise MemoryReadOnlyError(
                f"The translation memory {path} cannot be written ({exc})."
            ) from None
        raise MemoryStoreError(f"The translation memory {path}: {exc}.") from None
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise NotAMemoryError(
                f"{path} is not a translation memory (not an SQLite database). Choose another "
                "path; it was left unchanged."
            ) from None
        raise MemoryStoreError(f"The translation memory {path}: {exc}.") from None
