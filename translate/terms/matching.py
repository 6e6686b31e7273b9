"""Finding glossary terms in normalised Arabic text, the way Arabic attaches words to them.

Text and terms are compared word by word after a one-to-one letter fold (أ إ آ ٱ → ا, ى → ي,
ة → ه) that keeps offsets. A term matches:

* at word boundaries only: سوريا never matches inside السوريالية;
* with proclitics on its first word: a conjunction (و ف), then a preposition (ب ك ل), then the
  article ال, each optional; ل + ال is written لل (للرئيس = ل + الرئيس). The article may belong
  to the term (الرئيس) or be a clitic (رئيس in الرئيس);
* with a suffix on its last word when the entry inflects (see ``GlossaryEntry.inflect``): ـه
  ـها ـهم ـهما ـهن, the dual and plural endings ان ين ون ات; a ة turns into ت before a suffix
  (منظمته) and gives way to ات (منظمات);
* words of a multi-word term separated by spaces only (not by punctuation).

Overlaps are resolved once: all candidates are collected, then taken longest first (words, then
characters), earliest first among equals. Cost: the entries are indexed by their first word, so
each text word costs a fixed number of dictionary look-ups (one per proclitic/suffix split),
whatever the glossary's size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .glossary import GlossaryEntry

__all__ = ["TermMatch", "TermMatcher", "fold"]

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_WORD = re.compile(r"[^\W_]+")
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ك", "ل")
_ARTICLE = "ال"
# Longest first so that ـهما is tried before ـه.
_SUFFIXES = ("هما", "هم", "هن", "ها", "ه", "ان", "ين", "ون", "ات")
_MIN_STEM = 2


def fold(text: str) -> str:
    """The one-to-one letter fold used for matching (same length as ``text``)."""
    return text.translate(_FOLD)


def _proclitic_splits() -> list[tuple[str, str, bool]]:
    """(written prefix, kept clitics, article folded in) for every proclitic combination."""
    splits: list[tuple[str, str, bool]] = []
    for conj in _CONJUNCTIONS:
        for prep in _PREPOSITIONS:
            for article in ("", _ARTICLE):
                if prep == "ل" and article:
                    splits.append((conj + "لل", conj + prep, True))
                else:
                    splits.append((conj + prep + article, conj + prep, bool(article)))
    return sorted(set(splits), key=lambda s: -len(s[0]))


_SPLITS = _proclitic_splits()


@dataclass(frozen=True)
class TermMatch:
    """One glossary term found in a text (offsets into the normalised text).

    ``start``-``end`` covers the whole written words (proclitics and suffix included);
    ``term_start`` is where the term itself begins, after the proclitics ``prefix``;
    ``clitics`` are the proclitics other than the article (و ف ب ك ل), which stay for the model.
    """

    start: int
    term_start: int
    end: int
    entry: GlossaryEntry
    prefix: str = ""
    suffix: str = ""

    @property
    def clitics(self) -> str:
        for written, kept, _ in _SPLITS:
            if written == self.prefix:
                return kept
        return ""


def _stems(word: str) -> list[tuple[str, str]]:
    """(prefix, stem) readings of a folded word: the stem is what a term's first word must be."""
    out: list[tuple[str, str]] = []
    for written, _, article in _SPLITS:
        if not word.startswith(written) or len(word) - len(written) < _MIN_STEM:
            continue
        rest = word[len(written) :]
        out.append((written, rest))
        if article and written.endswith("لل"):
            out.append((written, _ARTICLE + rest))  # للرئيس: ل + الرئيس
    return out


def _bases(stem: str, written: str) -> list[tuple[str, str]]:
    """(suffix, base) readings of a stem with a suffix: the base is an inflecting term's word.

    ``written`` is the stem before folding: a final ة is never the pronoun ـه (وزيرة).
    """
    out: list[tuple[str, str]] = []
    for suffix in _SUFFIXES:
        if not stem.endswith(suffix) or len(stem) - len(suffix) < _MIN_STEM:
            continue
        if written[-len(suffix)] == "ة":
            continue
        base = stem[: -len(suffix)]
        out.append((suffix, base))
        if base.endswith("ت"):
            out.append((suffix, base[:-1] + "ه"))  # منظمته: ة → ت before a suffix
        if suffix == "ات":
            out.append((suffix, base + "ه"))  # منظمات: ة gives way to ات
    return out


class TermMatcher:
    """An index of glossary entries by their folded first word (see the module docstring)."""

    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        self._index: dict[str, list[tuple[tuple[str, ...], GlossaryEntry]]] = {}
        for entry in entries:
            words = tuple(fold(entry.arabic).split())
            self._index.setdefault(words[0], []).append((words, entry))
        for candidates in self._index.values():
            candidates.sort(key=lambda c: -len(c[0]))

    def find(self, text: str) -> list[TermMatch]:
        """Non-overlapping matches in ``text`` (normalised Arabic), in text order."""
        folded = fold(text)
        words = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
        candidates: list[tuple[int, int, int, TermMatch]] = []
        for i, (start, end) in enumerate(words):
            word = folded[start:end]
            for prefix, stem in _stems(word):
                for match, count in self._at(text, folded, words, i, prefix, stem):
                    candidates.append((-count, -(match.end - match.start), match.start, match))
        candidates.sort(key=lambda c: c[:3])
        taken: list[bool] = [False] * len(text)
        chosen: list[TermMatch] = []
        for _, _, _, match in candidates:
            # Each span is at most MAX_TERM_WORDS words long: this check is bounded.
            if taken[match.start] or taken[match.end - 1]:
                continue
            if any(taken[match.start : match.end]):
                continue
            taken[match.start : match.end] = [True] * (match.end - match.start)
            chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)

    def _at(
        self, text: str, folded: str, words: list[tuple[int, int]], i: int, prefix: str, stem: str
    ) -> list[tuple[TermMatch, int]]:
        """Entries matching from word ``i`` read as ``prefix`` + ``stem``."""
        found: list[tuple[TermMatch, int]] = []
        start = words[i][0]
        term_start = start + len(prefix)
        for terms, entry in self._index.get(stem, ()):
            last = i + len(terms) - 1
            if last >= len(words) or not self._inner_match(folded, words, i, terms):
                continue
            if len(terms) == 1:
                found.append((TermMatch(start, term_start, words[i][1], entry, prefix), 1))
                continue
            tail = folded[words[last][0] : words[last][1]]
            if tail == terms[-1]:
                match = TermMatch(start, term_start, words[last][1], entry, prefix)
                found.append((match, len(terms)))
            elif entry.inflect:
                for suffix, base in _bases(tail, text[words[last][0] : words[last][1]]):
                    if base == terms[-1]:
                        match = TermMatch(start, term_start, words[last][1], entry, prefix, suffix)
                        found.append((match, len(terms)))
                        break
        written = text[words[i][1] - len(stem) : words[i][1]] if len(stem) else ""
        for suffix, base in _bases(stem, written):
            for terms, entry in self._index.get(base, ()):
                if len(terms) == 1 and entry.inflect:
                    match = TermMatch(start, term_start, words[i][1], entry, prefix, suffix)
                    found.append((match, 1))
        return found

    @staticmethod
    def _inner_match(
        folded: str, words: list[tuple[int, int]], i: int, terms: tuple[str, ...]
    ) -> bool:
        """Words 1..n-2 equal, and only spaces between the words of the span."""
        for k in range(1, len(terms)):
            gap = folded[words[i + k - 1][1] : words[i + k][0]]
            if gap.strip(" ") or not gap:
                return False
            if k < len(terms) - 1 and folded[words[i + k][0] : words[i + k][1]] != terms[k]:
                return False
        return True
