"""Pure English text helpers: sentence splitting, an "is this English?" check, content words.

No model, no data files, no I/O: everything here works on a fresh offline machine.

Sentence splitting (:func:`split_sentences`)
---------------------------------------------
* Every non-empty line is a paragraph; a line without a final full stop (a headline) is a
  sentence of its own.
* Within a line, a run of ``.`` ``!`` ``?`` ``…`` (with closing quotes or brackets after it)
  ends a sentence when whitespace follows and the next word starts with an uppercase letter, a
  digit or an opening quote/bracket.
* A ``.`` does not end a sentence after a title or common abbreviation (``Mr.`` ``Dr.``
  ``Gen.`` ``Jan.`` ``No.`` ``vs.`` ...), a single letter (``J. Smith``) or dotted initials
  (``U.S.``, ``e.g.``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from translate.errors import InputError

__all__ = [
    "STOPWORDS",
    "check_english",
    "content_words",
    "prepare_sentences",
    "split_sentences",
]

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st gen col lt sgt capt cmdr adm maj rep sen gov pres rev fr
    inc ltd co corp dept est fig no vol vs approx jan feb mar apr jun jul aug sep sept oct nov
    dec mt ft av ave""".split()
)
_TERMINATOR = re.compile(r"(?:\.\.\.|[.!?\u2026])+[\"'\u201d\u2019)\]]*")
_OPENERS = "\"'\u201c\u2018([\u00ab"
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.){2,}$")

# A small English stopword list (function words), kept in code: no corpus download.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own said same says she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves will would shall may might must us""".split()
)
# A few very common English function words: their share tells English from other Latin text.
_FUNCTION_WORDS = frozenset(
    """the of and to in a is that for on with as was by it at from be has have are said
    were this an which will not but its their he she they who after been had""".split()
)
_MIN_WORDS_FOR_WORD_CHECK = 12
_MIN_FUNCTION_SHARE = 0.05
_MIN_LATIN_SHARE = 0.5
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _is_latin_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


def _is_arabic_letter(ch: str) -> bool:
    code = ord(ch)
    return ch.isalpha() and (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def check_english(text: object) -> str:
    """Return ``text`` if it looks like English, else raise an InputError saying what is wrong.

    English here means: at least half of the letters are Latin, and, from
    ``_MIN_WORDS_FOR_WORD_CHECK`` words on, at least ``_MIN_FUNCTION_SHARE`` of the words are
    common English function words ("the", "of", "and", ...).
    """
    if isinstance(text, (bytes, bytearray)):
        raise InputError("The input is bytes, not text: decode it as UTF-8 first.")
    if not isinstance(text, str):
        raise InputError(f"The input must be English text, not {type(text).__name__}.")
    if not text.strip():
        raise InputError(
            "The input is empty: there is nothing to summarise."
            if not text
            else "The input is only whitespace: there is nothing to summarise."
        )
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        raise InputError("The input has no letters (only digits, symbols or punctuation).")
    latin = sum(map(_is_latin_letter, letters))
    if latin / len(letters) < _MIN_LATIN_SHARE:
        arabic = sum(map(_is_arabic_letter, letters))
        if arabic >= len(letters) - latin - arabic:
            raise InputError(
                "The input is Arabic text, not English: summarize() condenses English. "
                "Translate it first, or use digest() to translate and summarise in one call."
            )
        raise InputError(
            f"The input is not English: only {latin / len(letters):.0%} of its letters are "
            "Latin letters."
        )
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    if len(words) >= _MIN_WORDS_FOR_WORD_CHECK:
        share = sum(w in _FUNCTION_WORDS for w in words) / len(words)
        if share < _MIN_FUNCTION_SHARE:
            raise InputError(
                "The input does not look like English: it has almost none of the common "
                f"English words such as 'the', 'of', 'and' ({share:.0%} of {len(words)} words)."
            )
    return text


def _ends_sentence(line: str, match: re.Match[str]) -> bool:
    end = match.end()
    rest = line[end:]
    if not rest[:1].isspace():
        return False
    following = rest.lstrip()[:1]
    if not following or not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    run = match.group()
    if run.rstrip("\"'\u201d\u2019)]") != ".":
        return True  # "!", "?", "..." and runs of them
    before = line[: match.start()]
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    bare = word.lstrip(_OPENERS)
    if len(bare) == 1 and bare.isalpha():
        return False  # an initial: "J. Smith"
    if bare.lower() in _ABBREVIATIONS:
        return False
    return not _INITIALS.search(before + ".")


def _line_sentences(line: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _TERMINATOR.finditer(line):
        if _ends_sentence(line, match):
            piece = line[start : match.end()].strip()
            if piece:
                sentences.append(piece)
            start = match.end()
    tail = line[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split English text into sentences (see the module docstring for the rules)."""
    sentences: list[str] = []
    for line in text.splitlines():
        sentences += _line_sentences(line)
    return sentences


def prepare_sentences(english: str | Sequence[str], *, check_language: bool = True) -> list[str]:
    """The sentences to summarise: the split of a string, or the list as given.

    Raises InputError for empty input, non-text items, or (``check_language``) text that is not
    English. Blank items of a list are kept, so that indices match the caller's list; they are
    never selected.
    """
    if isinstance(english, str):
        if check_language:
            check_english(english)
        elif not english.strip():
            raise InputError("The input is empty: there is nothing to summarise.")
        return split_sentences(english)
    if isinstance(english, (bytes, bytearray)) or not isinstance(english, Sequence):
        raise InputError(
            f"The input must be a string or a list of sentences, not {type(english).__name__}."
        )
    items = list(english)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InputError(f"Sentence {i} of the input is a {type(item).__name__}, not a string.")
    if not any(item.strip() for item in items):
        raise InputError(
            "The input is empty: the list has no sentences."
            if not items
            else "The input is empty: every sentence in the list is blank."
        )
    if check_language:
        check_english("\n".join(items))
    return items


def content_words(text: str) -> list[str]:
    """Lowercased words and numbers without stopwords, with a light plural fold ("talks"→"talk")."""
    words: list[str] = []
    for word in _WORD.findall(text.lower().replace(",", "")):
        word = word.replace("\u2019", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not word or word in STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
            word = word[:-1]
        words.append(word)
    return words
