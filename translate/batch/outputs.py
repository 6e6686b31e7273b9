"""Writing a batch job's results: row records, the output file (JSONL, CSV, Parquet), the sidecar.

Every write is atomic (a temporary file beside the target, fsync, rename) and the file gets the
mode a plain ``open()`` would give under the current umask. Values that cannot be encoded as
UTF-8 (a lone surrogate in an input column) are replaced by U+FFFD and listed in the sidecar's
``warnings``, so the final write never fails after the work is done.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BatchUsageError, InternalError, OutputWriteError, TarjamaError
from ..text import replace_lone_surrogates
from ..types import TranslationResult
from .inputs import ADDED_COLUMNS, EXTENSIONS, BatchInput

if TYPE_CHECKING:
    import pyarrow as pa

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
CSV_FLAG_SEPARATOR = ";"
SIDECAR_SUFFIX = ".meta.json"
MAX_LISTED = 1000  # failed rows and warnings named in the sidecar (all failures are in the output)


def output_format(path: Path) -> str:
    """The output format named by its extension (.jsonl, .csv, .parquet); else a usage error."""
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind not in OUTPUT_FORMATS:
        raise BatchUsageError(
            f"Cannot write {path}: the output must end in .jsonl, .csv or .parquet."
        )
    if path.is_dir():
        raise BatchUsageError(f"The output {path} is a folder; give a file name.")
    if not path.parent.is_dir():
        raise BatchUsageError(f"The output's folder {path.parent} does not exist.")
    if path.exists() and not path.is_file():
        raise BatchUsageError(f"The output {path} exists and is not a regular file.")
    _check_writable(path)
    return kind


def _check_writable(path: Path) -> None:
    """Fail before any work when files cannot be created beside the output (/proc, read-only)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
    except OSError as exc:
        raise BatchUsageError(
            f"Cannot write the output {path}: files cannot be created in {path.parent} "
            f"({exc.strerror or exc})."
        ) from None
    os.close(fd)
    os.unlink(probe)


def sidecar_path(output: Path) -> Path:
    return output.with_name(output.name + SIDECAR_SUFFIX)


# -- records -------------------------------------------------------------------------------------
def result_record(
    row_id: int,
    outcome: TranslationResult | TarjamaError | str,
    summary: str | None = None,
    summary_error: str = "",
) -> dict[str, Any]:
    """What the job adds to one row: translation, summary, flags, confidence, error (and a
    segment count).

    ``outcome`` is the translation, the error it raised, or an error message read earlier.
    ``confidence`` is the lowest of the row's segments (the one a reviewer should look at
    first), None where the model wrote none of it.
    """
    if isinstance(outcome, TranslationResult):
        return {
            "row_id": row_id,
            "translation": outcome.text,
            "summary": summary or "",
            "flags": outcome.flags,
            "confidence": outcome.confidence,
            "error": summary_error,
            "sentences": len(outcome.segments),
        }
    return {
        "row_id": row_id,
        "translation": "",
        "summary": "",
        "flags": [],
        "confidence": None,
        "error": str(outcome) or type(outcome).__name__,
        "sentences": 0,
    }


def output_columns(batch_input: BatchInput, summarize: bool) -> list[str]:
    """row_id, the input's columns, then translation, [summary], flags, confidence, error."""
    added = [c for c in ADDED_COLUMNS if c != "summary" or summarize]
    return ["row_id"] + [c for c in batch_input.columns if c not in added] + added[1:]


def output_rows(
    batch_input: BatchInput, records: Mapping[int, Mapping[str, Any]], summarize: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every input row once, in input order, merged with its record, and the warnings.

    Raises InternalError if a row has no record (the engines guarantee one per row).
    """
    columns = output_columns(batch_input, summarize)
    missing = [row.row_id for row in batch_input.rows if row.row_id not in records]
    if missing:
        raise InternalError(f"{len(missing)} rows have no result (first: row {missing[0]}).")
    out = []
    warnings: list[str] = []
    for row in batch_input.rows:
        record = records[row.row_id]
        merged = {name: row.columns.get(name) for name in columns}
        for name in ADDED_COLUMNS:
            if name in merged:
                # A checkpoint written before the confidence column has none: None.
                merged[name] = record.get(name)
        for name, value in merged.items():
            clean, replaced = _encodable(value)
            if replaced:
                merged[name] = clean
                warnings.append(
                    f"row {row.row_id}, column {name!r}: {replaced} lone surrogate(s) "
                    "replaced by U+FFFD"
                )
        out.append(merged)
    return out, warnings


def _encodable(value: Any) -> tuple[Any, int]:
    """``value`` with every lone surrogate replaced by U+FFFD, and how many were replaced."""
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, list):
        pairs = [_encodable(v) for v in value]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    if isinstance(value, dict):
        items = {k: _encodable(v) for k, v in value.items()}
        return {k: p[0] for k, p in items.items()}, sum(p[1] for p in items.values())
    return value, 0


# -- the output file -----------------------------------------------------------------------------
def write_output(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    column_types: Mapping[str, Any] | None = None,
) -> str:
    """Write the rows atomically as JSONL, CSV or Parquet (by extension); returns its SHA-256.

    JSONL is written with the json module so that the input's JSON values come back unchanged;
    CSV and Parquet go through pyarrow, keeping the input's column types where they still fit.
    Raises OutputWriteError (naming the file) when the disk refuses it.
    """
    kind = EXTENSIONS[path.suffix.lower()]
    try:
        if kind == "jsonl":
            text = "".join(
                json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False, default=str) + "\n"
                for row in rows
            )
            atomic_write_bytes(path, text.encode("utf-8"))
        else:
            table = rows_to_table(rows, columns, column_types, flat=kind == "csv")
            with atomic_path(path) as tmp:
                if kind == "csv":
                    from pyarrow import csv as pacsv

                    pacsv.write_csv(table, tmp)
                else:
                    import pyarrow.parquet as pq

                    pq.write_table(table, tmp)
    except OSError as exc:
        raise OutputWriteError(
            f"Cannot write the output {path}: {exc.strerror or exc}. The finished rows are kept; "
            "fix the cause (e.g. free disk space) and run the same command again."
        ) from exc
    return file_sha256(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    text = json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise OutputWriteError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


# -- atomic files --------------------------------------------------------------------------------
def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync, then rename over ``path``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def temporary_prefix(path: Path) -> str:
    """The name prefix of :func:`atomic_path`'s temporaries for ``path`` (to find stale ones)."""
    return f".{path.name}."


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[str]:
    """A temporary path beside ``path`` that replaces it when the block succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 is not what open() would give
        yield tmp
        _fsync_path(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    """The process's umask, read without changing it where the platform allows (threads)."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open("/proc/self/status", encoding="ascii") as fh:
            line = next(ln for ln in fh if ln.startswith("Umask:"))
        return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere reading it means setting it; put it straight back
    os.umask(mask)
    return mask


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
