"""Fixtures of the page tests: a Workbench on the tiny Marian model (extractive summaries)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.fixtures import tiny_config


@pytest.fixture(scope="module")
def config(tiny_marian: Path) -> Any:
    return tiny_config(tiny_marian)


@pytest.fixture()
def bench(config: Any) -> Iterator[Any]:
    from ui.service import Workbench

    workbench = Workbench(config)
    yield workbench
    workbench.cleanup()
