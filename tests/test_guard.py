"""Table tests for translate.guard.check_translation."""

from __future__ import annotations

import pytest

from translate.guard import GuardReport, check_translation

AR = "وترافق الهجوم مع غارات روسية كثيفة وأخرى سورية أوقعت قتلى على الأقل"
EN = "The attack was accompanied by heavy Russian raids and other Syrian ones that killed people"


@pytest.mark.parametrize(
    ("source", "target", "source_tokens", "target_tokens", "flags"),
    [
        # clean
        (AR, EN, 14, 16, ()),
        (
            "أوقعت الغارات 270 قتيلا بينهم 53 طفلا",
            "The raids killed 270 people, including 53 children",
            10,
            11,
            (),
        ),
        ("قتل ٢٧٠ شخصا في ٢٠١٦", "270 people were killed in 2016", 7, 7, ()),
        ("يبلغ نحو 15 ألف مقاتل", "numbers about 15,000 fighters", 6, 6, ()),
        ("يبلغ نحو 15 ألف مقاتل", "numbers about 15 thousand fighters", 6, 6, ()),
        ("بلغ العدد 1,000 شخص", "The number reached 1000 people", 6, 6, ()),
        ("ارتفع بنسبة ٣٫٥ في المئة", "rose by 3.5 percent", 6, 5, ()),
        ("في 2016/10/07", "on 7 October 2016", 5, 5, ("numbers",)),
        ("في اليوم 07 من الشهر", "on day 7 of the month", 5, 6, ()),  # leading zero
        ("منظومة S-400", "the S-400 system", 5, 5, ()),
        # empty
        (AR, "", 14, 0, ("empty",)),  # "empty" implies and hides "too-short"
        (AR, " ... !! ", 14, 3, ("empty",)),
        ("مرحبا", "", 2, 0, ("empty",)),
        # repetition
        (AR, "The the the the attack was accompanied by heavy raids", 14, 12, ("repetition",)),
        (AR, "Syria, Syria, Syria, Syria and Russia announced a deal", 14, 12, ("repetition",)),
        (
            AR,
            "in the city of in the city of in the city of Aleppo today",
            14,
            15,
            ("repetition",),
        ),
        (AR, "the raids hahahahahaha killed people", 14, 12, ("repetition",)),
        (AR, "the raids ااااااا killed people", 14, 12, ("repetition",)),
        (
            AR,
            "war and war and peace and war and peace and war and war peace and peace",
            14,
            17,
            ("repetition",),
        ),
        # too long
        (
            "قال الرئيس",
            "The president said " + "that the war is over and " * 3,
            3,
            30,
            ("too-long",),
        ),
        (
            "قال الرئيس أمس",
            "The president said yesterday that the negotiations in Geneva had failed again",
            4,
            12,
            ("too-long",),
        ),
        # too short / omission
        (AR, "The attack.", 14, 3, ("too-short",)),
        (AR + " " + AR, "The attack was accompanied by raids", 28, 6, ("too-short",)),
        ("قال", "He", 1, 1, ()),  # short sources are never "too short"
        # numbers
        (
            "قتل 270 شخصا بينهم 53 طفلا",
            "270 people were killed, including children",
            8,
            8,
            ("numbers",),
        ),
        ("قتل 53 و53 طفلا", "53 children were killed", 5, 5, ("numbers",)),
        ("قتل خمسة عشر", "fifteen were killed", 3, 3, ()),  # words are not numbers
        ("قتل 15 شخصا", "fifteen people were killed", 3, 4, ("numbers",)),
        # several at once
        (AR + " 5", "1 1 1 1 1", 15, 5, ("numbers", "repetition", "too-short")),
    ],
)
def test_check_translation(
    source: str, target: str, source_tokens: int, target_tokens: int, flags: tuple[str, ...]
) -> None:
    report = check_translation(
        source, target, source_tokens=source_tokens, target_tokens=target_tokens
    )
    assert report.flags == flags


NEWS_PAIRS = [
    (
        "يعقد مجلس الأمن الدولي جلسة طارئة غدا بشأن حلب",
        "The UN Security Council will hold an emergency session on Aleppo tomorrow.",
    ),
    (
        "حذرت وزارة الدفاع الروسية واشنطن من القيام بعمل عسكري ضد الجيش السوري",
        "The Russian Defense Ministry warned Washington against taking military action against "
        "the Syrian army.",
    ),
    (
        "قال المبعوث إن الأحياء الشرقية لحلب قد تدمر بالكامل بحلول نهاية العام",
        "The envoy said that the eastern districts of Aleppo could be completely destroyed by the "
        "end of the year.",
    ),
    (
        "نحن نتحدث أساسا عن 900 شخص أصبحوا السبب الرئيسي لمهاجمة 275 ألف شخص",
        "We are basically talking about 900 people who have become the main reason for attacking "
        "275,000 people.",
    ),
    (
        "أوقعت الغارات 270 قتيلا على الأقل بينهم 53 طفلا وفق حصيلة للمرصد",
        "The raids killed at least 270 people, including 53 children, according to a toll by the "
        "Observatory.",
    ),
    (
        "قال الوزير إن فرنسا لن تستسلم وإنها ستواصل العمل مع شركائها في مجلس الأمن",
        "The minister said that France would not give up and that it would continue to work with "
        "its partners in the Security Council.",
    ),
    (
        "ارتفعت أسعار النفط بنسبة 3.5 في المئة يوم الخميس",
        "Oil prices rose by 3.5 percent on Thursday.",
    ),
    (
        "أعلن البنك المركزي رفع سعر الفائدة إلى 10.5% في 2016",
        "The central bank announced that it had raised the interest rate to 10.5% in 2016, the "
        "first rise in the rate since the crisis, and that further rises in the rate were likely.",
    ),
    (
        "قال الرئيس إن الحكومة ستبني مدارس جديدة في المدن والقرى",
        "The president said the government would build new schools in cities and villages, very, "
        "very soon.",
    ),
    (
        "التقى وزير الخارجية نظيره الروسي في موسكو وبحثا الأزمة السورية",
        "The foreign minister met his Russian counterpart in Moscow, and the two discussed the "
        "Syrian crisis, the crisis in Yemen and the crisis in Libya.",
    ),
    (
        "ذكرت وكالة أ.ف.ب أن الاشتباكات استمرت حتى الساعة 10:30 صباحا",
        "AFP reported that the clashes continued until 10:30 in the morning, from 1,000,000 "
        "rounds...",
    ),
]


@pytest.mark.parametrize(("source", "target"), NEWS_PAIRS)
def test_normal_news_english_gets_no_flag(source: str, target: str) -> None:
    source_tokens = len(source.split()) + 2
    target_tokens = len(target.split()) + 4
    report = check_translation(
        source, target, source_tokens=source_tokens, target_tokens=target_tokens
    )
    assert report.flags == ()
    assert not report.degenerate


@pytest.mark.parametrize(
    ("flags", "degenerate"),
    [
        ((), False),
        (("numbers",), False),
        (("empty",), True),
        (("repetition",), True),
        (("too-long",), True),
        (("numbers", "too-short"), True),
    ],
)
def test_degenerate(flags: tuple[str, ...], degenerate: bool) -> None:
    assert GuardReport(flags=flags).degenerate is degenerate


def test_long_normal_text_has_no_low_diversity_flag() -> None:
    # Over many sentences function words repeat a lot; the sliding window must not fire.
    target = " ".join(pair[1] for pair in NEWS_PAIRS)
    source = " ".join(pair[0] for pair in NEWS_PAIRS)
    report = check_translation(source, target, source_tokens=200, target_tokens=260)
    assert report.flags == ()
