"""What extracting one document may cost: characters of text and bytes inflated.

A small upload can hold a large text (a .docx is a ZIP, a PDF stream is deflated): the limits
are checked while extracting, so a 1 MiB file that inflates to 200 MB is refused after the
budget, not after building the whole string.
"""

from __future__ import annotations

import contextvars
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ExtractionLimitError

# The translator's own input limit (translate.config.DEFAULT_MAX_CHARS): more text could not be
# translated in one request anyway.
DEFAULT_MAX_CHARS = 1_000_000
# Bytes a reader may inflate from one document (docx parts, PDF streams): ordinary Word XML
# and PDF content run 5-30 bytes per character of text, so this leaves room for 1M characters.
MAX_INFLATED_BYTES = 64 * 1024 * 1024


class CharBudget:
    """Counts the characters a reader extracts and raises once they pass ``max_chars``."""

    def __init__(self, max_chars: int | None, name: str) -> None:
        self.max_chars = DEFAULT_MAX_CHARS if max_chars is None else max_chars
        self.name = name
        self.used = 0

    def add(self, text: str) -> None:
        """Count ``text``; raise :class:`ExtractionLimitError` when over the limit."""
        self.used += len(text)
        if self.used > self.max_chars:
            raise ExtractionLimitError(
                f"{self.name}'s text has over {self.used - len(text):,} characters; the limit "
                f"is {self.max_chars:,}. Split the document or raise the limit (max_chars).",
                kind="characters",
                limit=self.max_chars,
            )


_inflate_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "tarjama_inflate_budget", default=None
)


class _BudgetedZlib:
    """Stands in for the ``zlib`` module inside pdfminer: ``decompress`` spends the budget.

    Outside :func:`inflate_budget` it is plain ``zlib.decompress``; inside, it inflates at most
    the bytes left (``max_length``), so a 900 MB stream costs 64 MB, not 900.
    """

    error = zlib.error

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        left = _inflate_budget.get()
        if left is None or args or kwargs:
            return zlib.decompress(data, *args, **kwargs)
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, left[0] + 1)
        if len(out) > left[0]:
            raise ExtractionLimitError(
                f"the document inflates to over {left[1]:,} bytes, the limit; it may be a "
                "compression bomb.",
                kind="bytes",
                limit=left[1],
            )
        if not inflater.eof and not inflater.unconsumed_tail:
            # Truncated stream: let pdfminer's own recovery see the same error as before.
            zlib.decompress(data)
        left[0] -= len(out)
        return out


@contextmanager
def inflate_budget(max_bytes: int = MAX_INFLATED_BYTES) -> Iterator[None]:
    """Within this block (this thread/context only), pdfminer may inflate ``max_bytes``."""
    import pdfminer.pdftypes

    if not isinstance(pdfminer.pdftypes.zlib, _BudgetedZlib):
        pdfminer.pdftypes.zlib = _BudgetedZlib()  # type: ignore[assignment]
    token = _inflate_budget.set([max_bytes, max_bytes])
    try:
        yield
    finally:
        _inflate_budget.reset(token)
