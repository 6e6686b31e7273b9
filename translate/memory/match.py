"""Keys, validation and near matching of translation-memory units (no database here).

The key of a unit is its Arabic normalised with :func:`translate.text.normalize` (the
translator's own normalisation), so a sentence and its unit meet whatever presentation forms,
tatweel or spacing either was typed with. Similarity is rapidfuzz's normalised Indel ratio
(``fuzz.ratio / 100``) on keys.

Near matches are found in two bounded steps: the store returns candidates that share at least
one of the query's rarest words (:data:`MAX_QUERY_TERMS` words, at most
:data:`MAX_POSTINGS_PER_TERM` units each, only units whose key length could reach the
threshold), then :func:`rank` scores at most :data:`MAX_CANDIDATES` of them. A near match that
shares none of the query's rarest words (every word of the sentence changed) is not found.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import text as T
from .errors import UnitError

DEFAULT_THRESHOLD = 0.8
MAX_UNIT_CHARS = 10_000  # a sentence, or a short paragraph; the model's window is far smaller
MAX_TARGET_RATIO = 10  # an English target longer than 10x its Arabic source is a runaway
MAX_QUERY_TERMS = 6
MAX_POSTINGS_PER_TERM = 2_000
MAX_CANDIDATES = 300
MAX_NEAR_QUERY_CHARS = 2_000  # longer sentences get exact matches only (rapidfuzz is quadratic)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Unit:
    """One stored translation unit."""

    id: int
    source: str
    key: str
    target: str
    origin: str
    replaced_model: str | None
    key_name: str | None
    created: str
    updated: str

    def to_dict(self) -> dict[str, object]:
        """The unit as JSON-ready data (the HTTP API's shape)."""
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "origin": self.origin,
            "replaced_model": self.replaced_model,
            "key_name": self.key_name,
            "created": self.created,
            "updated": self.updated,
        }


@dataclass(frozen=True)
class Match:
    """A unit found for a query, with its similarity (1.0: the same key)."""

    unit: Unit
    similarity: float

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.unit.id,
            "source": self.unit.source,
            "target": self.unit.target,
            "similarity": round(self.similarity, 4),
        }


def memory_key(source: str) -> str:
    """The lookup key of an Arabic sentence: normalised, outer whitespace removed."""
    return T.normalize(source).strip()


def _check_text(value: object, what: str, line: int | None) -> str:
    if not isinstance(value, str):
        raise UnitError(f"The {what} must be text, not {type(value).__name__}.", line)
    if not value.strip():
        raise UnitError(f"The {what} is empty.", line)
    if len(value) > MAX_UNIT_CHARS:
        raise UnitError(
            f"The {what} has {len(value):,} characters; a unit holds at most "
            f"{MAX_UNIT_CHARS:,} (one sentence or a short paragraph).",
            line,
        )
    if "\x00" in value:
        raise UnitError(f"The {what} contains a NUL character.", line)
    position = T.lone_surrogate(value)
    if position is not None:
        raise UnitError(f"The {what}: {T.surrogate_message(value, position)}", line)
    return value


def validate_unit(source: object, target: object, line: int | None = None) -> tuple[str, str]:
    """``(source, target)`` stripped, if they make a unit; else UnitError with the reason."""
    source = _check_text(source, "source", line).strip()
    target = _check_text(target, "target", line).strip()
    if len(target) > MAX_TARGET_RATIO * len(source):
        raise UnitError(
            f"The target has {len(target):,} characters, more than {MAX_TARGET_RATIO} times "
            f"its source's {len(source):,}: it is not a translation of that source.",
            line,
        )
    return source, target


def terms(key: str) -> list[int]:
    """The distinct words of a key (of 3 letters or more), as the index's term ids.

    A term id is the word's CRC-32 and length (stable across processes, unlike ``hash``); two
    words sharing one only merge their candidate lists, never change a similarity. Words of one
    or two letters (و، في، من) are in nearly every sentence and never among the rarest.
    """
    return [
        zlib.crc32(word.encode("utf-8")) | (len(word) << 32)
        for word in dict.fromkeys(_WORD.findall(key))
        if len(word) >= 3
    ]


def length_band(length: int, threshold: float) -> tuple[int, int]:
    """Key lengths that can reach ``threshold`` against a key of ``length`` characters.

    The Indel ratio is at most ``2 * min(a, b) / (a + b)``, so ``b`` lies within
    ``[a * t / (2 - t), a * (2 - t) / t]``.
    """
    low = int(length * threshold / (2 - threshold))
    high = int(length * (2 - threshold) / threshold) + 1
    return low, high


def unit_digest(key: str, source: str, target: str) -> int:
    """A 128-bit hash of what a unit contributes to translations (XOR-ed into the fingerprint)."""
    payload = "\x00".join((key, source, target)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(payload, digest_size=16).digest(), "big")


def rank(
    query: str, candidates: Iterable[tuple[int, str]], threshold: float, limit: int
) -> list[tuple[int, float]]:
    """``(id, similarity)`` of the candidate keys at least ``threshold`` like ``query``, best
    first (ties: lower id first), at most ``limit``."""
    from rapidfuzz import fuzz

    cutoff = threshold * 100
    scored = []
    for unit_id, key in candidates:
        score = fuzz.ratio(query, key, score_cutoff=cutoff)
        if score:
            scored.append((unit_id, score / 100))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def pick_terms(query_terms: Sequence[int], frequency: dict[int, int]) -> list[int]:
    """The query's rarest known words (at most :data:`MAX_QUERY_TERMS`), rarest first."""
    known = [t for t in query_terms if frequency.get(t)]
    known.sort(key=lambda t: (frequency[t], t))
    return known[:MAX_QUERY_TERMS]
