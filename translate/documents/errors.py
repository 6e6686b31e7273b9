"""Typed errors of the document readers and writers.

Every one is an :class:`~translate.errors.InputError` (bad input, not a bug), so code that
already turns InputErrors into messages handles them; the subclasses let callers tell the
cases apart (an HTTP layer may answer a blocked address differently from a 404).
"""

from __future__ import annotations

from ..errors import InputError


class DocumentError(InputError):
    """A document cannot be read or written (the message says which and why)."""


class UnsupportedFormatError(DocumentError):
    """The input is none of the kinds tarjama reads (or a writer was asked for an unknown one)."""


class FetchError(DocumentError):
    """A URL could not be fetched: bad URL, network error, HTTP status, timeout, size, type.

    ``reason`` is a short machine-readable word: ``bad-url``, ``connection``, ``timeout``,
    ``http-status``, ``redirect-loop``, ``too-many-redirects``, ``too-large``, ``not-html``,
    ``blocked-address``.
    """

    def __init__(self, message: str, *, reason: str, url: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.url = url


class BlockedAddressError(FetchError):
    """SSRF protection refused a loopback, private, link-local or other non-public address."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, reason="blocked-address", url=url)


class DocxError(DocumentError):
    """A .docx file is not a Word document, is damaged, or unpacks to too much data."""


class PdfError(DocumentError):
    """A PDF cannot be read: damaged, encrypted, or without a text layer."""


class TooManyPagesError(PdfError):
    """The PDF has more pages than the reader's limit (MAX_PAGES)."""


class ExtractionLimitError(DocumentError):
    """A document holds more than a reader may extract: characters of text or bytes inflated.

    ``limit`` is the budget that was exceeded and ``kind`` what it counts (``"characters"`` or
    ``"bytes"``).
    """

    def __init__(self, message: str, *, kind: str, limit: int) -> None:
        super().__init__(message)
        self.kind = kind
        self.limit = limit


class EncryptedPdfError(PdfError):
    """The PDF needs a password."""


class NoTextLayerError(PdfError):
    """The PDF has no text layer (a scan or images only); tarjama does no OCR."""


class SubtitleError(DocumentError):
    """A .srt/.vtt file is malformed; ``line`` is the 1-based line number of the problem."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class DatasetError(DocumentError):
    """A Hugging Face dataset spec, dataset or column is unusable."""


class DatasetNotFoundError(DatasetError):
    """The dataset (or its config/split) is not on the hub or not in the local cache."""


class ColumnNotFoundError(DatasetError):
    """The dataset has no such column."""
