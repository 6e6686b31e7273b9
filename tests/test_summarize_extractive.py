"""Extractive summaries (no model), English helpers, provenance and guard functions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from summarize import InputError, SummaryResult, summarize
from summarize.english import check_english, split_sentences
from summarize.extractive import rank_sentences, select_by_budget, select_sentences
from summarize.guard import check_summary
from summarize.provenance import estimate_sources, exact_sources
from tests.summarize_fixtures import EN_NEWS
from tests.tiny_models import REPO
from translate.errors import ConfigError

# The third sentence shares its words with every other one: the most central.
CENTRAL = [
    "The river flooded the northern villages after heavy rain.",
    "Farmers lost their harvest when the fields were under water.",
    "Officials said the river flood damaged roads, fields and villages, and farmers need aid.",
    "Aid agencies sent food to the villages and to the farmers.",
    "Roads to the north reopened on Sunday.",
]


def test_the_most_central_sentence_is_chosen():
    result = summarize(CENTRAL, method="extractive", length=1)
    assert [s.sources for s in result.sentences] == [[2]]
    assert result.text == CENTRAL[2]
    scores = rank_sentences(CENTRAL)
    assert max(range(len(CENTRAL)), key=scores.__getitem__) == 2


@pytest.mark.parametrize(("length", "count"), [("short", 3), ("medium", 5), ("long", 8), (2, 2)])
def test_length_is_honoured_and_document_order_kept(length, count):
    result = summarize(EN_NEWS, method="extractive", length=length)
    sentences = split_sentences(EN_NEWS)
    assert isinstance(result, SummaryResult)
    assert len(result.sentences) == count
    order = [s.sources[0] for s in result.sentences]
    assert order == sorted(order)
    for summary_sentence in result.sentences:
        (index,) = summary_sentence.sources
        assert summary_sentence.text == sentences[index]  # exact provenance
        assert summary_sentence.flags == ()
    assert result.text == " ".join(s.text for s in result.sentences)
    assert result.meta["method"] == "extractive"
    assert result.meta["model"] is None and result.meta["backend"] is None
    assert result.meta["settings"]["sentences"] == count


def test_never_more_sentences_than_the_input_has():
    two = CENTRAL[:2]
    result = summarize(two, method="extractive", length="long")
    assert [s.sources for s in result.sentences] == [[0], [1]]


def test_str_and_list_input_agree_and_list_indices_are_kept():
    text = " ".join(CENTRAL)
    from_str = summarize(text, method="extractive", length=2)
    from_list = summarize(CENTRAL, method="extractive", length=2)
    assert from_str.to_dict()["sentences"] == from_list.to_dict()["sentences"]
    # Blank items stay in place (indices follow the caller's list) and are never chosen.
    padded = ["", CENTRAL[0], "  ", *CENTRAL[1:]]
    result = summarize(padded, method="extractive", length=2)
    for s in result.sentences:
        assert padded[s.sources[0]] == s.text
        assert s.sources[0] not in (0, 2)
    assert [s.text for s in result.sentences] == [s.text for s in from_list.sentences]


def test_repeated_sentences_are_not_chosen_twice():
    doubled = [*CENTRAL, CENTRAL[2]]
    result = summarize(doubled, method="extractive", length=2)
    texts = [s.text for s in result.sentences]
    assert len(texts) == len(set(texts)) == 2


def test_select_by_budget_stays_within_the_budget():
    words = lambda texts: [len(t.split()) for t in texts]  # noqa: E731
    chosen = select_by_budget(CENTRAL, 20, words)
    assert chosen == sorted(chosen) and 2 in chosen
    assert sum(words([CENTRAL[i] for i in chosen])) <= 20
    assert select_by_budget(CENTRAL, 1, words) == [2]  # the best one, even over the budget
    with pytest.raises(ValueError):
        select_sentences(CENTRAL, 0)


def test_to_dict_round_trips_to_plain_data():
    import json

    result = summarize(CENTRAL, method="extractive", length="short")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["sentences"][0]["sources"] == result.sentences[0].sources
    assert data["meta"]["provenance"].startswith("exact")


ARABIC = (REPO / "seeds" / "short-headline.ar.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "empty"),
        ("   \n\t", "whitespace"),
        ([], "empty"),
        (["", "  "], "blank"),
        (ARABIC, "Arabic"),
        ("12345 !!! 678 -- 9.", "no letters"),
        ("Привет, как дела? Это русский текст.", "not English"),
        (
            "Le gouvernement français a présenté mercredi un projet de loi sur les retraites "
            "devant les députés réunis en séance plénière pour un long débat.",
            "does not look like English",
        ),
        (b"bytes are not text", "bytes"),
        (42, "not int"),
        (["fine sentence here.", 3], "Sentence 1"),
    ],
)
def test_bad_input_raises_a_clear_input_error(bad, message):
    with pytest.raises(InputError, match=message):
        summarize(bad, method="extractive")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "magic"}, "method"),
        ({"length": "tiny"}, "length"),
        ({"length": 0}, "positive"),
        ({"length": True}, "length"),
    ],
)
def test_bad_options_raise_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        summarize(CENTRAL, **{"method": "extractive", **kwargs})


def test_english_check_accepts_english():
    assert check_english("Hello world.") == "Hello world."
    check_english(EN_NEWS)
    check_english("Talks resume in Geneva, officials say")  # a headline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He left. She stayed.", ["He left.", "She stayed."]),
        ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
        ("The U.S. Senate voted. It passed.", ["The U.S. Senate voted.", "It passed."]),
        ("Growth was 3.5% in 2024. Prices rose.", ["Growth was 3.5% in 2024.", "Prices rose."]),
        (
            '"We will win," he said. "Really?" she asked.',
            ['"We will win," he said.', '"Really?" she asked.'],
        ),
        ("Wait... what happened? Nobody knows!", ["Wait... what happened?", "Nobody knows!"]),
        ("J. K. Rowling wrote it. Fans cheered.", ["J. K. Rowling wrote it.", "Fans cheered."]),
        (
            "Headline without stop\nBody text here. More text.",
            ["Headline without stop", "Body text here.", "More text."],
        ),
        ("e.g. apples and pears. Then 5 more.", ["e.g. apples and pears.", "Then 5 more."]),
        ("", []),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_estimated_sources_point_to_the_overlapping_sentences():
    inputs = [
        "The central bank kept its key rate at 4.5% on Thursday.",
        "Heavy snow closed schools in the mountains.",
        "Inflation fell to 2.1% in October, the bank said.",
    ]
    assert estimate_sources("The bank held rates at 4.5%.", inputs)[0] == 0
    assert estimate_sources("Snow shut mountain schools.", inputs) == [1]
    assert estimate_sources("Inflation fell to 2.1% as the bank kept its rate at 4.5%.", inputs)[
        :2
    ] in ([0, 2], [2, 0])
    assert estimate_sources("Zebras gallop.", inputs) == []
    assert exact_sources("heavy snow  closed schools in the mountains.", inputs) == [1]


@pytest.mark.parametrize(
    ("summary", "source", "tokens", "problems"),
    [
        ("", "Some source text here.", None, ("empty",)),
        ("... !!", "Some source text here.", None, ("empty",)),
        (
            "A fine short summary.",
            "A much longer source text that says a lot more things.",
            None,
            (),
        ),
        ("one two three four five six", "one two three", None, ("longer-than-input",)),
        ("short text", "short source text", (50, 10), ("longer-than-input",)),
        (
            "One. Two. Three.",
            "A single source sentence with many more words in it.",
            None,
            ("longer-than-input",),
        ),
        ("the vote the vote the vote passed", "x " * 50, None, ("repetitive",)),
        ("talks talks talks talks ended", "x " * 50, None, ("repetitive",)),
        ("The deal was signed. The deal was signed.", "Talks went on. " * 9, None, ("repetitive",)),
    ],
)
def test_guard_table(summary, source, tokens, problems):
    summary_tokens, source_tokens = tokens if tokens else (None, None)
    got = check_summary(summary, source, summary_tokens=summary_tokens, source_tokens=source_tokens)
    assert got == problems


def test_extractive_needs_no_torch_and_import_is_light():
    code = (
        "import sys\n"
        "import summarize\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
        "from summarize import summarize as s\n"
        "r = s(open('seeds/en-news.txt', encoding='utf-8').read(), method='extractive')\n"
        "assert len(r.sentences) == 5, r\n"
        "assert 'torch' not in sys.modules, 'extractive imported torch'\n"
        "assert 'transformers' not in sys.modules, 'extractive imported transformers'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
