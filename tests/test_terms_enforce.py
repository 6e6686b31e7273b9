"""Glossary enforcement through the real Translator flow, over engines with forced outputs.

The engine "translates" each Arabic word to ``w<n>`` and copies placeholders, unless a test
forces what it does to them: drop, mangle past recognition, repeat, or say nothing at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from translate import Translator
from translate.backends.base import Generation
from translate.terms import Glossary
from translate.terms.enforce import align_offsets, protect_terms, restore_terms
from translate.text import normalize

PLACEHOLDER = re.compile(r"__U[0-9]+__")


def echo(text: str) -> str:
    """Arabic words become w1, w2...; placeholders, digits and punctuation are copied."""
    words = []
    for n, word in enumerate(PLACEHOLDER.sub(r" \g<0> ", text).split(), start=1):
        copy = PLACEHOLDER.fullmatch(word) or not any(ch.isalpha() for ch in word)
        words.append(word if copy else f"w{n}")
    return " ".join(words)


class ForcedBackend:
    name = "transformers"
    device = "cpu"
    quantization = "float32"

    def __init__(self, spec: Any, rule: Callable[[str], str] = echo) -> None:
        self.spec = spec
        self.rule = rule
        self.inputs: list[str] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def generate(
        self,
        texts: Sequence[str],
        settings: Mapping[str, Any],
        *,
        caps: Sequence[int] | None = None,
        weak: bool = True,
    ) -> list[Generation]:
        self.inputs += texts
        outputs = [self.rule(t) for t in texts]
        return [Generation(o, len(o.split()) + 1, -0.5) for o in outputs]


GLOSSARY = Glossary.from_entries(
    [
        {"arabic": "الرئيس", "english": "the President"},
        {"arabic": "حلب", "english": "Aleppo"},
        {"arabic": "مجلس الأمن", "english": "the Security Council"},
        {"arabic": "أمل"},
    ],
    name="house",
)


def make(tmp_path: Path, rule: Callable[[str], str] = echo, glossary: Any = GLOSSARY) -> Translator:
    translator = Translator(model=str(tmp_path), backend="transformers", glossary=glossary)
    translator._backend = ForcedBackend(translator.spec, rule)  # type: ignore[assignment]
    return translator


SENTENCE = "وقال الرئيس إن مجلس الأمن سيجتمع في حلب غدا."


def test_terms_in_place(tmp_path: Path) -> None:
    translator = make(tmp_path)
    result = translator.translate(SENTENCE)
    (seg,) = result.segments
    assert translator.backend.inputs == ["وقال __U0__ إن __U1__ سيجتمع في __U2__ غدا."]
    assert seg.target == "w1 the President w3 the Security Council w5 w6 Aleppo w8"
    assert not {"term-restored", "term-missing"} & set(seg.flags)
    found = [(SENTENCE[t["start"] : t["end"]], t["english"], t["applied"]) for t in seg.terms]
    assert found == [
        ("الرئيس", "the President", "placeholder"),
        ("مجلس الأمن", "the Security Council", "placeholder"),
        ("حلب", "Aleppo", "placeholder"),
    ]
    assert result.meta["glossary"] == {
        "name": "house",
        "entries": 4,
        "fingerprint": GLOSSARY.fingerprint,
    }
    assert result.to_dict()["segments"][0]["terms"][0]["applied"] == "placeholder"


def test_dropped_placeholder_is_restored_near_its_neighbours(tmp_path: Path) -> None:
    translator = make(tmp_path, lambda t: echo(t).replace("__U1__", "the council"))
    (seg,) = translator.translate(SENTENCE).segments
    assert seg.target == "w1 the President the Security Council w3 the council w5 w6 Aleppo w8"
    assert "term-restored" in seg.flags and "term-missing" not in seg.flags
    assert [t["applied"] for t in seg.terms] == ["placeholder", "restored", "placeholder"]


def test_all_placeholders_dropped_go_back_by_position(tmp_path: Path) -> None:
    translator = make(tmp_path, lambda t: PLACEHOLDER.sub("", echo(t)))
    (seg,) = translator.translate("زار الرئيس حلب ثم عاد إلى بيته مساء اليوم.").segments
    assert seg.target.count("the President") == 1 and seg.target.count("Aleppo") == 1
    assert seg.target.index("the President") < seg.target.index("Aleppo")
    assert not seg.target.startswith("the President")  # not at the edges: near its place
    assert not seg.target.endswith("Aleppo")
    assert "term-restored" in seg.flags


def test_mangled_placeholders(tmp_path: Path) -> None:
    # Mildly mangled ("__ u 0__") is still recognised; past recognition ("U1__") is repaired.
    def mangle(text: str) -> str:
        return echo(text).replace("__U0__", "__ u 0__").replace("__U1__", "U1__")

    translator = make(tmp_path, mangle)
    (seg,) = translator.translate(SENTENCE).segments
    assert "U1" not in seg.target and "_" not in seg.target
    assert seg.target.count("the President") == 1
    assert seg.target.count("the Security Council") == 1
    assert [t["applied"] for t in seg.terms] == ["placeholder", "restored", "placeholder"]
    assert "term-restored" in seg.flags


def test_duplicated_placeholder_is_kept_once(tmp_path: Path) -> None:
    translator = make(tmp_path, lambda t: echo(t).replace("__U2__", "__U2__ and __U2__"))
    (seg,) = translator.translate(SENTENCE).segments
    assert seg.target.count("Aleppo") == 1
    assert "term-restored" in seg.flags
    assert seg.terms[2]["applied"] == "restored"


def test_output_without_words_is_term_missing(tmp_path: Path) -> None:
    translator = make(tmp_path, lambda t: "...")
    (seg,) = translator.translate(SENTENCE).segments
    assert "term-missing" in seg.flags
    assert {t["applied"] for t in seg.terms} == {"missing"}


def test_keep_as_written_comes_back_in_arabic(tmp_path: Path) -> None:
    (seg,) = make(tmp_path).translate("وقالت أمل إنها ستعود.").segments
    assert seg.target == "w1 أمل w3 w4"
    assert seg.terms[0]["keep"] and seg.terms[0]["english"] == ""


def test_sentence_without_matches_is_translated_as_without_glossary(tmp_path: Path) -> None:
    text = "وصل الوفد إلى العاصمة صباح اليوم. وقال الرئيس إن حلب آمنة."
    plain = make(tmp_path, glossary=None)
    with_terms = make(tmp_path)
    a, b = plain.translate(text), with_terms.translate(text)
    assert a.segments[0] == b.segments[0]
    assert plain.backend.inputs[0] == with_terms.backend.inputs[0]
    assert a.segments[1].target != b.segments[1].target  # the glossary did apply there
    assert "glossary" not in a.meta


def test_per_call_glossary_shares_model_and_cache(tmp_path: Path) -> None:
    translator = make(tmp_path)
    other = Glossary.from_entries([{"arabic": "حلب", "english": "Halab"}])
    view = translator.with_glossary(other)
    assert view.backend is translator.backend and view.cache is translator.cache
    assert translator.translate("زار حلب.").text == "w1 Aleppo ."
    assert view.translate("زار حلب.").text == "w1 Halab ."  # not the cached Aleppo
    assert translator.with_glossary(None).translate("زار حلب.").text == "w1 w2"
    assert translator.glossary is GLOSSARY  # the view changed nothing


def test_identical_inputs_with_different_protected_spans_are_not_merged(tmp_path: Path) -> None:
    g = Glossary.from_entries(
        [{"arabic": "حلب", "english": "Aleppo"}, {"arabic": "حمص", "english": "Homs"}]
    )
    result = make(tmp_path, glossary=g).translate("زار حلب. زار حمص.")
    assert [s.target for s in result.segments] == ["w1 Aleppo .", "w1 Homs ."]


def test_glossary_from_path_and_spans_in_original_text(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("arabic,english\nحلب,Aleppo\n", encoding="utf-8")
    text = "مقدمة.\nوصلَ الوفدُ إلى حَلَب."  # harakat: normalised offsets differ from the source
    (tmp_path / "model").mkdir()
    translator = make(tmp_path / "model", glossary=path)
    seg = translator.translate(text).segments[1]
    (term,) = seg.terms
    assert text[term["start"] : term["end"]] == "حَلَب"


def test_align_offsets() -> None:
    source = "  قالَ   ﻻ\u200f شيء"
    normalised = normalize(source)
    offsets = align_offsets(source, normalised)
    assert len(offsets) == len(normalised)
    assert [source[offsets[i]] for i in range(len(normalised)) if normalised[i] == "ق"] == ["ق"]
    assert source[offsets[normalised.index("ش")]] == "ش"


def test_untouchables_and_terms_share_numbering() -> None:
    text = "قال الرئيس لـ CNN إن حلب www.example.com"
    normalised = normalize(text)
    model_input, originals, slots = protect_terms(normalised, GLOSSARY.matcher.find(normalised))
    assert model_input == "قال __U0__ ل __U1__ إن __U2__ __U3__"
    assert originals == ["the President", "CNN", "Aleppo", "www.example.com"]
    target, in_place, flags, outcomes = restore_terms(
        "He said __U0__ told __U1__ that __U2__", model_input, originals, slots
    )
    assert target == "He said the President told CNN that Aleppo www.example.com"
    assert not in_place and flags == [] and outcomes == ["placeholder", "placeholder"]


def test_glossary_enters_the_batch_fingerprint(tmp_path: Path) -> None:
    from translate.batch.state import job_fingerprint, job_settings

    facts = SimpleNamespace(sha256="0" * 64, size=1, kind="txt", column=None)
    plain = job_settings(make(tmp_path, glossary=None), facts, None)  # type: ignore[arg-type]
    assert "glossary" not in plain  # jobs without a glossary keep their old fingerprint
    with_terms = job_settings(make(tmp_path), facts, None)  # type: ignore[arg-type]
    other = Glossary.from_entries([{"arabic": "حلب", "english": "Halab"}])
    changed = job_settings(make(tmp_path, glossary=other), facts, None)  # type: ignore[arg-type]
    fingerprints = {job_fingerprint(s) for s in (plain, with_terms, changed)}
    assert len(fingerprints) == 3


def test_bad_glossary_argument(tmp_path: Path) -> None:
    from translate.terms import GlossaryError

    with pytest.raises(GlossaryError):
        make(tmp_path, glossary=123)


def test_sentences_differing_only_in_protected_latin_text_are_not_merged(tmp_path: Path) -> None:
    # The model input of both is "زار __U0__ ." : the cache key and the in-run dedup must
    # also hold what the placeholder stands for.
    translator = make(tmp_path, glossary=None)
    result = translator.translate("زار CNN. زار BBC.")
    assert [s.target for s in result.segments] == ["w1 CNN .", "w1 BBC ."]
    again = translator.translate("زار BBC.")
    assert again.segments[0].target == "w1 BBC ."
