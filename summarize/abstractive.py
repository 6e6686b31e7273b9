"""Abstractive summarization with a BART-family model, for inputs of any length.

The model reads at most ``spec.max_input_tokens`` (1024 for BART) tokens, and nothing is ever
truncated. One summary is made in rounds:

1. The input sentences are packed, in order and whole, into windows of at most
   ``window_tokens`` (the model limit less a small margin) as measured by the backend's own
   ``count_tokens``; a single sentence longer than a window is cut at clauses, then words.
2. Each window is summarised. If there was only one window, that is the summary.
3. Otherwise the partial summaries are split into sentences and become the next round's input.
4. After ``max_rounds`` rounds (or as soon as a round stops shrinking the text), if the partial
   summaries still do not fit one window, the summary is an extractive selection over them,
   within the token budget, flagged ``extractive-fallback``.

Every generated summary is checked (:mod:`summarize.guard`): an empty, over-long or repetitive
one is decoded again once with the model's ``strict_generation`` settings, and if it still has a
problem an extractive selection over that window's sentences replaces it (``guard-replaced``).

Provenance of the final sentences is **estimated** by lexical overlap with the input sentences
(:mod:`summarize.provenance`), except for a sentence identical to an input sentence, whose
source is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from translate.backends.handle import ModelHandle
from translate.errors import ConfigError
from translate.registry import Registry
from translate.windows import window_spans

from .english import prepare_sentences, split_sentences
from .extractive import select_by_budget
from .guard import check_summary
from .provenance import estimate_sources, exact_sources
from .types import SummaryResult, SummarySentence

__all__ = [
    "LENGTH_TOKENS",
    "MAX_ROUNDS",
    "Summarizer",
    "TokenBudget",
    "clear_summarizer_cache",
    "shared_summarizer",
    "token_budget",
]

MAX_ROUNDS = 3
WINDOW_MARGIN = 8  # tokens kept free below the model limit: joined text can tokenize differently
LENGTH_TOKENS = {"short": 60, "medium": 130, "long": 220}
MIN_SHARE = 0.4  # min_new_tokens as a share of max_new_tokens
PROVENANCE_NOTE = (
    "estimated: lexical overlap (ROUGE-1-like F over content words, numbers weighted) with the "
    "input sentences; exact where a summary sentence is an input sentence"
)


@dataclass(frozen=True)
class TokenBudget:
    """New-token limits of one summary."""

    max_new: int
    min_new: int


def token_budget(length: str | int) -> TokenBudget:
    """``short``/``medium``/``long`` (60/130/220 tokens) or an int: max new tokens of the summary.

    The minimum is ``MIN_SHARE`` (40%) of the maximum.
    """
    if isinstance(length, bool) or not isinstance(length, (str, int)):
        raise ConfigError(f"length must be short, medium, long or a positive int, not {length!r}.")
    if isinstance(length, str):
        if length not in LENGTH_TOKENS:
            raise ConfigError(
                f"length {length!r} is not one of short, medium, long (or a positive int)."
            )
        maximum = LENGTH_TOKENS[length]
    else:
        if length < 1:
            raise ConfigError(f"length must be a positive number of tokens, not {length}.")
        maximum = length
    return TokenBudget(max_new=maximum, min_new=int(maximum * MIN_SHARE))


@dataclass
class _Piece:
    """Part of a round's output: generated text, or one sentence chosen extractively."""

    text: str
    flags: tuple[str, ...] = ()
    extracted: bool = False


class Summarizer(ModelHandle):
    """Abstractive summaries with one model, loaded on first use and kept.

    ``model`` is a ``models.yaml`` name or a local model directory (None: the registry's default
    summarizer); ``backend`` and ``device`` follow the same rules as translation. ``generation``
    overrides the registry's decoding settings; ``window_tokens`` (default: the model limit less
    a margin) and ``max_rounds`` bound the windows and the rounds.
    """

    def __init__(
        self,
        model: str | None = None,
        backend: str | None = None,
        device: str = "auto",
        *,
        quantization: str | None = None,
        generation: dict[str, Any] | None = None,
        window_tokens: int | None = None,
        max_rounds: int = MAX_ROUNDS,
        registry: Registry | None = None,
    ) -> None:
        super().__init__(
            model, "summarization", backend, device, quantization, generation, registry
        )
        limit = self.spec.max_input_tokens - WINDOW_MARGIN
        window = limit if window_tokens is None else window_tokens
        if not 16 <= window <= limit:
            raise ConfigError(f"window_tokens must be between 16 and {limit} for {self.spec.name}.")
        if max_rounds < 1:
            raise ConfigError("max_rounds must be at least 1.")
        self.window_tokens = window
        self.max_rounds = max_rounds

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "method": "abstractive",
            **self.model_meta(),
            "strict_settings": dict(self.strict_settings),
            "window_tokens": self.window_tokens,
            "max_rounds": self.max_rounds,
        }

    # -- public API --------------------------------------------------------------------------
    def summarize(
        self,
        english: str | Sequence[str],
        length: str | int = "medium",
        *,
        check_language: bool = True,
    ) -> SummaryResult:
        """Summarise English text (a str, or a list of sentences) within the ``length`` budget.

        Raises InputError for empty or non-English input, ConfigError for a bad ``length``.
        """
        budget = token_budget(length)
        sentences = prepare_sentences(english, check_language=check_language)
        units = [s.strip() for s in sentences if s.strip()]
        overhead = self._overhead()
        input_tokens = self._content_tokens(units, overhead)
        flags: list[str] = []
        windows_per_round: list[int] = []
        guard_events: list[dict[str, Any]] = []
        pieces: list[_Piece] | None = None
        current = units
        current_tokens = sum(input_tokens)
        stalled = False
        for round_number in range(1, self.max_rounds + 1):
            windows = self.windows(current)
            windows_per_round.append(len(windows))
            outputs = [
                self._summarize_window(window, budget, round_number, k, guard_events)
                for k, window in enumerate(windows)
            ]
            if len(windows) == 1:
                pieces = outputs[0]
                break
            current = [s for out in outputs for piece in out for s in _sentences_of(piece)]
            next_tokens = sum(self._content_tokens(current, overhead))
            if next_tokens >= current_tokens:
                stalled = True  # more rounds would not converge
                break
            current_tokens = next_tokens
        if pieces is None:
            flags.append("extractive-fallback")
            chosen = select_by_budget(
                current, budget.max_new, lambda texts: self._content_tokens(texts, overhead)
            )
            pieces = [_Piece(current[i], ("extractive-fallback",), extracted=True) for i in chosen]
        for event in guard_events:
            flags.append("guard-retried")
            if event["outcome"] == "replaced":
                flags.append("guard-replaced")
        summary_sentences = _with_provenance(pieces, sentences)
        meta = {
            **self.meta,
            "length": length,
            "max_new_tokens": budget.max_new,
            "min_new_tokens": budget.min_new,
            "input_sentences": len(units),
            "input_tokens": sum(input_tokens),
            "rounds": len(windows_per_round),
            "windows": windows_per_round,
            "stalled": stalled,
            "guard": guard_events,
            "provenance": PROVENANCE_NOTE,
        }
        return SummaryResult(
            text=" ".join(s.text for s in summary_sentences),
            sentences=summary_sentences,
            meta=meta,
            flags=tuple(dict.fromkeys(flags)),
        )

    # -- windows -----------------------------------------------------------------------------
    def _overhead(self) -> int:
        """Special tokens the backend adds to every input (counted once per window)."""
        return self.backend.count_tokens([""])[0]

    def _content_tokens(self, texts: Sequence[str], overhead: int) -> list[int]:
        if not texts:
            return []
        return [max(0, n - overhead) for n in self.backend.count_tokens(list(texts))]

    def _fit_units(self, units: list[str]) -> list[tuple[str, int]]:
        """Each unit with its token count; a unit longer than a window is cut into pieces."""
        count = self.backend.count_tokens
        fitted: list[tuple[str, int]] = []
        for unit, n in zip(units, count(units) if units else [], strict=True):
            if n <= self.window_tokens:
                fitted.append((unit, n))
                continue
            cut = [unit[s:e] for s, e in window_spans(unit, self.window_tokens, count)]
            fitted += zip(cut, count(cut), strict=True)
        return fitted

    def windows(self, units: list[str]) -> list[list[str]]:
        """Consecutive units packed into windows of at most ``window_tokens`` tokens."""
        overhead = self._overhead()
        windows: list[list[str]] = []
        current: list[str] = []
        size = overhead
        for unit, n in self._fit_units(units):
            content = max(0, n - overhead)
            if current and size + content > self.window_tokens:
                windows.append(current)
                current, size = [], overhead
            current.append(unit)
            size += content
        if current:
            windows.append(current)
        # Summed counts can miss merges across the joins: verify, and halve any window over.
        while True:
            counts = self.backend.count_tokens([" ".join(w) for w in windows])
            over = [
                i for i, n in enumerate(counts) if n > self.window_tokens and len(windows[i]) > 1
            ]
            if not over:
                return windows
            for i in reversed(over):
                half = len(windows[i]) // 2
                windows[i : i + 1] = [windows[i][:half], windows[i][half:]]

    # -- generation with the guard -----------------------------------------------------------
    def _decode_settings(self, base: dict[str, Any], budget: TokenBudget, source: int) -> dict:
        settings = {k: v for k, v in base.items() if k != "max_length_ratio"}
        if int(settings.get("num_beams") or 1) == 1:
            settings.pop("length_penalty", None)  # a beam-search setting; greedy ignores it
        # A summary is never longer than what it summarises.
        maximum = max(1, min(budget.max_new, source))
        settings["max_new_tokens"] = maximum
        # Always explicit, 0 included: given min_new_tokens, transformers ignores a checkpoint's
        # min_length (56 for the CNN/DailyMail BARTs, which would double a "short" summary) and
        # the CTranslate2 backend follows the same rule, so both engines mean the same length.
        settings["min_new_tokens"] = min(budget.min_new, maximum // 2)
        return settings

    def _summarize_window(
        self,
        window: list[str],
        budget: TokenBudget,
        round_number: int,
        index: int,
        events: list[dict[str, Any]],
    ) -> list[_Piece]:
        text = " ".join(window)
        source_tokens = self._content_tokens([text], self._overhead())[0]
        settings = self._decode_settings(self.settings, budget, source_tokens)
        out = self.backend.generate([text], settings)[0]
        problems = check_summary(
            out.text, text, summary_tokens=out.tokens, source_tokens=source_tokens
        )
        if not problems:
            return [_Piece(out.text)]
        strict = self._decode_settings(self.strict_settings, budget, source_tokens)
        retry = self.backend.generate([text], strict)[0]
        retry_problems = check_summary(
            retry.text, text, summary_tokens=retry.tokens, source_tokens=source_tokens
        )
        event: dict[str, Any] = {
            "round": round_number,
            "window": index,
            "problems": list(problems),
            "retry_problems": list(retry_problems),
        }
        events.append(event)
        if not retry_problems:
            event["outcome"] = "retried"
            return [_Piece(retry.text, ("guard-retried",))]
        event["outcome"] = "replaced"
        overhead = self._overhead()
        chosen = select_by_budget(
            window, settings["max_new_tokens"], lambda t: self._content_tokens(t, overhead)
        )
        return [_Piece(window[i], ("guard-replaced",), extracted=True) for i in chosen]


def _sentences_of(piece: _Piece) -> list[str]:
    return [piece.text] if piece.extracted else split_sentences(piece.text)


def _with_provenance(pieces: list[_Piece], inputs: list[str]) -> list[SummarySentence]:
    out: list[SummarySentence] = []
    for piece in pieces:
        for sentence in _sentences_of(piece):
            exact = exact_sources(sentence, inputs)
            if exact:
                out.append(SummarySentence(sentence, exact, piece.flags))
                continue
            sources = estimate_sources(sentence, inputs)
            flags = (*piece.flags, "estimated-sources")
            if not sources:
                flags = (*flags, "no-source-found")
            out.append(SummarySentence(sentence, sources, flags))
    return out


def shared_summarizer(model: str | None, backend: str | None, device: str = "auto") -> Summarizer:
    """The explicit cache behind :func:`summarize.summarize`: one Summarizer per key."""
    return Summarizer.shared(model, backend, device)


def clear_summarizer_cache() -> None:
    """Forget the shared Summarizers (the loaded models stay in ``MODEL_CACHE``)."""
    Summarizer.clear_shared()
