"""summarize.guard: gibberish summaries (replacement characters, not English) are degenerate."""

from __future__ import annotations

import pytest

from summarize.guard import check_summary

SOURCE = (
    "The Security Council met on Tuesday to discuss the fighting in Aleppo. The envoy said "
    "that the talks would resume next week in Geneva, and that both sides had agreed to it."
)


@pytest.mark.parametrize(
    ("summary", "source", "problems"),
    [
        ("The council met on the fighting in Aleppo.", SOURCE, ()),
        # What the CTranslate2 backend decoded from invalid UTF-8 bytes of a byte-level BPE.
        ("The council \ufffd\ufffd met \ufffdin Aleppo.", SOURCE, ("garbled",)),
        ("\ufffd\ufffd\ufffd \ufffd\ufffd", SOURCE, ("empty",)),  # nothing readable at all
        ("Text with one \ufffd that was there.", SOURCE + " A \ufffd sign.", ()),
        ("اجتمع مجلس الأمن في حلب يوم الثلاثاء.", SOURCE, ("not-english",)),
        (
            "Zorbl quang miffet draxen pollu vemmer skant rolli fesh gorp tann wibble.",
            SOURCE,
            ("not-english",),
        ),
        # Only English sources make a non-English summary suspect.
        ("zorbl quang miffet", "x " * 50, ()),
    ],
)
def test_gibberish_is_degenerate(summary: str, source: str, problems: tuple[str, ...]) -> None:
    assert check_summary(summary, source) == problems


def test_a_garbled_summary_is_retried_then_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the summarizer: both decodes garbled → an extractive selection, flagged."""
    from summarize.abstractive import Summarizer
    from translate.backends.base import Generation

    class Garbling:
        name, device, quantization = "stub", "cpu", None

        def count_tokens(self, texts: list[str]) -> list[int]:
            return [len(t.split()) + 2 for t in texts]

        def generate(self, texts: list[str], settings: dict) -> list[Generation]:
            return [Generation("Council \ufffd\ufffd met \ufffd.", 5, None) for _ in texts]

    summarizer = Summarizer.__new__(Summarizer)
    Summarizer.__init__(summarizer, None)
    summarizer._backend = Garbling()  # type: ignore[assignment]
    result = summarizer.summarize(SOURCE, "short")
    assert "guard-replaced" in result.flags
    assert "\ufffd" not in result.text and result.text in SOURCE
    assert result.meta["guard"][0]["problems"] == ["garbled"]


# -- glossary terms in a summary ---------------------------------------------------------------
def _segments(*pairs: tuple[str, list[str]]) -> list[object]:
    from translate.types import Segment

    return [
        Segment(i, "س", 0, 1, target, 0, i, terms=tuple({"english": t} for t in terms))
        for i, (target, terms) in enumerate(pairs)
    ]


def test_summary_terms_changed_and_dropped() -> None:
    from summarize.guard import check_summary_terms, translation_terms

    segments = _segments(
        (
            "Staffan de Mistura met the UN Security Council.",
            ["Staffan de Mistura", "the UN Security Council"],
        ),
        ("Fighting went on in Aleppo.", ["Aleppo"]),
        ("Aid reached Homs.", ["Homs", "missing from the target"]),
    )
    terms = translation_terms(segments)
    assert ("missing from the target", 2) not in terms and len(terms) == 4
    kept = "Staffan de Mistura told the UN Security Council that fighting went on."
    assert check_summary_terms(kept, terms) == ()  # Aleppo and Homs: not key terms
    assert check_summary_terms("De Mistura met the Security Council.", terms) == ("term-changed",)
    assert check_summary_terms("STAFFAN DE MISTURA met the UN Security Council.", terms) == (
        "term-changed",
    )
    assert check_summary_terms("The envoy met the members.", terms) == ("term-dropped",)


def test_digest_flags_a_summary_that_changes_a_term(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    D = importlib.import_module("summarize.digest")  # noqa: N806 - the package exports digest()
    from summarize.types import SummaryResult
    from translate.types import TranslationResult

    translation = TranslationResult(
        "x",
        _segments(("Staffan de Mistura arrived.", ["Staffan de Mistura"])),  # type: ignore[arg-type]
    )
    monkeypatch.setattr(D, "summarize", lambda *a, **k: SummaryResult("Mistura arrived.", []))
    assert D.summarize_translation(translation).flags == ("term-changed",)
    assert D.summarize_translation(translation, method="extractive").flags == ()
