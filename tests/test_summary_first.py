"""Summary-first: the Arabic-side choice, the digest made of the chosen sentences' translations,
the stream that shows the summary before the rest, and summary-only batch jobs that resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarize import SummaryResult
from summarize.arabic import (
    SummaryFirst,
    arabic_salience,
    arabic_words,
    select_arabic,
    summary_sentences,
)
from summarize.digest import digest, stream_digest, summarize_chosen
from tests import summarize_fixtures as fx
from tests.conftest import SEEDS
from translate import InputError, Segment, Translator
from translate import batch as B
from translate.batch import JobOptions, local, run_batch
from translate.errors import ConfigError
from translate.sentences import sentence_spans
from translate.serving import BatchingTranslator
from translate.translator import join_paragraphs

tiny_bart = fx.tiny_bart
tiny_registry = fx.tiny_registry
tiny_registry_file = fx.tiny_registry_file

SEED_NAMES = ["aleppo-security-council", "economy-numbers", "diacritics-quotes", "long-report"]


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


# -- the Arabic-side choice (pure) -------------------------------------------------------------
def test_arabic_words_are_normalised_content_words() -> None:
    # Harakat, tatweel, alef forms, the article and a leading conjunction fold away;
    # function words ("في", "إن", "قال") go.
    assert arabic_words("وقال إن الحكومةَ في الـعاصمة") == ["حكومه", "عاصمه"]
    assert arabic_words("أعلنت الوزارة") == arabic_words("اعلنت وزارة")


@pytest.mark.parametrize("name", SEED_NAMES)
def test_the_choice_is_in_order_within_the_caps(name: str) -> None:
    text = (SEEDS / f"{name}.ar.txt").read_text(encoding="utf-8")
    for length, cap in (("short", 3), ("medium", 5), ("long", 8), (2, 2)):
        chosen = summary_sentences(text, length)
        assert chosen and chosen == sorted(set(chosen)) and len(chosen) <= cap
        assert all(0 <= i < len(sentence_spans(text)) for i in chosen)


def test_the_lead_and_the_topic_win_and_fragments_lose() -> None:
    sentences = [
        "أعلنت وزارة الزراعة أن الجفاف أصاب محاصيل القمح في الجنوب هذا العام.",
        "صور من الحقول",  # a caption: no final punctuation, short
        "وقال مسؤول في الوزارة إن محاصيل القمح في الجنوب تراجعت بسبب الجفاف.",
        "هل يعود المطر؟",
        "وفي سياق آخر، افتتح معرض للكتاب في العاصمة.",
    ]
    scores = arabic_salience(sentences)
    assert scores[0] == max(scores)
    assert scores[2] > scores[1] and scores[2] > scores[3] and scores[2] > scores[4]
    assert select_arabic(sentences, 2) == [0, 2]
    assert select_arabic(["", "   "], "short") == []


def test_a_repeat_is_not_chosen_twice() -> None:
    lead = "أعلنت وزارة الزراعة أن الجفاف أصاب محاصيل القمح في الجنوب هذا العام."
    other = "وافتتح وزير الثقافة معرض الكتاب الدولي في العاصمة بمشاركة مئات الناشرين."
    assert select_arabic([lead, lead, other], "short") == [0, 2]


def test_bad_lengths_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        SummaryFirst("huge")
    with pytest.raises(ConfigError):
        summary_sentences("قال الوزير.", 0)


def test_a_four_times_larger_text_costs_about_four_times_the_work() -> None:
    """The ranking is linear: the same sentence repeated, 4x over, is still walked once each
    (each is compared with the chosen ones only, never with every other sentence)."""
    text = (SEEDS / "long-report.ar.txt").read_text(encoding="utf-8")
    big = "\n".join([text] * 16)
    chosen = summary_sentences(big, "long")
    assert 1 <= len(chosen) <= 8  # repeats of a chosen sentence are skipped, not re-chosen


# -- the digest and the stream (tiny models) -------------------------------------------------
@pytest.fixture()
def tiny(tiny_marian: Path) -> Translator:
    return Translator(
        model=str(tiny_marian),
        backend="transformers",
        cache_size=0,
        generation={"num_beams": 1, "max_new_tokens": 12},
    )


def test_the_digest_summary_is_the_chosen_sentences_translations(
    tiny: Translator, seed_article: str
) -> None:
    d = digest(seed_article, summary_method="extractive", translator=tiny, summary_first=True)
    whole = tiny.translate(seed_article)
    assert d.translation.to_dict() == whole.to_dict()  # the whole article is still translated
    chosen = summary_sentences(seed_article, "medium")
    expected = [s for s in whole.segments if s.sentence in chosen]
    assert [s.text for s in d.summary.sentences] == [s.target for s in expected]
    assert [s.sources for s in d.summary.sentences] == [[s.index] for s in expected]
    assert d.summary.meta["ranked_on"] == "arabic"
    assert d.summary == summarize_chosen(whole.segments, chosen, method="extractive")


def test_without_summary_first_the_english_side_is_ranked(
    tiny: Translator, seed_article: str
) -> None:
    d = digest(seed_article, summary_method="extractive", translator=tiny)
    assert "ranked_on" not in d.summary.meta


@pytest.mark.usefixtures("tiny_registry")
def test_an_abstractive_summary_first_summarises_the_chosen_translations(
    tiny: Translator, seed_article: str
) -> None:
    d = digest(
        seed_article, summary_model="tiny-bart", translator=tiny, summary_first=True, length=2
    )
    chosen = summary_sentences(seed_article, 2)
    allowed = {s.index for s in d.translation.segments if s.sentence in chosen}
    assert d.summary.meta["method"] == "abstractive" and d.summary.meta["ranked_on"] == "arabic"
    assert all(set(s.sources) <= allowed for s in d.summary.sentences)


def _plain(segments: list[Segment]) -> list[dict[str, Any]]:
    """Segments without their scores and confidences (padding in another batch moves the
    last float digits)."""
    floats = ("score", "confidence")
    return [{k: v for k, v in s.to_dict().items() if k not in floats} for s in segments]


def _streamed(items: list[Any]) -> tuple[SummaryResult, list[Segment]]:
    assert isinstance(items[0], SummaryResult)
    assert all(isinstance(item, Segment) for item in items[1:])
    return items[0], items[1:]


@pytest.mark.parametrize("name", ["aleppo-security-council", "short-headline", "long-report"])
def test_the_stream_shows_the_summary_then_every_segment(tiny: Translator, name: str) -> None:
    text = (SEEDS / f"{name}.ar.txt").read_text(encoding="utf-8")
    summary, segments = _streamed(list(stream_digest(text, tiny)))
    whole = tiny.translate(text)
    assert _plain(segments) == _plain(whole.segments)
    expected = digest(text, summary_method="extractive", translator=tiny, summary_first=True)
    assert summary == expected.summary


def test_the_summary_comes_after_the_chosen_sentences_only(
    tiny: Translator, seed_article: str
) -> None:
    rows: list[int] = []
    original = tiny.backend.generate

    def counting(texts, settings, **kwargs):  # noqa: ANN001, ANN003, ANN202
        rows.append(len(texts))
        return original(texts, settings, **kwargs)

    tiny.backend.generate = counting  # type: ignore[method-assign]
    stream = stream_digest(seed_article, tiny, length="short")
    assert isinstance(next(stream), SummaryResult)
    chosen = summary_sentences(seed_article, "short")
    assert rows[0] == len(chosen) and sum(rows) <= 2 * len(chosen)  # (and maybe a retry)
    assert len(list(stream)) == len(tiny.prepare(seed_article))


def test_the_stream_through_the_batcher(tiny: Translator, seed_article: str) -> None:
    server = BatchingTranslator(tiny)
    try:
        summary, segments = _streamed(list(stream_digest(seed_article, server)))
    finally:
        server.close()
    whole = tiny.translate(seed_article)
    assert [s.target for s in segments] == [s.target for s in whole.segments]
    chosen = summary_sentences(seed_article, "medium")
    assert summary == summarize_chosen(whole.segments, chosen, method="extractive")


def test_the_stream_checks_its_input_at_the_call(tiny: Translator) -> None:
    with pytest.raises(InputError):
        stream_digest("Hello there.", tiny)
    with pytest.raises(ConfigError):
        stream_digest("قال الوزير.", tiny, method="bogus")


# -- summary-only batch jobs ----------------------------------------------------------------------
def _options(**extra: Any) -> JobOptions:
    select = SummaryFirst("short")
    return JobOptions(
        select=select, select_settings=select.settings(), show_progress=False, **extra
    )


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_summary_only_job_translates_the_chosen_sentences_and_resumes(
    tiny: Translator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [(SEEDS / f"{name}.ar.txt").read_text(encoding="utf-8") for name in SEED_NAMES]
    source = tmp_path / "in.jsonl"
    rows = [{"text": t} for t in texts] + [{"text": "not Arabic"}]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "out.jsonl"

    real = local.translate_chunk
    calls: list[int] = []

    def crash_after_one(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(local, "translate_chunk", crash_after_one)
        with pytest.raises(RuntimeError):
            run_batch(source, out, tiny, _options(chunk_rows=2))
    # A full job is another job: its fingerprint differs, so it refuses the checkpoint.
    from translate.batch import ResumeRefusedError

    with pytest.raises(ResumeRefusedError):
        run_batch(source, out, tiny, JobOptions(chunk_rows=2, show_progress=False))
    report = run_batch(source, out, tiny, _options(chunk_rows=2))
    assert report.resumed_rows == 2 and report.rows_failed == 1
    done = _rows(out)
    assert [r["row_id"] for r in done] == list(range(len(rows)))
    for text, row in zip(texts, done, strict=False):
        chosen = summary_sentences(text, "short")
        full = tiny.translate(text)
        expected = [s for s in full.segments if s.sentence in chosen]
        assert row["translation"] == join_paragraphs(text, expected)
        assert 0 < len(expected) < len(full.segments)
    assert done[-1]["error"]
    assert json.loads(B.sidecar_path(out).read_text("utf-8"))["settings"]["summary"] == {
        "summary_only": SummaryFirst("short").settings()
    }


@pytest.mark.slow
def test_a_summary_only_job_on_ray_equals_the_local_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_registry: Path
) -> None:
    pytest.importorskip("ray")
    from translate.config import TranslatorConfig

    monkeypatch.setenv("TARJAMA_MODELS", str(fast_registry))
    config = TranslatorConfig(model="tiny", cache_size=0)
    texts = [(SEEDS / f"{name}.ar.txt").read_text(encoding="utf-8") for name in SEED_NAMES]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), "utf-8"
    )
    run_batch(source, tmp_path / "local.jsonl", config, _options(chunk_rows=2))
    run_batch(source, tmp_path / "ray.jsonl", config, _options(chunk_rows=2, engine="ray"))
    assert _rows(tmp_path / "ray.jsonl") == _rows(tmp_path / "local.jsonl")
