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

Glossary terms (:func:`check_summary_terms`, on an abstractive summary of a translation that
applied a glossary; warnings only):

* ``term-changed`` - a term of the translation is not in the summary as written (case kept)
  but a variant is: the same words in another case, or some of its content words
  ("the Security Council" for "the UN Security Council", "de Mistura" for "Staffan de Mistura").
* ``term-dropped`` - a key term (in the translation's first segment, or in it twice or more)
  is not in the summary at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from translate.errors import InputError
from translate.guard import has_low_diversity, has_word_loop

from .english import check_english, split_sentences

__all__ = ["check_summary", "check_summary_terms", "translation_terms"]

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


_FUNCTION_WORDS = frozenset("the of and for in on at a an to group".split())


def translation_terms(segments: Sequence[Any]) -> list[tuple[str, int]]:
    """``(term, segment index)`` for each glossary term present in a translation's segments.

    A term is what the glossary put in the English (the Arabic as written for keep-as-written
    entries is left out: an English summary is not expected to hold Arabic script).
    """
    found: list[tuple[str, int]] = []
    for number, segment in enumerate(segments):
        for term in getattr(segment, "terms", ()) or ():
            english = term.get("english") or ""
            if english and english in segment.target:
                found.append((english, number))
    return found


def _has_words(text: str, words: Iterable[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE) for w in words)


def check_summary_terms(summary: str, terms: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """``term-changed`` / ``term-dropped`` for a summary of a translation holding ``terms``
    (from :func:`translation_terms`); see the module docstring."""
    flags: list[str] = []
    counts = Counter(term for term, _ in terms)
    key = {term for term, segment in terms if segment == 0 or counts[term] > 1}
    for term in counts:
        if term in summary:
            continue
        content = [w for w in _WORD.findall(term) if w.lower() not in _FUNCTION_WORDS]
        if _has_words(summary, [term]) or _has_words(summary, content):
            flags.append("term-changed")
        elif term in key:
            flags.append("term-dropped")
    return tuple(dict.fromkeys(flags))
