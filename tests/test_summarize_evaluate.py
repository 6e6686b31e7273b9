"""ROUGE evaluation of summaries, and the news evaluation (Lead-3, ours, bootstrap)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarize.evaluate import as_lines, evaluate_summaries
from summarize.news_eval import (
    NewsPair,
    evaluate_news,
    format_report,
    lead,
    paired_bootstrap,
    read_pairs,
)
from translate.errors import InputError

pytest.importorskip("rouge_score")


def test_identical_texts_score_one_hundred():
    texts = ["The central bank kept rates on hold.", "Snow closed the mountain roads."]
    scores = evaluate_summaries(texts, texts)
    assert scores["n"] == 2
    for key in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        assert scores[key] == pytest.approx(100.0)


def test_disjoint_texts_score_zero():
    scores = evaluate_summaries(["apples oranges pears"], ["rockets launched yesterday"])
    assert scores == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0, "rougeLsum": 0.0, "n": 1}


def test_partial_overlap_is_between_and_stemmed():
    scores = evaluate_summaries(["the bank kept rates"], ["the bank raised rates"])
    assert 0.0 < scores["rouge1"] < 100.0
    # Porter stemming: "raising"/"raised" and "rate"/"rates" match.
    assert evaluate_summaries(["rates raising"], ["rate raised"])["rouge1"] == pytest.approx(100)


def test_the_scores_are_rouge_score_s_own():
    from rouge_score import rouge_scorer

    prediction = "Police said the fire started at night. Two people were hurt."
    reference = "Fire started at night, police say .\nTwo people hurt ."
    ours = evaluate_summaries([prediction], [reference])
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    theirs = scorer.score(reference, as_lines(prediction))
    for key in ("rouge1", "rouge2", "rougeLsum"):
        assert ours[key] == pytest.approx(100 * theirs[key].fmeasure)


def test_rouge_lsum_reads_one_sentence_a_line():
    assert as_lines("One here. Two there.") == "One here.\nTwo there."
    assert as_lines("Kept as it is .\nTwo .") == "Kept as it is .\nTwo ."


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [([], [], "empty"), (["a"], ["a", "b"], "1 predictions but 2 references"), ([1], ["a"], "int")],
)
def test_bad_lists_raise_input_error(predictions, references, message):
    with pytest.raises(InputError, match=message):
        evaluate_summaries(predictions, references)


# -- news evaluation ----------------------------------------------------------------------------
ARTICLES = [
    (
        "Heavy rain flooded the northern valley on Monday, forcing 2,000 people from their "
        "homes. Rescue teams reached the worst-hit villages by boat. Why now? The valley had "
        "not flooded in forty years, officials said. Schools will stay closed until Friday. "
        "Roads to the coast reopened late on Monday evening after the water fell.",
        "Heavy rain flooded the northern valley, forcing 2,000 people from homes .\n"
        "Rescue teams reached villages by boat .",
    ),
    (
        "The city council approved a new tram line on Tuesday after a two-year debate. The "
        "line will link the airport with the old town and open in 2028. Critics said the cost "
        "had doubled since the plan was first proposed. The mayor called the vote historic.",
        "City council approves new tram line linking airport and old town .\n"
        "The line will open in 2028 .",
    ),
]


def _write(tmp_path: Path, rows: list[object], blank: bool = False) -> Path:
    path = tmp_path / "news.jsonl"
    lines = [json.dumps(row) if not isinstance(row, str) else row for row in rows]
    if blank:
        lines.insert(1, "   ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pairs(tmp_path: Path) -> Path:
    return _write(tmp_path, [{"article": a, "highlights": h} for a, h in ARTICLES], blank=True)


def test_read_pairs_and_limit(tmp_path: Path):
    path = _pairs(tmp_path)
    pairs = read_pairs(path)
    assert [p.line for p in pairs] == [1, 3]  # the blank line is skipped, lines count from 1
    assert pairs[0].article == ARTICLES[0][0]
    assert len(read_pairs(path, limit=1)) == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["{not json"], "line 1: not JSON"),
        ([["a", "b"]], "line 1: a JSON object"),
        ([{"article": "x"}], "line 1: 'highlights' must be a string"),
        ([{"article": 3, "highlights": "y"}], "'article' must be a string"),
        ([], "no article/highlights pairs"),
    ],
)
def test_read_pairs_names_the_bad_line(tmp_path: Path, rows, message):
    with pytest.raises(InputError, match=message):
        read_pairs(_write(tmp_path, rows))


def test_read_pairs_of_a_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match="Cannot read"):
        read_pairs(tmp_path / "nope.jsonl")


def test_lead_is_the_first_sentences():
    assert lead("One is here. Two is here. Three. Four.", 2) == ["One is here.", "Two is here."]


def test_paired_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    ours = [float(k % 7) for k in range(200)]
    base = [x - 1.0 + (k % 3) for k, x in enumerate(ours)]  # ours is better by 0 on average
    mean, low, high = paired_bootstrap(ours, base, samples=200, seed=1)
    assert low <= mean <= high and low < 0 < high
    assert paired_bootstrap(ours, base, samples=200, seed=1) == (mean, low, high)
    better = paired_bootstrap([x + 2 for x in ours], ours, samples=200)
    assert better == (2.0, 2.0, 2.0)
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [1.0, 2.0])


@pytest.mark.slow  # loads a model engine (imports torch)
def test_evaluate_news_rows_intervals_and_notes(tmp_path: Path):
    pairs = read_pairs(_pairs(tmp_path)) + [NewsPair("", "Nothing here .", 9)]
    empty_model = tmp_path / "empty-model"
    empty_model.mkdir()
    report = evaluate_news(pairs, samples=50, model=str(empty_model))
    names = [m.name for m in report.methods]
    assert names == [
        "Lead-3",
        "Lead-5",
        "Lead-8",
        "extractive short",
        "extractive medium",
        "extractive long",
    ]
    assert report.n == 3
    for m in report.methods:
        assert len(m.per_article) == 3
        assert all(0.0 <= m.mean[key] <= 100.0 for key in ("rouge1", "rouge2", "rougeLsum"))
    short = report.methods[3]
    assert set(short.vs) == {"Lead-3"}
    assert set(report.methods[4].vs) == {"Lead-3", "Lead-5"}
    assert set(report.methods[5].vs) == {"Lead-3", "Lead-8"}
    mean, low, high = short.vs["Lead-3"]["rouge1"]
    assert low <= mean <= high
    # The empty article scores 0 and is reported; the missing model is a note, not an error.
    assert short.failed == 1 and short.per_article[2]["rouge1"] == 0.0
    assert any("line 9 not summarised" in note for note in report.notes)
    assert any(note.startswith("abstractive: skipped") for note in report.notes)
    table = format_report(report)
    assert "| Lead-3 |" in table and "ΔR1 vs Lead-3 [95% CI]" in table
    assert "| extractive medium | Lead-5 |" in table
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data["methods"][3]["vs"]["Lead-3"]["rouge2"]) == {"mean", "low", "high"}
    assert data["methods"][3]["wins"]["Lead-3"].keys() == {"better", "worse"}


def test_the_eval_summary_command_reads_a_data_file(tmp_path: Path, capsys):
    from ui.cli import main

    path = _pairs(tmp_path)
    out = tmp_path / "report.json"
    code = main(
        ["eval", "summary", "--data", str(path), "--no-abstractive", "--samples", "20", "-q"]
        + ["-o", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "| extractive short |" in captured.out and "Lead-3" in captured.out
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["n"] == 2 and report["methods"][0]["name"] == "Lead-3"
    code = main(["eval", "summary", "--data", str(path), "--predictions", str(path)])
    assert code == 2 and "not both" in capsys.readouterr().err
    code = main(["eval", "summary"])
    assert code == 2 and "--data" in capsys.readouterr().err
    code = main(["eval", "summary", "--data", str(tmp_path / "missing.jsonl")])
    assert code == 1 and "Cannot read" in capsys.readouterr().err
