"""The growth helper itself, on a clock the test drives: it must fail quadratic work and pass
linear work whose speed swings as CI's does, whatever this machine's real speed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cost import assert_linear

SMALL = 2000  # where the helper settles from 1000: every 1000 run here is under its 20 ms


class FakeClock:
    """A clock that only the modelled work moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _check(cost: Callable[[int], float], large_slowdown: float):
    """``assert_linear`` on work costing ``cost(n)`` seconds, runs above ``SMALL`` slowed down."""
    clock = FakeClock()

    def run(n: int) -> None:
        clock.now += cost(n) * (large_slowdown if n > SMALL else 1.0)

    return assert_linear(lambda n: n, run, 1000, clock=clock)


def test_linear_work_passes_and_settles_on_a_measurable_size() -> None:
    growth = _check(lambda n: 1.5e-5 * n, 1.0)
    assert (growth.size, round(growth.ratio, 6)) == (SMALL, 4.0)


def test_linear_work_passes_when_the_machine_is_slower_for_every_large_run() -> None:
    # What failed CI under the old slack of 5: linear work read x6.3 because its large runs
    # came out about 1.6 times slower than its small ones, in all three measurements.
    growth = _check(lambda n: 1.5e-5 * n, 1.6)
    assert round(growth.ratio, 6) == 6.4


@pytest.mark.parametrize("large_slowdown", [1.0, 1 / 1.5])
def test_quadratic_work_fails_even_when_the_large_runs_are_faster(large_slowdown) -> None:
    with pytest.raises(AssertionError, match="faster than linear"):
        _check(lambda n: 1e-8 * n * n, large_slowdown)


def test_work_with_a_quadratic_term_fails_once_it_dominates() -> None:
    # Half linear, half quadratic at the small size: 4 * 0.5 + 16 * 0.5 = x10.
    with pytest.raises(AssertionError, match="faster than linear"):
        _check(lambda n: 7.5e-6 * n + 3.75e-9 * n * n, 1.0)
