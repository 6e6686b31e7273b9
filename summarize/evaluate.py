"""ROUGE scores of summaries against references (needs the optional extra ``tarjama[eval]``).

Scores are F1 × 100 (the 0–100 scale of sacrebleu's BLEU and chrF), from Google's
``rouge-score`` with Porter stemming. ROUGE-Lsum reads a text as one sentence a line, as
``rouge-score`` expects: a text that has no line break is first split into sentences with the
English splitter of :mod:`summarize.english`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from translate.errors import InputError, MissingDependencyError

from .english import split_sentences

__all__ = ["ROUGE_TYPES", "as_lines", "evaluate_summaries", "rouge_scorer", "rouge_table"]

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


class _StemCache:
    """Porter stemming with a memo: the same tokens as ``rouge-score``, several times faster."""

    def __init__(self, stemmer: Any) -> None:
        self._stemmer = stemmer
        self._memo: dict[str, str] = {}

    def stem(self, word: str) -> str:
        stemmed = self._memo.get(word)
        if stemmed is None:
            stemmed = self._memo[word] = self._stemmer.stem(word)
        return stemmed


class _Tokenizer:
    def __init__(self) -> None:
        from nltk.stem import porter

        self._stemmer = _StemCache(porter.PorterStemmer())

    def tokenize(self, text: str) -> list[str]:
        from rouge_score import tokenize

        return tokenize.tokenize(text, self._stemmer)


def rouge_scorer(types: Sequence[str] = ROUGE_TYPES) -> Any:
    """A stemming ``rouge_score.rouge_scorer.RougeScorer`` (MissingDependencyError if absent)."""
    try:
        from rouge_score import rouge_scorer as module
    except ImportError as exc:
        raise MissingDependencyError(
            "ROUGE evaluation needs the optional package rouge-score: pip install 'tarjama[eval]'."
        ) from exc
    return module.RougeScorer(list(types), tokenizer=_Tokenizer())


def as_lines(text: str) -> str:
    """``text`` as one sentence a line, for ROUGE-Lsum (kept as it is if it has line breaks)."""
    if "\n" in text.strip():
        return text
    return "\n".join(split_sentences(text))


def rouge_table(
    predictions: Sequence[str], references: Sequence[str], types: Sequence[str] = ROUGE_TYPES
) -> list[dict[str, float]]:
    """ROUGE F1 × 100 of each prediction against its reference (lists already checked)."""
    scorer = rouge_scorer(types)
    rows = []
    for prediction, reference in zip(predictions, references, strict=True):
        scores = scorer.score(as_lines(reference), as_lines(prediction))
        rows.append({key: 100 * scores[key].fmeasure for key in types})
    return rows


def evaluate_summaries(predictions: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L/Lsum F1 × 100 (stemmed) of each prediction against its reference.

    Also ``n``, the number of pairs. Raises InputError when the lists are empty or of
    different lengths, MissingDependencyError when ``rouge-score`` is not installed.
    """
    predictions, references = list(predictions), list(references)
    if not predictions or not references:
        raise InputError("Nothing to evaluate: predictions and references must not be empty.")
    if len(predictions) != len(references):
        raise InputError(
            f"{len(predictions)} predictions but {len(references)} references: "
            "give one reference per prediction."
        )
    for label, items in (("prediction", predictions), ("reference", references)):
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise InputError(f"{label} {i} is a {type(item).__name__}, not a string.")
    rows = rouge_table(predictions, references)
    n = len(rows)
    return {**{key: sum(row[key] for row in rows) / n for key in ROUGE_TYPES}, "n": n}
