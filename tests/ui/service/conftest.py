"""Fixtures of the service tests: a Workbench on the tiny Marian and BART models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tiny_bart import build_tiny_bart
from tests.ui.fixtures import tiny_config


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))


@pytest.fixture(scope="module")
def config(tiny_marian: Path, tiny_bart_dir: Path) -> Any:
    return tiny_config(tiny_marian, summary_model=str(tiny_bart_dir))


@pytest.fixture()
def bench(config: Any) -> Iterator[Any]:
    from ui.service import Workbench

    workbench = Workbench(config)
    yield workbench
    workbench.cleanup()
