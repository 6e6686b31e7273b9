"""English helpers of summarize: the sentence splitter and the "is this English?" check."""

from __future__ import annotations

import pytest

from summarize.english import check_english, split_sentences
from tests.summarize_fixtures import EN_NEWS


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
        # Inline bullets start a sentence (and stay in its text).
        (
            "Key points • The bank raised rates. • Inflation fell to 2%.",
            ["Key points", "• The bank raised rates.", "• Inflation fell to 2%."],
        ),
        (
            "The talks covered: •How fast sanctions end •Who inspects the sites",
            ["The talks covered:", "•How fast sanctions end", "•Who inspects the sites"],
        ),
        ("A•B ratings rose. Then fell.", ["A•B ratings rose.", "Then fell."]),  # not a bullet
        # A quote opening with '"...' gives no junk '"...' sentence.
        (
            '"... Receiving the love from the crowd, it meant a lot to me." He smiled.',
            ['"... Receiving the love from the crowd, it meant a lot to me."', "He smiled."],
        ),
        (
            'He paused. "... And then nothing," she said.',
            ["He paused.", '"... And then nothing," she said.'],
        ),
        # A quote and its attribution are one sentence.
        (
            '"Why would we do that \u2026 ?" Smith said. Then he left.',
            ['"Why would we do that \u2026 ?" Smith said.', "Then he left."],
        ),
        (
            'Who am I?" McCrary said. The crowd laughed.',
            ['Who am I?" McCrary said.', "The crowd laughed."],
        ),
        (
            '"Is it over?" Jane Smith asked reporters. No one knew.',
            ['"Is it over?" Jane Smith asked reporters.', "No one knew."],
        ),
        # ... but a new sentence that merely mentions someone saying something is not one.
        (
            '"Why not?" The president said he would decide by May.',
            ['"Why not?"', "The president said he would decide by May."],
        ),
        # List numbers, military and political titles, a stray closing quote.
        (
            "1. The road has been long. 2. No deal yet.",
            ["1. The road has been long.", "2. No deal yet."],
        ),
        (
            "Brig. Gen. Asiri spoke. Sens. Paul and Booker agree. Spc. Edmonds was held.",
            ["Brig. Gen. Asiri spoke.", "Sens. Paul and Booker agree.", "Spc. Edmonds was held."],
        ),
        ("It is why I do it.' \"", ["It is why I do it.' \""]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_a_long_single_line_splits_in_one_pass():
    # One line of 1,000,000 characters: each full stop is judged on a bounded window, so the
    # split is linear (the old splitter copied and searched the whole prefix at every stop).
    unit = (
        'Dr. Lee met the U.S. envoy on Jan. 4. "Why now?" Lee said. Talks went on... • Rates up. '
    )
    text = unit * (1_000_000 // len(unit))
    sentences = split_sentences(text)
    one = split_sentences(unit)
    assert one == [
        "Dr. Lee met the U.S. envoy on Jan. 4.",
        '"Why now?" Lee said.',
        "Talks went on...",
        "• Rates up.",
    ]
    assert sentences == one * (1_000_000 // len(unit))


def test_a_long_run_without_words_is_read_once_and_loses_nothing():
    # 50,000 runs before the first word: each is checked against the characters not yet
    # looked at, not against the whole sentence so far.
    text = "... " * 50_000 + "End. Next one."
    assert split_sentences(text) == [text[: -len(" Next one.")], "Next one."]
