"""A web page → the article's text with its structure, via trafilatura.

trafilatura drops navigation, share buttons, comments, related links and other boilerplate and
returns the main text as XML (``head``, ``p``, ``list/item``, ``quote``, ``table/row/cell``),
which maps straight onto blocks; its metadata gives the title, author, date and site.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import ConfigError, MissingDependencyError
from .errors import DocumentError, ExtractionLimitError
from .model import Block, Document, DocumentMeta

INSTALL_HINT = "pip install 'tarjama[documents]' (trafilatura and lxml_html_clean)"
_HEADING_LEVEL = re.compile(r"h([1-6])")
# "[^<>]" not "[^>]": each "<meta" then scans only to the next tag (a run of "<meta" without
# ">" rescanned the whole head for each).
_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
EXTRACTION_MODES = ("recall", "balanced", "precision")
_MAX_DEPTH = 255  # libxml2's HTML parser stops at 256 nested elements (without XML_PARSE_HUGE)


def _trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as exc:  # trafilatura 2.x also needs lxml_html_clean beside lxml
        raise MissingDependencyError(
            f"Reading web pages needs trafilatura: {INSTALL_HINT}"
        ) from exc
    return trafilatura


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Bytes of a page → text: the HTTP charset, else a <meta charset>, else UTF-8, else a guess."""
    candidates = [charset] if charset else []
    found = _META_CHARSET.search(data[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return data.decode(name or "utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency of requests
        return data.decode("utf-8", errors="replace")
    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def read_html(
    html: str | bytes,
    *,
    url: str | None = None,
    charset: str | None = None,
    filename: str | None = None,
    mode: str = "recall",
) -> Document:
    """Extract the article of a page: headings, paragraphs, list items, quotes, table cells.

    ``mode`` is trafilatura's trade-off: ``recall`` (default: a paragraph lost is worse for a
    translator than a stray line a reviewer deletes), ``balanced`` or ``precision``; see
    ``bench/extraction.py`` for the figures on the test pages. Raises :class:`DocumentError`
    when no article text can be found (an index page, a page built by JavaScript, no text).
    """
    if mode not in EXTRACTION_MODES:
        raise ConfigError(f"mode must be one of {EXTRACTION_MODES}, not {mode!r}.")
    trafilatura = _trafilatura()
    text = decode_html(html, charset) if isinstance(html, bytes) else html
    where = url or filename or "the page"
    _check_depth(text, where)
    xml = trafilatura.extract(
        text,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        include_formatting=False,
        deduplicate=False,
        favor_precision=mode == "precision",
        favor_recall=mode == "recall",
    )
    if not xml:
        raise DocumentError(
            f"No article text found in {where}: it may be an index page, a page built by "
            "JavaScript, or have no text."
        )
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(huge_tree=False))
    blocks: list[Block] = []
    tables = 0
    main = root.find("main")
    for element in main if main is not None else []:
        tables = _walk(element, blocks, tables)
    meta = DocumentMeta(
        source_format="html",
        title=_clean(root.get("title")),
        author=_clean(root.get("author")),
        date=_clean(root.get("date")),
        site=_clean(root.get("sitename")) or _clean(root.get("hostname")),
        url=url or _clean(root.get("url")),
        filename=filename,
    )
    blocks = _with_title(blocks, meta.title)
    if not any(b.text for b in blocks):
        raise DocumentError(f"No article text found in {where}.")
    return Document(tuple(blocks), meta)


def _check_depth(text: str, where: str) -> None:
    """Refuse a page nested deeper than the HTML parser goes (256 elements): past it, libxml2
    silently drops everything below and after, and text would be lost without a word."""
    import lxml.html

    if not text.strip():
        return
    parser = lxml.html.HTMLParser()
    try:
        lxml.html.document_fromstring(text, parser=parser)
    except (ValueError, lxml.etree.ParserError):  # empty or unparsable: trafilatura explains
        return
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise ExtractionLimitError(
            f"{where} nests its elements deeper than {_MAX_DEPTH} levels, more than the HTML "
            "reader can follow: part of its text would be lost, so it is not read.",
            kind="depth",
            limit=_MAX_DEPTH,
        )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _text(element: Any) -> str:
    """An element's text with <lb/> as a line break and runs of spaces collapsed."""
    parts: list[str] = []

    def visit(node: Any) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(element)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _walk(element: Any, blocks: list[Block], tables: int) -> int:
    tag = element.tag
    if tag == "head":
        match = _HEADING_LEVEL.fullmatch(element.get("rend") or "")
        text = _text(element)
        if text:
            blocks.append(Block("heading", text, level=int(match.group(1)) if match else 2))
    elif tag in ("list", "quote", "div", "main"):
        if element.text and element.text.strip():
            blocks.append(Block("paragraph", _SPACES.sub(" ", element.text).strip()))
        for child in element:
            tables = _walk(child, blocks, tables)
    elif tag == "table":
        _table(element, blocks, tables)
        tables += 1
    else:  # p, item, code, and anything trafilatura adds later: its text as a paragraph
        text = _text(element)
        if text:
            blocks.append(Block("paragraph", text))
    return tables


def _table(element: Any, blocks: list[Block], number: int) -> None:
    for r, row in enumerate(element.iter("row")):
        for c, cell in enumerate(row.iter("cell")):
            blocks.append(Block("cell", _text(cell), table=number, row=r, col=c))


def _with_title(blocks: list[Block], title: str | None) -> list[Block]:
    """Start with the title as a level-1 heading (trafilatura keeps the <h1> only sometimes)."""
    if not title:
        return blocks
    if blocks and blocks[0].kind == "heading" and blocks[0].text == title:
        return blocks
    return [Block("heading", title, level=1), *blocks]
