"""Pure text functions for Arabic news: normalisation, segmentation, windows, placeholders.

No model and no I/O here; everything is deterministic and works on ``str`` only.

Normalisation table (:func:`normalize`), applied in this order
--------------------------------------------------------------

====  ================================================  ==========================================
 #    Input                                             Output
====  ================================================  ==========================================
 1    ``\\r\\n``, lone ``\\r``, U+0085, U+2028, U+2029   ``\\n`` (one line break convention)
 2    presentation forms U+FB50-U+FDFF, U+FE70-U+FEFE   NFKC of that character only, then rule 3
                                                        (never NFKC on the whole text: it would
                                                        also fold Latin ligatures, superscripts...)
 3    tatweel U+0640, harakat U+064B-U+0652,            removed
      superscript alef U+0670
 4    Arabic-Indic digits U+0660-U+0669,                ASCII ``0``-``9``
      Persian/extended digits U+06F0-U+06F9
 5    Arabic decimal separator ``٫`` U+066B             ``.``
 6    Arabic thousands separator ``٬`` U+066C           ``,``
 7    NBSP, U+2000-U+200A, U+202F, U+205F, U+3000,      a plain space
      zero-width space U+200B, tab
 8    other control characters (Cc except ``\\n``)      removed
 9    bidi and format marks U+200E, U+200F,             removed
      U+202A-U+202E, U+2066-U+2069, U+061C, BOM U+FEFF
 10   runs of spaces                                    one space; newlines are kept
 11   spaces at the start and end of each line          removed
====  ================================================  ==========================================

Kept as written on purpose: ``ى``/``ي`` and ``ة``/``ه`` (folding them changes words the model
knows), Arabic punctuation ``،`` ``؛`` ``؟``, hamza forms, ZWNJ/ZWJ (U+200C/U+200D, meaningful in
Persian and Urdu, which we only detect).

Sentence segmentation (:func:`sentence_spans`) choices
------------------------------------------------------

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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "SentenceSpan",
    "extract_numbers",
    "has_arabic",
    "is_arabic_letter",
    "looks_persian_or_urdu",
    "normalize",
    "protect_untouchables",
    "restore_untouchables",
    "sentence_spans",
    "split_sentences",
    "window_spans",
]


# --------------------------------------------------------------------------- normalisation

_HARAKAT = {0x0640, *range(0x064B, 0x0653), 0x0670}
_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_ODD_SPACES = {0x00A0, *range(0x2000, 0x200B), 0x200B, 0x202F, 0x205F, 0x3000, 0x0009}
_FORMAT_MARKS = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C, 0xFEFF}
_CONTROLS = {c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x0A, 0x09)}

_NORMALIZE_TABLE: dict[int, str | None] = {
    **{c: None for c in _CONTROLS},
    **{c: None for c in _FORMAT_MARKS},
    **{c: None for c in _HARAKAT},
    **{c: " " for c in _ODD_SPACES},
    **_DIGITS,
    0x066B: ".",
    0x066C: ",",
}
_DIGIT_TABLE: dict[int, str] = {**_DIGITS, 0x066B: ".", 0x066C: ","}

_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
_SPACE_RUNS = re.compile(" {2,}")


def _fold_presentation_form(match: re.Match[str]) -> str:
    folded = unicodedata.normalize("NFKC", match.group())
    folded = "".join(ch for ch in folded if ord(ch) not in _HARAKAT)
    # Isolated haraka forms fold to "space + haraka"; once the haraka goes, nothing is left.
    return folded if folded.strip() else ""


def normalize(text: str) -> str:
    """Normalise Arabic text for translation following the table in the module docstring."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _PRESENTATION_FORMS.sub(_fold_presentation_form, text)
    text = text.translate(_NORMALIZE_TABLE)
    text = _SPACE_RUNS.sub(" ", text)
    return "\n".join(line.strip(" ") for line in text.split("\n"))


# --------------------------------------------------------------------------- character classes

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
_PERSIAN_URDU_LETTERS = frozenset("\u067e\u0686\u0698\u06af\u06a9\u06cc\u06d2")
# At least this many Persian/Urdu-only letters...
PERSIAN_MIN_COUNT = 2
# ...and at least this share of all Arabic-script letters. Both must hold: stray keheh/farsi-yeh
# from Persian keyboards appear in long Arabic articles, and real Persian uses them constantly.
PERSIAN_MIN_SHARE = 0.01


def is_arabic_letter(ch: str) -> bool:
    """Whether ``ch`` is a letter of the Arabic script (its blocks and presentation forms).

    The one definition: detection, the English check and the LibreTranslate route import it.
    Tatweel (U+0640) is not a letter here: it only stretches the one before it.
    """
    code = ord(ch)
    if code == 0x0640:  # tatweel is category Lm but carries no letter
        return False
    return any(lo <= code <= hi for lo, hi in _ARABIC_RANGES) and unicodedata.category(
        ch
    ).startswith("L")


def _is_latin_letter(ch: str) -> bool:
    return (
        ("A" <= ch <= "Z")
        or ("a" <= ch <= "z")
        or ("\u00c0" <= ch <= "\u024f" and ch not in "\u00d7\u00f7")
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> int | None:
    """Position of the first lone UTF-16 surrogate in ``text`` (a broken emoji), or None.

    A Python string can hold U+D800–U+DFFF only unpaired (JSON's ``"\\ud83d"``); such a
    character cannot be encoded as UTF-8, so no tokenizer or file writer accepts it.
    """
    match = _SURROGATE.search(text)
    return match.start() if match else None


def replace_lone_surrogates(text: str) -> tuple[str, int]:
    """``text`` with every lone surrogate replaced by U+FFFD, and how many were replaced."""
    return _SURROGATE.subn("\ufffd", text)


def surrogate_message(text: str, position: int) -> str:
    """The error for a lone surrogate at ``position``: where it is and what it usually is."""
    return (
        f"The text has an invalid character at position {position} "
        f"(a lone UTF-16 surrogate, U+{ord(text[position]):04X}: usually a broken emoji or "
        "text cut in the middle of a character). Remove it or fix the source's encoding."
    )


def has_arabic(text: str) -> bool:
    """True if the text holds an Arabic-script letter (digits and punctuation don't count)."""
    return any(is_arabic_letter(ch) for ch in text)


def looks_persian_or_urdu(text: str) -> bool:
    """True if the text uses Persian/Urdu-only letters (پ چ ژ گ ک ی ے) often enough.

    Threshold: at least ``PERSIAN_MIN_COUNT`` (2) such letters AND at least
    ``PERSIAN_MIN_SHARE`` (1%) of the Arabic-script letters.
    """
    special = 0
    letters = 0
    for ch in text:
        if is_arabic_letter(ch):
            letters += 1
            if ch in _PERSIAN_URDU_LETTERS:
                special += 1
    return special >= PERSIAN_MIN_COUNT and special >= PERSIAN_MIN_SHARE * letters


# --------------------------------------------------------------------------- numbers

# A thousands separator is a comma followed by exactly three digits; "1,2" stays two numbers.
_THOUSANDS = re.compile(r"(?<=[0-9])[,](?=[0-9]{3}(?![0-9]))")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def extract_numbers(text: str) -> list[str]:
    """Digit groups of the text after digit normalisation, in order.

    Arabic-Indic and Persian digits become ASCII, ``٫`` a decimal point, and thousands
    separators (``٬`` or ``,`` before exactly three digits) are dropped: ``"1,000"`` -> ``"1000"``.
    A decimal keeps its point (``"3.5"``); a dotted date splits into its parts
    (``"7.10.2016"`` -> ``"7", "10", "2016"``).
    """
    text = _THOUSANDS.sub("", text.translate(_DIGIT_TABLE))
    numbers: list[str] = []
    for match in _NUMBER.finditer(text):
        value = match.group()
        numbers.extend(value.split(".") if value.count(".") > 1 else [value])
    return numbers


# --------------------------------------------------------------------------- untouchables

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
# The look-behind starts a match only where a run of address characters starts: without it,
# every position of a long "a.a.a…" run rescans the run (quadratic in the run's length).
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_URL_TRAILING = ".,;:!?'\")]}"
_LATIN_CHARS = r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_LATIN_WORD = rf"[{_LATIN_CHARS}0-9][{_LATIN_CHARS}0-9.\-_&']*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[ ]+{_LATIN_WORD})*")
_LATIN_WORD_RE = re.compile(_LATIN_WORD)
_PLACEHOLDER = "__U{}__"
# Tolerates what a model does to "__U0__": inner spaces, lower case, one underscore lost.
_PLACEHOLDER_RE = re.compile(r"_[ ]?_?[ ]*[Uu][ ]*([0-9]+(?:[ ][0-9]+)*)[ ]*_[ ]?_?")


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of URLs and e-mail addresses, trailing sentence punctuation left outside."""
    spans: list[tuple[int, int]] = []
    for match in _URL.finditer(text):
        start, end = match.span()
        brackets: dict[str, int] | None = None  # counted once per URL, kept as we strip
        while end > start and text[end - 1] in _URL_TRAILING:
            # Keep a closing bracket that closes one opened inside the URL (Wikipedia links).
            closer = text[end - 1]
            opener = {")": "(", "]": "[", "}": "{"}.get(closer)
            if opener:
                if brackets is None:
                    brackets = {ch: text.count(ch, start, end) for ch in "()[]{}"}
                if brackets[opener] >= brackets[closer]:
                    break
            if brackets is not None and closer in brackets:
                brackets[closer] -= 1
            end -= 1
        spans.append((start, end))
    urls = list(spans)  # sorted and disjoint: finditer
    url_starts = [s for s, _ in urls]
    for match in _EMAIL.finditer(text):
        start, end = match.span()
        # Only the last URL starting before this address's end can overlap it.
        before = bisect.bisect_left(url_starts, end) - 1
        if before < 0 or urls[before][1] <= start:
            spans.append((start, end))
    return sorted(spans)


def _latin_spans(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Latin-script spans outside ``taken``: they start and end with a word holding a letter."""
    # Blank out taken spans (same length, so offsets hold) so runs stop at a URL's edge.
    if taken:
        parts: list[str] = []
        cursor = 0
        for start, end in taken:
            parts += [text[cursor:start], "\x00" * (end - start)]
            cursor = end
        text = "".join([*parts, text[cursor:]])
    spans: list[tuple[int, int]] = []
    for run in _LATIN_RUN.finditer(text):
        words = [
            (run.start() + w.start(), run.start() + w.end())
            for w in _LATIN_WORD_RE.finditer(run.group())
        ]
        lettered = [w for w in words if any(_is_latin_letter(ch) for ch in text[w[0] : w[1]])]
        if not lettered:
            continue  # digits alone stay for the model
        start, end = lettered[0][0], lettered[-1][1]
        while text[end - 1] in ".-_&'":
            end -= 1  # sentence punctuation is not part of the name
        spans.append((start, end))
    return spans


def protect_untouchables(text: str) -> tuple[str, list[str]]:
    """Replace URLs, e-mails and Latin-script spans by ``__U0__``, ``__U1__``... in order.

    Returns the protected text and the originals, index i for placeholder ``__Ui__``.
    """
    spans = _url_spans(text)
    spans = sorted(spans + _latin_spans(text, spans))
    pieces: list[str] = []
    originals: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        pieces.append(_PLACEHOLDER.format(len(originals)))
        originals.append(text[start:end])
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), originals


def restore_untouchables(target: str, originals: list[str]) -> tuple[str, bool]:
    """Put the originals back in place of (possibly mangled) placeholders in a model output.

    Placeholders the model invented or repeated are removed; originals whose placeholder is
    missing are appended at the end, separated by a space, so nothing is lost. Returns the text
    and whether every original was found in place.
    """
    found: set[int] = set()
    removed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        index = int(match.group(1).replace(" ", ""))
        if index >= len(originals) or index in found:
            removed = True
            return ""
        found.add(index)
        return originals[index]

    restored = _PLACEHOLDER_RE.sub(replace, target)
    if removed:
        # A removed placeholder leaves two spaces or a space before punctuation behind.
        restored = re.sub(r" {2,}", " ", restored)
        restored = re.sub(r" +([.,;:!?])", r"\1", restored).strip()
    missing = [original for i, original in enumerate(originals) if i not in found]
    if missing:
        restored = " ".join([restored.rstrip(), *missing] if restored.strip() else missing)
    return restored, not missing


# --------------------------------------------------------------------------- sentences


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
    masked = _url_spans(line)
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
        bounds = _strip_bounds(line, start, end)
        if bounds is not None:
            stripped.append(bounds)
    return stripped


def _strip_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` shrunk past whitespace at both ends, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


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


# --------------------------------------------------------------------------- windows

TokenCounter = Callable[[list[str]], list[int]]
Span = tuple[int, int]
# Character-level splitting never tries pieces longer than this many characters per token.
_MAX_CHARS_PER_TOKEN = 64
_CLAUSE_MARKS = "\u060c,\u061b;:"


def _clause_units(text: str, start: int, end: int) -> list[Span]:
    """Split at clause marks (kept on the left), not inside numbers (1,000 10:30) or URLs."""
    units: list[Span] = []
    cursor = start
    for i in range(start, end):
        if text[i] not in _CLAUSE_MARKS:
            continue
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if before.isdigit() and after.isdigit():
            continue
        if text[i] == ":" and text[i + 1 : i + 3] == "//":
            continue
        units.append((cursor, i + 1))
        cursor = i + 1
    units.append((cursor, end))
    return [b for u in units if (b := _strip_bounds(text, *u)) is not None]


def _word_units(text: str, start: int, end: int) -> list[Span]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]


def _longest_prefix(
    prefix: Callable[[int], str], limit: int, guess: int, max_tokens: int, count: TokenCounter
) -> int:
    """Largest ``k`` in ``[1, limit]`` whose ``prefix(k)`` fits in ``max_tokens`` (1 if none).

    Gallops up from ``guess`` by doubling, then bisects: O(log limit) counts, each of a prefix
    at most twice the answer's length, so cutting a word costs about linear time in its length
    (counting every prefix, as before, was cubic: 4,000 characters took 29 s). Token counts are
    not strictly monotone in the prefix length; the answer is always a tested fit.
    """

    def fits(k: int) -> bool:
        return count([prefix(k)])[0] <= max_tokens

    lo, hi = 0, limit + 1
    k = max(1, min(guess, limit))
    while True:
        if not fits(k):
            hi = k
            break
        lo = k
        if k == limit:
            return k
        k = min(2 * k, limit)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return max(lo, 1)


def _fit_chars(text: str, span: Span, max_tokens: int, count_tokens: TokenCounter) -> list[Span]:
    """Cut one whitespace-free word into the longest prefixes that fit (at least one character)."""
    start, end = span
    pieces: list[Span] = []
    while start < end:
        limit = min(end - start, _MAX_CHARS_PER_TOKEN * max_tokens)
        length = _longest_prefix(
            lambda k, base=start: text[base : base + k], limit, max_tokens, max_tokens, count_tokens
        )
        pieces.append((start, start + length))
        start += length
    return pieces


def _split_group(
    text: str, members: list[Span], max_tokens: int, count_tokens: TokenCounter
) -> list[Span]:
    """Cut a run of units whose joined text overflows into the longest runs that fit."""
    pieces: list[Span] = []
    while members:
        k = _longest_prefix(
            lambda k, head=members: text[head[0][0] : head[k - 1][1]],
            len(members),
            len(members),
            max_tokens,
            count_tokens,
        )
        pieces.append((members[0][0], members[k - 1][1]))
        members = members[k:]
    return pieces


_UNIT_LEVELS: tuple[Callable[[str, int, int], list[Span]], ...] = (_clause_units, _word_units)


def _fit(
    text: str, span: Span, level: int, max_tokens: int, count_tokens: TokenCounter
) -> list[Span]:
    """Spans covering ``span`` (known to be too long) that fit, using units of ``level``."""
    if level >= len(_UNIT_LEVELS):
        return _fit_chars(text, span, max_tokens, count_tokens)
    units = _UNIT_LEVELS[level](text, *span)
    if len(units) <= 1:
        return _fit(text, span, level + 1, max_tokens, count_tokens)
    counts = count_tokens([text[s:e] for s, e in units])
    # Each entry is (units, verified). Single units are verified by their own count.
    groups: list[tuple[list[Span], bool]] = []
    current: list[Span] = []
    total = 0
    for unit, count in zip(units, counts, strict=True):
        if count > max_tokens:
            if current:
                groups.append((current, len(current) == 1))
                current, total = [], 0
            groups.extend(
                ([piece], True) for piece in _fit(text, unit, level + 1, max_tokens, count_tokens)
            )
        elif current and total + count > max_tokens:
            groups.append((current, len(current) == 1))
            current, total = [unit], count
        else:
            current.append(unit)
            total += count
    if current:
        groups.append((current, len(current) == 1))
    # Summed unit counts can underestimate the joined piece (tokenisers merge across spaces,
    # placeholders grow digits): verify multi-unit pieces in one batch, and cut any that
    # overflow by bisection on the number of units (peeling one unit per round was quadratic).
    pending = [members for members, ok in groups if not ok]
    verdicts = iter(count_tokens([text[m[0][0] : m[-1][1]] for m in pending]) if pending else [])
    spans: list[Span] = []
    for members, ok in groups:
        if ok or next(verdicts) <= max_tokens:
            spans.append((members[0][0], members[-1][1]))
        else:
            spans.extend(_split_group(text, members, max_tokens, count_tokens))
    return spans


def window_spans(text: str, max_tokens: int, count_tokens: TokenCounter) -> list[tuple[int, int]]:
    """Cut one over-long sentence into ``(start, end)`` pieces of at most ``max_tokens`` tokens.

    ``count_tokens`` maps a batch of strings to their token counts. The whole text is returned
    as ``[(0, len(text))]`` when it fits; otherwise clauses (split after ``،`` ``,`` ``؛`` ``;``
    ``:``) are packed greedily, over-long clauses are packed by words, and over-long words are
    cut by characters. Pieces are stripped and cover every non-whitespace character in order.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    bounds = _strip_bounds(text, 0, len(text))
    if bounds is None:
        return []
    if count_tokens([text])[0] <= max_tokens:
        return [(0, len(text))]
    return _fit(text, bounds, 0, max_tokens, count_tokens)
