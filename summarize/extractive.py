"""Extractive summarization that knows news: the lead, the topic, whole sentences, no repeats.

Pure Python: no model weights, no data download, no torch; deterministic; the summary
sentences *are* input sentences, so their provenance is exact.

Each non-blank sentence gets a salience, the product of three parts:

1. **Position prior** ``1 / (1 + rank / POSITION_SCALE)``, ``rank`` being the sentence's place
   among the non-blank sentences (0 for the first). News is written lead first: the first
   sentence weighs 1, the sixth 1/2, the eleventh 1/3. A translation keeps the order of its
   Arabic article, so the lead of the article is the lead of its translation.
2. **Centrality** ``CENTRALITY_FLOOR + cos(sentence, rest of the document)``: the TF-IDF cosine
   of the sentence's content words with the sum of all the *other* sentences' vectors (IDF over
   the sentences of the document). One pass over the words, so linear time, unlike a pairwise
   sentence graph.
3. **Form**, which keeps fragments and lists out however many topic words they carry: fewer
   than ``MIN_WORDS`` words (``"McCrary said."``, ``"Why women?"``) scales by
   ``words / MIN_WORDS``; over ``LONG_WORDS`` words by ``LONG_WORDS / words`` (it would eat the
   budget); ``FORM_PENALTY`` (½) each for a question, a sentence opening with a quotation, a line
   with no final punctuation (a caption, a headline) and a list-like line whose share of
   function words is below ``MIN_FUNCTION_SHARE`` (captions, product lines, name lists).

Selection walks the sentences by salience (ties: the earlier one). A sentence that repeats a
chosen one (the same text, or a TF-IDF cosine of ``REDUNDANT_SIMILARITY`` or more with it) is
skipped; the walk stops at the sentence cap, or at the first sentence that would take the
summary over its word budget. The chosen sentences are returned in document order.

Lengths are word budgets with a sentence cap: ``short`` 65 words / 3 sentences (about the
length of the first three sentences of a news story), ``medium`` 120 / 5, ``long`` 200 / 8; an
int is that many sentences with no word cap. The first sentence chosen is kept even when it is
alone over the budget, so a non-blank input never gives an empty summary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from translate.errors import ConfigError

from .english import STOPWORDS, content_words, prepare_sentences
from .types import SummaryResult, SummarySentence

__all__ = [
    "LENGTH_SENTENCES",
    "LENGTH_WORDS",
    "centrality_scores",
    "centroid_cosines",
    "cosine",
    "extractive_summary",
    "length_budget",
    "rank_sentences",
    "select_by_budget",
    "select_sentences",
    "sentence_count",
    "tfidf_vectors",
]

LENGTH_SENTENCES = {"short": 3, "medium": 5, "long": 8}
LENGTH_WORDS = {"short": 65, "medium": 120, "long": 200}

POSITION_SCALE = 5.0
CENTRALITY_FLOOR = 0.05  # a sentence sharing no word with the rest still has its position
MIN_WORDS = 8
LONG_WORDS = 40
FORM_PENALTY = 0.5
MIN_FUNCTION_SHARE = 0.2
REDUNDANT_SIMILARITY = 0.5

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_TRAILING = "\"'\u201d\u2019\u00bb)] "
_QUOTES = "\"'\u201c\u2018\u00ab"
_BULLETS = "\u2022\u25cf\u25aa\u25e6\u2023-* "


@dataclass(frozen=True)
class _Scored:
    """The salience of each sentence (0 for blank ones) and its normalised TF-IDF vector."""

    salience: list[float]
    centrality: list[float]
    vectors: list[dict[str, float]]


def tfidf_vectors(bags: list[Counter[str]]) -> list[dict[str, float]]:
    """TF-IDF vectors of word bags, IDF over the bags (shared with the Arabic-side ranking)."""
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    return [
        {w: (1 + math.log(c)) * math.log((1 + n) / (1 + df[w]) + 1) for w, c in bag.items()}
        for bag in bags
    ]


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


def centroid_cosines(vectors: list[dict[str, float]]) -> list[float]:
    """Cosine of each vector with the sum of all the others: one pass, linear in the words."""
    total: Counter[str] = Counter()
    for vector in vectors:
        for w, v in vector.items():
            total[w] += v
    total_sq = sum(v * v for v in total.values())
    cosines = []
    for vector in vectors:
        norm = _norm(vector)
        # |total - vector|^2 changes from |total|^2 only on the vector's own words.
        rest_sq = total_sq - sum(total[w] ** 2 - (total[w] - v) ** 2 for w, v in vector.items())
        dot = sum(v * (total[w] - v) for w, v in vector.items())
        ok = norm > 0 and rest_sq > 1e-12
        cosines.append(max(0.0, dot / (norm * math.sqrt(rest_sq))) if ok else 0.0)
    return cosines


def _form(sentence: str) -> float:
    """The form factor (1 for a whole declarative sentence of ordinary length; see above)."""
    text = sentence.strip().lstrip(_BULLETS)
    words = len(text.split())
    factor = 1.0
    if words < MIN_WORDS:
        factor *= words / MIN_WORDS
    elif words > LONG_WORDS:
        factor *= LONG_WORDS / words
    end = text.rstrip(_TRAILING)[-1:]
    if end == "?":
        factor *= FORM_PENALTY
    elif end not in (".", "!", "\u2026"):
        factor *= FORM_PENALTY  # no final punctuation: a caption, a headline, a list item
    if text[:1] in _QUOTES:
        factor *= FORM_PENALTY
    tokens = _TOKEN.findall(text)
    if tokens and sum(t.lower() in STOPWORDS for t in tokens) / len(tokens) < MIN_FUNCTION_SHARE:
        factor *= FORM_PENALTY
    return factor


def _scored(sentences: Sequence[str]) -> _Scored:
    live = [i for i, s in enumerate(sentences) if s.strip()]
    salience = [0.0] * len(sentences)
    centrality = [0.0] * len(sentences)
    vectors: list[dict[str, float]] = [{} for _ in sentences]
    raw = tfidf_vectors([Counter(content_words(sentences[i])) for i in live])
    for rank, (i, cos) in enumerate(zip(live, centroid_cosines(raw), strict=True)):
        norm = _norm(raw[rank])
        vectors[i] = {w: v / norm for w, v in raw[rank].items()} if norm else {}
        centrality[i] = cos
        prior = 1.0 / (1.0 + rank / POSITION_SCALE)
        salience[i] = prior * (CENTRALITY_FLOOR + cos) * _form(sentences[i])
    return _Scored(salience, centrality, vectors)


def rank_sentences(sentences: Sequence[str]) -> list[float]:
    """Salience of each sentence: position prior × centrality × form (blank sentences: 0)."""
    return _scored(sentences).salience


def centrality_scores(sentences: Sequence[str]) -> list[float]:
    """TF-IDF cosine of each sentence with the rest of the document (blank sentences: 0)."""
    return _scored(sentences).centrality


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """The cosine of two unit-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[w] for w, v in a.items() if w in b)


def _repeats(i: int, chosen: list[int], sentences: Sequence[str], scored: _Scored) -> bool:
    text = " ".join(sentences[i].split()).lower()
    for j in chosen:
        if " ".join(sentences[j].split()).lower() == text:
            return True
        if scored.vectors[i] and cosine(scored.vectors[i], scored.vectors[j]) >= (
            REDUNDANT_SIMILARITY
        ):
            return True
    return False


def _select(
    sentences: Sequence[str],
    max_sentences: int | None,
    budget: int | None,
    sizes: Callable[[Sequence[str]], list[int]],
    *,
    fill: bool,
) -> list[int]:
    """Walk by salience, skip repeats, keep within the caps; ``fill``: skip a misfit, else stop."""
    scored = _scored(sentences)
    live = [i for i, s in enumerate(sentences) if s.strip()]
    order = sorted(live, key=lambda i: (-scored.salience[i], i))
    size = dict(zip(order, sizes([sentences[i] for i in order]), strict=True)) if budget else {}
    chosen: list[int] = []
    used = 0
    for i in order:
        if max_sentences is not None and len(chosen) >= max_sentences:
            break
        if _repeats(i, chosen, sentences, scored):
            continue
        if budget is not None and chosen and used + size[i] > budget:
            if fill:
                continue
            break
        chosen.append(i)
        used += size.get(i, 0)
    return sorted(chosen)


def _words(texts: Sequence[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def select_sentences(
    sentences: Sequence[str], count: int, max_words: int | None = None
) -> list[int]:
    """Indices of at most ``count`` salient sentences within ``max_words`` words, in order.

    Never more than the number of non-blank sentences; fewer when the rest would repeat a
    chosen sentence or the next best would go over ``max_words`` (the first one chosen is kept
    even alone over it). Raises ValueError for ``count < 1``.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    return _select(sentences, count, max_words, _words, fill=False)


def select_by_budget(
    sentences: Sequence[str], budget: int, measure: Callable[[Sequence[str]], list[int]]
) -> list[int]:
    """Indices of salient sentences whose total ``measure`` stays within ``budget``, in order.

    ``measure`` maps sentences to their lengths (e.g. model tokens). A sentence that does not
    fit is skipped and smaller ones may still fill the budget. The best sentence is always
    kept, even alone over the budget, so the selection is never empty for non-blank input.
    """
    return _select(sentences, None, budget, measure, fill=True)


def length_budget(length: str | int) -> tuple[int, int | None]:
    """``(sentences, words)`` caps of a length: short 3/65, medium 5/120, long 8/200, int n/None.

    Raises ConfigError for anything else.
    """
    if isinstance(length, bool) or not isinstance(length, (str, int)):
        raise ConfigError(f"length must be short, medium, long or a positive int, not {length!r}.")
    if isinstance(length, str):
        if length not in LENGTH_SENTENCES:
            raise ConfigError(
                f"length {length!r} is not one of short, medium, long (or a positive int)."
            )
        return LENGTH_SENTENCES[length], LENGTH_WORDS[length]
    if length < 1:
        raise ConfigError(f"length must be a positive number of sentences, not {length}.")
    return length, None


def sentence_count(length: str | int) -> int:
    """The most sentences of a summary of ``length`` (3/5/8, or the int); ConfigError if bad."""
    return length_budget(length)[0]


def extractive_summary(
    english: str | Sequence[str], length: str | int = "medium", *, check_language: bool = True
) -> SummaryResult:
    """The most salient sentences of ``english`` (a str or a list of sentences), in order.

    ``sources`` are exact: each summary sentence is the input sentence at that index.
    """
    count, words = length_budget(length)
    sentences = prepare_sentences(english, check_language=check_language)
    chosen = select_sentences(sentences, count, words)
    summary = [SummarySentence(sentences[i].strip(), [i]) for i in chosen]
    meta = {
        "method": "extractive",
        "model": None,
        "revision": None,
        "backend": None,
        "settings": {
            "algorithm": "news: position prior x centroid centrality x form, redundancy removed",
            "position_scale": POSITION_SCALE,
            "redundant_similarity": REDUNDANT_SIMILARITY,
            "sentences": count,
            "words": words,
        },
        "length": length,
        "input_sentences": sum(1 for s in sentences if s.strip()),
        "provenance": "exact: each summary sentence is the input sentence it points to",
    }
    return SummaryResult(
        text=" ".join(s.text for s in summary), sentences=summary, meta=meta, flags=()
    )
