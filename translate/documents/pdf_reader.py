"""A PDF with a text layer → paragraphs in logical order with base letters (pdfminer.six).

pdfminer.six groups characters into lines and text boxes (paragraphs) by their positions and
keeps each line's characters in the order the PDF draws them; :mod:`.visual_order` then turns
Arabic stored in visual order or as presentation forms into logical text. An encrypted PDF
that needs a password, and a PDF without a text layer (a scan), are refused with a message:
tarjama does no OCR. Multi-column pages come out in pdfminer's reading order, which assumes
left-to-right columns.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

from ..errors import MissingDependencyError
from .budget import MAX_INFLATED_BYTES, CharBudget, inflate_budget
from .errors import (
    DocumentError,
    EncryptedPdfError,
    NoTextLayerError,
    PdfError,
    TooManyPagesError,
)
from .model import Block, Document, DocumentMeta
from .visual_order import logical_lines

INSTALL_HINT = "pip install 'tarjama[documents]' (pdfminer.six)"
MAX_PAGES = 2000
_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _pdfminer() -> Any:
    try:
        import pdfminer.high_level
        import pdfminer.layout
    except ImportError as exc:
        raise MissingDependencyError(
            f"Reading PDF files needs pdfminer.six: {INSTALL_HINT}"
        ) from exc
    return pdfminer


def read_pdf(
    data: bytes,
    *,
    filename: str | None = None,
    password: str = "",
    max_chars: int | None = None,
    max_inflated_bytes: int = MAX_INFLATED_BYTES,
) -> Document:
    """Read the text layer of a PDF: one paragraph block per text box, in page order.

    Raises :class:`ExtractionLimitError` once the text passes ``max_chars`` (default
    ``DEFAULT_MAX_CHARS``) or the streams inflate past ``max_inflated_bytes``, while reading.
    """
    pdfminer = _pdfminer()
    from pdfminer.layout import LAParams, LTImage, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    name = filename or "the PDF"
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise PdfError(f"{name} is not a PDF file (it does not start with %PDF).")
    blocks: list[Block] = []
    pages = images = cid_glyphs = 0
    params = LAParams(all_texts=True)
    budget = CharBudget(max_chars, name)
    limits = contextlib.ExitStack()
    limits.enter_context(inflate_budget(max_inflated_bytes))
    try:
        _check_page_count(data, password, name)
        for number, page in enumerate(
            pdfminer.high_level.extract_pages(io.BytesIO(data), password=password, laparams=params),
            start=1,
        ):
            if number > MAX_PAGES:
                raise _too_many_pages(name)
            pages = number
            boxes: list[list[str]] = []
            for element in _walk(page, (LTTextBox, LTImage)):
                if isinstance(element, LTImage):
                    images += 1
                    continue
                lines = [
                    _SPACES.sub(" ", line.get_text()).strip()
                    for line in element
                    if isinstance(line, LTTextLine)
                ]
                lines = [line for line in lines if line]
                if lines:
                    boxes.append(lines)
            page_text = "\n".join(line for box in boxes for line in box)
            cid_glyphs += len(_CID.findall(page_text))
            # Decide visual/logical order once per page: a writer stores a page one way.
            ordered = logical_lines([line for box in boxes for line in box])
            position = 0
            for box in boxes:
                lines = ordered[position : position + len(box)]
                position += len(box)
                text = " ".join(_CID.sub("", line).strip() for line in lines).strip()
                text = _SPACES.sub(" ", text)
                if text:
                    budget.add(text)
                    blocks.append(Block("paragraph", text, page=number))
    except DocumentError:
        # Ours (too many pages, over a budget): InputError is a ValueError, which the clause
        # below would relabel "damaged".
        raise
    except PDFPasswordIncorrect:
        raise EncryptedPdfError(
            f"{name} is encrypted and needs a password to open; remove the password (print or "
            "export it to a new PDF) and try again."
        ) from None
    except PDFEncryptionError as exc:
        raise EncryptedPdfError(
            f"{name} is encrypted in a way that cannot be opened ({exc})."
        ) from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise PdfError(
            f"{name} is a damaged PDF ({str(exc)[:200] or type(exc).__name__})."
        ) from None
    finally:
        limits.close()
    letters = sum(ch.isalpha() for block in blocks for ch in block.text)
    if letters == 0:
        if cid_glyphs:
            raise NoTextLayerError(
                f"{name} has text whose fonts carry no Unicode mapping, so it cannot be "
                "extracted; tarjama does no OCR — run the PDF through OCR first (e.g. ocrmypdf)."
            )
        scanned = f" ({images} image{'s' if images != 1 else ''})" if images else ""
        raise NoTextLayerError(
            f"{name} has no text layer{scanned}: it looks scanned or made of images. tarjama "
            "does no OCR — run it through OCR first (e.g. ocrmypdf) or paste the text."
        )
    with inflate_budget(max_inflated_bytes):  # the metadata pass parses the file again
        info = _info(data, password)
    meta = DocumentMeta(source_format="pdf", filename=filename, extra={"pages": pages}, **info)
    return Document(tuple(blocks), meta)


def _walk(container: Any, kinds: tuple[type, ...]) -> Any:
    """Text boxes and images of a page, descending into figures (form XObjects)."""
    for element in container:
        if isinstance(element, kinds):
            yield element
        elif hasattr(element, "__iter__") and not isinstance(element, str):
            yield from _walk(element, kinds)


def _too_many_pages(name: str) -> TooManyPagesError:
    return TooManyPagesError(
        f"{name} has too many pages: over {MAX_PAGES:,}, the limit. Split it into smaller PDFs "
        "first."
    )


def _check_page_count(data: bytes, password: str, name: str) -> None:
    """Refuse a PDF whose page tree declares over MAX_PAGES pages before any page is laid out.

    The declared count can lie (low); the page loop counts again as it reads.
    """
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password=password)
        count = resolve1(resolve1(document.catalog.get("Pages")).get("Count"))
    except DocumentError:
        raise
    except Exception:  # noqa: BLE001 - a broken tree is for the page loop to report
        return
    if isinstance(count, int) and count > MAX_PAGES:
        raise _too_many_pages(name)


def _info(data: bytes, password: str) -> dict[str, str | None]:
    """Title, author and date from the PDF's document information dictionary."""
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSException

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password=password)
        info = resolve1(document.info[0]) if document.info else {}
    except (
        PDFSyntaxError,
        PSException,
        PDFEncryptionError,
        PDFPasswordIncorrect,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
    ):
        return {}  # metadata is optional; the text was read already
    if not isinstance(info, dict):
        return {}
    out: dict[str, str | None] = {}
    for key, field in (("Title", "title"), ("Author", "author")):
        value = _pdf_string(resolve1(info.get(key)))
        if value:
            out[field] = value
    date = _pdf_string(resolve1(info.get("CreationDate")))
    match = re.match(r"D?:?(\d{4})(\d{2})(\d{2})", date or "")
    if match:
        out["date"] = "-".join(match.groups())
    return out


def _pdf_string(value: Any) -> str | None:
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            text = value.decode("utf-16", errors="replace")
        else:
            from pdfminer.utils import decode_text

            text = decode_text(value)
        return text.strip() or None
    if isinstance(value, str):
        return value.strip() or None
    return None
