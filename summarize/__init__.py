"""tarjama's summaries: condense English, and digest an Arabic article in one call.

>>> from summarize import summarize, digest                         # doctest: +SKIP
>>> s = summarize(english_text, method="extractive", length="short")  # doctest: +SKIP
>>> s.text, s.sentences[0].sources                                   # doctest: +SKIP
>>> d = digest(arabic_text)                                          # doctest: +SKIP
>>> d.translation.text, d.summary.text                               # doctest: +SKIP

Importing this package is light: torch and transformers load only when a model is needed
(never for ``method="extractive"``).
"""

from typing import TYPE_CHECKING, Any

from translate.errors import ConfigError, InputError, ModelUnavailableError

from .api import summarize, summarize_with
from .config import SummarizerConfig
from .digest import TranslationSummarizer, digest, summarize_translation
from .types import Digest, SummaryResult, SummarySentence

if TYPE_CHECKING:
    from .abstractive import Summarizer

__all__ = [
    "ConfigError",
    "Digest",
    "InputError",
    "ModelUnavailableError",
    "SummaryResult",
    "SummarySentence",
    "Summarizer",
    "SummarizerConfig",
    "TranslationSummarizer",
    "digest",
    "summarize",
    "summarize_translation",
    "summarize_with",
]


def __getattr__(name: str) -> Any:
    # Summarizer pulls in the model machinery: imported on first use, not with the package.
    if name == "Summarizer":
        from .abstractive import Summarizer

        return Summarizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
