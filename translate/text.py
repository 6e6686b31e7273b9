"""Pure text functions for Arabic news: normalisation, character classes, numbers, placeholders.

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

Sentences are split in ``sentences.py``, over-long ones into windows in ``windows.py``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

__all__ = [
    "extract_numbers",
    "has_arabic",
    "is_arabic_letter",
    "looks_persian_or_urdu",
    "normalize",
    "protect_untouchables",
    "restore_untouchables",
    "strip_bounds",
    "url_spans",
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


def url_spans(text: str) -> list[tuple[int, int]]:
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
    spans = url_spans(text)
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


def strip_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` shrunk past whitespace at both ends, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
