"""Which input sentences a summary sentence came from.

Extractive summaries need nothing here: a summary sentence is an input sentence, so its source
is exact. For abstractive summaries the source is an **estimate** by lexical overlap: a
ROUGE-1-like F-score over lowercased content words (stopwords removed, plurals folded), in
which numbers weigh ``NUMBER_WEIGHT`` times as much as words because a number a summary states
almost always comes from the sentence that states it. Every input sentence scoring at least
``THRESHOLD`` is a source, best first; the best one counts even below the threshold as long as
it shares a word. A summary sentence that shares no content word with any input sentence gets
no source, and the flag ``no-source-found``: an invented link would be worse than none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .english import content_words

__all__ = ["NUMBER_WEIGHT", "THRESHOLD", "exact_sources", "estimate_sources", "overlap_scores"]

THRESHOLD = 0.2
NUMBER_WEIGHT = 2.0


def _weight(word: str) -> float:
    return NUMBER_WEIGHT if any(ch.isdigit() for ch in word) else 1.0


def _bag(text: str) -> Counter[str]:
    return Counter(content_words(text))


def _mass(bag: Counter[str]) -> float:
    return sum(_weight(w) * c for w, c in bag.items())


def overlap_scores(sentence: str, inputs: Sequence[str]) -> list[float]:
    """Weighted unigram F-score of ``sentence`` against each input sentence (0 for blank ones)."""
    summary = _bag(sentence)
    summary_mass = _mass(summary)
    scores: list[float] = []
    for text in inputs:
        bag = _bag(text)
        mass = _mass(bag)
        if not summary_mass or not mass:
            scores.append(0.0)
            continue
        common = sum(_weight(w) * min(c, bag[w]) for w, c in summary.items() if w in bag)
        if not common:
            scores.append(0.0)
            continue
        precision, recall = common / summary_mass, common / mass
        scores.append(2 * precision * recall / (precision + recall))
    return scores


def estimate_sources(
    sentence: str, inputs: Sequence[str], threshold: float = THRESHOLD
) -> list[int]:
    """Estimated source indices of an abstractive summary sentence, best first ([] if none)."""
    scores = overlap_scores(sentence, inputs)
    ranked = sorted((i for i, s in enumerate(scores) if s > 0.0), key=lambda i: (-scores[i], i))
    if not ranked:
        return []
    return [ranked[0]] + [i for i in ranked[1:] if scores[i] >= threshold]


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def exact_sources(sentence: str, inputs: Sequence[str]) -> list[int]:
    """Indices of the input sentences identical to ``sentence`` (whitespace and case aside)."""
    target = _normal(sentence)
    return [i for i, text in enumerate(inputs) if target and _normal(text) == target]
