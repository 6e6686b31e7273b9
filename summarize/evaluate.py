"""ROUGE scores of summaries against references (needs the optional extra ``tarjama[eval]``)."""

from __future__ import annotations

from collections.abc import Sequence

from translate.errors import InputError, MissingDependencyError

__all__ = ["evaluate_summaries"]


def evaluate_summaries(predictions: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L F1 (stemmed) of each prediction against its reference, and ``n``.

    Raises InputError when the lists are empty or of different lengths, MissingDependencyError
    when ``rouge-score`` is not installed.
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
    try:
        from rouge_score import rouge_scorer
    except ImportError as exc:
        raise MissingDependencyError(
            "ROUGE evaluation needs the optional package rouge-score: pip install 'tarjama[eval]'."
        ) from exc
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for prediction, reference in zip(predictions, references, strict=True):
        scores = scorer.score(reference, prediction)
        for key in totals:
            totals[key] += scores[key].fmeasure
    n = len(predictions)
    return {**{key: value / n for key, value in totals.items()}, "n": n}
