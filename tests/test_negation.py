"""The negation guard's word lists, idioms, and its place among the translation guard's flags."""

from __future__ import annotations

import time

import pytest

from translate.guard import check_translation
from translate.negation import arabic_negations, dropped_negation, english_negations


@pytest.mark.parametrize(
    ("arabic", "expected"),
    [
        ("لم يحضر الوزير", ["لم"]),
        ("ولم يحضر", ["لم"]),
        ("فلن نقبل", ["لن"]),
        ("لا نعرف", ["لا"]),
        ("ولا أحد", ["لا"]),
        ("ليس صحيحا", ["ليس"]),
        ("وليست هذه المرة الأولى", ["ليست"]),
        ("ليسوا هنا", ["ليسوا"]),
        ("لسنا طرفا", ["لسنا"]),
        ("قرار غير ملزم", ["غير"]),
        ("بغير إذن", ["بغير"]),
        ("عدم التدخل", ["عدم"]),
        ("بعدم وجود", ["بعدم"]),
        ("دون مقاومة", ["دون"]),
        ("بدون وثائق", ["بدون"]),
        ("من دون اتفاق", ["دون"]),
        ("قرر ألا يشارك", ["ألا"]),
        ("لئلا يتكرر", ["لئلا"]),
        ("لم يعد ولن يعود", ["لم", "لن"]),
        # idioms and look-alikes without negation
        ("لا سيما في الجنوب", []),
        ("ولا سيما الأطفال", []),
        ("لا بد من الحل", []),
        ("لا تزال الأسعار مرتفعة", []),
        ("لا يزال التحقيق جاريا", []),
        ("لم يزل قائما", []),
        ("غير أن المعارضة رفضت", []),
        ("دون سن 18", []),
        ("دون 10 درجات", []),
        ("ما زال النازحون", []),
        ("ما حدث أمس", []),
        ("كلا الطرفين", []),
        ("إلا أن", []),
        ("لما وصل", []),
        ("الملابس", []),
        ("سلام", []),
    ],
)
def test_arabic_negations(arabic: str, expected: list[str]) -> None:
    assert arabic_negations(arabic) == expected


@pytest.mark.parametrize(
    ("english", "negated"),
    [
        ("He did not come.", True),
        ("He didn't come.", True),
        ("He didn’t come.", True),
        ("We can't", True),
        ("It cannot be", True),
        ("No one came", True),
        ("never again", True),
        ("neither side", True),
        ("nor the army", True),
        ("none of them", True),
        ("Nothing happened", True),
        ("nobody knows", True),
        ("without a deal", True),
        ("unless they agree", True),
        ("non-interference", True),
        ("The talks failed", True),
        ("a failure", True),
        ("She refused to sign", True),
        ("refusing", True),
        ("denied the report", True),
        ("denies", True),
        ("rejected the plan", True),
        ("lacks resources", True),
        ("a lack of evidence", True),
        ("unable to reach", True),
        ("an unprecedented turnout", True),
        ("illegal", True),
        # no negation
        ("The minister arrived", False),
        ("Notably, the north", False),
        ("the nonce", False),
        ("knots and nodes", False),
        ("Nottingham", False),
        ("The United Nations", False),
        ("under way", False),
        ("", False),
    ],
)
def test_english_negations(english: str, negated: bool) -> None:
    assert bool(english_negations(english)) is negated


def test_dropped_negation() -> None:
    assert dropped_negation("لم تؤكد الوزارة التقارير", "The ministry confirmed the reports")
    assert not dropped_negation("لم تؤكد الوزارة التقارير", "The ministry did not confirm them")
    assert not dropped_negation("أكدت الوزارة التقارير", "The ministry confirmed the reports")


def test_guard_flag_is_a_warning_not_a_retry() -> None:
    report = check_translation(
        "لم تؤكد الوزارة التقارير.",
        "The ministry confirmed the reports.",
        source_tokens=8,
        target_tokens=8,
    )
    assert report.flags == ("negation",) and not report.degenerate
    fine = check_translation(
        "لم تؤكد الوزارة التقارير.",
        "The ministry did not confirm the reports.",
        source_tokens=8,
        target_tokens=9,
    )
    assert fine.flags == ()
    empty = check_translation("لم تؤكد الوزارة.", "", source_tokens=5, target_tokens=1)
    assert "negation" not in empty.flags  # "empty" says more


def test_cost_is_linear_on_hostile_input() -> None:
    for size in (20_000, 80_000):
        arabic = "لا " * size + "ب" * size
        english = "n" * size + "'" + "a" * size
        start = time.perf_counter()
        dropped_negation(arabic, english)
        assert time.perf_counter() - start < 2.0
