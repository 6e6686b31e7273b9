"""tarjama.translate — Arabic text in, English out.

>>> from translate import translate
>>> result = translate("قال الوزير إن الحكومة ستواصل العمل.")   # doctest: +SKIP
>>> result.text, result.segments[0].source                          # doctest: +SKIP

Importing this package is light: torch and transformers load only when a model is needed.
"""

from .errors import (
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelUnavailableError,
    TarjamaError,
)
from .sentences import split_sentences
from .text import normalize
from .translator import Translator, translate
from .types import Segment, TranslationResult

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "InputError",
    "MissingDependencyError",
    "ModelUnavailableError",
    "Segment",
    "TarjamaError",
    "TranslationResult",
    "Translator",
    "__version__",
    "normalize",
    "split_sentences",
    "translate",
]
