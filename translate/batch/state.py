"""What a job remembers between runs: its fingerprint, its checkpoint or shards, and its lock.

The fingerprint covers the input's content (SHA-256 and size, not its mtime: a copied or touched
file with the same bytes resumes), the text column, the model (source, revision, and for a local
directory its files' names, sizes and mtimes), the engine and its quantisation, the generation
settings, ``window_tokens``, ``max_chars``, the summary settings and, for a job given a
translation memory, the memory's content fingerprint (a unit added or changed since refuses the
resume, naming ``memory.fingerprint``). ``batch_tokens`` and the
chunk size are left out: they decide how work is grouped, never what a row becomes (each
sentence's output depends only on the sentence, the model and the settings).

Earlier state that cannot be read is reported (:class:`CorruptStateError`) and never deleted
unless the user asks for a fresh start (``--no-resume``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CorruptStateError, OutputLockedError, ResumeRefusedError
from .inputs import BatchInput
from .outputs import atomic_path, atomic_write_bytes, rows_to_table, temporary_prefix, timestamp

if TYPE_CHECKING:
    from ..translator import Translator

FORMAT_VERSION = 2  # 2: per-sentence output caps (a job checkpointed under 1 is refused)
STATE_FILE = "state.json"
ROWS_FILE = "rows.jsonl"
CHECKPOINT_SUFFIX = ".tarjama-checkpoint"
SHARD_DIR_SUFFIX = ".tarjama-ray"
LOCK_SUFFIX = ".tarjama-lock"
RECORD_COLUMNS = (
    "row_id", "translation", "summary", "flags", "confidence", "error", "sentences",
)  # fmt: skip
_FRESH_START = "Run the same command with --no-resume to discard it and start over."


# -- fingerprint ---------------------------------------------------------------------------------
def job_settings(
    translator: Translator, batch_input: BatchInput, summary: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What decides each output row: input, model, engine, settings (see the module docstring)."""
    spec = translator.spec
    translator.backend  # noqa: B018 - load now: a model that cannot load stops the job here
    meta = translator.meta
    glossary = getattr(translator, "glossary", None)
    # Only with a glossary, so that the fingerprints of jobs without one stay as they were.
    extra = {"glossary": glossary.meta} if glossary is not None else {}
    settings: dict[str, Any] = {
        **extra,
        "format_version": FORMAT_VERSION,
        "input": {
            "sha256": batch_input.sha256,
            "size": batch_input.size,
            "format": batch_input.kind,
            "column": batch_input.column,
        },
        "model": {
            "source": spec.source,
            "revision": spec.revision,
            "files": _local_model_files(Path(spec.path)) if spec.path else None,
        },
        "engine": {"backend": meta["backend"], "quantization": meta["quantization"]},
        "generation": dict(sorted(translator.settings.items())),
        "segmentation": {
            "window_tokens": translator.window_tokens,
            "max_chars": translator.max_chars,
        },
        "summary": dict(summary) if summary is not None else None,
    }
    memory = meta.get("memory")
    if memory is not None:  # only then: jobs without a memory keep their fingerprints
        settings["memory"] = {"fingerprint": memory["fingerprint"], "units": memory["units"]}
    return settings


def job_fingerprint(settings: Mapping[str, Any]) -> str:
    """A stable SHA-256 of :func:`job_settings`."""
    payload = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _local_model_files(directory: Path) -> str:
    digest = hashlib.sha256()
    if directory.is_dir():
        for item in sorted(directory.iterdir()):
            if item.is_file():
                stat = item.stat()
                digest.update(f"{item.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:16]


def changed_settings(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of the settings that differ between two :func:`job_settings`."""
    changed = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            changed += changed_settings(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed


# -- earlier work --------------------------------------------------------------------------------
def earlier_state(
    directory: Path,
    state_file: Path,
    fingerprint: str,
    settings: Mapping[str, Any],
    *,
    resume: bool,
) -> dict[str, Any] | None:
    """The saved state of an earlier run of the same job in ``directory``, or None.

    With ``resume`` off, earlier work is discarded. A state with another fingerprint raises
    ResumeRefusedError naming what changed; one that cannot be read raises CorruptStateError.
    """
    if directory.exists() and not resume:
        shutil.rmtree(directory)
    if not directory.exists():
        return None
    if not state_file.is_file():
        raise CorruptStateError(
            f"Earlier work on this output is in {directory}, but its {state_file.name} is "
            f"missing. Nothing was deleted. {_FRESH_START}"
        )
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or not isinstance(state.get("fingerprint"), str):
            raise ValueError("no fingerprint in it")
    except (OSError, ValueError) as exc:
        reason = "it is empty" if state_file.stat().st_size == 0 else str(exc)
        raise CorruptStateError(
            f"The checkpoint file {state_file} of an earlier run cannot be read ({reason}). "
            f"Nothing was deleted. {_FRESH_START}"
        ) from None
    if state["fingerprint"] != fingerprint:
        changed = changed_settings(state.get("settings") or {}, settings)
        what = ", ".join(changed) if changed else "the job's fingerprint"
        raise ResumeRefusedError(
            f"Earlier work on this output, in {directory}, was made with a different input, "
            f"model or settings (changed: {what}). Run the same command with --no-resume to "
            "discard it and start over, or go back to the original input and settings to "
            "continue it."
        )
    return state


def _new_state(fingerprint: str, settings: Mapping[str, Any], **extra: Any) -> bytes:
    state = {
        "format_version": FORMAT_VERSION,
        "fingerprint": fingerprint,
        "settings": dict(settings),
        **extra,
        "created": timestamp(),
    }
    return json.dumps(state, indent=2, ensure_ascii=False).encode("utf-8")


class Checkpoint:
    """Finished rows of one local job, appended and fsync'd per chunk, under its fingerprint.

    ``state.json`` (written atomically) holds the fingerprint and the settings behind it;
    ``rows.jsonl`` holds one record per finished row. A last line torn by a kill is dropped on
    the next open; any other unreadable line is reported, not dropped.
    """

    def __init__(self, output: Path) -> None:
        self.directory = output.with_name(output.name + CHECKPOINT_SUFFIX)
        self.state_file = self.directory / STATE_FILE
        self.rows_file = self.directory / ROWS_FILE

    def exists(self) -> bool:
        return self.directory.exists()

    def open(
        self, fingerprint: str, settings: Mapping[str, Any], *, resume: bool, rows_total: int
    ) -> dict[int, dict[str, Any]]:
        """Start or continue the job; returns the finished records by row_id."""
        if earlier_state(self.directory, self.state_file, fingerprint, settings, resume=resume):
            return self._load_rows(rows_total)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rows_file.write_bytes(b"")
        with open(self.rows_file, "rb") as fh:
            os.fsync(fh.fileno())
        state = _new_state(fingerprint, settings, rows_total=rows_total)
        atomic_write_bytes(self.state_file, state)
        return {}

    def _load_rows(self, rows_total: int) -> dict[int, dict[str, Any]]:
        if not self.rows_file.exists():
            return {}
        data = self.rows_file.read_bytes()
        lines = data.split(b"\n")
        done: dict[int, dict[str, Any]] = {}
        good = 0  # bytes up to the end of the last complete line
        for number, line in enumerate(lines[:-1], start=1):  # after the last newline: torn
            try:
                record = json.loads(line)
                row_id = record["row_id"]
                if not isinstance(row_id, int) or not 0 <= row_id < rows_total:
                    raise ValueError(f"row_id {row_id!r} is not a row of the input")
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                # One write per chunk: a kill tears only the piece after the last newline, so
                # a whole line that does not read is damage, not a kill.
                what = "has no row_id" if isinstance(exc, (KeyError, TypeError)) else str(exc)
                raise CorruptStateError(
                    f"Line {number} of the checkpoint {self.rows_file} cannot be read ({what}). "
                    f"Nothing was deleted. {_FRESH_START}"
                ) from None
            done[row_id] = record
            good += len(line) + 1
        if good < len(data):
            with open(self.rows_file, "r+b") as fh:
                fh.truncate(good)
                fh.flush()
                os.fsync(fh.fileno())
        return done

    def append(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Add finished rows; durable (fsync'd) when this returns."""
        if not records:
            return
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        with open(self.rows_file, "ab") as fh:
            fh.write(lines.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class ShardStore:
    """Finished shards of one Ray job, one Parquet file each, under the job's fingerprint.

    ``state.json`` holds the fingerprint, the settings behind it and the shard layout (first
    row and row count of each shard), so a resumed job cuts the input the same way whatever
    ``chunk_rows`` it is given. A shard file is complete or absent (written, then renamed).
    """

    def __init__(self, output: Path) -> None:
        self.directory = output.with_name(output.name + SHARD_DIR_SUFFIX)
        self.state_file = self.directory / STATE_FILE

    def exists(self) -> bool:
        return self.directory.exists()

    def shard_file(self, index: int) -> Path:
        return self.directory / f"shard-{index:05d}.parquet"

    def open(
        self,
        fingerprint: str,
        settings: Mapping[str, Any],
        layout: list[tuple[int, int]],
        *,
        resume: bool,
    ) -> list[tuple[int, int]]:
        """Start or continue the job; returns the shard layout to use ``(first row, rows)``."""
        state = earlier_state(self.directory, self.state_file, fingerprint, settings, resume=resume)
        if state is not None:
            remove_stale_temporaries(self.directory)
            try:
                return [(int(first), int(count)) for first, count in state["shards"]]
            except (KeyError, TypeError, ValueError):
                raise CorruptStateError(
                    f"The shard layout in {self.state_file} cannot be read. Nothing was "
                    f"deleted. {_FRESH_START}"
                ) from None
        self.directory.mkdir(parents=True, exist_ok=True)
        shards = [list(shard) for shard in layout]
        atomic_write_bytes(self.state_file, _new_state(fingerprint, settings, shards=shards))
        return layout

    def read(self, index: int, row_ids: Sequence[int]) -> list[dict[str, Any]] | None:
        """The records of a finished shard, or None if it is missing or not whole."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.shard_file(index)
        if not path.is_file():
            return None
        try:
            records = pq.read_table(path).to_pylist()
        except (OSError, pa.ArrowException):
            return None
        if [r.get("row_id") for r in records] != list(row_ids):
            return None
        return records

    def write(self, index: int, records: Sequence[Mapping[str, Any]]) -> None:
        """Write one shard's records atomically (durable when this returns)."""
        import pyarrow.parquet as pq

        table = rows_to_table(records, RECORD_COLUMNS)
        with atomic_path(self.shard_file(index)) as tmp:
            pq.write_table(table, tmp)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def remove_stale_temporaries(directory: Path, target: Path | None = None) -> list[Path]:
    """Delete temporaries left by a write cut short (a kill): of ``target``, or all in
    ``directory``. Only called under the output's lock, so no live writer owns them."""
    pattern = f"{temporary_prefix(target)}*" if target is not None else ".*"
    removed = []
    for stray in directory.glob(pattern):
        if stray.suffix in (".tmp", ".probe") and stray.is_file():
            stray.unlink(missing_ok=True)
            removed.append(stray)
    return removed


# -- the lock ------------------------------------------------------------------------------------
class OutputLock:
    """An exclusive lock on one output, held for the whole job.

    ``OUTPUT.tarjama-lock`` is locked with ``flock``; the kernel releases it when its process
    dies, so a lock left by a killed job is simply taken over. The file says who holds it.
    """

    def __init__(self, output: Path) -> None:
        self.path = output.with_name(output.name + LOCK_SUFFIX)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise OutputLockedError naming the process that holds it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise OutputLockedError(
                    f"Another tarjama job is writing {self.path.name.removesuffix(LOCK_SUFFIX)} "
                    f"({holder}). Wait for it to finish or stop it; two jobs must not write "
                    "one output."
                ) from None
            # The holder before us may have removed the file after we opened it: lock the
            # file that is at the path now, or try again.
            with contextlib.suppress(FileNotFoundError):
                if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                    break
            os.close(fd)
        os.ftruncate(fd, 0)
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": timestamp(),
            "command": " ".join(sys.argv)[:500],
        }
        os.write(fd, json.dumps(holder).encode("utf-8"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # while still locked: a waiter re-checks the inode
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return "its process is unknown"
    if not holder:
        return "it is starting"
    return (
        f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}: "
        f"{holder.get('command')}"
    )
