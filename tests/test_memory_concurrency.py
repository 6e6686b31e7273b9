"""The memory under concurrent writers (threads and processes) and a writer killed mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from translate.memory import TranslationMemory

pytestmark = pytest.mark.slow  # seconds of SQLite contention, no model

REPO = Path(__file__).resolve().parent.parent
WRITERS = 20
UNITS = 500
_WRITER = """
import sys
from translate.memory import TranslationMemory
from tests.test_memory_concurrency import unit

path, writer, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
memory = TranslationMemory(path, busy_timeout=60)
for i in range(count if count >= 0 else 10**9):
    source, target = unit(writer, i)
    memory.add(source, target)
    print(i, flush=True)  # acknowledged: the write is committed
"""


def unit(writer: int, i: int) -> tuple[str, str]:
    """Odd units are the writer's own; even ones are written by every writer (one unit each)."""
    if i % 2:
        return f"قال المتحدث {writer} في البيان رقم {i}.", f"Spokesman {writer}: statement {i}."
    return f"أعلنت الوزارة القرار رقم {i}.", f"The ministry announced decision {i} ({writer})."


def expected_sources(writers: int, count: int) -> set[str]:
    return {unit(w, i)[0] for w in range(writers) for i in range(count)}


def check(path: Path, writers: int, count: int) -> None:
    with TranslationMemory(path) as memory:
        sources = [u.source for u in memory.iter_units()]
        assert len(sources) == len(set(sources))  # none twice
        assert set(sources) == expected_sources(writers, count)  # every unit stored
        assert memory.stats().units == len(sources)
        assert memory.fingerprint() == memory.recompute_fingerprint()


def test_twenty_threads(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    memory = TranslationMemory(path, busy_timeout=60)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for i in range(UNITS):
                memory.add(*unit(writer, i))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    memory.close()
    assert errors == []
    check(path, WRITERS, UNITS)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_twenty_processes(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(w), str(UNITS)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_env(),
            cwd=REPO,
        )
        for w in range(WRITERS)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
    check(path, WRITERS, UNITS)


def test_sigkill_during_writes_loses_at_most_the_unacknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), "0", "-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=REPO,
    )
    assert proc.stdout is not None
    acknowledged = -1
    deadline = time.monotonic() + 120
    while acknowledged < 300 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    # Read through proc.stdout itself: communicate() reads the raw pipe and would miss the
    # lines readline() already holds in its buffer (acknowledged writes counted as lost).
    rest = proc.stdout.read()
    proc.wait()
    acknowledged += len(rest.split())  # lines written before the kill
    assert acknowledged >= 300
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with TranslationMemory(path) as memory:  # opens cleanly
        stored = {u.source for u in memory.iter_units()}
        done = {unit(0, i)[0] for i in range(acknowledged + 1)}
        assert done <= stored  # every acknowledged write survived
        assert len(stored - done) <= 1  # at most the one in flight, whole or not at all
        assert memory.fingerprint() == memory.recompute_fingerprint()
        memory.add("كتب المحرر الجملة بعد الانقطاع.", "The editor wrote after the outage.")
