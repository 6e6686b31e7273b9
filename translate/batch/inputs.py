"""Reading a batch job's input: a .txt file, a folder of .txt files, .jsonl, .csv or .parquet.

Everything that stops the whole job (a missing column, an unreadable file) raises
:class:`BatchUsageError` before any model work. Everything wrong with one row (bad UTF-8, bad
JSON, no value, a lone surrogate) becomes that row's ``error`` and the job goes on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents import is_hub_spec
from ..errors import BatchUsageError
from ..text import lone_surrogate, surrogate_message

if TYPE_CHECKING:
    import pyarrow as pa

INPUT_FORMATS = ("txt", "folder", "jsonl", "csv", "parquet", "hf")
ADDED_COLUMNS = ("row_id", "translation", "summary", "flags", "confidence", "error")
EXTENSIONS = {".txt": "txt", ".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}


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
    name: str | None = None  # what the user named, where it is no path (hf://…)

    def describe(self) -> dict[str, Any]:
        return {
            "path": self.name or str(self.path),
            "format": self.kind,
            "column": self.column,
            "rows": len(self.rows),
            "sha256": self.sha256,
            "size": self.size,
        }


def input_format(path: Path) -> str:
    """``folder``, or the format named by the file's extension; a usage error otherwise."""
    if is_hub_spec(str(path)):
        return "hf"
    if path.is_dir():
        return "folder"
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise BatchUsageError(
            f"Cannot read {path}: use a .txt file (one document per line), a folder of "
            "documents (.txt, .docx, .pdf, .html, .srt, .vtt), a .jsonl, .csv or .parquet "
            "file, or a dataset as hf://OWNER/NAME[:CONFIG][@SPLIT]."
        )
    if not path.exists():
        raise BatchUsageError(f"The input {path} does not exist.")
    if not path.is_file():
        raise BatchUsageError(f"The input {path} is not a regular file.")
    return kind


def read_input(
    path: str | os.PathLike[str], column: str = "text", *, overwrite: bool = False
) -> BatchInput:
    """Read INPUT into rows; raises BatchUsageError for anything that stops the whole job.

    Text formats (.txt, .jsonl, a folder) are decoded line by line (file by file), so an
    undecodable or malformed line becomes a row with an error rather than a failed job.
    """
    if is_hub_spec(str(path)):
        return _finish(_read_hub(str(path), column), str(path), overwrite)
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
    return _finish(batch, str(source), overwrite)


def _finish(batch: BatchInput, source: str, overwrite: bool) -> BatchInput:
    """Checks every reader shares: some rows, no lone surrogates, no clash with our columns."""
    if not batch.rows:
        raise BatchUsageError(f"The input {source} has no documents.")
    for row in batch.rows:
        _check_surrogates(row)
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
    """One row per file: .txt as UTF-8 text, and documents (.docx, .pdf, .html, .srt, .vtt)
    through their readers; a file that cannot be read is a row with its error."""
    suffixes = {".txt", *_document_suffixes()}
    files = sorted(
        (
            p
            for p in path.rglob("*")
            if p.suffix.lower() in suffixes and p.is_file() and not _hidden(p.relative_to(path))
        ),
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
        if file.suffix.lower() == ".txt":
            text, error = _decode(data, f"The file {name}")
            shown = text if text is not None else data.decode("utf-8", errors="replace")
        else:
            text, error = _document_text(data, name)
            shown = text or ""
        rows.append(InputRow(i, {"file": name, column: shown}, text, error))
    if not files:
        raise BatchUsageError(
            f"The folder {path} has no documents (.txt, .docx, .pdf, .html, .srt, .vtt)."
        )
    return BatchInput(path, "folder", column, ["file", column], rows, digest.hexdigest(), size)


def _document_suffixes() -> frozenset[str]:
    from ..documents import DOCUMENT_SUFFIXES

    return DOCUMENT_SUFFIXES


def _document_text(data: bytes, name: str) -> tuple[str | None, str]:
    """The text of a document file (its blocks joined), or None and why it cannot be read."""
    from ..documents import document_text, read_document
    from ..errors import InputError, MissingDependencyError

    try:
        return document_text(read_document(data, filename=name)).text, ""
    except (InputError, MissingDependencyError) as exc:
        return None, f"The file {name}: {exc}"


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
        except RecursionError:  # 100,000 '[': the parser's nesting limit, one bad row
            rows.append(InputRow(i, {}, None, f"{where} is JSON nested too deeply to read."))
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


def _check_surrogates(row: InputRow) -> None:
    """A lone surrogate in the text makes the row's error here, before any engine sees it."""
    if row.error or not isinstance(row.text, str):
        return
    position = lone_surrogate(row.text)
    if position is not None:
        row.error = surrogate_message(row.text, position)
        row.text = None


def _read_hub(spec: str, column: str) -> BatchInput:
    """The rows of a Hugging Face dataset split (cached ones work offline), in order.

    A dataset has no file to hash: the fingerprint covers the spec and the rows' content.
    """
    from ..documents import iter_hub_rows
    from ..errors import InputError, MissingDependencyError

    try:
        records = iter_hub_rows(spec, column)
        digest = hashlib.sha256(spec.encode("utf-8") + b"\0")
        size = 0
        rows: list[InputRow] = []
        columns: dict[str, None] = {}
        for i, values in enumerate(records):
            line = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
            encoded = line.encode("utf-8", "surrogatepass")
            digest.update(encoded + b"\n")
            size += len(encoded)
            columns.update(dict.fromkeys(values))
            rows.append(_row_with_column(i, values, column))
    except (InputError, MissingDependencyError) as exc:
        raise BatchUsageError(str(exc)) from None
    return BatchInput(
        Path(spec), "hf", column, list(columns), rows, digest.hexdigest(), size, name=spec
    )
