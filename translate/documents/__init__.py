"""tarjama.translate.documents — documents in, structure kept out.

Readers turn a URL or saved web page, a Word .docx, a PDF with a text layer, .srt/.vtt
subtitles or plain text into a :class:`Document` (ordered blocks: headings, paragraphs, table
cells, cues, plus metadata); :func:`translate_document` translates it block by block; writers
give back bilingual .docx, .srt/.vtt with the source's timings, TMX 1.4, XLIFF 2.0, Markdown,
JSON or text. Hugging Face datasets (``hf://OWNER/NAME[:CONFIG][@SPLIT]``) load through
:func:`load_hub_dataset` and translate with :func:`translate_dataset`.

>>> from translate import Translator
>>> from translate.documents import read_document, translate_document, save_document
>>> doc = read_document("statement.pdf")                               # doctest: +SKIP
>>> save_document(translate_document(doc, Translator()), "statement.docx")  # doctest: +SKIP

Importing this package is light: trafilatura, python-docx, pdfminer.six and datasets load only
when a reader or writer needs them (``pip install 'tarjama[documents]'``).
"""

from .errors import (
    BlockedAddressError,
    ColumnNotFoundError,
    DatasetError,
    DatasetNotFoundError,
    DocumentError,
    DocxError,
    EncryptedPdfError,
    ExtractionLimitError,
    FetchError,
    NoTextLayerError,
    PdfError,
    SubtitleError,
    TooManyPagesError,
    UnsupportedFormatError,
)
from .fetch import FetchOptions, fetch_url, is_public_address
from .hub_datasets import (
    HubDatasetSpec,
    is_hub_spec,
    iter_hub_rows,
    load_hub_dataset,
    parse_hub_spec,
    translate_dataset,
)
from .isolated import ParseLimitError, parse_isolated
from .model import (
    Block,
    BlockSpan,
    Document,
    DocumentMeta,
    DocumentText,
    document_text,
    line_spans,
)
from .read import DOCUMENT_SUFFIXES, is_url, read_document, sniff_kind
from .render import FORMATS, format_for_path, save_document, write_document
from .translation import (
    SentencePair,
    TranslatedBlock,
    TranslatedDocument,
    document_from_segments,
    segments_by_block,
    translate_document,
)

__all__ = [
    "DOCUMENT_SUFFIXES",
    "FORMATS",
    "Block",
    "BlockSpan",
    "BlockedAddressError",
    "ColumnNotFoundError",
    "DatasetError",
    "DatasetNotFoundError",
    "Document",
    "DocumentError",
    "DocumentMeta",
    "DocumentText",
    "DocxError",
    "EncryptedPdfError",
    "ExtractionLimitError",
    "FetchError",
    "FetchOptions",
    "HubDatasetSpec",
    "NoTextLayerError",
    "ParseLimitError",
    "PdfError",
    "SentencePair",
    "SubtitleError",
    "TooManyPagesError",
    "TranslatedBlock",
    "TranslatedDocument",
    "UnsupportedFormatError",
    "document_text",
    "fetch_url",
    "format_for_path",
    "is_hub_spec",
    "is_public_address",
    "is_url",
    "iter_hub_rows",
    "load_hub_dataset",
    "parse_hub_spec",
    "parse_isolated",
    "read_document",
    "save_document",
    "sniff_kind",
    "translate_dataset",
    "document_from_segments",
    "line_spans",
    "segments_by_block",
    "translate_document",
    "write_document",
]
