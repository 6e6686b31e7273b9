"""Checks of one generated summary against its input, without a model (pure, table-tested).

Problems (:func:`check_summary`):

* ``empty`` - the summary has no letter or digit.
* ``longer-than-input`` - it has more model tokens than its input (special tokens aside), more
  words, or more sentences.
* ``repetitive`` - a generation loop: one word ``REPEAT_WORD_RUN`` times in a row, a 2-4 word
  n-gram ``REPEAT_NGRAM_RUN`` times in a row, any 3-word n-gram ``REPEAT_TRIGRAM_TOTAL`` times
  anywhere, a sentence said twice, or fewer than ``DISTINCT_MIN_RATIO`` distinct words in a
  window of ``DISTINCT_WINDOW`` words (or the whole summary from ``DISTINCT_MIN_WORDS`` words).

Any problem makes the summarizer decode again once with the model's ``strict_generation``
settings; if the retry still has one, an extractive selection replaces it, flagged.
"""

from __future__ import annotations

import re
from collections import Counter

from .english import split_sentences

__all__ = ["check_summary"]

REPEAT_WORD_RUN = 4
REPEAT_NGRAM_RUN = 3
REPEAT_TRIGRAM_TOTAL = 3
DISTINCT_MIN_WORDS = 12
DISTINCT_WINDOW = 40
DISTINCT_MIN_RATIO = 0.3
_WORD = re.compile(r"\w+")


def _has_run(words: list[str]) -> bool:
    for n in range(1, 5):
        needed = REPEAT_WORD_RUN if n == 1 else REPEAT_NGRAM_RUN
        for start in range(len(words) - n * needed + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, needed)):
                return True
    return False


def _low_diversity(words: list[str]) -> bool:
    if len(words) < DISTINCT_MIN_WORDS:
        return False
    size = min(DISTINCT_WINDOW, len(words))
    step = max(1, size // 2)
    for start in range(0, len(words) - size + 1, step):
        window = words[start : start + size]
        if len(set(window)) / len(window) < DISTINCT_MIN_RATIO:
            return True
    return False


def _is_repetitive(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    if _has_run(words) or _low_diversity(words):
        return True
    trigrams = Counter(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    if trigrams and max(trigrams.values()) >= REPEAT_TRIGRAM_TOTAL:
        return True
    sentences = [" ".join(_WORD.findall(s.lower())) for s in split_sentences(text)]
    sentences = [s for s in sentences if len(s.split()) >= 3]
    return len(sentences) != len(set(sentences))


def check_summary(
    summary: str,
    source: str,
    *,
    summary_tokens: int | None = None,
    source_tokens: int | None = None,
) -> tuple[str, ...]:
    """The problems of ``summary`` as a summary of ``source`` (empty tuple: it is usable).

    ``summary_tokens`` and ``source_tokens`` are model token counts without special tokens.
    """
    if not any(ch.isalnum() for ch in summary):
        return ("empty",)
    problems: list[str] = []
    too_many_tokens = (
        summary_tokens is not None and source_tokens is not None and summary_tokens > source_tokens
    )
    too_many_words = len(_WORD.findall(summary)) > len(_WORD.findall(source))
    too_many_sentences = len(split_sentences(summary)) > len(split_sentences(source))
    if too_many_tokens or too_many_words or too_many_sentences:
        problems.append("longer-than-input")
    if _is_repetitive(summary):
        problems.append("repetitive")
    return tuple(problems)
