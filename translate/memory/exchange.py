"""Import and export of a translation memory: TMX 1.4, and CSV/TSV of ``arabic,english``.

Import is two passes over what was read: every unit is validated first, so a file with a bad
unit imports nothing unless ``skip_bad`` (then the good units are stored and the bad ones
reported, each with its line). Reading is streaming and bounded: a ``<seg>`` or a CSV field
longer than a unit may be stops being collected at the limit and is reported as too long; XML
entity declarations are refused (no entity expansion of any size).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from .base import ImportReport, MemoryStore, NewUnit
from .errors import ImportFormatError, UnitError
from .match import MAX_UNIT_CHARS, Unit, validate_unit

FORMATS = ("tmx", "csv", "tsv")
_HEADER_NAMES = {("arabic", "english"), ("source", "target"), ("ar", "en")}
_CODE_TAGS = {"bpt", "ept", "ph", "it", "ut"}  # TMX inline codes: native markup, not text


@dataclass
class _Raw:
    """A unit as read, before validation."""

    line: int
    source: object
    target: object


def file_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``tmx``, ``csv`` or ``tsv``: ``fmt`` if given, else from the file's suffix."""
    kind = (fmt or Path(path).suffix.lstrip(".")).lower()
    if kind not in FORMATS:
        raise ImportFormatError(
            f"{Path(path).name}: unknown memory file format {kind!r}; use .tmx, .csv or .tsv."
        )
    return kind


# -- reading -------------------------------------------------------------------------------------
def _read_tmx(path: Path) -> list[_Raw]:
    units: list[_Raw] = []
    state: dict[str, object] = {"tu": None, "lang": None, "seg": None, "code": 0}
    parser = expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "tu":
            state["tu"] = {"line": parser.CurrentLineNumber}
        elif name == "tuv" and state["tu"] is not None:
            state["lang"] = (attrs.get("xml:lang") or attrs.get("lang") or "").lower()
        elif name == "seg" and state["lang"] is not None:
            state["seg"] = []
        elif name in _CODE_TAGS and state["seg"] is not None:
            state["code"] = int(state["code"]) + 1  # type: ignore[call-overload]

    def text(data: str) -> None:
        seg = state["seg"]
        if isinstance(seg, list) and not state["code"] and sum(map(len, seg)) <= MAX_UNIT_CHARS:
            seg.append(data)  # past the limit only the fact that it is too long matters

    def end(name: str) -> None:
        tu = state["tu"]
        if name in _CODE_TAGS and state["seg"] is not None:
            state["code"] = int(state["code"]) - 1  # type: ignore[call-overload]
        elif name == "seg" and isinstance(tu, dict) and isinstance(state["seg"], list):
            lang = str(state["lang"])
            side = "source" if lang.startswith("ar") else "target" if lang.startswith("en") else ""
            if side and side not in tu:
                tu[side] = "".join(state["seg"])
            state["seg"] = None
        elif name == "tuv":
            state["lang"] = None
        elif name == "tu" and isinstance(tu, dict):
            units.append(_Raw(int(tu["line"]), tu.get("source"), tu.get("target")))
            state["tu"] = None

    def no_entities(*_: object) -> None:
        raise ImportFormatError(
            f"{path.name}: line {parser.CurrentLineNumber}: the file declares XML entities; "
            "a TMX file has no need of them and they are refused."
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = no_entities
    try:
        with open(path, "rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise ImportFormatError(
            f"{path.name} is not well-formed TMX: {expat.ErrorString(exc.code)}.", exc.lineno
        ) from None
    return units


def _read_table(path: Path, delimiter: str) -> list[_Raw]:
    units: list[_Raw] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            for number, row in enumerate(reader):
                cells = [cell.strip() for cell in row]
                if not any(cells):
                    continue
                if number == 0 and tuple(c.lower() for c in cells[:2]) in _HEADER_NAMES:
                    continue
                if len(cells) < 2:
                    units.append(_Raw(reader.line_num, cells[0], None))
                    continue
                units.append(_Raw(reader.line_num, cells[0], cells[1]))
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name} is not UTF-8 text ({exc.reason}).") from None
    except csv.Error as exc:
        raise ImportFormatError(f"{path.name}: {exc}.", reader.line_num) from None
    return units


def read_units(path: str | os.PathLike[str], fmt: str | None = None) -> list[_Raw]:
    """The units of a TMX, CSV or TSV file as read (unvalidated), each with its line."""
    file = Path(path)
    kind = file_format(file, fmt)
    if not file.is_file():
        raise ImportFormatError(f"There is no file {file}.")
    if kind == "tmx":
        return _read_tmx(file)
    return _read_table(file, "," if kind == "csv" else "\t")


def import_file(
    memory: MemoryStore,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    skip_bad: bool = False,
    origin: str = "import",
) -> ImportReport:
    """Import a TMX, CSV or TSV file (``arabic,english``) into ``memory``.

    A bad unit raises UnitError naming its line (the first; ``.bad`` lists all) and nothing is
    imported, unless ``skip_bad``: then the rest is imported and the report lists the skipped.
    """
    good: list[NewUnit] = []
    bad: list[tuple[int | None, str]] = []
    for raw in read_units(path, fmt):
        if raw.source is None or raw.target is None:
            side = "Arabic" if raw.source is None else "English"
            bad.append((raw.line, f"The unit has no {side} text."))
            continue
        try:
            source, target = validate_unit(raw.source, raw.target)
        except UnitError as exc:
            bad.append((raw.line, exc.reason))
            continue
        good.append(NewUnit(source, target, origin, line=raw.line))
    if bad and not skip_bad:
        line, reason = bad[0]
        error = UnitError(
            f"{reason} {len(bad)} bad unit{'s' * (len(bad) > 1)} in all; nothing was imported. "
            "Skip the bad units (--skip-bad) to import the rest.",
            line,
            bad,
        )
        raise error
    report = memory.add_many(good)
    return ImportReport(report.added, report.updated, bad)


# -- writing -------------------------------------------------------------------------------------
def _tmx_date(iso: str) -> str:
    return iso[:19].replace("-", "").replace(":", "") + "Z"


def iter_tmx(units: Iterator[Unit] | list[Unit]) -> Iterator[str]:
    """TMX 1.4 text, piece by piece (one ``<tu>`` per unit), for files and HTTP responses."""
    from ..documents.exchange import SOURCE_LANG, TARGET_LANG, TMX_DOCTYPE, _clean

    yield f'<?xml version="1.0" encoding="UTF-8"?>\n{TMX_DOCTYPE}\n<tmx version="1.4">\n'
    yield (
        f' <header creationtool="tarjama" creationtoolversion="{__version__}" '
        f'segtype="sentence" o-tmf="tarjama-memory" adminlang="en" srclang="{SOURCE_LANG}" '
        'datatype="plaintext"/>\n <body>\n'
    )
    for unit in units:
        created, changed = _tmx_date(unit.created), _tmx_date(unit.updated)
        who = f" creationid={quoteattr(_clean(unit.key_name))}" if unit.key_name else ""
        parts = [
            f'  <tu tuid="{unit.id}" creationdate="{created}" changedate="{changed}"{who}>\n',
            f'   <prop type="x-origin">{escape(unit.origin)}</prop>\n',
        ]
        if unit.replaced_model:
            model = escape(_clean(unit.replaced_model))
            parts.append(f'   <prop type="x-replaced-model">{model}</prop>\n')
        for lang, text in ((SOURCE_LANG, unit.source), (TARGET_LANG, unit.target)):
            parts.append(f'   <tuv xml:lang="{lang}"><seg>{escape(_clean(text))}</seg></tuv>\n')
        parts.append("  </tu>\n")
        yield "".join(parts)
    yield " </body>\n</tmx>\n"


def write_table(units: Iterator[Unit], out: TextIO, delimiter: str) -> None:
    """``arabic,english`` rows (with that header) to ``out``."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["arabic", "english"])
    for unit in units:
        writer.writerow([unit.source, unit.target])


def export_file(
    memory: MemoryStore, path: str | os.PathLike[str], *, fmt: str | None = None
) -> int:
    """Write every unit to ``path`` (TMX 1.4, CSV or TSV by suffix) atomically; returns the
    number of units written."""
    file = Path(path)
    kind = file_format(file, fmt)
    count = 0

    def counted() -> Iterator[Unit]:
        nonlocal count
        for unit in memory.iter_units():
            count += 1
            yield unit

    handle, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            if kind == "tmx":
                out.writelines(iter_tmx(counted()))
            else:
                write_table(counted(), out, "," if kind == "csv" else "\t")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def export_tmx(memory: MemoryStore, path: str | os.PathLike[str]) -> int:
    """Write the memory to ``path`` as TMX 1.4; returns the number of units."""
    return export_file(memory, path, fmt="tmx")
