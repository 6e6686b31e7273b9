"""Table tests for translate.text: normalisation, segmentation, windows, placeholders, numbers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from translate.sentences import SentenceSpan, sentence_spans, split_sentences
from translate.text import (
    extract_numbers,
    has_arabic,
    looks_persian_or_urdu,
    normalize,
    protect_untouchables,
    restore_untouchables,
)
from translate.windows import window_spans

SEED = Path(__file__).resolve().parents[1] / "seeds" / "aleppo-security-council.ar.txt"


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("السَّلامُ عَلَيْكُمْ", "السلام عليكم"),  # harakat
        ("الحمـــــد", "الحمد"),  # tatweel
        ("هٰذا", "هذا"),  # superscript alef
        ("\ufefb", "\u0644\u0627"),  # lam-alef ligature folded
        ("\ufe8d\ufedf\ufee4\ufe92", "\u0627\u0644\u0645\u0628"),  # presentation letters
        ("\ufe70\u0628", "\u0628"),  # isolated fathatan form leaves nothing behind
        ("٢٠١٦ و ۱۲۳", "2016 و 123"),  # Arabic-Indic and Persian digits
        ("٣٫٥ و ١٬٠٠٠", "3.5 و 1,000"),  # Arabic decimal and thousands separators
        ("a\u00a0b\u2003c\u202fd\u200be\u3000f", "a b c d e f"),  # odd spaces
        ("a  \t  b", "a b"),  # tabs and runs of spaces
        ("\u200fمرحبا\u200e \u202bx\u202c\u2067y\u2069\u061c", "مرحبا xy"),  # bidi marks
        ("\ufeffنص", "نص"),  # BOM
        ("a\x00b\x07c\x1bd", "abcd"),  # control characters
        ("  سطر١  \n\n   سطر٢ \r\n", "سطر1\n\nسطر2\n"),  # newlines kept, lines stripped
        ("على مدرسة فى", "على مدرسة فى"),  # ى/ي and ة/ه kept as written
        ("ماذا؟ نعم، لا؛ ربما", "ماذا؟ نعم، لا؛ ربما"),  # Arabic punctuation kept
        ("ﬁ x²", "ﬁ x²"),  # no NFKC outside the Arabic presentation blocks
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_idempotent_on_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    once = normalize(text)
    assert normalize(once) == once
    assert once.count("\n") == text.count("\n")


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ذهب الولد. عاد الولد.", ["ذهب الولد.", "عاد الولد."]),
        ("هل أتى؟ نعم أتى!", ["هل أتى؟", "نعم أتى!"]),
        ("ماذا؟! لا أصدق!! حقا", ["ماذا؟!", "لا أصدق!!", "حقا"]),
        ("انتظر… ثم ذهب", ["انتظر…", "ثم ذهب"]),
        ("انتظر... ثم ذهب", ["انتظر...", "ثم ذهب"]),
        ("قال كذا؛ وقال آخر كذا", ["قال كذا؛", "وقال آخر كذا"]),
        ("Is it? Yes it is.", ["Is it?", "Yes it is."]),
        # decimals, percentages, dates
        ("ارتفع بنسبة 3.5 في المئة. ثم هبط", ["ارتفع بنسبة 3.5 في المئة.", "ثم هبط"]),
        ("ارتفع ٣٫٥ و10.5% أمس. ثم", ["ارتفع ٣٫٥ و10.5% أمس.", "ثم"]),
        ("في ٣.٥ أيام", ["في ٣.٥ أيام"]),
        ("في 2016/10/7 وقع الهجوم. ثم", ["في 2016/10/7 وقع الهجوم.", "ثم"]),
        ("في 7.10.2016 وقع", ["في 7.10.2016 وقع"]),
        ("ولد عام 2016م. ثم", ["ولد عام 2016م.", "ثم"]),
        ("ولد عام 2016 م. ثم", ["ولد عام 2016 م.", "ثم"]),
        ("توفي عام 1420 هـ. ثم", ["توفي عام 1420 هـ.", "ثم"]),
        # Arabic abbreviations
        ("قال د. محمد إن الوضع سيئ.", ["قال د. محمد إن الوضع سيئ."]),
        ("ذكرت أ.ف.ب أن القتال اشتد.", ["ذكرت أ.ف.ب أن القتال اشتد."]),
        ("ذكرت أ.ف.ب. أن القتال اشتد.", ["ذكرت أ.ف.ب. أن القتال اشتد."]),
        ("في القرن الثالث ق.م عاش", ["في القرن الثالث ق.م عاش"]),
        ("ص.ب 1234 عمان", ["ص.ب 1234 عمان"]),
        ("وقعت ج.م.ع. الاتفاق", ["وقعت ج.م.ع. الاتفاق"]),
        ("كتب أ. أحمد مقالا", ["كتب أ. أحمد مقالا"]),
        ("في م. 5 من القانون", ["في م. 5 من القانون"]),
        # Latin abbreviations
        ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
        ("He went to the U.S. today", ["He went to the U.S. today"]),
        ("Fruit, e.g. apples, etc. are sold", ["Fruit, e.g. apples, etc. are sold"]),
        ("We sell apples etc. Then we rest.", ["We sell apples etc.", "Then we rest."]),
        ("Resolution No. 2254 passed.", ["Resolution No. 2254 passed."]),
        ("زار J. K. Rowling المدينة", ["زار J. K. Rowling المدينة"]),
        # URLs and e-mails
        ("زوروا www.example.com للمزيد.", ["زوروا www.example.com للمزيد."]),
        (
            "راسلوا a.b@c.org أو http://x.org/a.b?c=d. ثم",
            ["راسلوا a.b@c.org أو http://x.org/a.b?c=d.", "ثم"],
        ),
        # quotes and brackets
        ("قال: “سنقاتل”. ثم غادر", ["قال: “سنقاتل”.", "ثم غادر"]),
        ("قال: “سنقاتل.” وأضاف أنه", ["قال: “سنقاتل.”", "وأضاف أنه"]),
        ("قال: “سنقاتل!”، وأضاف أنه", ["قال: “سنقاتل!”، وأضاف أنه"]),
        ("سأل «هل أتى؟» ثم سكت", ["سأل «هل أتى؟»", "ثم سكت"]),
        ("سأل: “هل أتى؟”. ثم سكت", ["سأل: “هل أتى؟”.", "ثم سكت"]),
        ("(هذا صحيح.) وذاك", ["(هذا صحيح.)", "وذاك"]),
        # missing space after the terminator
        ("انتهت الجلسة.وقال الرئيس", ["انتهت الجلسة.", "وقال الرئيس"]),
        ("هل انتهت؟وقال الرئيس", ["هل انتهت؟", "وقال الرئيس"]),
        ("قال د.محمد", ["قال د.محمد"]),
        # lists, lowercase continuation, leading punctuation
        ("1. البند الأول. 2. البند الثاني", ["1. البند الأول.", "2. البند الثاني"]),
        ("wait... what happened", ["wait... what happened"]),
        ("... ثم ذهب. وعاد", ["... ثم ذهب.", "وعاد"]),
        # whitespace
        ("   ", []),
        ("", []),
        ("\n\n  \n", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_sentence_spans_paragraphs_count_non_empty_lines() -> None:
    text = "  الأول. الثاني\n\n \nالثالث؟\n"
    assert sentence_spans(text) == [
        SentenceSpan(2, 8, 0),
        SentenceSpan(9, 15, 0),
        SentenceSpan(19, 26, 1),
    ]
    assert [text[s.start : s.end] for s in sentence_spans(text)] == ["الأول.", "الثاني", "الثالث؟"]


def test_seed_article_segmentation() -> None:
    text = SEED.read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip()]
    spans = sentence_spans(text)
    per_paragraph = [sum(1 for s in spans if s.paragraph == i) for i in range(len(lines))]
    assert all(1 <= n <= 3 for n in per_paragraph), per_paragraph
    assert len(spans) == 25
    assert spans[-1].paragraph == len(lines) - 1
    # Known two-sentence lines of the article.
    assert per_paragraph[2] == 2 and per_paragraph[16] == 2 and per_paragraph[17] == 2


# Building blocks of random texts, "|"-separated; whitespace pieces included on purpose.
_PIECES = (
    "ذهب|الولد|إلى|المدرسة|.|؟|!|…|...|؛|،|,|“|”|«|»|(|)|3.5|٣٫٥|2016/10/7|2016م|د.|أ.ف.ب|ق.م|"
    "Dr.|U.S.|e.g.|etc.|No.|www.example.com|a.b@c.org|?!|1.| | |  |\n|\n\n|\t|\u00a0|Apple|"
    "said|x.|.”|؟»|م.|هـ.|10.5%|\u200f"
).split("|")


def _random_texts() -> list[str]:
    rng = random.Random(20161007)
    texts = [SEED.read_text(encoding="utf-8")]
    for _ in range(400):
        parts = rng.choices(_PIECES, k=rng.randint(0, 40))
        texts.append("".join(p + rng.choice(["", " ", " ", "\n"]) for p in parts))
    return texts


def _no_whitespace(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("text", _random_texts())
def test_segmentation_invariants(text: str) -> None:
    spans = sentence_spans(text)
    assert _no_whitespace("".join(split_sentences(text))) == _no_whitespace(text)
    previous_end = 0
    previous_paragraph = 0
    for span in spans:
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip()
        assert span.start >= previous_end
        assert span.paragraph in (previous_paragraph, previous_paragraph + 1) or span is spans[0]
        previous_end, previous_paragraph = span.end, span.paragraph
    if spans:
        assert spans[0].paragraph == 0


# --------------------------------------------------------------------------- windows


def _count_words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def _count_chars(texts: list[str]) -> list[int]:
    return [len(t) for t in texts]


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    ("text", "max_tokens", "counter", "expected"),
    [
        ("جملة قصيرة", 5, _count_words, ["جملة قصيرة"]),
        ("أ ب، ج د، هـ و", 4, _count_words, ["أ ب، ج د،", "هـ و"]),
        ("أ ب، ج د، هـ و", 2, _count_words, ["أ ب،", "ج د،", "هـ و"]),
        ("أ ب ج د هـ و ز", 3, _count_words, ["أ ب ج", "د هـ و", "ز"]),
        (
            "one, two three four five; six",
            3,
            _count_words,
            ["one,", "two three four", "five;", "six"],
        ),
        ("بلغ 1,000 شخص: قتلى", 3, _count_words, ["بلغ 1,000 شخص:", "قتلى"]),
        ("abcdefghij", 4, _count_chars, ["abcd", "efgh", "ij"]),
        ("ab cdefgh", 3, _count_chars, ["ab", "cde", "fgh"]),
        ("   ", 3, _count_words, []),
    ],
)
def test_window_spans(text: str, max_tokens: int, counter, expected: list[str]) -> None:
    assert _pieces(text, window_spans(text, max_tokens, counter)) == expected


def test_window_spans_reverifies_underestimated_sums() -> None:
    # A tokenizer that adds a token for every space: per-word sums underestimate joined pieces.
    def count(texts: list[str]) -> list[int]:
        return [len(t.split()) + t.count(" ") for t in texts]

    text = "a b c d e f g h"
    spans = window_spans(text, 3, count)
    pieces = _pieces(text, spans)
    assert all(count([p])[0] <= 3 for p in pieces)
    assert _no_whitespace("".join(pieces)) == _no_whitespace(text)


def test_window_spans_batches_calls_and_is_deterministic() -> None:
    text = SEED.read_text(encoding="utf-8").replace("\n", " ")
    calls: list[int] = []

    def count(texts: list[str]) -> list[int]:
        calls.append(len(texts))
        return _count_words(texts)

    spans = window_spans(text, 20, count)
    pieces = _pieces(text, spans)
    assert all(len(p.split()) <= 20 for p in pieces)
    assert all(p == p.strip() and p for p in pieces)
    assert _no_whitespace("".join(pieces)) == _no_whitespace(text)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert len(calls) < 40  # batched: not one call per word
    assert window_spans(text, 20, _count_words) == spans


def test_window_spans_rejects_zero_budget() -> None:
    with pytest.raises(ValueError):
        window_spans("نص", 0, _count_words)


# --------------------------------------------------------------------------- untouchables


@pytest.mark.parametrize(
    ("text", "protected", "originals"),
    [
        ("أعلنت Apple Inc عن هاتف", "أعلنت __U0__ عن هاتف", ["Apple Inc"]),
        ("فيروس COVID-19 و S-400", "فيروس __U0__ و __U1__", ["COVID-19", "S-400"]),
        ("قتل 270 شخصا في 2016", "قتل 270 شخصا في 2016", []),
        ("زوروا https://example.com/a?b=1.", "زوروا __U0__.", ["https://example.com/a?b=1"]),
        ("زوروا www.example.org، ثم", "زوروا __U0__، ثم", ["www.example.org"]),
        ("راسلوا a.b@c.org فورا", "راسلوا __U0__ فورا", ["a.b@c.org"]),
        ("وكالة AT&T و McDonald's", "وكالة __U0__ و __U1__", ["AT&T", "McDonald's"]),
        ("طائرة Boeing 737 جديدة", "طائرة __U0__ 737 جديدة", ["Boeing"]),
        ("قالت (Reuters).", "قالت (__U0__).", ["Reuters"]),
        ("في U.S. اليوم", "في __U0__. اليوم", ["U.S"]),
        (
            "see https://en.wikipedia.org/wiki/Aleppo_(city) now",
            "__U0__ __U1__ __U2__",
            ["see", "https://en.wikipedia.org/wiki/Aleppo_(city)", "now"],
        ),
        ("وBBC", "و__U0__", ["BBC"]),
    ],
)
def test_protect_untouchables(text: str, protected: str, originals: list[str]) -> None:
    assert protect_untouchables(text) == (protected, originals)


@pytest.mark.parametrize(
    ("target", "originals", "expected"),
    [
        ("__U0__ announced a phone", ["Apple Inc"], ("Apple Inc announced a phone", True)),
        ("_ _ U 0 _ _ and __ U1 __", ["A", "B"], ("A and B", True)),
        ("__u0__ and __U1_", ["A", "B"], ("A and B", True)),
        ("_U0__ wins", ["BBC"], ("BBC wins", True)),
        ("the __U1__ said", ["A", "B"], ("the B said A", False)),
        ("nothing here", ["A", "B"], ("nothing here A B", False)),
        ("", ["A"], ("A", False)),
        ("visit __U7__ now", ["A"], ("visit now A", False)),
        ("__U0__ and __U0__ again", ["A"], ("A and again", True)),
        ("__U10__ ok", [str(i) for i in range(11)], ("10 ok 0 1 2 3 4 5 6 7 8 9", False)),
        ("no placeholders", [], ("no placeholders", True)),
    ],
)
def test_restore_untouchables(
    target: str, originals: list[str], expected: tuple[str, bool]
) -> None:
    assert restore_untouchables(target, originals) == expected


def test_protect_restore_round_trip() -> None:
    text = "أعلنت Apple Inc و BBC عبر www.bbc.com عن S-400."
    protected, originals = protect_untouchables(text)
    assert restore_untouchables(protected, originals) == (text, True)


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا", True),
        ("Hello 123", False),
        ("١٢٣ ، ؟", False),  # Arabic digits and punctuation are not letters
        ("\u0640\u064b", False),  # tatweel and a haraka alone
        ("\ufefb", True),  # presentation-form lam-alef
        ("ݐ", True),  # Arabic Supplement
        ("ࢠ", True),  # Arabic Extended-A
        ("", False),
    ],
)
def test_has_arabic(text: str, expected: bool) -> None:
    assert has_arabic(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("من به مدرسه می‌روم و کتاب می‌خوانم", True),  # Persian
        ("یہ ایک کتاب ہے", True),  # Urdu
        ("ذهب الولد إلى المدرسة", False),
        ("گ", False),  # a single letter is not enough
        ("ذهب " * 200 + "پ چ", False),  # two stray letters in a long Arabic text: under 1%
        ("", False),
    ],
)
def test_looks_persian_or_urdu(text: str, expected: bool) -> None:
    assert looks_persian_or_urdu(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قتل ٢٧٠ شخصا و 53 طفلا في 2016", ["270", "53", "2016"]),
        ("بنسبة 3.5 في المئة", ["3.5"]),
        ("نحو 15 ألف مقاتل", ["15"]),
        ("٣٫٥ و ١٥٬٠٠٠", ["3.5", "15000"]),
        ("1,000 and 2,500,000", ["1000", "2500000"]),
        ("1,2 و 3", ["1", "2", "3"]),
        ("في 2016/10/7", ["2016", "10", "7"]),
        ("في 7.10.2016", ["7", "10", "2016"]),
        ("۱۲۳ و S-400", ["123", "400"]),
        ("بلا أرقام", []),
        ("10.5%", ["10.5"]),
    ],
)
def test_extract_numbers(text: str, expected: list[str]) -> None:
    assert extract_numbers(text) == expected


def _count_irregular(texts: list[str]) -> list[int]:
    # One token per 3 characters plus one per space: sums of parts underestimate joined pieces.
    return [len(t) // 3 + 1 + t.count(" ") for t in texts]


@pytest.mark.parametrize(
    ("text", "budget"), [(t, 1 + i % 9) for i, t in enumerate(_random_texts())]
)
def test_window_spans_invariants(text: str, budget: int) -> None:
    sentence = " ".join(text.split())
    spans = window_spans(sentence, budget, _count_irregular)
    pieces = _pieces(sentence, spans)
    assert _no_whitespace("".join(pieces)) == _no_whitespace(sentence)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(p and p == p.strip() for p in pieces)
    if len(spans) > 1 or _count_irregular([sentence])[0] > budget:
        # Only single characters may stay over budget (nothing smaller exists).
        assert all(_count_irregular([p])[0] <= budget or len(p) == 1 for p in pieces)
