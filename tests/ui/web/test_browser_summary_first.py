"""In a browser: with the summary-first switch on (the default, extractive summaries) the
summary is on screen before the last segment of the translation arrives."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("gradio")
pytest.importorskip("playwright")

from tests.conftest import SEEDS  # noqa: E402
from tests.ui.fixtures import live_server, tiny_config  # noqa: E402
from tests.ui.web.test_browser import browser, open_page, text_of  # noqa: E402, F401
from translate.serving import BatchingTranslator  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    with live_server(tiny_config(tiny_marian, summary_length="short")) as (url, _):
        yield url


def test_the_summary_appears_before_the_last_segment(
    browser,  # noqa: F811 - the browser module's fixture
    server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = BatchingTranslator.iter_segments

    def slow(self, *args, **kwargs):  # noqa: ANN001 - each segment 0.4 s apart
        for segment in original(self, *args, **kwargs):
            time.sleep(0.4)
            yield segment

    monkeypatch.setattr(BatchingTranslator, "iter_segments", slow)
    page = open_page(browser, server)
    try:
        text = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
        page.locator("#source-box textarea").fill(text)
        page.click("#translate-btn")
        deadline = time.monotonic() + 60
        while not page.input_value("#summary-box textarea").strip():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status = text_of(page, "#tarjama-status")
        assert not status.startswith("Done"), status  # the translation is still streaming
        while not text_of(page, "#tarjama-status").startswith("Done"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        page.close()


def test_an_uploaded_glossary_changes_the_translation(
    browser,  # noqa: F811 - the browser module's fixture
    server: str,
    tmp_path: Path,
) -> None:
    glossary = tmp_path / "house.csv"
    glossary.write_text("arabic,english\nدمشق,Damascus\n", encoding="utf-8")
    text = "وصل الوفد إلى دمشق اليوم."
    page = open_page(browser, server)
    try:

        def translate() -> str:
            page.locator("#source-box textarea").fill(text)
            page.click("#translate-btn")
            deadline = time.monotonic() + 60
            while not text_of(page, "#tarjama-status").startswith("Done"):
                assert time.monotonic() < deadline
                time.sleep(0.1)
            return page.input_value("#translation-box textarea")

        before = translate()
        assert before.strip() and "Damascus" not in before
        page.get_by_text("Options").click()
        page.locator("#glossary-file input[type=file]").set_input_files(str(glossary))
        page.get_by_text("house.csv").first.wait_for()
        assert "Damascus" in translate()
    finally:
        page.close()
