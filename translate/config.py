"""TranslatorConfig: every setting that makes a Translator, as one frozen, hashable value.

Built once at an edge (the CLI's flags, the page's options, a batch job's options) and passed
down: the Ray engine sends it to its actors, the shared-instance cache keys on it, and two
Translators made from equal configs translate alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_MAX_CHARS = 1_000_000  # about 150k Arabic words; a configurable guard against runaway input
DEFAULT_BATCH_TOKENS = 4096  # padded source tokens per batch
DEFAULT_MAX_BATCH_SIZE = 64
DEFAULT_CACHE_SIZE = 8192


def _frozen(settings: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    items = []
    for key, value in sorted((settings or {}).items()):
        if isinstance(value, list):  # e.g. bad_words_ids: lists of lists, kept hashable
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        items.append((str(key), value))
    return tuple(items)


@dataclass(frozen=True)
class TranslatorConfig:
    """What a :class:`~translate.Translator` is made of: the one home of its fields and defaults.

    - ``model``: a ``models.yaml`` name or a local model directory (None: the default).
    - ``backend``: ``transformers``, ``ctranslate2`` or ``auto`` (None: the registry's choice).
    - ``device``: ``auto`` picks CUDA (fp16) when present, else the CPU; or ``cpu``/``cuda``.
    - ``quantization``: the CTranslate2 compute type (None: the engine's default).
    - ``batch_tokens``: padded source tokens per model batch (>= 16).
    - ``max_batch_size``: rows per model batch at most (>= 1).
    - ``window_tokens``: the longest sentence the model sees whole; longer ones are split into
      windows of at most this many tokens (None: the model's registry value).
    - ``max_chars``: the longest text accepted, in characters.
    - ``cache_size``: sentences kept in the sentence cache (0 turns it off).
    - ``generation``: overrides of the registry's decoding settings; pass a dict, it is stored
      as sorted pairs so that the config stays hashable.
    - ``weak_words``: compute ``Segment.weak`` (True). Batch jobs turn it off: their rows keep
      only the confidence, and CTranslate2's beam search pays for weak words with a scoring
      pass (about a quarter of the decoding's work at beam 4); elsewhere they are free. Off,
      ``Segment.weak`` is None where they were not computed. Never changes a translation.
    """

    model: str | None = None
    backend: str | None = None
    device: str = "auto"
    quantization: str | None = None
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE
    window_tokens: int | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    cache_size: int = DEFAULT_CACHE_SIZE
    generation: Any = field(default=())
    memory: str | None = None  # a translation memory's file, opened read-only by the Translator
    memory_threshold: float | None = None  # near matches' least similarity (None: 0.8)
    glossary: str | None = None  # a glossary file (CSV/TSV/TBX), loaded by the Translator
    weak_words: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.generation, Mapping) or self.generation is None:
            object.__setattr__(self, "generation", _frozen(self.generation))
        if self.model is not None:
            object.__setattr__(self, "model", str(self.model))
        if self.memory is not None:
            object.__setattr__(self, "memory", str(self.memory))
        if self.glossary is not None:
            object.__setattr__(self, "glossary", str(self.glossary))

    def generation_overrides(self) -> dict[str, Any]:
        """The decoding overrides as a plain dict (lists back as lists)."""
        return {
            key: [list(v) if isinstance(v, tuple) else v for v in value]
            if isinstance(value, tuple)
            else value
            for key, value in self.generation
        }

    def as_dict(self) -> dict[str, Any]:
        """Keyword arguments for ``Translator(**...)``."""
        values = asdict(self)
        values["generation"] = self.generation_overrides() or None
        return values
