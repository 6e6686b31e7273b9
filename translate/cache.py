"""A bounded, thread-safe sentence cache keyed by everything that changes an output."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedTranslation:
    """One sentence's translation as cached: its text, flags, length in model tokens, mean
    log-probability per token, confidence (``exp`` of it; None where the model did not write
    the text) and weak words (character spans in ``target``; None where they were not
    computed: ``TranslatorConfig.weak_words`` off)."""

    target: str
    flags: tuple[str, ...]
    tokens: int
    score: float | None
    confidence: float | None = None
    weak: tuple[tuple[int, int], ...] | None = ()
    terms: tuple[str, ...] = ()  # how each glossary term was applied (terms.enforce)


def cache_key(
    *,
    model: str,
    revision: str | None,
    backend: str,
    quantization: str,
    settings: Mapping[str, Any],
    text: str,
) -> str:
    """A stable digest of the model identity, engine, decoding settings and normalised input."""
    payload = json.dumps(
        [model, revision, backend, quantization, dict(sorted(settings.items())), text],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class SentenceCache:
    """Least-recently-used cache of sentence translations; ``maxsize=0`` turns it off."""

    def __init__(self, maxsize: int = 4096) -> None:
        if maxsize < 0:
            raise ValueError("cache size must be >= 0")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, CachedTranslation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedTranslation | None:
        if self.maxsize == 0:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, value: CachedTranslation) -> None:
        if self.maxsize == 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items
