"""What extracting one document may cost: characters of text and bytes inflated.

A small upload can hold a large text (a .docx is a ZIP, a PDF stream is deflated): the limits
are checked while extracting, so a 1 MiB file that inflates to 200 MB is refused after the
budget, not after building the whole string.
"""

from __future__ import annotations

import contextvars
import io
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
                f"{self.name}'s text has at least {self.used:,} characters; the limit "
                f"is {self.max_chars:,}. Split the document or raise the limit (max_chars).",
                kind="characters",
                limit=self.max_chars,
            )


_inflate_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "tarjama_inflate_budget", default=None
)


def _spend(size: int) -> None:
    """Count ``size`` inflated bytes against this context's budget (if one is set)."""
    left = _inflate_budget.get()
    if left is None:
        return
    left[0] -= size
    if left[0] < 0:
        raise ExtractionLimitError(
            f"the document inflates to over {left[1]:,} bytes, the limit; it may be a "
            "compression bomb.",
            kind="bytes",
            limit=left[1],
        )


# Input fed to the inflater per step: deflate expands at most ~1032x, so one step overshoots
# the budget by at most ~4 MB before the check.
_STEP = 4096


class _BudgetedZlib:
    """Stands in for the ``zlib`` module inside pdfminer: ``decompress`` spends the budget.

    Outside :func:`inflate_budget` it is plain ``zlib.decompress``. Inside, it inflates step by
    step and stops past the budget, so a 900 MB stream costs 64 MB, not 900. It also does
    pdfminer's recovery of a stream with a bad checksum itself (pdfminer's own feeds one byte
    at a time into a growing bytes object: quadratic, and outside any budget): the text is kept
    when only the last 3 bytes are bad, else the stream reads as empty, as pdfminer does.
    """

    error = zlib.error

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        if _inflate_budget.get() is None or args or kwargs:
            return zlib.decompress(data, *args, **kwargs)
        inflater = zlib.decompressobj()
        parts: list[bytes] = []
        for position in range(0, len(data), _STEP):
            piece = data[position : position + _STEP]
            saved = inflater.copy()
            try:
                part = inflater.decompress(piece)
            except zlib.error:
                return _recover(saved, piece, position, len(data), parts)
            _spend(len(part))
            parts.append(part)
            if inflater.eof:
                break
        if inflater.eof:
            tail = inflater.flush()
            _spend(len(tail))
            parts.append(tail)
        return b"".join(parts)


def _recover(inflater: Any, piece: bytes, position: int, total: int, parts: list[bytes]) -> bytes:
    """Feed the failing step byte by byte to find where the stream breaks (see above)."""
    for offset in range(len(piece)):
        try:
            part = inflater.decompress(piece[offset : offset + 1])
        except zlib.error:
            return b"".join(parts) if position + offset >= total - 3 else b""
        _spend(len(part))
        parts.append(part)
    return b"".join(parts)


def _budgeted_rldecode(data: bytes) -> bytes:
    from pdfminer.runlength import rldecode

    out = rldecode(data)  # at most 128x its input: counted after
    _spend(len(out))
    return out


def _budgeted_lzwdecode(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    parts: list[bytes] = []
    for part in LZWDecoder(io.BytesIO(data)).run():  # LZW can expand ~2,700x: counted as it goes
        _spend(len(part))
        parts.append(part)
    return b"".join(parts)


@contextmanager
def inflate_budget(max_bytes: int = MAX_INFLATED_BYTES) -> Iterator[None]:
    """Within this block (this thread/context only), pdfminer may inflate ``max_bytes``."""
    import pdfminer.pdftypes as types

    # Installed once, for every thread; each budget lives in its own context, and outside one
    # the stand-ins behave as pdfminer's own functions.
    if not isinstance(types.zlib, _BudgetedZlib):
        types.zlib = _BudgetedZlib()  # type: ignore[assignment]
        types.lzwdecode = _budgeted_lzwdecode
        types.rldecode = _budgeted_rldecode
    token = _inflate_budget.set([max_bytes, max_bytes])
    try:
        yield
    finally:
        _inflate_budget.reset(token)
