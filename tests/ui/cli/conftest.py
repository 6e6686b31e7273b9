"""Fixtures of the command-line tests: an Arabic article in a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEEDS


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    """A short Arabic news article (one of the seeds) in a UTF-8 file of its own."""
    path = tmp_path / "article.ar.txt"
    path.write_text((SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8"), "utf-8")
    return path
