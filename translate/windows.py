"""Windows: an over-long sentence split into pieces the model can take, at clause marks
first, then between words, then inside a word; no text is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .text import strip_bounds

__all__ = ["Span", "TokenCounter", "window_spans"]

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
    return [b for u in units if (b := strip_bounds(text, *u)) is not None]


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
    bounds = strip_bounds(text, 0, len(text))
    if bounds is None:
        return []
    if count_tokens([text])[0] <= max_tokens:
        return [(0, len(text))]
    return _fit(text, bounds, 0, max_tokens, count_tokens)
