"""Confidence and weak words from the model's own token log-probabilities (both engines).

A confidence is the geometric mean of the probabilities of the tokens the model chose:
``exp(mean log-probability)``, forced tokens left out. A weak word is an English word that
contains a token the model gave a probability below :data:`WEAK_PROBABILITY` (Bergamot's
per-word threshold). Neither is a quality estimate trained on human judgements.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

WEAK_PROBABILITY = 0.5
_WEAK_LOG_PROB = math.log(WEAK_PROBABILITY)
# Word pieces mark a word start with these (sentencepiece; byte-level BPE).
_WORD_START = ("\u2581", "\u0120")
_TRIM = re.compile(r"^[^\w]+|[^\w]+$")

Span = tuple[int, int]


def confidence(score: float | None) -> float | None:
    """``exp`` of a mean log-probability, clipped to [0, 1]; None stays None."""
    if score is None or not math.isfinite(score):
        return None
    return min(1.0, max(0.0, math.exp(score)))


def mean_log_prob(values: Iterable[float | None]) -> float | None:
    """The mean of the given log-probabilities (None, for forced tokens, left out)."""
    kept = [v for v in values if v is not None and math.isfinite(v)]
    return sum(kept) / len(kept) if kept else None


def weak_spans(
    text: str, pieces: Sequence[str], log_probs: Sequence[float | None]
) -> tuple[Span, ...]:
    """Character spans of the words of ``text`` holding a piece below the weak threshold.

    ``pieces`` are the generated target pieces (special tokens left out) and ``log_probs``
    their log-probabilities (None: forced). Pieces are found in ``text`` in order (decoding only
    drops word-start marks and some spaces); a piece that cannot be found (a byte fallback, an
    unknown token) is skipped. Each weak piece widens to its whole word: the run of non-space
    characters around it, without the punctuation at its edges. Linear in the text's length.
    """
    spans: list[Span] = []
    position = 0
    for piece, value in zip(pieces, log_probs, strict=False):
        surface = piece.lstrip("".join(_WORD_START))
        if not surface:
            continue
        found = text.find(surface, position, position + len(surface) + 64)
        if found < 0:
            continue
        position = found + len(surface)
        if value is not None and value < _WEAK_LOG_PROB:
            word = word_around(text, found, position)
            if word is not None and (not spans or spans[-1] != word):
                spans.append(word)
    return merge_spans(spans)


def word_around(text: str, start: int, end: int) -> Span | None:
    """The whitespace-delimited word holding ``text[start:end]``, edge punctuation trimmed
    (kept whole when it is only punctuation)."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    word = text[start:end]
    if not word.strip():
        return None
    lead = _TRIM.match(word)
    tail = _TRIM.search(word)
    left = lead.end() if lead and lead.end() < len(word) else 0
    right = tail.start() if tail and tail.start() > left else len(word)
    return start + left, start + right


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted, without duplicates or overlaps."""
    out: list[Span] = []
    for start, end in sorted(set(spans)):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return tuple(out)


def relocate_spans(
    before: str, spans: Sequence[Span], after: str, protected: Sequence[str] = ()
) -> tuple[Span, ...]:
    """Move word spans of ``before`` onto ``after`` (the same text with placeholders restored
    or removed): each word is looked for, in order, from where the previous one was found.

    Words inside any occurrence of a ``protected`` string (restored untouchables: not the
    model's words) and words that contain a placeholder are dropped; so are occurrences inside a
    longer word. Bounded by the output's length (at most its cap in tokens, plus the restored
    untouchables of one sentence) times the number of weak words.
    """
    guarded = _occurrences(after, protected)
    out: list[Span] = []
    position = 0
    for start, end in spans:
        word = before[start:end]
        if not word or "__" in word or re.search(r"[Uu]\s*\d", word) and "_" in word:
            continue
        found = after.find(word, position)
        # Skip occurrences inside a restored untouchable or inside a longer word.
        while found >= 0 and (
            any(s < found + len(word) and found < e for s, e in guarded)
            or not _on_boundaries(after, found, found + len(word))
        ):
            found = after.find(word, found + 1)
        if found < 0:
            continue
        position = found + len(word)
        out.append((found, position))
    return merge_spans(out)


def _on_boundaries(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (
        end == len(text) or not text[end].isalnum()
    )


def _occurrences(text: str, needles: Sequence[str]) -> list[Span]:
    spans: list[Span] = []
    for needle in dict.fromkeys(n for n in needles if n):
        at = text.find(needle)
        while at >= 0 and len(spans) < 1000:
            spans.append((at, at + len(needle)))
            at = text.find(needle, at + len(needle))
    return spans
