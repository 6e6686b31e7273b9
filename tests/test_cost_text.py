"""Cost of the plain-text path: hostile text grows 4x, the work at most ~5x (issue 19).

Pure tests count tokens with the real OPUS-MT Arabic SentencePiece model, through the same
normalise-and-protect step the translator applies, so a cut word is measured as the model sees
it. The translator tests (tiny model) are slow-tier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cost import assert_linear
from translate import text as T
from translate.sentences import sentence_spans
from translate.windows import window_spans

SPM = Path(__file__).resolve().parents[2] / "shared/tokenizers/opus-mt-ar/source.spm"
WINDOW = 64


@pytest.fixture(scope="module")
def count_tokens():
    if not SPM.exists():
        pytest.skip("the OPUS-MT Arabic SentencePiece model is not here")
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(SPM))

    # One thread: a batch encode otherwise starts a thread pool whose spinning counts as this
    # process's CPU time and varies with the machine's core count, not with the input.
    def count(texts: list[str]) -> list[int]:
        model_texts = [T.protect_untouchables(T.normalize(t))[0] for t in texts]
        return [
            len(ids) + 1 for ids in processor.encode(model_texts, num_threads=1)
        ]  # + end of sentence

    return count


LONG_WORDS = {
    "one Arabic word": lambda n: "ق" * n,
    "a@ run": lambda n: "ق " + "a@" * (n // 2),
    "a@ words": lambda n: "ق " + "a@ " * (n // 3),
    "Latin and Arabic words": lambda n: "ab ق " * (n // 5),
    "dotted Arabic word": lambda n: "ب." * (n // 2),
    "digits": lambda n: "7" * n,
    "URL with a bracket tail": lambda n: "http://a" + ")" * n,
}


@pytest.mark.parametrize("make", LONG_WORDS.values(), ids=LONG_WORDS.keys())
def test_window_cut_is_linear_and_keeps_every_character(make, count_tokens) -> None:
    growth = assert_linear(make, lambda text: window_spans(text, WINDOW, count_tokens), 1000)
    text = make(growth.size)
    spans = window_spans(text, WINDOW, count_tokens)
    pieces = [text[s:e] for s, e in spans]
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")  # nothing dropped
    counts = count_tokens(pieces)
    # Every piece fits, except a single character that alone is over the window.
    assert all(n <= WINDOW or len(p) == 1 for p, n in zip(pieces, counts, strict=True))


def test_window_cut_takes_long_pieces(count_tokens) -> None:
    # Bisection must still find the longest fitting prefix, not merely one that fits.
    text = "ق" * 5000
    spans = window_spans(text, WINDOW, count_tokens)
    lengths = [e - s for s, e in spans[:-1]]
    for (s, e), length in zip(spans[:-1], lengths, strict=True):
        assert count_tokens([text[s : e + 1]])[0] > WINDOW, length


def _text_path(text: str) -> None:
    """What the translator does to a request's text before the model: all of it."""
    normal = T.normalize(text)
    sentence_spans(normal)
    protected, originals = T.protect_untouchables(normal)
    T.restore_untouchables(protected, [""] * len(originals))
    T.looks_persian_or_urdu(normal)
    T.extract_numbers(normal)


HOSTILE_TEXT = {
    "dot runs": lambda n: ". " * (n // 2),
    "dotted Arabic": lambda n: "ب." * (n // 2),
    "many URLs": lambda n: "www.a. " * (n // 7),
    "URL bracket tail": lambda n: "http://a" + ")" * n,
    "a@ run": lambda n: "a@" * (n // 2),
    "many e-mails": lambda n: "a@b.co " * (n // 7),
    "one address run": lambda n: "a." * (n // 4) + "@" + "b." * (n // 4) + "1",
    "Latin words": lambda n: "ab " * (n // 3),
    "one Latin word": lambda n: "a" * n,
    "clause marks": lambda n: "،" * n,
    "placeholder look-alikes": lambda n: "__U1__ " * (n // 7),
    "placeholder digits": lambda n: "_U" + "1 " * (n // 2),
    "line breaks": lambda n: "\n" * n,
    "mixed scripts": lambda n: "ب.a" * (n // 3),
    "quotes": lambda n: "“" * n,
    "numbers": lambda n: "1,000" * (n // 5),
}


@pytest.mark.parametrize("make", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_text_preparation_is_linear(make) -> None:
    assert_linear(make, _text_path, 4000)


def test_translator_cuts_one_long_word_in_linear_time(translator) -> None:
    # Issue 19 point 1: 4,000 characters took 29 s (every prefix tokenised); 20,000 stalled.
    assert_linear(lambda n: "ق" * n, translator.translate, 2000, repeats=2, max_size=8000)
    text = "ق " + "a@" * 9990
    result = translator.translate(text)
    assert "".join(s.source for s in result.segments).replace(" ", "") == text.replace(" ", "")
    assert all(s.end - s.start <= len(text) for s in result.segments)
