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
* A run before the first word of a sentence ends nothing (``"... and then," he said.``).
* A quote and its attribution are one sentence: ``"Why now … ?" Smith said.``
* An inline bullet (``•`` ``●`` ``▪`` ``◦`` ``‣`` at the start of a line or after a space)
  starts a sentence; the bullet stays in that sentence's text.

Splitting is linear in the length of the text: each test looks at a bounded window around a
full stop, never at the whole line before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from translate.errors import InputError
from translate.text import is_arabic_letter

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
    dec mt ft av ave spc pfc cpl brig sens reps gens supt det insp atty hon messrs""".split()
)
_CLOSING_QUOTES = "\"'\u201d\u2019\u00bb"
_CLOSERS = _CLOSING_QUOTES + ")]"
_TERMINATOR = re.compile(r"(?:\.\.\.|[.!?\u2026])+[\"'\u201d\u2019\u00bb)\]]*")
_OPENERS = "\"'\u201c\u2018([\u00ab"
_BULLETS = "\u2022\u25cf\u25aa\u25e6\u2023"  # • ● ▪ ◦ ‣
_BULLET_START = re.compile(f"(?<!\\S)[{_BULLETS}]")  # a bullet at the start or after a space
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.){2,}$")
_NEXT_WORD = re.compile(r"\s+(\S)")
_WORD_CHAR = re.compile(r"\w")
# How far before a full stop the splitter reads: enough for any abbreviation or run of
# initials, and a constant, so that splitting stays linear in the length of the text.
_LOOKBEHIND = 48
# '"Why would we … ?" Smith said.': after a closing quote, a capitalised name (up to four
# words), a reporting verb and at most two more words to the end of the clause are the
# quote's attribution, not a sentence of its own. Bounded: each part has a fixed maximum size.
_ATTRIBUTION = re.compile(
    r"\s+[A-Z][\w'\u2019.-]{0,40}(?:\s+[\w'\u2019.-]{1,40}){0,3}?\s+"
    r"(?:said|says|asked|asks|told|tells|added|adds|wrote|writes|replied|replies|explained|"
    r"insisted|continued|recalled|tweeted|posted|noted|warned|declared|shouted|whispered)"
    r"(?:\s+[\w'\u2019-]{1,40}){0,2}(?:[.,;:!?](?=\s|$)|$)"
)

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
        arabic = sum(map(is_arabic_letter, letters))
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
    """Whether the terminator run ``match`` ends a sentence (bounded look-around: linear time)."""
    following = _NEXT_WORD.match(line, match.end())
    if not following:
        return False  # no whitespace after it, or the line ends (the tail is the sentence)
    first = following.group(1)
    if not (first.isupper() or first.isdigit() or first in _OPENERS or first in _BULLETS):
        return False
    run = match.group()
    bare_run = run.rstrip(_CLOSERS)
    if run != bare_run and bare_run[-1] in "?!\u2026" and _ATTRIBUTION.match(line, match.end()):
        return False  # '"Why ... ?" Smith said.': the quote and its speaker are one sentence
    if bare_run != ".":
        return True  # "!", "?", "..." and runs of them
    # Only a bounded window before the full stop is read, never the whole prefix.
    low = max(0, match.start() - _LOOKBEHIND)
    window = line[low : match.start()]
    words = window.split()
    word = words[-1] if words else ""
    bare = word.lstrip(_OPENERS)
    if len(bare) == 1 and bare.isalpha():
        return False  # an initial: "J. Smith"
    if bare.lower() in _ABBREVIATIONS:
        return False
    return not _INITIALS.search(line, low, match.start() + 1)


def _chunk_sentences(line: str, start: int, stop: int, out: list[str]) -> None:
    """Append the sentences of ``line[start:stop]`` (one bullet item, or a whole line)."""
    has_word = False
    scanned = start
    last = -1  # where the last sentence of this chunk began
    for match in _TERMINATOR.finditer(line, start, stop):
        if not has_word:
            # A run before any word (the '"...' opening a quote) ends nothing; ``scanned``
            # makes each character be looked at once however many runs the sentence has.
            has_word = _WORD_CHAR.search(line, scanned, match.start()) is not None
            scanned = match.end()
            if not has_word:
                continue
        if match.start() - start <= 4 and line[start : match.start()].strip().isdigit():
            continue  # "1. The first point": a list number, not a sentence
        if _ends_sentence(line, match):
            piece = line[start : match.end()].strip()
            if piece:
                out.append(piece)
                last = start
            start = scanned = match.end()
            has_word = False
    tail = line[start:stop].strip()
    if tail and last >= 0 and not _WORD_CHAR.search(tail):
        out[-1] = line[last:stop].strip()  # a stray closing quote belongs to the sentence before
    elif tail:
        out.append(tail)


def _line_sentences(line: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for bullet in _BULLET_START.finditer(line):
        if bullet.start() > start:
            _chunk_sentences(line, start, bullet.start(), sentences)
        start = bullet.start()
    _chunk_sentences(line, start, len(line), sentences)
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
