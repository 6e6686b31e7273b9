"""The one-call digest of the seed article on tiny models (translation → summary)."""

from __future__ import annotations

import pytest

from summarize import Digest, InputError, digest
from tests import summarize_fixtures as fx
from translate import TranslationResult, translate
from translate.errors import ConfigError

# Fixtures shared by the summarize test modules.
tiny_bart = fx.tiny_bart
tiny_registry = fx.tiny_registry
tiny_registry_file = fx.tiny_registry_file
pytestmark = pytest.mark.usefixtures("tiny_registry")


def _targets(d: Digest) -> list[str]:
    return [segment.target for segment in d.translation.segments]


def test_digest_of_the_seed_article(seed_article):
    # One test, two methods: the second digest reuses the shared translator and its cache.
    d = digest(seed_article, translation_model="tiny-marian", summary_model="tiny-bart")
    assert isinstance(d, Digest) and isinstance(d.translation, TranslationResult)
    assert d.source == seed_article
    assert len(d.translation.segments) > 10
    targets = _targets(d)
    summary = d.summary
    assert summary.text.strip() and summary.sentences
    assert summary.meta["method"] == "abstractive" and summary.meta["model"] == "tiny-bart"
    assert summary.meta["rounds"] >= 1
    for sentence in summary.sentences:
        assert all(0 <= i < len(targets) for i in sentence.sources)
        if "estimated-sources" not in sentence.flags:
            assert sentence.text == targets[sentence.sources[0]].strip()
    data = d.to_dict()
    assert data["source"] == seed_article
    assert len(data["translation"]["segments"]) == len(targets)

    extractive = digest(seed_article, summary_method="extractive", length="short")
    assert _targets(extractive) == targets  # the same translation, from the cache
    # "short": at most 3 sentences within 65 words (the tiny model's segments are long)
    assert 1 <= len(extractive.summary.sentences) <= 3
    for sentence in extractive.summary.sentences:
        (index,) = sentence.sources  # exact: the summary sentence is that segment's target
        assert sentence.text == targets[index].strip()
    order = [s.sources[0] for s in extractive.summary.sentences]
    assert order == sorted(order)


@pytest.mark.parametrize("bad", ["", "   ", "Only English here, no Arabic at all.", b"\xd8\xa7"])
def test_translation_errors_pass_through_unchanged(bad):
    with pytest.raises(InputError) as expected:
        translate(bad)
    with pytest.raises(InputError) as got:
        digest(bad, summary_method="extractive")
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"summary_method": "magic"}, "summary_method"), ({"length": "huge"}, "length")],
)
def test_bad_options_fail_before_translating(kwargs, message, seed_article, monkeypatch):
    import translate as translate_package

    def no_translation(*args, **kwargs):
        raise AssertionError("the article was translated before the options were checked")

    monkeypatch.setattr(translate_package, "translate", no_translation)
    with pytest.raises(ConfigError, match=message):
        digest(seed_article, **kwargs)


def test_the_lead_of_the_article_is_the_lead_of_its_translation():
    # The digest summarises the translation's segments in the article's order: the position
    # prior favours the first segments, and a later segment that only repeats the topic words
    # (a caption-like line) does not displace them. Translation stubbed: only the order counts.
    from summarize import summarize_translation
    from translate import Segment

    english = [
        "The health ministry said on Sunday that a new clinic will open in the northern city "
        "next month to treat children.",
        "The clinic will have forty beds and a team of twelve doctors, the ministry said.",
        "Clinic, children, doctors, ministry, northern city, beds, team",
        "Officials said the building was paid for by a regional development fund.",
        "Work on a second clinic in the south is due to start next year.",
    ]
    segments = [
        Segment(index=k, source=f"جملة {k}.", start=k, end=k + 1, target=text, paragraph=0,
                sentence=k)
        for k, text in enumerate(english)
    ]  # fmt: skip
    stub = TranslationResult(text=" ".join(english), segments=segments)
    summary = summarize_translation(stub, method="extractive", length="short")
    chosen = [s.sources[0] for s in summary.sentences]
    assert chosen[0] == 0 and 2 not in chosen
    assert [s.text for s in summary.sentences] == [english[i] for i in chosen]
