"""Extractive summarization: TextRank over TF-IDF cosine similarity, in pure Python.

No model weights, no data download, no torch: it works on a fresh offline machine.

1. Each sentence becomes a TF-IDF vector of its content words (:func:`english.content_words`:
   lowercased, stopwords removed, plurals folded; numbers are words).
2. Sentences are the nodes of a graph whose edge weights are the cosine similarities.
3. PageRank (damping 0.85) on that graph scores each sentence by how central it is: a sentence
   that shares words with many others ranks high.
4. The best sentences are chosen (ties: the earlier one), skipping near-duplicates of a chosen
   one, and returned in document order.

The summary sentences *are* input sentences, so their provenance is exact.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from translate.errors import ConfigError

from .english import content_words, prepare_sentences
from .types import SummaryResult, SummarySentence

__all__ = [
    "LENGTH_SENTENCES",
    "extractive_summary",
    "rank_sentences",
    "select_by_budget",
    "select_sentences",
    "sentence_count",
]

LENGTH_SENTENCES = {"short": 3, "medium": 5, "long": 8}

DAMPING = 0.85
MAX_ITERATIONS = 200
TOLERANCE = 1e-9
DUPLICATE_SIMILARITY = 0.95  # a candidate this similar to a chosen sentence adds nothing


def _vectors(sentences: Sequence[str]) -> list[dict[str, float]]:
    bags = [Counter(content_words(s)) for s in sentences]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(sentences)
    vectors = []
    for bag in bags:
        vec = {w: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        vectors.append({w: v / norm for w, v in vec.items()} if norm else {})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[w] for w, v in a.items() if w in b)


def _textrank(vectors: list[dict[str, float]]) -> list[float]:
    n = len(vectors)
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            weights[i][j] = weights[j][i] = _cosine(vectors[i], vectors[j])
    out_sums = [sum(row) for row in weights]
    incoming = [
        [(j, weights[j][i] / out_sums[j]) for j in range(n) if weights[j][i] > 0.0]
        for i in range(n)
    ]
    dangling_nodes = [j for j in range(n) if out_sums[j] == 0.0]
    rank = [1.0 / n] * n
    for _ in range(MAX_ITERATIONS):
        # A sentence with no similar neighbour spreads its rank evenly (a dangling node).
        dangling = sum(rank[j] for j in dangling_nodes) / n
        new = [
            (1 - DAMPING) / n + DAMPING * (dangling + sum(w * rank[j] for j, w in incoming[i]))
            for i in range(n)
        ]
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < TOLERANCE:
            break
    return rank


def _scored(sentences: Sequence[str]) -> tuple[list[float], list[dict[str, float]]]:
    live = [i for i, s in enumerate(sentences) if s.strip()]
    scores = [0.0] * len(sentences)
    vectors: list[dict[str, float]] = [{} for _ in sentences]
    if not live:
        return scores, vectors
    live_vectors = _vectors([sentences[i] for i in live])
    for i, vec, score in zip(live, live_vectors, _textrank(live_vectors), strict=True):
        scores[i] = score
        vectors[i] = vec
    return scores, vectors


def rank_sentences(sentences: Sequence[str]) -> list[float]:
    """TextRank centrality of each sentence (sums to 1 over non-blank sentences; blank: 0)."""
    return _scored(sentences)[0]


def _ordered_candidates(sentences: Sequence[str]) -> tuple[list[int], list[dict[str, float]]]:
    scores, vectors = _scored(sentences)
    live = [i for i, s in enumerate(sentences) if s.strip()]
    return sorted(live, key=lambda i: (-round(scores[i], 12), i)), vectors


def _is_duplicate(i: int, chosen: list[int], sentences: Sequence[str], vectors: list) -> bool:
    text = " ".join(sentences[i].split()).lower()
    for j in chosen:
        if " ".join(sentences[j].split()).lower() == text:
            return True
        if vectors[i] and _cosine(vectors[i], vectors[j]) >= DUPLICATE_SIMILARITY:
            return True
    return False


def select_sentences(sentences: Sequence[str], count: int) -> list[int]:
    """Indices of the ``count`` most central sentences, in document order.

    Never more than the number of non-blank sentences; fewer only when the rest would repeat a
    chosen sentence. Raises ValueError for ``count < 1``.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    order, vectors = _ordered_candidates(sentences)
    chosen: list[int] = []
    for i in order:
        if len(chosen) >= count:
            break
        if not _is_duplicate(i, chosen, sentences, vectors):
            chosen.append(i)
    return sorted(chosen)


def select_by_budget(
    sentences: Sequence[str], budget: int, measure: Callable[[Sequence[str]], list[int]]
) -> list[int]:
    """Indices of central sentences whose total ``measure`` stays within ``budget``, in order.

    ``measure`` maps sentences to their lengths (e.g. model tokens). The best sentence is always
    kept, even alone over the budget, so the selection is never empty for non-blank input.
    """
    order, vectors = _ordered_candidates(sentences)
    if not order:
        return []
    sizes = dict(zip(order, measure([sentences[i] for i in order]), strict=True))
    chosen: list[int] = [order[0]]
    used = sizes[order[0]]
    for i in order[1:]:
        if used + sizes[i] > budget or _is_duplicate(i, chosen, sentences, vectors):
            continue
        chosen.append(i)
        used += sizes[i]
    return sorted(chosen)


def sentence_count(length: str | int) -> int:
    """``short``/``medium``/``long`` (3/5/8 sentences) or an int: sentences of the summary."""
    if isinstance(length, bool) or not isinstance(length, (str, int)):
        raise ConfigError(f"length must be short, medium, long or a positive int, not {length!r}.")
    if isinstance(length, str):
        if length not in LENGTH_SENTENCES:
            raise ConfigError(
                f"length {length!r} is not one of short, medium, long (or a positive int)."
            )
        return LENGTH_SENTENCES[length]
    if length < 1:
        raise ConfigError(f"length must be a positive number of sentences, not {length}.")
    return length


def extractive_summary(
    english: str | Sequence[str], length: str | int = "medium", *, check_language: bool = True
) -> SummaryResult:
    """The most central sentences of ``english`` (a str or a list of sentences), in order.

    ``sources`` are exact: each summary sentence is the input sentence at that index.
    """
    count = sentence_count(length)
    sentences = prepare_sentences(english, check_language=check_language)
    chosen = select_sentences(sentences, count)
    summary = [SummarySentence(sentences[i].strip(), [i]) for i in chosen]
    meta = {
        "method": "extractive",
        "model": None,
        "revision": None,
        "backend": None,
        "settings": {
            "algorithm": "textrank",
            "similarity": "tf-idf cosine",
            "damping": DAMPING,
            "sentences": count,
        },
        "length": length,
        "input_sentences": sum(1 for s in sentences if s.strip()),
        "provenance": "exact: each summary sentence is the input sentence it points to",
    }
    return SummaryResult(
        text=" ".join(s.text for s in summary), sentences=summary, meta=meta, flags=()
    )
