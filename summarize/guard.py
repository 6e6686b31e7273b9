"""Checks of one generated summary against its input, without a model (pure, table-tested).

Problems (:func:`check_summary`):

* ``empty`` - the summary has no letter or digit.
* ``longer-than-input`` - it has more model tokens than its input (special tokens aside), more
  words, or more sentences.
* ``repetitive`` - a generation loop as the translation guard sees it (a word or n-gram run,
  too few distinct words in a window: ``translate.guard.has_word_loop`` /
  ``has_low_diversity``), any 3-word n-gram ``REPEAT_TRIGRAM_TOTAL`` times anywhere, or a
  sentence said twice.
* ``garbled`` - U+FFFD replacement characters its input does not have (a byte-level decoder
  produced invalid UTF-8; seen on the CTranslate2 backend).
* ``not-english`` - the input reads as English but the summary does not (mostly non-Latin
  letters, or almost none of the common English words: ``summarize.english.check_english``).

Any problem makes the summarizer decode again once with the model's ``strict_generation``
settings; if the retry still has one, an extractive selection replaces it, flagged.
"""

from __future__ import annotations

import re
from collections import Counter

from translate.errors import InputError
from translate.guard import has_low_diversity, has_word_loop

from .english import check_english, split_sentences

__all__ = ["check_summary"]

REPEAT_TRIGRAM_TOTAL = 3
_WORD = re.compile(r"\w+")


def _is_repetitive(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    if has_word_loop(words) or has_low_diversity(words):
        return True
    trigrams = Counter(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    if trigrams and max(trigrams.values()) >= REPEAT_TRIGRAM_TOTAL:
        return True
    sentences = [" ".join(_WORD.findall(s.lower())) for s in split_sentences(text)]
    sentences = [s for s in sentences if len(s.split()) >= 3]
    return len(sentences) != len(set(sentences))


def _reads_as_english(text: str) -> bool:
    try:
        check_english(text)
    except InputError:
        return False
    return True


def check_summary(
    summary: str,
    source: str,
    *,
    summary_tokens: int | None = None,
    source_tokens: int | None = None,
) -> tuple[str, ...]:
    """The problems of ``summary`` as a summary of ``source`` (empty tuple: it is usable).

    ``summary_tokens`` and ``source_tokens`` are model token counts without special tokens.
    """
    if not any(ch.isalnum() for ch in summary):
        return ("empty",)
    problems: list[str] = []
    too_many_tokens = (
        summary_tokens is not None and source_tokens is not None and summary_tokens > source_tokens
    )
    too_many_words = len(_WORD.findall(summary)) > len(_WORD.findall(source))
    too_many_sentences = len(split_sentences(summary)) > len(split_sentences(source))
    if too_many_tokens or too_many_words or too_many_sentences:
        problems.append("longer-than-input")
    if _is_repetitive(summary):
        problems.append("repetitive")
    if summary.count("\ufffd") > source.count("\ufffd"):
        problems.append("garbled")
    elif _reads_as_english(source) and not _reads_as_english(summary):
        problems.append("not-english")
    return tuple(problems)
