"""A Word .docx file → headings, paragraphs and table cells in reading order (python-docx).

Before python-docx sees the file, the ZIP container is checked: a .docx is a ZIP package, and
a small ZIP can unpack to gigabytes (a "zip bomb"), so the sizes its directory declares are
added up and a file that would unpack to too much, or too many parts, is refused. Python's
zipfile never inflates more than the declared size of a part, so the check holds for the parse.
Headers, footers, footnotes, comments and text boxes are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ..errors import MissingDependencyError
from .budget import MAX_INFLATED_BYTES, CharBudget
from .errors import DocxError
from .model import Block, Document, DocumentMeta

INSTALL_HINT = "pip install 'tarjama[documents]' (python-docx)"
# Bytes the parts may unpack to in all (zipfile never inflates past a part's declared size): a
# 1 MiB file whose document.xml is 194 MB (ratio 198) took 14 s and kept 700 MB per upload.
MAX_UNCOMPRESSED_BYTES = MAX_INFLATED_BYTES
MAX_PART_RATIO = 200  # uncompressed / compressed; ordinary Word XML compresses 5-20x
MAX_PARTS = 10_000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.I)
_OUTLINE_LEVEL = "./w:pPr/w:outlineLvl/@w:val"


def check_docx_package(data: bytes, name: str = "the file") -> None:
    """Raise :class:`DocxError` unless ``data`` is a ZIP package holding a Word document of
    sane unpacked size."""
    if data[:8] == OLE2_MAGIC:
        raise DocxError(
            f"{name} is an old binary Word .doc (or another Office 97-2003 file), not a .docx: "
            "open it in Word or LibreOffice and save it as .docx."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocxError(f"{name} is not a Word .docx file (it is not a ZIP package).") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if len(infos) > MAX_PARTS:
            raise DocxError(f"{name} has {len(infos):,} parts; a Word file has far fewer. Refused.")
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise DocxError(
                f"{name} would unpack to {total:,} bytes (limit {MAX_UNCOMPRESSED_BYTES:,}): "
                "refused as a possible zip bomb."
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > MAX_PART_RATIO:
                raise DocxError(
                    f"{name}: the part {info.filename} unpacks {ratio:,.0f} times its size "
                    f"({info.file_size:,} bytes): refused as a possible zip bomb."
                )
        if "word/document.xml" not in names:
            kind = _other_package(names)
            raise DocxError(f"{name} is {kind}, not a Word .docx document.")


def _other_package(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file (save it as .docx)"
    if "[Content_Types].xml" in names:
        return "an Office package of another kind"
    return "a ZIP archive"


def read_docx(
    data: bytes, *, filename: str | None = None, max_chars: int | None = None
) -> Document:
    """Read a .docx: paragraphs and headings (Heading/Title styles or an outline level) and
    table cells, in reading order; core properties give title, author and date.

    Raises :class:`ExtractionLimitError` as soon as the text passes ``max_chars`` (default
    ``DEFAULT_MAX_CHARS``); the package may unpack to ``MAX_UNCOMPRESSED_BYTES`` at most.
    """
    name = filename or "the file"
    budget = CharBudget(max_chars, name)
    check_docx_package(data, name)
    try:
        import docx
    except ImportError as exc:
        raise MissingDependencyError(
            f"Reading .docx files needs python-docx: {INSTALL_HINT}"
        ) from exc
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
    except (
        OpcError,
        LxmlError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        zipfile.BadZipFile,
    ) as exc:
        # A missing part, a .docm/.dotx content type, broken XML: say so, not a traceback.
        raise DocxError(f"{name} is a damaged or unsupported Word file ({_reason(exc)}).") from None
    blocks: list[Block] = []
    tables = 0
    for item in document.iter_inner_content():
        counted = len(blocks)
        if item.__class__.__name__ == "Table":
            _read_table(item, tables, blocks)
            tables += 1
        else:
            block = _paragraph_block(item)
            if block is not None:
                blocks.append(block)
        for block in blocks[counted:]:
            budget.add(block.text)
    props = document.core_properties
    created = props.created or props.modified
    meta = DocumentMeta(
        source_format="docx",
        title=(props.title or "").strip() or None,
        author=(props.author or "").strip() or None,
        date=created.date().isoformat() if created else None,
        filename=filename,
    )
    if not any(b.text.strip() for b in blocks):
        raise DocxError(f"{name} has no text in its body.")
    return Document(tuple(blocks), meta)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (text or type(exc).__name__)[:200]


def _heading_level(paragraph: Any) -> int | None:
    style = paragraph.style
    while style is not None:
        name = (style.name or "").strip()
        if name.lower() == "title":
            return 1
        if name.lower() == "subtitle":
            return 2
        match = _HEADING_STYLE.fullmatch(name)
        if match:
            return int(match.group(1))
        style = style.base_style
    levels = paragraph._p.xpath(_OUTLINE_LEVEL)
    if levels and str(levels[0]).isdigit() and int(levels[0]) < 9:
        return int(levels[0]) + 1
    return None


def _paragraph_block(paragraph: Any) -> Block | None:
    text = paragraph.text.strip()
    if not text:
        return None
    level = _heading_level(paragraph)
    if level is not None:
        return Block("heading", text, level=min(level, 6))
    return Block("paragraph", text)


def _cell_text(cell: Any) -> str:
    """A cell's paragraphs, one per line; a nested table's cells each on a line of their own."""
    lines: list[str] = []
    for item in cell.iter_inner_content():
        if item.__class__.__name__ == "Table":
            seen: dict[int, Any] = {}
            for row in item.rows:
                for inner in row.cells:
                    if id(inner._tc) not in seen:
                        seen[id(inner._tc)] = inner._tc  # kept alive so that ids stay unique
                        text = _cell_text(inner)
                        if text:
                            lines.append(text)
        elif item.text.strip():
            lines.append(item.text.strip())
    return "\n".join(lines)


def _read_table(table: Any, number: int, blocks: list[Block]) -> None:
    # A merged cell is the same <w:tc> in every grid place it covers; the elements are kept in
    # the dict so that their ids cannot be reused while the table is read.
    seen: dict[int, Any] = {}
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            key = id(cell._tc)
            if key in seen:
                continue
            seen[key] = cell._tc
            blocks.append(Block("cell", _cell_text(cell), table=number, row=r, col=c))
