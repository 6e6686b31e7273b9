"""The one small protocol every engine implements, and the helpers they share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

# The hub helpers live in .hub (not re-exported here: base → hub → convert → hf → base was a
# circle). ENGINE_KEYS is the one list of engine-level generation keys, in the registry.
from ..registry import ENGINE_KEYS, ModelSpec


@dataclass(frozen=True)
class Generation:
    """One decoded output: its text, its length in model tokens, its mean log-probability per
    generated token (forced tokens left out), the character spans of its weak words (see
    :mod:`.confidence`; None where they were not computed: ``generate(..., weak=False)`` on an
    engine that pays for them) and, when asked for, the other hypotheses of the same beam
    search."""

    text: str
    tokens: int
    score: float | None = None
    weak: tuple[tuple[int, int], ...] | None = ()
    alternatives: tuple[Generation, ...] = ()


@runtime_checkable
class Seq2SeqBackend(Protocol):
    """A loaded sequence-to-sequence model with its tokenizer (Marian or BART)."""

    name: str  # "transformers" | "ctranslate2"
    spec: ModelSpec
    device: str  # "cpu" | "cuda"
    quantization: str  # "float32" | "float16" | "int8" ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts, special tokens included."""
        ...

    def generate(
        self,
        texts: Sequence[str],
        settings: Mapping[str, Any],
        *,
        caps: Sequence[int] | None = None,
        alternatives: int = 0,
        weak: bool = True,
    ) -> list[Generation]:
        """Decode a batch. ``settings`` uses the keys of ``ENGINE_KEYS``. Never truncates.

        ``caps`` gives each text its own ``max_new_tokens``; each output is then exactly what
        that text gives alone with its cap, so neighbours with other caps change nothing.
        ``alternatives=n`` (engines that support it) also returns up to ``n`` other hypotheses
        of each row's beam search, widened to ``n + 1`` beams when narrower; 0 costs nothing.
        ``weak=False``: nobody reads the weak words (a batch job's rows keep only the
        confidence); an engine that would pay for them (CTranslate2's beam search: a scoring
        pass) leaves them out, as None. The text and the score never depend on it.
        """
        ...


def engine_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the keys an engine understands (``None`` means "not set").

    An explicit 0 is kept: ``no_repeat_ngram_size: 0`` means no n-gram block, not "use the
    checkpoint's 3", and ``min_new_tokens: 0`` means no minimum, not the checkpoint's
    ``min_length``. A key left out falls back to the checkpoint's default in both engines.
    """
    return {k: settings[k] for k in ENGINE_KEYS if settings.get(k) is not None}
