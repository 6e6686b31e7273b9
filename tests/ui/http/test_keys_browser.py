"""The page behind ``--api-keys`` in a real browser: the key form, then a whole run and a file
opened through the session cookie (the page must keep working for a person)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

from tests.ui.fixtures import SHORT, live_server, tiny_config  # noqa: E402
from tests.ui.web.test_browser import CHROMIUM, CHROMIUM_ARGS, status_starts_with  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
KEY = "desk-key"


@pytest.fixture(scope="module")
def keyed(tiny_marian: Path):
    with live_server(tiny_config(tiny_marian, api_keys={KEY: None})) as (url, app):
        yield url, app


def test_a_person_opens_the_keyed_page_and_runs_it(keyed, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    url, app = keyed
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            assert "API key" in page.content()
            page.fill("input[name=api_key]", KEY)
            page.click("button")
            page.wait_for_selector("#source-box textarea")
            assert "api_key" not in page.url  # the key left the address bar
            page.locator("#source-box textarea").fill(SHORT)
            page.click("#translate-btn")
            status_starts_with(page, "Done")
            assert page.input_value("#translation-box textarea").strip()
            article = tmp_path / "article.txt"
            article.write_text(SHORT, encoding="utf-8")
            page.locator("input[type=file]").first.set_input_files(str(article))
            status_starts_with(page, "Loaded")
            real = str(app.state.workbench.files.tmp_root)
            assert real not in page.content()
        finally:
            browser.close()
