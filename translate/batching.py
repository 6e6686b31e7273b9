"""The batching policy: how long an output may be, and which sentences share an engine call.

Pure functions, shared by the Translator, the server's cross-request batcher and the benchmark,
so that all of them batch alike. The cap of an output is a function of its own sentence alone:
batching groups work, it never changes a translation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .config import DEFAULT_BATCH_TOKENS, DEFAULT_MAX_BATCH_SIZE

_T = TypeVar("_T")


def length_bucket(tokens: int) -> int:
    """``tokens`` rounded up to the next step of a ladder whose steps grow with the length:
    multiples of 8 up to 64, of 16 up to 128, of 32 up to 256, then of 64 (at most 25% above
    the count past 32 tokens). A coarse cap: sentences of one bucket get the same cap, so the
    engines' per-row limits rarely differ within a length-sorted batch."""
    tokens = max(1, int(tokens))
    step = 8 if tokens <= 64 else 16 if tokens <= 128 else 32 if tokens <= 256 else 64
    return -(-tokens // step) * step


def output_cap(source_tokens: int, settings: Mapping[str, Any], default_max: int) -> int:
    """The most new tokens an output may have: a function of its own sentence alone.

    ``max_length_ratio`` × the sentence's token count (rounded up to its :func:`length_bucket`)
    + 10, never above ``max_new_tokens`` (``default_max`` when unset). Never a function of the
    batch: the same sentence gets the same cap alone, beside long or short neighbours, after a
    resume or on another engine.
    """
    cap = int(settings.get("max_new_tokens") or default_max)
    ratio = settings.get("max_length_ratio")
    if ratio:
        cap = min(cap, math.ceil(float(ratio) * length_bucket(source_tokens)) + 10)
    return max(1, cap)


def plan_batches(
    items: Sequence[_T],
    *,
    tokens: Callable[[_T], int],
    group: Callable[[_T], Any] = lambda item: 0,
    batch_tokens: int = DEFAULT_BATCH_TOKENS,
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
) -> list[list[_T]]:
    """The Translator's batching policy: length-sorted batches whose padded size (width × rows)
    stays within ``batch_tokens``, at most ``max_batch_size`` rows, never mixing items of
    different ``group`` (settings that must agree within one engine call).

    Longest first, so the first batches show the worst case of memory early.
    """
    groups: dict[Any, list[_T]] = {}
    for item in sorted(items, key=tokens, reverse=True):
        groups.setdefault(group(item), []).append(item)
    batches: list[list[_T]] = []
    for members in sorted(groups.values(), key=lambda g: tokens(g[0]), reverse=True):
        batch: list[_T] = []
        width = 0
        for item in members:
            wider = max(width, tokens(item))
            if batch and (wider * (len(batch) + 1) > batch_tokens or len(batch) >= max_batch_size):
                batches.append(batch)
                batch, wider = [], tokens(item)
            batch.append(item)
            width = wider
        if batch:
            batches.append(batch)
    return batches


def stream_head(items: Sequence[_T], free: Callable[[_T], bool] = lambda item: False) -> int:
    """How many items a stream runs first: the ``free`` ones (no model call) up to and including
    the first that needs the model (see :func:`stream_chunks`)."""
    first = 0
    while first < len(items) and free(items[first]):
        first += 1
    return min(first + 1, len(items))


def stream_chunks(
    items: Sequence[_T],
    *,
    tokens: Callable[[_T], int],
    free: Callable[[_T], bool] = lambda item: False,
    first: Callable[[_T], bool] | None = None,
    batch_tokens: int = DEFAULT_BATCH_TOKENS,
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
) -> list[list[_T]]:
    """The streaming policy: in which chunks a stream runs ``items`` (in source order).

    The first item that needs the model (with the ``free`` ones before it) goes alone, so the
    first segment shows after one sentence's time; or, when ``first`` is given, the items it
    picks (a summary's sentences) go first, together. The rest go in the batches
    :func:`plan_batches` makes of them, as ``translate()`` would batch them, so the whole
    article takes about as long as ``translate()`` (growing waves of 2, 4, 8… sentences made
    small batches and took 1.8-2.3x as long); those batches run in the order of their first
    item, so the stream advances in source order.
    """
    if first is not None:
        head = [item for item in items if first(item)]
        rest = [item for item in items if not first(item)]
    else:
        cut = stream_head(items, free)
        head, rest = list(items[:cut]), list(items[cut:])
    position = {id(item): i for i, item in enumerate(rest)}
    batches = plan_batches(
        rest, tokens=tokens, batch_tokens=batch_tokens, max_batch_size=max_batch_size
    )
    batches.sort(key=lambda batch: min(position[id(item)] for item in batch))
    return [head, *batches] if head else batches
