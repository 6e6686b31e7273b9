"""ROUGE evaluation of summaries."""

from __future__ import annotations

import pytest

from summarize.evaluate import evaluate_summaries
from translate.errors import InputError


def test_identical_texts_score_one():
    texts = ["The central bank kept rates on hold.", "Snow closed the mountain roads."]
    scores = evaluate_summaries(texts, texts)
    assert scores["n"] == 2
    for key in ("rouge1", "rouge2", "rougeL"):
        assert scores[key] == pytest.approx(1.0)


def test_disjoint_texts_score_zero():
    scores = evaluate_summaries(["apples oranges pears"], ["rockets launched yesterday"])
    assert scores == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0, "n": 1}


def test_partial_overlap_is_between():
    scores = evaluate_summaries(["the bank kept rates"], ["the bank raised rates"])
    assert 0.0 < scores["rouge1"] < 1.0


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [([], [], "empty"), (["a"], ["a", "b"], "1 predictions but 2 references"), ([1], ["a"], "int")],
)
def test_bad_lists_raise_input_error(predictions, references, message):
    with pytest.raises(InputError, match=message):
        evaluate_summaries(predictions, references)
