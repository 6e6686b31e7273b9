"""The web UI in a real browser: Playwright drives Debian's chromium (never a downloaded one)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

from tests.conftest import SEEDS  # noqa: E402
from tests.tiny_models import REPO  # noqa: E402
from ui.app import AppConfig, build_app, launch_options  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = REPO / "docs" / "screenshot.png"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    config = AppConfig(
        model=str(tiny_marian),
        backend="transformers",
        device="cpu",
        summary_method="extractive",
        summary_length="short",
        translation_settings={"num_beams": 1, "max_new_tokens": 8},
    )
    app = build_app(config)
    port = free_port()
    app.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(config),
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (bash scripts/setup --test)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser, server: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.requested = []  # every URL the page asks for
    page.on("request", lambda request: page.requested.append(request.url))
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    page.wait_for_selector("#source-box textarea")
    yield page
    page.close()


def status_starts_with(page, prefix: str) -> None:
    page.wait_for_function(
        "prefix => (document.querySelector('#tarjama-status')?.innerText || '')"
        ".trim().startsWith(prefix)",
        arg=prefix,
    )


def wait_for_error(page, message: str) -> None:
    page.wait_for_function(
        "m => (document.querySelector('#tarjama-error')?.innerText || '').includes(m)",
        arg=message,
    )


def test_translate_the_seed_article(page, seed_article: str, tmp_path: Path) -> None:
    source = page.locator("#source-box textarea")
    assert source.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "Noto Naskh Arabic" in source.evaluate("e => getComputedStyle(e).fontFamily")

    source.fill(seed_article)
    page.click("#translate-btn")
    status_starts_with(page, "Done")

    translation = page.input_value("#translation-box textarea")
    summary = page.input_value("#summary-box textarea")
    assert source.input_value() == seed_article
    assert translation.strip() and summary.strip()
    assert page.inner_text("#tarjama-error").strip() == ""
    rows = page.locator("#aligned-view tr[id^='tj-sent-']")
    assert rows.count() >= 10
    assert page.locator("#aligned-view td.tj-ar[dir='rtl']").count() == rows.count()
    links = page.locator("#summary-sources a.tj-source-link")
    assert links.count() >= 1
    assert page.locator("#cancel-btn").is_disabled()
    assert page.locator("#download-txt").is_enabled()
    # The Arabic font came from this server, and nothing came from anywhere else.
    assert page.evaluate("document.fonts.check(\"16px 'Noto Naskh Arabic'\", 'عربي')")
    assert any(url.endswith("NotoNaskhArabic-Regular.ttf") for url in page.requested)
    outside = [u for u in page.requested if urlsplit(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"the page made requests outside the server: {outside}"

    page.evaluate(
        "() => { document.querySelectorAll('textarea').forEach(t => { t.scrollTop = 0; });"
        " window.scrollTo(0, 0); }"
    )
    page.screenshot(path=str(tmp_path / "screenshot.png"))
    assert (tmp_path / "screenshot.png").stat().st_size > 10_000
    if os.environ.get("TARJAMA_UPDATE_SCREENSHOT"):  # refresh the README's picture on request
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "screenshot.png", SCREENSHOT)

    # A source link of the summary jumps to its row of the aligned view.
    target = links.first.get_attribute("href")
    links.first.click()
    assert page.evaluate("location.hash") == target


def test_empty_input_shows_a_message_and_the_page_stays_usable(page) -> None:
    page.click("#translate-btn")
    wait_for_error(page, "The input is empty.")
    assert "Traceback" not in page.content()
    page.locator("#source-box textarea").fill("Hello, this is English.")
    page.click("#translate-btn")
    wait_for_error(page, "no Arabic letters")


def test_example_button_and_upload(page, tmp_path: Path) -> None:
    page.get_by_role("button", name="Short headline").click()
    expected = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
    page.wait_for_function(
        "text => document.querySelector('#source-box textarea').value === text", arg=expected
    )

    bad = tmp_path / "article.txt"
    bad.write_bytes("خبر عاجل".encode("cp1256"))
    page.locator("input[type=file]").first.set_input_files(bad)
    wait_for_error(page, "not UTF-8")

    good = tmp_path / "good.txt"
    good.write_text("قال الوزير إن الحكومة ستواصل العمل.", encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(good)
    page.wait_for_function(
        "() => document.querySelector('#source-box textarea').value.startsWith('قال الوزير')"
    )
    status_starts_with(page, "Loaded good.txt")
