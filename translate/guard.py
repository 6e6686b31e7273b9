"""Faithfulness checks of one (source, target) translation pair, without a model.

Flags (:class:`GuardReport`):

* ``empty`` - the target has no letter or digit.
* ``repetition`` - a generation loop: one word at least ``REPEAT_WORD_RUN`` times in a row, a
  2-4 word n-gram at least ``REPEAT_NGRAM_RUN`` times in a row, a window of
  ``DISTINCT_WINDOW`` words (or the whole target when shorter, from ``DISTINCT_MIN_WORDS``
  words) with fewer than ``DISTINCT_MIN_RATIO`` distinct words, or a 1-4 letter unit repeated
  ``CHAR_LOOP_RUN`` times with no break ("ااااا", "hahahahaha").
* ``too-long`` - ``target_tokens > TOO_LONG_TOKEN_FACTOR * source_tokens + TOO_LONG_TOKEN_SLACK``,
  or the character ratio target/source exceeds ``TOO_LONG_CHAR_RATIO`` for sources of at least
  ``TOO_LONG_MIN_SOURCE_CHARS`` characters.
* ``too-short`` (omission) - ``source_tokens >= TOO_SHORT_MIN_SOURCE_TOKENS`` and
  ``target_tokens < TOO_SHORT_TOKEN_RATIO * source_tokens``, or the character ratio is below
  ``TOO_SHORT_CHAR_RATIO`` for sources of at least ``TOO_SHORT_MIN_SOURCE_CHARS`` characters.
  Not raised together with ``empty``, which already says more.
* ``numbers`` - a number of the source is missing from the target (multisets, after
  :func:`translate.text.extract_numbers`; leading zeros and trailing decimal zeros ignored).
  A source number also counts as present when the target holds it times a thousand, a million
  or a billion (``15 ألف`` -> ``15,000``). Numbers written as English words ("fifteen") are not
  recognised, so this is a conservative warning, not a retry trigger.

* ``negation`` - the source holds a negation (لا لم لن ليس غير عدم دون...) and the target none
  (not, n't, no, never, without, fail, refuse, deny...): :mod:`translate.negation`.

The first four are *degenerate* outputs and trigger a retry; ``numbers`` and ``negation`` are
only reported.
The guard runs on restored text, so numbers inside untouchable spans are compared too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .negation import dropped_negation
from .text import extract_numbers

__all__ = ["GuardReport", "check_translation"]

REPEAT_WORD_RUN = 4
REPEAT_NGRAM_RUN = 3
DISTINCT_MIN_WORDS = 12
DISTINCT_WINDOW = 40
DISTINCT_MIN_RATIO = 0.3
CHAR_LOOP_RUN = 5

TOO_LONG_TOKEN_FACTOR = 3
TOO_LONG_TOKEN_SLACK = 10
TOO_LONG_CHAR_RATIO = 4.0
TOO_LONG_MIN_SOURCE_CHARS = 10

TOO_SHORT_MIN_SOURCE_TOKENS = 8
TOO_SHORT_TOKEN_RATIO = 0.25
TOO_SHORT_CHAR_RATIO = 0.2
TOO_SHORT_MIN_SOURCE_CHARS = 40

_DEGENERATE = frozenset({"empty", "repetition", "too-long", "too-short"})
_WORD = re.compile(r"\w+")
_CHAR_LOOP = re.compile(rf"(\w{{1,4}}?)\1{{{CHAR_LOOP_RUN - 1},}}")
_SCALES = (Decimal(1000), Decimal(1_000_000), Decimal(1_000_000_000))


@dataclass(frozen=True)
class GuardReport:
    """The flags raised for one translation, sorted."""

    flags: tuple[str, ...]

    @property
    def degenerate(self) -> bool:
        """True if the output is unusable (empty, looping, far too long or short): retry it."""
        return any(flag in _DEGENERATE for flag in self.flags)


def has_word_loop(words: list[str]) -> bool:
    """A word repeated REPEAT_WORD_RUN times in a row, or a 2-4-gram REPEAT_NGRAM_RUN times."""
    for n in range(1, 5):
        needed = REPEAT_WORD_RUN if n == 1 else REPEAT_NGRAM_RUN
        for start in range(len(words) - n * needed + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, needed)):
                return True
    return False


def has_low_diversity(words: list[str]) -> bool:
    """Some window of DISTINCT_WINDOW words has under DISTINCT_MIN_RATIO distinct words."""
    if len(words) < DISTINCT_MIN_WORDS:
        return False
    size = min(DISTINCT_WINDOW, len(words))
    return any(
        len(set(words[i : i + size])) / size < DISTINCT_MIN_RATIO
        for i in range(len(words) - size + 1)
    )


def _has_char_loop(text: str) -> bool:
    # Only units with a letter count: "1000000" and "------" are normal text.
    return any(
        any(ch.isalpha() for ch in match.group(1)) for match in _CHAR_LOOP.finditer(text.lower())
    )


def _is_repetitive(target: str) -> bool:
    words = _WORD.findall(target.lower())
    return has_word_loop(words) or has_low_diversity(words) or _has_char_loop(target)


def _as_decimal(number: str) -> Decimal | None:
    try:
        return Decimal(number)
    except InvalidOperation:
        return None


def _missing_numbers(source: str, target: str) -> list[str]:
    """Source numbers without a counterpart in the target (exact first, then scaled)."""
    wanted = [d for n in extract_numbers(source) if (d := _as_decimal(n)) is not None]
    available = Counter(d for n in extract_numbers(target) if (d := _as_decimal(n)) is not None)
    unmatched: list[Decimal] = []
    for value in wanted:
        if available[value] > 0:
            available[value] -= 1
        else:
            unmatched.append(value)
    missing: list[str] = []
    for value in unmatched:
        scaled = next((value * s for s in _SCALES if available[value * s] > 0), None)
        if scaled is None:
            missing.append(str(value.normalize()))
        else:
            available[scaled] -= 1
    return missing


def check_translation(
    source: str, target: str, *, source_tokens: int, target_tokens: int
) -> GuardReport:
    """Check a translation against its source; see the module docstring for each flag."""
    flags: set[str] = set()
    source_chars = len(source.strip())
    target_chars = len(target.strip())
    if not any(ch.isalnum() for ch in target):
        flags.add("empty")
    elif _is_repetitive(target):
        flags.add("repetition")
    if target_tokens > TOO_LONG_TOKEN_FACTOR * source_tokens + TOO_LONG_TOKEN_SLACK or (
        source_chars >= TOO_LONG_MIN_SOURCE_CHARS
        and target_chars / source_chars > TOO_LONG_CHAR_RATIO
    ):
        flags.add("too-long")
    if "empty" not in flags and (
        (
            source_tokens >= TOO_SHORT_MIN_SOURCE_TOKENS
            and target_tokens < TOO_SHORT_TOKEN_RATIO * source_tokens
        )
        or (
            source_chars >= TOO_SHORT_MIN_SOURCE_CHARS
            and target_chars / source_chars < TOO_SHORT_CHAR_RATIO
        )
    ):
        flags.add("too-short")
    if _missing_numbers(source, target):
        flags.add("numbers")
    if "empty" not in flags and dropped_negation(source, target):
        flags.add("negation")
    return GuardReport(flags=tuple(sorted(flags)))
