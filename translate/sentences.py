"""Sentence segmentation of Arabic (or mixed) news text: the choices.

* Every non-empty line is a paragraph; paragraphs are numbered from 0 over non-empty lines.
* Terminators: ``.`` ``؟`` ``?`` ``!`` ``…`` ``...`` ``؛`` and runs of them (``?!``, ``!!``);
  closing quotes/brackets right after the run (``”`` ``»`` ``"`` ``’`` ``)`` ``]``) belong to
  the sentence, and so does a terminator after them (``؟”.``).
* A run splits only when followed by whitespace or the end of the line, and the sentence so far
  holds a letter or digit. So ``3.5``, ``10.5%``, ``U.S``, ``www.example.com``, ``a.b@c.org``,
  ``؟”،`` never split. Exception: an Arabic letter right after the run (a missing space, common in
  web text, ``سوريا.وقال``) splits when the run is not a lone ``.`` or the word before the ``.`` is
  an Arabic word of two letters or more (so ``أ.ف.ب``, ``ق.م``, ``د.محمد`` stay whole).
* A lone ``.`` does not split after: a single letter (``د.`` ``أ.`` ``م.`` ``J.``) unless it is
  the year marker ``م``/``هـ`` right after a number (``عام 2016 م.`` ends a sentence; ``2016م.``
  is one word and ends it too); dotted initials (``U.S.``, ``e.g.``, ``أ.ف.ب.``, ``ج.م.ع.``), even
  at a real sentence end; Latin abbreviations (``Dr.`` ``Mr.`` ``No.`` ...); a list number at the
  start of a line or right after a sentence (``1. ``). ``etc.``/``Inc.``/``Ltd.``/``Co.`` split
  only before an uppercase Latin letter (Arabic has no case, so Arabic text after them continues
  the sentence).
* Any terminator followed by a lowercase Latin letter does not split (``approx. five``,
  ``wait... what``). An ellipsis followed by Arabic text does split: with no letter case there is
  no cheap signal that the sentence goes on, and a shorter unit is harmless for translation.
* A quotation ending in a terminator inside the quotes and followed by a space splits after the
  closing quote, even when the reporting clause goes on (``قال: “سنقاتل.” وأضاف``): both halves
  are complete sentences for the model. When punctuation follows the quote directly
  (``“سنقاتل!”، وأضاف``) it stays one sentence.
* Terminators inside URLs and e-mail addresses never split.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .text import is_arabic_letter, strip_bounds, url_spans

__all__ = ["SentenceSpan", "sentence_spans", "split_sentences"]


@dataclass(frozen=True)
class SentenceSpan:
    """One sentence: ``text[start:end]``, stripped, in paragraph ``paragraph`` (0-based)."""

    start: int
    end: int
    paragraph: int


_TERMINATOR_CHARS = ".!?\u061f\u061b\u2026"
_CLOSER_CHARS = '\u201d\u00bb"\u2019)]'
_TERMINATOR_RUN = re.compile(
    f"[{re.escape(_TERMINATOR_CHARS)}][{re.escape(_TERMINATOR_CHARS + _CLOSER_CHARS)}]*"
)
_ALNUM = re.compile(r"[^\W_]")  # str.isalnum(), as a pattern (re's \w is isalnum() plus "_")
_NON_SPACE = re.compile(r"\S")
_OPENER_CHARS = "(\u201c\u201d\"\u00ab[\u2018'"
_DOTTED_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_LIST_NUMBER = re.compile(r"^[0-9\u0660-\u0669\u06f0-\u06f9]{1,3}$")
_YEAR_MARKERS = frozenset({"\u0645", "\u0647\u0640", "\u0647"})  # م, هـ, ه
# Latin abbreviations that are (almost) never the last word of a sentence.
_LATIN_ABBREVIATIONS = frozenset(
    "dr mr mrs ms prof st no nos vs jr sr gen col lt sgt capt cpt gov sen rep rev mt ft fig vol "
    "pp approx dept est jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Latin abbreviations that often end a sentence too: split only before an uppercase letter.
_LATIN_FINAL_ABBREVIATIONS = frozenset("etc inc ltd co corp".split())


def _token_before(line: str, index: int) -> tuple[str, int]:
    """The whitespace-delimited word ending at ``index`` (openers stripped) and its start."""
    start = index
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    while start < index and line[start] in _OPENER_CHARS:
        start += 1
    return line[start:index], start


def _dot_is_abbreviation(line: str, dot: int, next_char: str) -> bool:
    """True if the lone ``.`` at ``line[dot]`` belongs to an abbreviation or a list number."""
    token, token_start = _token_before(line, dot)
    if not token:
        return False
    if len(token) == 1 and token.isalpha() or token in _YEAR_MARKERS:
        previous, _ = _token_before(line, token_start - 1) if token_start > 0 else ("", 0)
        is_year_marker = token in _YEAR_MARKERS and previous[-1:].isdigit()
        return not is_year_marker
    if _DOTTED_INITIALS.match(token):
        return True
    lowered = token.lower()
    if lowered in _LATIN_ABBREVIATIONS:
        return True
    if lowered in _LATIN_FINAL_ABBREVIATIONS:
        return not ("A" <= next_char <= "Z")
    # "1. " opening a line or following a finished sentence numbers a list item.
    before = token_start  # walk back over spaces (no copy of the line's head per dot)
    while before > 0 and line[before - 1].isspace():
        before -= 1
    opens_sentence = before == 0 or line[before - 1] in _TERMINATOR_CHARS + _CLOSER_CHARS
    return bool(_LIST_NUMBER.match(token)) and opens_sentence


def _arabic_word_before(line: str, index: int) -> bool:
    """True if the word ending at ``index`` (openers stripped) is two or more Arabic letters.

    Walks back only over Arabic letters and openers, so a long dotted run (``ب.ب.ب…``) costs
    its length once, not once per dot.
    """
    start = index
    while start > 0 and is_arabic_letter(line[start - 1]):
        start -= 1
    letters = index - start
    while start > 0 and line[start - 1] in _OPENER_CHARS:
        start -= 1
    return letters >= 2 and (start == 0 or line[start - 1].isspace())


def _is_boundary(line: str, match: re.Match[str], masked: list[tuple[int, int]]) -> bool:
    """Decide whether the terminator run ``match`` ends a sentence (see module docstring)."""
    start, end = match.span()
    # masked is sorted and disjoint: only the last span starting at or before ``start`` counts.
    inside = bisect.bisect_right(masked, (start, len(line) + 1)) - 1
    if inside >= 0 and masked[inside][0] <= start < masked[inside][1]:
        return False
    run = match.group().rstrip(_CLOSER_CHARS)
    lone_dot = run == "."
    first = line[end : end + 1]
    if first and not first.isspace():
        # No space after the run: only a missing space before an Arabic word splits.
        if not is_arabic_letter(first) or match.group() != run:
            return False
        return not lone_dot or _arabic_word_before(line, start)
    following = _NON_SPACE.search(line, end)
    next_char = following.group() if following else ""
    if "a" <= next_char <= "z":
        return False
    return not (lone_dot and _dot_is_abbreviation(line, start, next_char))


def _line_sentences(line: str) -> list[tuple[int, int]]:
    """Stripped (start, end) sentence spans inside one line."""
    masked = url_spans(line)
    spans: list[tuple[int, int]] = []
    sentence_start = 0
    # First letter or digit of the current sentence, searched once per sentence start (a run
    # of ". . . ." used to rescan the sentence so far at every terminator: quadratic).
    alnum = _ALNUM.search(line)
    for match in _TERMINATOR_RUN.finditer(line):
        if alnum is None or alnum.start() >= match.start():
            continue  # leading punctuation such as "..." joins the sentence it opens
        if _is_boundary(line, match, masked):
            spans.append((sentence_start, match.end()))
            sentence_start = match.end()
            alnum = _ALNUM.search(line, sentence_start)
    spans.append((sentence_start, len(line)))
    stripped: list[tuple[int, int]] = []
    for start, end in spans:
        bounds = strip_bounds(line, start, end)
        if bounds is not None:
            stripped.append(bounds)
    return stripped


def sentence_spans(text: str) -> list[SentenceSpan]:
    """Segment Arabic (or mixed) text into sentences; see the module docstring for the rules."""
    spans: list[SentenceSpan] = []
    paragraph = 0
    offset = 0
    for line in text.split("\n"):
        line_spans = _line_sentences(line)
        for start, end in line_spans:
            spans.append(SentenceSpan(offset + start, offset + end, paragraph))
        if line_spans:
            paragraph += 1
        offset += len(line) + 1
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of :func:`sentence_spans` as strings."""
    return [text[s.start : s.end] for s in sentence_spans(text)]
