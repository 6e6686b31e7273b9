"""tarjama's summaries: condense English, and digest an Arabic article in one call.

>>> from summarize import summarize, digest                         # doctest: +SKIP
>>> s = summarize(english_text, method="extractive", length="short")  # doctest: +SKIP
>>> s.text, s.sentences[0].sources                                   # doctest: +SKIP
>>> d = digest(arabic_text)                                          # doctest: +SKIP
>>> d.translation.text, d.summary.text                               # doctest: +SKIP

Importing this package is light: torch and transformers load only when a model is needed
(never for ``method="extractive"``).
"""

from translate.errors import InputError, ModelUnavailableError

from .api import summarize
from .digest import digest
from .types import Digest, SummaryResult, SummarySentence

__all__ = [
    "Digest",
    "InputError",
    "ModelUnavailableError",
    "SummaryResult",
    "SummarySentence",
    "digest",
    "summarize",
]
