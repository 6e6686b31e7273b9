"""Offline batch jobs: a file or folder of Arabic documents in, a table of translations out.

Nothing is lost: every input row comes out exactly once, in input order, with either a
translation or an ``error`` saying why not. The job is resumable: finished rows are appended to a
checkpoint (``OUTPUT.tarjama-checkpoint/rows.jsonl``, fsync'd per chunk) under a fingerprint of
the input, the model and the settings that change outputs; the output file and its sidecar
(``OUTPUT.meta.json``) are written atomically at the end and the checkpoint is removed.

The pieces are plain functions over rows so another engine (``translate/cluster.py``) can reuse
them: :func:`read_input` → :func:`job_fingerprint` → :class:`Checkpoint` →
:func:`result_record` per row → :func:`output_rows` → :func:`write_output` →
:func:`write_sidecar`. :func:`run_batch` is the local engine that ties them together.

Output columns: ``row_id`` (0-based input position), the input's columns unchanged (a folder
input has ``file`` and the text column), ``translation``, ``summary`` (with a summarizer),
``flags`` and ``error``. The added columns are strings, never null: ``translation``/``summary``
are ``""`` for a failed row and ``error`` is ``""`` for a good one. ``flags`` is a list of strings
in JSONL and Parquet, and one ``;``-joined string in CSV (which has no lists).

The fingerprint covers the input's content (SHA-256 and size, not its mtime: a copied or touched
file with the same bytes resumes), the text column, the model (source, revision, and for a local
directory its files' names, sizes and mtimes), the engine and its quantisation, the generation
settings, ``window_tokens``, ``max_chars`` and the summary settings. ``batch_tokens`` and the
chunk size are left out: they decide how work is grouped, not what a row becomes (except for an
output that runs into the per-batch length cap, which the guard flags anyway).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, TarjamaError
from .types import TranslationResult

if TYPE_CHECKING:
    import pyarrow as pa

    from .translator import Translator

INPUT_FORMATS = ("txt", "folder", "jsonl", "csv", "parquet")
OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
ADDED_COLUMNS = ("row_id", "translation", "summary", "flags", "error")
CSV_FLAG_SEPARATOR = ";"
DEFAULT_CHUNK_ROWS = 64
DEFAULT_CHUNK_CHARS = 200_000  # a checkpoint at least every ~200k characters of Arabic
CHECKPOINT_SUFFIX = ".tarjama-checkpoint"
SIDECAR_SUFFIX = ".meta.json"
STATE_FILE = "state.json"
ROWS_FILE = "rows.jsonl"
FORMAT_VERSION = 1
MAX_LISTED_FAILURES = 1000  # failed rows named in the sidecar (all are in the output)
_EXTENSIONS = {".txt": "txt", ".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}

Summarizer = Callable[[TranslationResult], str]


class BatchUsageError(ConfigError):
    """The job cannot start: bad input or output path, missing column, refused resume."""


class ResumeRefusedError(BatchUsageError):
    """A checkpoint exists for this output, made with a different input, model or settings."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C: the job stopped after checkpointing its last finished chunk."""

    def __init__(self, rows_done: int, rows_total: int, checkpoint: Path) -> None:
        super().__init__(f"{rows_done} of {rows_total} rows are checkpointed in {checkpoint}")
        self.rows_done = rows_done
        self.rows_total = rows_total
        self.checkpoint = checkpoint


# -- input ---------------------------------------------------------------------------------------
@dataclass
class InputRow:
    """One input document: its columns as read, its text (None if unreadable) and any read error."""

    row_id: int
    columns: dict[str, Any]
    text: Any = None
    error: str = ""


@dataclass
class BatchInput:
    """Everything read from INPUT, before any model work."""

    path: Path
    kind: str  # one of INPUT_FORMATS
    column: str
    columns: list[str]  # the input's own columns, in order
    rows: list[InputRow]
    sha256: str
    size: int
    column_types: dict[str, Any] = field(default_factory=dict)  # pyarrow types (csv, parquet)

    def describe(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.kind,
            "column": self.column,
            "rows": len(self.rows),
            "sha256": self.sha256,
            "size": self.size,
        }


def input_format(path: Path) -> str:
    """``folder``, or the format named by the file's extension; a usage error otherwise."""
    if path.is_dir():
        return "folder"
    kind = _EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise BatchUsageError(
            f"Cannot read {path}: use a .txt file (one document per line), a folder of .txt "
            "files, or a .jsonl, .csv or .parquet file."
        )
    if not path.exists():
        raise BatchUsageError(f"The input {path} does not exist.")
    if not path.is_file():
        raise BatchUsageError(f"The input {path} is not a regular file.")
    return kind


def output_format(path: Path) -> str:
    """The output format named by its extension (.jsonl, .csv, .parquet); else a usage error."""
    kind = _EXTENSIONS.get(path.suffix.lower())
    if kind not in OUTPUT_FORMATS:
        raise BatchUsageError(
            f"Cannot write {path}: the output must end in .jsonl, .csv or .parquet."
        )
    if path.is_dir():
        raise BatchUsageError(f"The output {path} is a folder; give a file name.")
    if not path.parent.is_dir():
        raise BatchUsageError(f"The output's folder {path.parent} does not exist.")
    return kind


def read_input(
    path: str | os.PathLike[str], column: str = "text", *, overwrite: bool = False
) -> BatchInput:
    """Read INPUT into rows; raises BatchUsageError for anything that stops the whole job.

    Text formats (.txt, .jsonl, a folder) are decoded line by line (file by file), so an
    undecodable or malformed line becomes a row with an error rather than a failed job.
    """
    source = Path(path)
    kind = input_format(source)
    try:
        reader = {
            "txt": _read_txt,
            "folder": _read_folder,
            "jsonl": _read_jsonl,
            "csv": _read_csv,
            "parquet": _read_parquet,
        }[kind]
        batch = reader(source, column)
    except OSError as exc:
        raise BatchUsageError(f"Cannot read the input {source}: {exc.strerror or exc}.") from exc
    if not batch.rows:
        raise BatchUsageError(f"The input {source} has no documents.")
    clash = [c for c in batch.columns if c in ADDED_COLUMNS]
    if clash and not overwrite:
        names = ", ".join(repr(c) for c in clash)
        raise BatchUsageError(
            f"The input {source} already has the column(s) {names}, which the job writes. "
            "Pass --overwrite to replace them, or rename them first."
        )
    return batch


def _decode(raw: bytes, where: str) -> tuple[str | None, str]:
    """UTF-8 text (BOM removed) or None with an error message naming the position."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), ""
    except UnicodeDecodeError as exc:
        return None, (
            f"{where} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
            "re-save the input as UTF-8."
        )


def _lines(data: bytes) -> list[bytes]:
    """Lines without their end-of-line bytes; a final newline does not start an empty line."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]


def _read_txt(path: Path, column: str) -> BatchInput:
    data = path.read_bytes()
    rows = []
    for i, raw in enumerate(_lines(data)):
        text, error = _decode(raw, f"Line {i + 1}")
        shown = text if text is not None else raw.decode("utf-8", errors="replace")
        rows.append(InputRow(i, {column: shown}, text, error))
    return BatchInput(path, "txt", column, [column], rows, _sha256(data), len(data))


def _read_folder(path: Path, column: str) -> BatchInput:
    files = sorted(
        (p for p in path.rglob("*.txt") if p.is_file() and not _hidden(p.relative_to(path))),
        key=lambda p: p.relative_to(path).as_posix(),
    )
    digest = hashlib.sha256()
    size = 0
    rows = []
    for i, file in enumerate(files):
        name = file.relative_to(path).as_posix()
        data = file.read_bytes()
        digest.update(name.encode("utf-8") + b"\0" + _sha256(data).encode("ascii") + b"\0")
        size += len(data)
        text, error = _decode(data, f"The file {name}")
        shown = text if text is not None else data.decode("utf-8", errors="replace")
        rows.append(InputRow(i, {"file": name, column: shown}, text, error))
    if not files:
        raise BatchUsageError(f"The folder {path} has no .txt files.")
    return BatchInput(path, "folder", column, ["file", column], rows, digest.hexdigest(), size)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _read_jsonl(path: Path, column: str) -> BatchInput:
    data = path.read_bytes()
    rows: list[InputRow] = []
    columns: dict[str, None] = {}
    for i, raw in enumerate(_lines(data)):
        where = f"Line {i + 1}"
        line, error = _decode(raw, where)
        if line is None:
            rows.append(InputRow(i, {}, None, error))
            continue
        if not line.strip():
            rows.append(InputRow(i, {}, None, f"{where} is empty: expected a JSON object."))
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(
                InputRow(i, {}, None, f"{where} is not valid JSON: {exc.msg} (column {exc.colno}).")
            )
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__
            rows.append(InputRow(i, {}, None, f"{where} is a JSON {kind}, not an object."))
            continue
        columns.update(dict.fromkeys(value))
        rows.append(_row_with_column(i, value, column))
    if rows and column not in columns:
        raise BatchUsageError(_missing_column(path, column, list(columns)))
    return BatchInput(path, "jsonl", column, list(columns), rows, _sha256(data), len(data))


def _row_with_column(i: int, values: dict[str, Any], column: str) -> InputRow:
    text = values.get(column)
    if text is None:
        return InputRow(i, values, None, f"The row has no value in the column {column!r}.")
    return InputRow(i, values, text)


def _missing_column(path: Path, column: str, columns: Sequence[str]) -> str:
    seen = ", ".join(repr(c) for c in columns) or "none"
    return (
        f"The input {path} has no column {column!r} (columns: {seen}). "
        "Name the column of Arabic text with --column."
    )


def _read_csv(path: Path, column: str) -> BatchInput:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    data = path.read_bytes()
    try:
        header = next(csv.reader([data.decode("utf-8-sig").split("\n", 1)[0]]), [])
    except UnicodeDecodeError as exc:
        raise BatchUsageError(f"The CSV file {path} is not valid UTF-8: {exc}.") from exc
    if not header:
        raise BatchUsageError(f"The CSV file {path} has no header line.")
    if column not in header:
        raise BatchUsageError(_missing_column(path, column, header))
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            # Every column stays text: "007" must come back as "007", not 7.
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise BatchUsageError(f"Cannot parse the CSV file {path}: {exc}") from exc
    return _table_input(path, "csv", column, table, data)


def _read_parquet(path: Path, column: str) -> BatchInput:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise BatchUsageError(f"Cannot read the Parquet file {path}: {exc}") from exc
    if column not in table.column_names:
        raise BatchUsageError(_missing_column(path, column, table.column_names))
    return _table_input(path, "parquet", column, table, path.read_bytes())


def _table_input(path: Path, kind: str, column: str, table: pa.Table, data: bytes) -> BatchInput:
    names = list(table.column_names)
    rows = [_row_with_column(i, values, column) for i, values in enumerate(table.to_pylist())]
    types = {name: table.schema.field(name).type for name in names}
    return BatchInput(path, kind, column, names, rows, _sha256(data), len(data), types)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- fingerprint ---------------------------------------------------------------------------------
def job_settings(
    translator: Translator, batch_input: BatchInput, summary: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What decides each output row: input, model, engine, settings (see the module docstring)."""
    spec = translator.spec
    meta = translator.meta  # loads the model: the engine and quantisation are known after that
    return {
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


# -- checkpoint ----------------------------------------------------------------------------------
def checkpoint_dir(output: Path) -> Path:
    return output.with_name(output.name + CHECKPOINT_SUFFIX)


def sidecar_path(output: Path) -> Path:
    return output.with_name(output.name + SIDECAR_SUFFIX)


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
    ResumeRefusedError naming what changed (the local checkpoint and the Ray shards share this).
    """
    if directory.exists() and not resume:
        shutil.rmtree(directory)
    if not state_file.is_file():
        return None
    state = json.loads(state_file.read_text(encoding="utf-8"))
    if state.get("fingerprint") != fingerprint:
        changed = changed_settings(state.get("settings") or {}, settings)
        what = ", ".join(changed) if changed else "the job's fingerprint"
        raise ResumeRefusedError(
            f"Earlier work on this output, in {directory}, was made with a different input, "
            f"model or settings (changed: {what}). Run the same command with --no-resume to "
            "discard it and start over, or go back to the original input and settings to "
            "continue it."
        )
    return state


class Checkpoint:
    """Finished rows of one job, appended and fsync'd per chunk, under the job's fingerprint.

    ``state.json`` (written atomically) holds the fingerprint and the settings behind it;
    ``rows.jsonl`` holds one :func:`result_record` per finished row. A line torn by a kill is
    dropped on the next open.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state_file = directory / STATE_FILE
        self.rows_file = directory / ROWS_FILE

    def exists(self) -> bool:
        return self.state_file.is_file()

    def open(
        self, fingerprint: str, settings: Mapping[str, Any], *, resume: bool, rows_total: int
    ) -> dict[int, dict[str, Any]]:
        """Start or continue the job; returns the finished records by row_id.

        Raises ResumeRefusedError when a checkpoint with another fingerprint exists and
        ``resume`` is on; with ``resume`` off any old checkpoint is discarded.
        """
        if earlier_state(self.directory, self.state_file, fingerprint, settings, resume=resume):
            return self._load_rows()
        self.directory.mkdir(parents=True, exist_ok=True)
        state = {
            "format_version": FORMAT_VERSION,
            "fingerprint": fingerprint,
            "settings": dict(settings),
            "rows_total": rows_total,
            "created": timestamp(),
        }
        self.rows_file.write_bytes(b"")
        _fsync_path(self.rows_file)
        atomic_write_text(self.state_file, json.dumps(state, indent=2, ensure_ascii=False))
        return {}

    def _load_rows(self) -> dict[int, dict[str, Any]]:
        if not self.rows_file.exists():
            return {}
        data = self.rows_file.read_bytes()
        done: dict[int, dict[str, Any]] = {}
        good = 0  # bytes up to the end of the last complete, parseable line
        for line in data.split(b"\n")[:-1]:  # the piece after the last newline is torn
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                break  # torn by a kill: this line and anything after it is redone
            done[int(record["row_id"])] = record
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


# -- rows ----------------------------------------------------------------------------------------
def result_record(
    row_id: int,
    outcome: TranslationResult | TarjamaError | str,
    summary: str | None = None,
    summary_error: str = "",
) -> dict[str, Any]:
    """What the job adds to one row: translation, summary, flags, error (and a segment count).

    ``outcome`` is the translation, the error it raised, or an error message read earlier.
    """
    if isinstance(outcome, TranslationResult):
        return {
            "row_id": row_id,
            "translation": outcome.text,
            "summary": summary or "",
            "flags": outcome.flags,
            "error": summary_error,
            "sentences": len(outcome.segments),
        }
    return {
        "row_id": row_id,
        "translation": "",
        "summary": "",
        "flags": [],
        "error": str(outcome) or type(outcome).__name__,
        "sentences": 0,
    }


def output_columns(batch_input: BatchInput, summarize: bool) -> list[str]:
    """row_id, the input's columns, then translation, [summary], flags, error."""
    added = [c for c in ADDED_COLUMNS if c != "summary" or summarize]
    return ["row_id"] + [c for c in batch_input.columns if c not in added] + added[1:]


def output_rows(
    batch_input: BatchInput, records: Mapping[int, Mapping[str, Any]], summarize: bool
) -> list[dict[str, Any]]:
    """Every input row once, in input order, merged with its record; raises if one is missing."""
    columns = output_columns(batch_input, summarize)
    missing = [row.row_id for row in batch_input.rows if row.row_id not in records]
    if missing:
        raise RuntimeError(f"{len(missing)} rows have no result (first: row {missing[0]}).")
    out = []
    for row in batch_input.rows:
        record = records[row.row_id]
        merged = {name: row.columns.get(name) for name in columns}
        for name in ADDED_COLUMNS:
            if name in merged:
                merged[name] = record[name]
        out.append(merged)
    return out


# -- writing -------------------------------------------------------------------------------------
def write_output(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    column_types: Mapping[str, Any] | None = None,
) -> None:
    """Write the rows atomically as JSONL, CSV or Parquet (by extension).

    JSONL is written with the json module so that the input's JSON values come back unchanged;
    CSV and Parquet go through pyarrow, keeping the input's column types where they still fit.
    """
    kind = output_format(path)
    if kind == "jsonl":
        text = "".join(
            json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False, default=str) + "\n"
            for row in rows
        )
        atomic_write_text(path, text)
        return
    table = rows_to_table(rows, columns, column_types, flat=kind == "csv")
    with atomic_path(path) as tmp:
        if kind == "csv":
            from pyarrow import csv as pacsv

            pacsv.write_csv(table, tmp)
        else:
            import pyarrow.parquet as pq

            pq.write_table(table, tmp)


def rows_to_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    column_types: Mapping[str, Any] | None = None,
    *,
    flat: bool = False,
) -> pa.Table:
    """A pyarrow table of ``rows``; ``flat`` (CSV) turns lists and mappings into text.

    A column whose values pyarrow cannot put in one type (JSONL with a number in one row and a
    string in another) is written as JSON text rather than failing the job.
    """
    import pyarrow as pa

    types = dict(column_types or {})
    arrays = []
    for name in columns:
        values = [row.get(name) for row in rows]
        if name == "flags" and flat:
            values = [CSV_FLAG_SEPARATOR.join(v) for v in values]
        elif name == "flags":
            arrays.append(pa.array(values, type=pa.list_(pa.string())))
            continue
        arrays.append(_column_array(values, types.get(name), flat))
    return pa.table(arrays, names=list(columns))


def _column_array(values: list[Any], dtype: Any, flat: bool) -> Any:
    import pyarrow as pa

    if flat and any(isinstance(v, (dict, list, tuple)) for v in values):
        values = [_as_json(v) for v in values]
        dtype = None
    for attempt in ((values, dtype), (values, None)):
        try:
            array = pa.array(attempt[0], type=attempt[1])
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            continue
        if not flat or not _nested(array.type):
            return array
    return pa.array([_as_json(v) for v in values], type=pa.string())


def _nested(dtype: Any) -> bool:
    import pyarrow.types as pt

    return pt.is_nested(dtype) or pt.is_binary(dtype) or pt.is_large_binary(dtype)


def _as_json(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def write_sidecar(path: Path, meta: Mapping[str, Any]) -> None:
    """Write ``OUTPUT.meta.json`` atomically."""
    atomic_write_text(path, json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, fsync, then rename over ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[str]:
    """A temporary path beside ``path`` that replaces it when the block succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        _fsync_path(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_path(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def timestamp() -> str:
    """Local time with its UTC offset, for checkpoints and sidecars."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# -- the local engine ----------------------------------------------------------------------------
@dataclass
class BatchReport:
    """What a finished job did (also in the sidecar)."""

    output: Path
    sidecar: Path
    rows_total: int
    rows_ok: int
    rows_failed: int
    resumed_rows: int
    translated_this_run: int
    sentences_this_run: int
    seconds: float
    failures: list[tuple[int, str]]  # (row_id, error) of every failed row
    already_complete: bool = False

    @property
    def sentences_per_second(self) -> float:
        return self.sentences_this_run / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.translated_this_run / self.seconds if self.seconds > 0 else 0.0


def chunks(
    rows: Sequence[InputRow], max_rows: int, max_chars: int = DEFAULT_CHUNK_CHARS
) -> Iterator[list[InputRow]]:
    """Consecutive groups of at most ``max_rows`` rows and about ``max_chars`` characters."""
    chunk: list[InputRow] = []
    size = 0
    for row in rows:
        length = len(row.text) if isinstance(row.text, str) else 0
        if chunk and (len(chunk) >= max_rows or size + length > max_chars):
            yield chunk
            chunk, size = [], 0
        chunk.append(row)
        size += length
    if chunk:
        yield chunk


def translate_chunk(
    translator: Translator,
    rows: Sequence[InputRow],
    summarizer: Summarizer | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Translate (and summarise) one chunk; one :func:`result_record` per row, in row order.

    Sentences of all the chunk's documents are batched together by the translator's token
    budget. A row that cannot be translated or summarised gets its error; the chunk goes on.
    """
    readable = [row for row in rows if not row.error]
    outcomes = translator.translate_batch(
        [row.text for row in readable], on_error="return", progress=progress
    )
    by_id: dict[int, TranslationResult | TarjamaError | str] = {
        row.row_id: outcome for row, outcome in zip(readable, outcomes, strict=True)
    }
    records = []
    for row in rows:
        outcome = by_id.get(row.row_id, row.error)
        summary, summary_error = None, ""
        if summarizer is not None and isinstance(outcome, TranslationResult):
            try:
                summary = summarizer(outcome)
            except TarjamaError as exc:
                summary_error = f"The summary failed: {exc}"
        records.append(result_record(row.row_id, outcome, summary, summary_error))
    return records


class _StopOnInterrupt:
    """The first Ctrl-C asks the job to stop after the current chunk; a second one stops now."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.requested = False
        self._notify = notify
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> _StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self._notify("Stopping after the current chunk is checkpointed (Ctrl-C again: now).")


def run_batch(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    translator: Translator,
    *,
    column: str = "text",
    summarizer: Summarizer | None = None,
    summary_settings: Mapping[str, Any] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    resume: bool = True,
    overwrite: bool = False,
    show_progress: bool = True,
    extra_meta: Mapping[str, Any] | None = None,
) -> BatchReport:
    """Translate every row of ``input_path`` into ``output_path``; resumable, never loses a row.

    Usage errors (BatchUsageError, ResumeRefusedError) are raised before any model work.
    ``summary_settings`` describe ``summarizer`` (they enter the fingerprint and the sidecar).
    Ctrl-C raises BatchInterrupted once the current chunk is checkpointed.
    """
    if chunk_rows < 1:
        raise BatchUsageError("The chunk size must be at least 1 row.")
    output = Path(output_path)
    out_kind = output_format(output)
    batch_input = read_input(input_path, column, overwrite=overwrite)
    if output.resolve() == batch_input.path.resolve():
        raise BatchUsageError("The output must not be the input file.")
    summary = dict(summary_settings or {}) if summarizer is not None else None
    settings = job_settings(translator, batch_input, summary)
    fingerprint = job_fingerprint(settings)
    sidecar = sidecar_path(output)
    checkpoint = Checkpoint(checkpoint_dir(output))
    total = len(batch_input.rows)
    if resume and not checkpoint.exists():
        finished = finished_report(output, sidecar, fingerprint, total)
        if finished is not None:
            return finished
    done = checkpoint.open(fingerprint, settings, resume=resume, rows_total=total)
    resumed = len(done)
    pending = [row for row in batch_input.rows if row.row_id not in done]

    started = time.monotonic()
    sentences = 0
    translated = 0
    bar = progress_bar(total, resumed, show_progress)
    last_postfix = 0.0

    def on_segments(n: int) -> None:
        nonlocal sentences, last_postfix
        sentences += n
        now = time.monotonic()
        if bar is not None and now - last_postfix > 0.5:
            last_postfix = now
            rate = sentences / max(now - started, 1e-9)
            bar.set_postfix_str(f"{rate:.1f} sentences/s", refresh=False)

    notify = bar.write if bar is not None else (lambda msg: print(msg, file=sys.stderr))
    try:
        with _StopOnInterrupt(notify) as stop:
            for chunk in chunks(pending, chunk_rows):
                records = translate_chunk(translator, chunk, summarizer, on_segments)
                checkpoint.append(records)
                for record in records:
                    done[record["row_id"]] = record
                translated += len(records)
                if bar is not None:
                    bar.update(len(records))
                if stop.requested and translated < len(pending):
                    raise BatchInterrupted(len(done), total, checkpoint.directory)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.monotonic() - started

    rows = output_rows(batch_input, done, summarizer is not None)
    columns = output_columns(batch_input, summarizer is not None)
    write_output(rows, columns, output, batch_input.column_types)
    failures = [(r["row_id"], r["error"]) for r in sorted(done.values(), key=_row_id) if r["error"]]
    report = BatchReport(
        output=output,
        sidecar=sidecar,
        rows_total=total,
        rows_ok=total - len(failures),
        rows_failed=len(failures),
        resumed_rows=resumed,
        translated_this_run=translated,
        sentences_this_run=sentences,
        seconds=seconds,
        failures=failures,
    )
    meta = sidecar_meta(
        batch_input, out_kind, columns, translator, settings, fingerprint, report, extra_meta
    )
    write_sidecar(sidecar, meta)
    checkpoint.remove()
    return report


def _row_id(record: Mapping[str, Any]) -> int:
    return int(record["row_id"])


def progress_bar(total: int, initial: int, show: bool) -> Any:
    """A tqdm bar on stderr counting documents (None when progress is off)."""
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="doc",
        desc="translating",
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )


def finished_report(
    output: Path, sidecar: Path, fingerprint: str, total: int
) -> BatchReport | None:
    """The report of an identical job that already finished (output and sidecar in place)."""
    if not (output.is_file() and sidecar.is_file()):
        return None
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if meta.get("fingerprint") != fingerprint or meta.get("counts", {}).get("rows_total") != total:
        return None
    counts = meta["counts"]
    return BatchReport(
        output=output,
        sidecar=sidecar,
        rows_total=total,
        rows_ok=int(counts.get("rows_ok", 0)),
        rows_failed=int(counts.get("rows_failed", 0)),
        resumed_rows=total,
        translated_this_run=0,
        sentences_this_run=0,
        seconds=0.0,
        failures=[(int(f[0]), str(f[1])) for f in meta.get("failed_rows", [])],
        already_complete=True,
    )


def sidecar_meta(
    batch_input: BatchInput,
    out_kind: str,
    columns: Sequence[str],
    translator: Translator,
    settings: Mapping[str, Any],
    fingerprint: str,
    report: BatchReport,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The sidecar's content: what ran, on what, with which settings, and how it went."""
    from . import __version__

    meta = translator.meta
    return {
        "tarjama_version": __version__,
        "finished": timestamp(),
        "fingerprint": fingerprint,
        "input": batch_input.describe(),
        "output": {
            "path": str(report.output),
            "format": out_kind,
            "columns": list(columns),
            "flags": "';'-joined string" if out_kind == "csv" else "list of strings",
        },
        "model": {
            "name": meta["model"],
            "source": meta["source"],
            "revision": meta["revision"],
            "backend": meta["backend"],
            "device": meta["device"],
            "quantization": meta["quantization"],
        },
        "settings": {
            "generation": meta["settings"],
            "window_tokens": meta["window_tokens"],
            "batch_tokens": meta["batch_tokens"],
            "max_chars": translator.max_chars,
            "column": batch_input.column,
            "summary": settings.get("summary"),
            **dict(extra or {}),
        },
        "counts": {
            "rows_total": report.rows_total,
            "rows_ok": report.rows_ok,
            "rows_failed": report.rows_failed,
            "resumed_rows": report.resumed_rows,
            "translated_this_run": report.translated_this_run,
            "sentences_this_run": report.sentences_this_run,
        },
        "timing": {
            "seconds_this_run": round(report.seconds, 3),
            "rows_per_second": round(report.rows_per_second, 3),
            "sentences_per_second": round(report.sentences_per_second, 3),
        },
        "failed_rows": [[row_id, error] for row_id, error in report.failures[:MAX_LISTED_FAILURES]],
    }
