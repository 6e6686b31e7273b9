"""Other translations of a segment, from the n-best list of its beam search.

:func:`segment_alternatives` is what ``Translator.alternatives`` and the HTTP layer's
``"alternatives": N`` call: for every segment of a translated text, up to ``n`` other
hypotheses of the same search (the segment's own settings and output cap; the beam widened to
``n + 1`` when narrower), distinct from each other and from the chosen translation once case
and whitespace are normalised, each with its confidence. Asking for none costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import text as T
from .backends.confidence import confidence
from .batching import plan_batches
from .errors import ConfigError
from .guard import check_translation
from .types import TranslationResult

if TYPE_CHECKING:
    from .translator import Translator

MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Alternative:
    """Another translation of a segment and the model's confidence in it (see Segment)."""

    target: str
    confidence: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "confidence": self.confidence}


def check_count(n: int) -> int:
    """``n`` if it is a number of alternatives one may ask for (0 to 5), else ConfigError."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_ALTERNATIVES:
        raise ConfigError(f"alternatives must be a whole number from 0 to {MAX_ALTERNATIVES}.")
    return n


def normalized(text: str) -> str:
    """The form alternatives must differ in: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


@dataclass
class _Work:
    index: int
    model_text: str
    originals: list[str]
    tokens: int
    chosen: str
    cap: int = 0


def segment_alternatives(
    translator: Translator, result: TranslationResult, n: int
) -> list[list[Alternative]]:
    """Up to ``n`` alternatives for each segment of ``result`` (made by ``translator``), in
    segment order; passthrough segments (not the model's) get none. One n-best search per
    segment, batched as the Translator batches; degenerate hypotheses are left out."""
    check_count(n)
    out: list[list[Alternative]] = [[] for _ in result.segments]
    if n == 0:
        return out
    work: list[_Work] = []
    for i, seg in enumerate(result.segments):
        if "passthrough" in seg.flags:
            continue
        model_text, originals = T.protect_untouchables(T.normalize(seg.source))
        work.append(_Work(i, model_text, originals, 0, seg.target))
    if not work:
        return out
    backend = translator.backend
    settings = translator.settings
    for item, count in zip(work, backend.count_tokens([w.model_text for w in work]), strict=True):
        item.tokens = count
        item.cap = translator.output_cap(count, settings)
    floor = int(settings.get("min_new_tokens") or 0)
    for batch in plan_batches(
        work,
        tokens=lambda w: w.tokens,
        group=lambda w: min(floor, w.cap),
        batch_tokens=translator.batch_tokens,
        max_batch_size=translator.max_batch_size,
    ):
        caps = [w.cap for w in batch]
        engine = {k: v for k, v in settings.items() if k != "max_length_ratio"}
        engine["max_new_tokens"] = max(caps)
        if engine.get("min_new_tokens"):
            engine["min_new_tokens"] = min(int(engine["min_new_tokens"]), min(caps))
        generations = backend.generate(
            [w.model_text for w in batch],
            engine,
            caps=caps if len(set(caps)) > 1 else None,
            alternatives=n,
        )
        for item, generation in zip(batch, generations, strict=True):
            out[item.index] = _distinct(item, [generation, *generation.alternatives], n)
    return out


def _distinct(item: _Work, hypotheses: Sequence[Any], n: int) -> list[Alternative]:
    seen = {normalized(item.chosen)}
    kept: list[Alternative] = []
    for hypothesis in hypotheses:
        target, _ = T.restore_untouchables(hypothesis.text, item.originals)
        key = normalized(target)
        if not key or key in seen:
            continue
        report = check_translation(
            item.model_text, target, source_tokens=item.tokens, target_tokens=hypothesis.tokens
        )
        if report.degenerate:
            continue
        seen.add(key)
        kept.append(Alternative(target, confidence(hypothesis.score)))
        if len(kept) == n:
            break
    return kept
