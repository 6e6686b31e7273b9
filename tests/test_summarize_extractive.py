"""Extractive summaries (no model), English helpers, provenance and guard functions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from summarize import InputError, SummaryResult, summarize
from summarize.english import split_sentences
from summarize.extractive import (
    LENGTH_WORDS,
    centrality_scores,
    rank_sentences,
    select_by_budget,
    select_sentences,
)
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
    scores = centrality_scores(CENTRAL)
    assert max(range(len(CENTRAL)), key=scores.__getitem__) == 2
    assert max(range(len(CENTRAL)), key=rank_sentences(CENTRAL).__getitem__) == 2


@pytest.mark.parametrize(("length", "count"), [("short", 3), ("medium", 5), ("long", 8)])
def test_named_lengths_are_word_budgets_with_a_sentence_cap(length, count):
    result = summarize(EN_NEWS, method="extractive", length=length)
    sentences = split_sentences(EN_NEWS)
    assert isinstance(result, SummaryResult)
    assert 1 <= len(result.sentences) <= count
    words = [len(s.text.split()) for s in result.sentences]
    assert sum(words) <= LENGTH_WORDS[length] or len(words) == 1  # the first is always kept
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
    assert result.meta["settings"]["words"] == LENGTH_WORDS[length]


def test_an_int_length_is_that_many_sentences():
    result = summarize(EN_NEWS, method="extractive", length=4)
    assert len(result.sentences) == 4 and result.meta["settings"]["words"] is None


def test_longer_lengths_say_more():
    sizes = [
        len(summarize(EN_NEWS, method="extractive", length=n).text.split())
        for n in ("short", "medium", "long")
    ]
    assert sizes == sorted(sizes) and sizes[0] < sizes[2]


# A news story: the lead carries the news; later sentences repeat its topic words in
# fragments, a question, a quotation and a caption-like list.
STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars after engineers "
    "found deep cracks in two of its steel supports.",
    "The bridge, built in 1931, carries about 20,000 vehicles a day between the harbour "
    "districts and the city centre.",
    "Engineers said the cracks in the bridge supports could grow quickly in cold weather.",
    "Bridge closed.",
    "Why the bridge?",
    '"The bridge is not safe for cars, bridge engineers told the council," said Ana Ruiz.',
    "Harbour bridge cracks, bridge supports, bridge engineers, council bridge vote",
    "Buses will use a temporary route through the port while repairs are planned.",
    "Cyclists and pedestrians may still cross the bridge on its footpath.",
]


def test_the_lead_wins_and_fragments_questions_quotes_and_lists_do_not():
    chosen = select_sentences(STORY, 3, LENGTH_WORDS["short"])
    assert chosen[0] == 0  # the lead
    assert not {3, 4, 5, 6} & set(chosen)
    scores = rank_sentences(STORY)
    centrality = centrality_scores(STORY)
    for weak in (3, 4, 6):
        # dense in topic words, so central, but their form keeps them below the lead
        assert centrality[weak] > centrality[7]
        assert scores[weak] < scores[0]


def test_position_prior_decays_from_the_lead():
    story = [f"The ferry service resumed after the storm, report number {k}." for k in range(12)]
    scores = rank_sentences(story)
    assert scores == sorted(scores, reverse=True) and scores[0] > 2 * scores[-1]


def test_near_duplicates_are_not_chosen_twice():
    paraphrase = "Engineers found deep cracks in two steel supports, so the council voted on "
    story = [STORY[0], paraphrase + "Tuesday to close the harbour bridge to cars.", *STORY[1:]]
    chosen = select_sentences(story, 3)
    assert 0 in chosen and 1 not in chosen


def test_a_translation_keeps_its_lead_in_segment_order():
    # digest() summarises the segments of a translation as a list: their order is the
    # article's, so the prior favours the first segments and blank segments keep their places.
    segments = ["", *STORY]
    chosen = select_sentences(segments, 2)
    assert chosen[0] == 1
    assert summarize(segments, method="extractive", length=1, check_language=False).sentences[
        0
    ].sources == [1]


def test_linear_time_ranking_on_a_long_text():
    # 2,000 sentences: a pairwise sentence graph would need 4 million similarities.
    text = " ".join(f"{s} Item {k} of the report." for k in range(250) for s in STORY[:7:3])
    result = summarize(text, method="extractive", length="short")
    assert 1 <= len(result.sentences) <= 3


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
    # A sentence that does not fit is skipped; a smaller one may still fill the budget.
    assert select_by_budget(CENTRAL, 22, words) == [2, 4]
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


@pytest.mark.parametrize("method", ["extractive", "abstractive"])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("Talks resumed.\x00 More text.", "NUL character at character 14"),
        (["Talks resumed.", "More\x00 text."], "NUL character in sentence 1, at character 4"),
        ("Talks resumed. " * 10, "150 characters; the limit is 100"),
        (["Talks resumed. " * 5, "Talks resumed. " * 5], "150 characters; the limit is 100"),
    ],
)
def test_nul_and_over_long_input_are_refused_before_any_work(method, bad, message):
    # The abstractive method would need weights: the check comes first, so none are loaded.
    with pytest.raises(InputError, match=message):
        summarize(bad, method=method, model="no-such-model", max_chars=100)


def test_the_default_limit_is_translate_s():
    from summarize.api import check_input
    from translate.translator import DEFAULT_MAX_CHARS

    check_input("x" * DEFAULT_MAX_CHARS)
    with pytest.raises(InputError, match="limit"):
        check_input(["x" * DEFAULT_MAX_CHARS, "y"])


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
        "assert 1 <= len(r.sentences) <= 5, r\n"
        "assert 'torch' not in sys.modules, 'extractive imported torch'\n"
        "assert 'transformers' not in sys.modules, 'extractive imported transformers'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
