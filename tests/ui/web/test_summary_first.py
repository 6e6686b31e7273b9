"""The page's summary-first switch, without a browser: with the extractive method the summary is
in a frame before the last segment arrives, and it equals the library's summary-first digest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.ui.fixtures import tiny_config

pytest.importorskip("gradio")


@pytest.fixture()
def bench(tiny_marian: Path) -> Iterator[Any]:
    from ui.service import Workbench

    workbench = Workbench(tiny_config(tiny_marian, summary_length="short"))
    yield workbench
    workbench.cleanup()


def test_the_summary_shows_before_the_last_segment(bench: Any) -> None:
    from summarize import digest
    from ui.web.runs import PageRuns

    text = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
    frames = list(PageRuns(bench).run(text, None, "extractive", "short", "s", True))
    first_summary = next(i for i, f in enumerate(frames) if f.summary)
    last_segment = max(
        i for i, f in enumerate(frames) if f.translation != frames[i - 1].translation
    )
    assert first_summary < last_segment
    final = frames[-1]
    assert not final.running and "Done" in final.status and final.error == ""
    translator = bench.pool.translator(None).translator
    expected = digest(
        text,
        translator=translator,
        summary_method="extractive",
        length="short",
        summary_first=True,
    )
    assert final.summary == expected.summary.text
    assert final.translation.strip() == expected.translation.text.strip()


def test_off_or_abstractive_summarises_after_the_translation(bench: Any) -> None:
    from ui.web.runs import PageRuns

    text = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
    frames = list(PageRuns(bench).run(text, None, "extractive", "short", "s", False))
    with_summary = [i for i, f in enumerate(frames) if f.summary]
    assert with_summary and min(with_summary) >= len(frames) - 1
