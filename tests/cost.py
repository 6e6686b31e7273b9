"""Growth measurement for cost tests: does the work grow linearly with a hostile input?

Timed assertions on absolute speed are flaky on a shared machine; a *ratio* of best-of-N
times between an input and one ``factor`` times larger is not, as long as the smaller run
is long enough to measure. Quadratic code shows a ratio near ``factor**2`` (16 for 4x),
linear code near ``factor``. The default slack is 8, their geometric midpoint: a factor of 2
from each. Linear code reads 3.8 to 4.7 in a fresh process on this machine, but in CI's
full-suite process (two shared vCPUs, a large heap) three different linear tests have read
5.1, 6.4 and 6.3, and each failed a CI run under the old slack of 5.

Times are this process's CPU time (all its threads) by default: on a machine where other
processes keep the cores busy, wall time swings with their load, CPU time much less. Pass
``clock=time.perf_counter`` when the work happens in another process (a server started as a
subprocess, a worker pool).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The smaller input is grown (doubling) until one run takes at least this long, so that timer
# resolution and fixed overheads do not hide the growth.
MIN_SECONDS = 0.02


@dataclass(frozen=True)
class Growth:
    """Best-of-N seconds at ``size`` and at ``size * factor``, and their ratio."""

    size: int
    factor: int
    small: float
    large: float

    @property
    def ratio(self) -> float:
        return self.large / max(self.small, 1e-9)

    def __str__(self) -> str:
        return (
            f"size {self.size:,} -> {self.size * self.factor:,}: {self.small * 1000:.1f} ms -> "
            f"{self.large * 1000:.1f} ms (x{self.ratio:.1f})"
        )


Clock = Callable[[], float]


def best_time(
    run: Callable[[Any], object], value: Any, repeats: int, clock: Clock = time.process_time
) -> float:
    """The smallest time (by ``clock``) of ``repeats`` calls of ``run(value)``."""
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        run(value)
        best = min(best, clock() - start)
    return best


def measure_growth(
    make: Callable[[int], Any],
    run: Callable[[Any], object],
    size: int,
    *,
    factor: int = 4,
    repeats: int = 3,
    max_size: int | None = None,
    min_seconds: float = MIN_SECONDS,
    clock: Clock = time.process_time,
) -> Growth:
    """Time ``run(make(size))`` and ``run(make(size * factor))``, best of ``repeats`` each.

    ``size`` is doubled (up to ``max_size``) while one small run takes under ``min_seconds``.
    Inputs are built outside the timed calls; small and large runs alternate, so that a burst
    of load from other processes slows both rather than one.
    """
    limit = max_size if max_size is not None else size * 64
    small_input = make(size)
    small = best_time(run, small_input, 1, clock)
    while small < min_seconds and size * 2 <= limit:
        size *= 2
        small_input = make(size)
        small = best_time(run, small_input, 1, clock)
    large_input = make(size * factor)
    large = float("inf")
    for _ in range(repeats):
        small = min(small, best_time(run, small_input, 1, clock))
        large = min(large, best_time(run, large_input, 1, clock))
    return Growth(size, factor, small, large)


def assert_linear(
    make: Callable[[int], Any],
    run: Callable[[Any], object],
    size: int,
    *,
    factor: int = 4,
    slack: float = 8.0,
    repeats: int = 3,
    max_size: int | None = None,
    min_seconds: float = MIN_SECONDS,
    attempts: int = 3,
    floor: float = 0.0,
    clock: Clock = time.process_time,
) -> Growth:
    """Assert that growing the input ``factor`` times grows the time at most ``slack`` times.

    A failing ratio is measured again (``attempts`` in all) before failing: a slow run on a
    busy machine is noise, quadratic code fails every time (x16 for 4x). A large run under
    ``floor`` seconds passes whatever its ratio: for sub-millisecond work the ratio measures
    caches and allocation, and the sizes are chosen so that quadratic code is far above it.
    """
    growth = measure_growth(
        make,
        run,
        size,
        factor=factor,
        repeats=repeats,
        max_size=max_size,
        min_seconds=min_seconds,
        clock=clock,
    )
    for _ in range(attempts - 1):
        if growth.ratio <= slack or growth.large < floor:
            break
        growth = measure_growth(
            make,
            run,
            growth.size,
            factor=factor,
            repeats=repeats,
            max_size=growth.size,
            min_seconds=0.0,
            clock=clock,
        )
    assert growth.ratio <= slack or growth.large < floor, f"cost grows faster than linear: {growth}"
    return growth
