"""Confidence, weak words and alternatives: the pure helpers (fast tier), then both engines on a
tiny TRAINED Marian (``trained_marian``), where confidence means something: it orders a sentence
like the training data above a scrambled one, and the two engines agree on it in float32."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from translate.alternatives import (
    Alternative,
    check_count,
    normalized,
    segment_alternatives,
)
from translate.backends.base import Generation
from translate.backends.confidence import (
    confidence,
    mean_log_prob,
    merge_spans,
    relocate_spans,
    weak_spans,
    word_around,
)
from translate.errors import ConfigError
from translate.types import Segment, TranslationResult

LOW = math.log(0.3)  # a weak token
HIGH = math.log(0.9)

# Sentences like the trained model's data, and the same words scrambled.
LIKE_TRAINING = [
    "قال الوزير إن سارة سيزور حلب يوم الجمعة.",
    "قتل 7 أشخاص في بيروت.",
    "التقى عمر مع ليلى في الدوحة.",
    "زار الرئيس القاهرة يوم الأحد.",
]
SCRAMBLED = [
    "الجمعة سيزور يوم إن حلب سارة قال الوزير.",
    "بيروت أشخاص 7 في قتل.",
    "الدوحة في ليلى عمر التقى مع.",
    "يوم القاهرة الأحد الرئيس زار.",
]


# -- pure helpers ------------------------------------------------------------------------------
def test_confidence_is_the_geometric_mean_of_token_probabilities() -> None:
    values = [math.log(0.5), math.log(0.8), None]  # None: a forced token, left out
    assert confidence(mean_log_prob(values)) == pytest.approx(math.sqrt(0.5 * 0.8))
    assert confidence(None) is None and confidence(float("nan")) is None
    assert confidence(0.3) == 1.0 and confidence(-1e9) == 0.0
    assert mean_log_prob([None, None]) is None


def test_weak_pieces_widen_to_their_whole_word() -> None:
    text = "The minister, Youssef, visited Aleppo."
    pieces = ["▁The", "▁minister", ",", "▁You", "ss", "ef", ",", "▁visited", "▁Ale", "ppo", "."]
    values = [HIGH, HIGH, HIGH, HIGH, LOW, HIGH, HIGH, HIGH, HIGH, LOW, HIGH]
    spans = weak_spans(text, pieces, values)
    assert [text[s:e] for s, e in spans] == ["Youssef", "Aleppo"]
    # A weak punctuation piece marks its word; a forced (None) value is never weak.
    assert weak_spans(text, pieces, [None] * len(pieces)) == ()
    spans = weak_spans(text, pieces, [HIGH, HIGH, LOW] + [HIGH] * 8)
    assert [text[s:e] for s, e in spans] == ["minister"]


def test_weak_spans_lie_on_word_boundaries_whatever_the_pieces() -> None:
    text = "said that 40 people (including children) were killed in Rabat's south."
    pieces = ["▁" + w for w in text.split()]
    spans = weak_spans(text, pieces, [LOW] * len(pieces))
    assert spans
    for start, end in spans:
        word = text[start:end]
        assert word and not any(c.isspace() for c in word)
        assert start == 0 or not text[start - 1].isalnum()
        assert end == len(text) or not text[end].isalnum()
    assert "including" in [text[s:e] for s, e in spans]
    assert word_around("a ... b", 2, 3) == (2, 5)  # only punctuation: kept whole
    assert merge_spans([(5, 9), (0, 3), (2, 4), (5, 9)]) == ((0, 4), (5, 9))


def test_pieces_not_in_the_text_are_skipped_not_misplaced() -> None:
    text = "Cairo said"
    spans = weak_spans(text, ["▁Cairo", "▁<unk>", "▁said"], [HIGH, LOW, LOW])
    assert [text[s:e] for s, e in spans] == ["said"]


def test_hostile_output_costs_linear_work() -> None:
    # Pieces that are never found look at most a short window each: no quadratic scan.
    text = "x " * 50_000
    pieces = ["▁absent"] * 50_000 + ["▁x"]
    assert weak_spans(text, pieces, [LOW] * len(pieces)) == ((0, 1),)


def test_relocation_drops_untouchables_and_follows_the_restored_text() -> None:
    before = "Ali wrote to __U0__ about Aleppo and __U1__."
    weak = [(0, 3), (13, 19), (26, 32), (37, 43)]
    assert [before[s:e] for s, e in weak] == ["Ali", "__U0__", "Aleppo", "__U1__"]
    after = "Ali wrote to https://aleppo.example/Aleppo about Aleppo and Bob."
    spans = relocate_spans(before, weak, after, ["https://aleppo.example/Aleppo", "Bob"])
    assert [after[s:e] for s, e in spans] == ["Ali", "Aleppo"]
    assert spans[1][0] == after.index(" about Aleppo") + len(" about ")


def test_segment_json_carries_confidence_and_weak() -> None:
    seg = Segment(0, "قال", 0, 3, "He said", 0, 0, (), -0.2, confidence(-0.2), ((3, 7),))
    data = seg.to_dict()
    assert data["confidence"] == pytest.approx(math.exp(-0.2))
    assert data["weak"] == [[3, 7]]
    passthrough = Segment(1, "2024", 4, 8, "2024", 0, 1, ("passthrough",))
    result = TranslationResult("He said 2024", [seg, passthrough])
    assert result.confidence == pytest.approx(math.exp(-0.2))
    assert passthrough.to_dict()["confidence"] is None and passthrough.to_dict()["weak"] == []


def test_batch_rows_keep_the_lowest_confidence() -> None:
    from translate.batch.outputs import result_record

    segments = [
        Segment(i, "س", 0, 1, "x", 0, i, (), None, value, ())
        for i, value in enumerate([0.9, None, 0.4, 0.7])
    ]
    record = result_record(3, TranslationResult("x x x x", segments))
    assert record["confidence"] == 0.4
    assert result_record(4, "The row is empty.")["confidence"] is None


@pytest.mark.parametrize("bad", [-1, 6, 2.5, True, "3"])
def test_alternative_count_is_checked(bad: Any) -> None:
    with pytest.raises(ConfigError):
        check_count(bad)
    assert check_count(5) == 5
    assert normalized("  The  Minister\tsaid ") == "the minister said"


@dataclass
class _StubBackend:
    """Returns scripted hypotheses per text; records what it was asked."""

    hypotheses: dict[str, list[str]]
    calls: list[dict[str, Any]] = field(default_factory=list)
    name: str = "stub"

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def generate(self, texts, settings, *, caps=None, alternatives=0, weak=True):  # noqa: ANN001, ANN201, ARG002
        self.calls.append({"texts": list(texts), "caps": caps, "alternatives": alternatives})
        out = []
        for text in texts:
            best, *others = [
                Generation(h, len(h.split()), -0.1 * (i + 1))
                for i, h in enumerate(self.hypotheses[text])
            ]
            out.append(Generation(best.text, best.tokens, best.score, (), tuple(others)))
        return out


@dataclass
class _StubTranslator:
    backend: _StubBackend
    settings: dict[str, Any] = field(default_factory=lambda: {"num_beams": 4})
    batch_tokens: int = 4096
    max_batch_size: int = 64

    def output_cap(self, tokens: int, settings: dict[str, Any]) -> int:
        return 2 * tokens + 10


def _result(*targets: tuple[str, str, tuple[str, ...]]) -> TranslationResult:
    segments = [
        Segment(i, source, 0, len(source), target, 0, i, flags)
        for i, (source, target, flags) in enumerate(targets)
    ]
    return TranslationResult(" ".join(t for _, t, _ in targets), segments)


def test_alternatives_are_distinct_from_each_other_and_the_chosen_one() -> None:
    backend = _StubBackend(
        {
            "قال الوزير": [
                "The minister said.",  # the chosen one, again
                "the  minister SAID.",  # the same after case and whitespace
                "The minister stated.",
                "The Minister stated.",  # a repeat of the previous
                "The secretary said.",
                "The minister declared.",
            ],
        }
    )
    translator = _StubTranslator(backend)
    result = _result(("قال الوزير", "The minister said.", ()), ("2024", "2024", ("passthrough",)))
    got = segment_alternatives(translator, result, 2)  # type: ignore[arg-type]
    assert [[a.target for a in seg] for seg in got] == [
        ["The minister stated.", "The secretary said."],
        [],  # passthrough: not the model's text, no alternatives
    ]
    assert all(isinstance(a, Alternative) and 0 < a.confidence <= 1 for a in got[0])
    assert backend.calls == [{"texts": ["قال الوزير"], "caps": None, "alternatives": 2}]
    # Asking for none costs nothing: no engine call.
    assert segment_alternatives(translator, result, 0) == [[], []]  # type: ignore[arg-type]
    assert len(backend.calls) == 1


def test_alternatives_keep_untouchables_in_place() -> None:
    source = "زار https://x.example"
    backend = _StubBackend({"زار __U0__": ["Visited __U0__", "He visited __U0__"]})
    result = _result((source, "Visited https://x.example", ()))
    got = segment_alternatives(_StubTranslator(backend), result, 3)  # type: ignore[arg-type]
    assert [a.target for a in got[0]] == ["He visited https://x.example"]


# -- on the trained model ----------------------------------------------------------------------
ENGINES = [("transformers", None), ("ctranslate2", "float32")]


def _translator(model: Path, engine: str, quantization: str | None, beams: int):  # noqa: ANN202
    from translate import Translator

    return Translator(
        model=str(model),
        backend=engine,
        device="cpu",
        quantization=quantization,
        cache_size=0,
        generation={"num_beams": beams, "max_new_tokens": 40},
    )


@pytest.mark.parametrize("engine,quantization", ENGINES)
@pytest.mark.parametrize("beams", [1, 4])
def test_confidence_orders_familiar_above_scrambled(
    trained_marian: Path, engine: str, quantization: str | None, beams: int
) -> None:
    translator = _translator(trained_marian, engine, quantization, beams)
    for familiar, scrambled in zip(LIKE_TRAINING, SCRAMBLED, strict=True):
        good = translator.translate(familiar).segments[0]
        bad = translator.translate(scrambled).segments[0]
        assert good.confidence is not None and bad.confidence is not None
        assert good.confidence > bad.confidence, (good.target, bad.target)
    # It learned to end its sentences: outputs stop well before the cap.
    backend = translator.backend
    settings = {"num_beams": beams, "max_new_tokens": 40}
    for out in backend.generate(LIKE_TRAINING, settings):
        assert out.tokens < 30 and out.text.endswith(".")


@pytest.mark.parametrize("beams", [1, 4])
def test_engines_agree_on_confidence_and_weak_words(trained_marian: Path, beams: int) -> None:
    reference = _translator(trained_marian, "transformers", None, beams).backend
    fast = _translator(trained_marian, "ctranslate2", "float32", beams).backend
    settings = {"num_beams": beams, "max_new_tokens": 40}
    texts = LIKE_TRAINING + SCRAMBLED
    for want, have in zip(
        reference.generate(texts, settings), fast.generate(texts, settings), strict=True
    ):
        assert have.text == want.text
        assert have.score == pytest.approx(want.score, abs=1e-3)
        assert have.weak == want.weak
    assert any(out.weak for out in reference.generate(SCRAMBLED, settings))


@pytest.mark.parametrize("engine,quantization", [*ENGINES, ("ctranslate2", "int8")])
def test_weak_words_on_word_boundaries_never_untouchables(
    trained_marian: Path, engine: str, quantization: str | None
) -> None:
    translator = _translator(trained_marian, engine, quantization, 4)
    url = "https://news.example/a?b=1"
    # Scrambled and repetitive sentences: whichever way the fixture's training went on this
    # CPU (its kernels differ between machines), some of their words are weak.
    text = (
        f"قال الوزير إن سارة سيزور {url} يوم الجمعة. 2024\nالجمعة سيزور يوم إن حلب سارة قال. "
        "الدوحة في ليلى عمر التقى مع. سارة سارة سارة الوزير الوزير."
    )
    result = translator.translate(text)
    assert [s.flags for s in result.segments][1] == ("passthrough",)
    passthrough = result.segments[1]
    assert passthrough.weak == () and passthrough.confidence is None
    for seg in result.segments:
        assert url not in seg.target or all(
            e <= seg.target.index(url) or s >= seg.target.index(url) + len(url) for s, e in seg.weak
        )
        for start, end in seg.weak:
            word = seg.target[start:end]
            assert word and not re.search(r"\s", word) and "__" not in word
            assert start == 0 or not seg.target[start - 1].isalnum()
            assert end == len(seg.target) or not seg.target[end].isalnum()
    assert any(seg.weak for seg in result.segments)
    data = result.to_dict()
    assert all("confidence" in s and "weak" in s for s in data["segments"])


@pytest.mark.parametrize("engine,quantization", ENGINES)
def test_alternatives_from_the_same_search_are_distinct(
    trained_marian: Path, engine: str, quantization: str | None
) -> None:
    translator = _translator(trained_marian, engine, quantization, 4)
    sentence = LIKE_TRAINING[0]
    chosen = translator.translate(sentence).segments[0]
    alternatives = translator.alternatives(sentence, 3)
    assert 1 <= len(alternatives) <= 3
    keys = [normalized(a.target) for a in alternatives]
    assert len(set(keys)) == len(keys) and normalized(chosen.target) not in keys
    assert all(a.confidence is not None and 0 < a.confidence <= 1 for a in alternatives)
    assert translator.alternatives(sentence, 0) == []
    with pytest.raises(ConfigError):
        translator.alternatives(sentence, 6)


@pytest.mark.parametrize("retry_passes", [True, False])
def test_the_guards_retry_keeps_the_chosen_outputs_values(
    tiny_marian: Path, retry_passes: bool
) -> None:
    from translate import Translator

    tr = Translator(model=str(tiny_marian), backend="transformers", cache_size=0)
    broken = "the the the the the the the the the the the the the the the the the the"
    good = "The minister said that the talks would resume."
    scripted = [
        Generation(broken, 18, -2.0, ((0, 3),)),
        Generation(good if retry_passes else broken, 9, -0.1, () if retry_passes else ((4, 7),)),
    ]

    def generate(texts, settings, **kwargs):  # noqa: ANN001, ANN003, ANN202
        return [scripted.pop(0) for _ in texts]

    tr.backend.generate = generate  # type: ignore[method-assign]
    try:
        seg = tr.translate("قال الوزير إن المحادثات ستستأنف.").segments[0]
    finally:
        del tr.backend.generate
    assert "retried" in seg.flags
    if retry_passes:
        assert seg.target == good and seg.weak == ()
        assert seg.confidence == pytest.approx(math.exp(-0.1))
    else:  # the first output stays, with its own values
        assert "degenerate" in seg.flags and seg.target == broken
        assert seg.confidence == pytest.approx(math.exp(-2.0)) and seg.weak == ((0, 3),)


# -- weak words only where someone reads them ------------------------------------------------------
def _counting(backend: Any) -> list[int]:
    """Count the scoring passes of a CTranslate2 backend (its beam search's weak words)."""
    calls: list[int] = []
    real = backend._search.score_tokens

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    backend._search.score_tokens = counted
    return calls


def test_ct2_beam_search_without_weak_words_skips_the_scoring_pass(trained_marian: Path) -> None:
    backend = _translator(trained_marian, "ctranslate2", "float32", 4).backend
    calls = _counting(backend)
    settings = {"num_beams": 4, "max_new_tokens": 40}
    texts = LIKE_TRAINING + SCRAMBLED
    wanted = backend.generate(texts, settings)
    assert calls and any(out.weak for out in wanted)
    calls.clear()
    unscored = backend.generate(texts, settings, weak=False)
    assert not calls  # no teacher-forced pass: the decoding alone
    for want, have in zip(wanted, unscored, strict=True):
        assert (have.text, have.tokens, have.score) == (want.text, want.tokens, want.score)
        assert have.weak is None  # not computed, which is not "no weak word"
    # Greedy keeps them: they come with the decoding's own steps, for free.
    assert all(
        out.weak is not None
        for out in backend.generate(texts, {**settings, "num_beams": 1}, weak=False)
    )


def test_segments_without_weak_words_say_so() -> None:
    seg = Segment(0, "س", 0, 1, "Sara", 0, 0, (), -0.1, 0.9, None)
    assert seg.to_dict()["weak"] is None


def test_a_batch_job_computes_no_weak_words_and_leaves_its_caller_s_translator_as_it_was(
    trained_marian: Path, tmp_path: Path
) -> None:
    import json

    from translate import Translator
    from translate.batch import JobOptions, run_batch

    translator = Translator(
        model=str(trained_marian),
        backend="ctranslate2",
        device="cpu",
        quantization="float32",
        generation={"num_beams": 4, "max_new_tokens": 40},
    )
    calls = _counting(translator.backend)
    source = tmp_path / "in.txt"
    source.write_text("\n".join(SCRAMBLED) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(source, out, translator, JobOptions(show_progress=False))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(SCRAMBLED) and all(r["translation"] and r["confidence"] for r in rows)
    assert not calls  # the rows keep the confidence only: no scoring pass
    # The caller's Translator still computes weak words, also for sentences the job cached
    # without them (they are translated again, to the same text).
    assert translator.weak_words and "weak_words" not in translator.meta
    seg = translator.translate(SCRAMBLED[0]).segments[0]
    assert calls and seg.weak is not None
    assert seg.target == rows[0]["translation"]
    view = translator.with_weak_words(False)
    assert view.meta["weak_words"] is False and view.config.weak_words is False
    assert view.translate(SCRAMBLED[1]).segments[0].weak is None
