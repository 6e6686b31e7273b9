"""The document model: ordered blocks of text with their structure, and the document's metadata.

Readers produce a :class:`Document`; :func:`document_text` gives the text to translate or
summarise and where each block sits in it; writers take a translated document back out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "cell", "cue"]
BLOCK_KINDS: tuple[str, ...] = ("heading", "paragraph", "cell", "cue")
SourceFormat = Literal["html", "docx", "pdf", "srt", "vtt", "text"]


@dataclass(frozen=True)
class Block:
    """One unit of a document's structure, in reading order.

    - ``heading``: ``level`` 1–6.
    - ``paragraph``: body text (list items and quotes are paragraphs too); ``page`` for PDFs.
    - ``cell``: a table cell: ``table`` (0-based, in document order), ``row`` and ``col``
      (0-based; a merged cell appears once, at its first row and column).
    - ``cue``: a subtitle cue: ``index`` (1-based, in file order), ``start_ms``/``end_ms``,
      and for WebVTT the cue ``identifier`` and ``settings`` as written.

    ``text`` is the block's text as read (a cue keeps its line breaks; markup tags are dropped).
    """

    kind: BlockKind
    text: str
    level: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    index: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    identifier: str | None = None
    settings: str | None = None
    page: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}; use one of {BLOCK_KINDS}")

    @property
    def translation_text(self) -> str:
        """The text handed to the translator: a cue's display line breaks become spaces."""
        if self.kind == "cue":
            return " ".join(line.strip() for line in self.text.splitlines() if line.strip())
        return self.text.strip()

    def to_dict(self) -> dict[str, Any]:
        """The block as JSON-ready data, without the fields that do not apply to its kind."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class DocumentMeta:
    """Where a document came from and what it says about itself (None where unknown)."""

    source_format: SourceFormat
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None
    url: str | None = None
    filename: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v is not None and k != "extra"}
        if self.extra:
            data["extra"] = dict(self.extra)
        return data


@dataclass(frozen=True)
class Document:
    """A document as tarjama reads it: ordered blocks plus metadata."""

    blocks: tuple[Block, ...]
    meta: DocumentMeta

    @classmethod
    def from_text(cls, text: str, *, filename: str | None = None) -> Document:
        """A plain text: one paragraph block per non-empty line (tarjama's paragraph rule), at
        :func:`line_spans`."""
        blocks = tuple(Block("paragraph", text[s.start : s.end]) for s in line_spans(text))
        return cls(blocks, DocumentMeta("text", filename=filename))

    @property
    def text(self) -> str:
        """The text of every block, blocks separated by a blank line (see :func:`document_text`)."""
        return document_text(self).text

    @property
    def is_subtitles(self) -> bool:
        return any(block.kind == "cue" for block in self.blocks)

    def tables(self) -> dict[int, list[Block]]:
        """The cells of each table, by table number, in reading order."""
        out: dict[int, list[Block]] = {}
        for block in self.blocks:
            if block.kind == "cell" and block.table is not None:
                out.setdefault(block.table, []).append(block)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"meta": self.meta.to_dict(), "blocks": [b.to_dict() for b in self.blocks]}


@dataclass(frozen=True)
class BlockSpan:
    """Where block number ``block`` sits in :attr:`DocumentText.text`: ``text[start:end]``."""

    block: int
    start: int
    end: int


@dataclass(frozen=True)
class DocumentText:
    """A document's text for translation or summarising, and the block behind each span."""

    text: str
    spans: tuple[BlockSpan, ...]

    def block_at(self, offset: int) -> int | None:
        """The number of the block containing character ``offset``, or None (a separator)."""
        for span in self.spans:
            if span.start <= offset < span.end:
                return span.block
        return None


BLOCK_SEPARATOR = "\n\n"


def line_spans(text: str) -> tuple[BlockSpan, ...]:
    """Where the blocks of :meth:`Document.from_text` sit in ``text``: each non-empty line,
    stripped, numbered in order."""
    spans: list[BlockSpan] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()  # also drops the line's end, which is whitespace
        if stripped:
            start = offset + len(line) - len(line.lstrip())
            spans.append(BlockSpan(len(spans), start, start + len(stripped)))
        offset += len(line)
    return tuple(spans)


def document_text(document: Document) -> DocumentText:
    """Join the blocks' translation texts with blank lines, keeping each block's span.

    Every block is its own paragraph, so a sentence never runs across two blocks (subtitle
    cues included: :func:`translate_document` is the place that joins cues into sentences).
    Empty blocks (an empty table cell) have no span.
    """
    parts: list[str] = []
    spans: list[BlockSpan] = []
    offset = 0
    for number, block in enumerate(document.blocks):
        text = block.translation_text
        if not text:
            continue
        if parts:
            parts.append(BLOCK_SEPARATOR)
            offset += len(BLOCK_SEPARATOR)
        spans.append(BlockSpan(number, offset, offset + len(text)))
        parts.append(text)
        offset += len(text)
    return DocumentText("".join(parts), tuple(spans))
