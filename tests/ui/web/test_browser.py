"""The web page in a real browser: Playwright drives Debian's chromium (never a downloaded one).

One test per point a new user raised: typefaces, long tokens, the phone layout, stale results,
the Translate button during a run, Cancel, summary progress, model status, error messages and
downloads. Slow runs are made slow on purpose (a held or delayed engine), never hoped for.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

from tests.conftest import SEEDS  # noqa: E402
from tests.tiny_models import REPO  # noqa: E402
from tests.ui.fixtures import SHORT, live_server, tiny_config  # noqa: E402
from translate import Translator  # noqa: E402
from ui.service import Workbench  # noqa: E402
from ui.web.runs import PageRuns  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = {
    "desktop": REPO / "docs" / "screenshot.png",
    "phone": REPO / "docs" / "screenshot-phone.png",
}
DESKTOP = {"width": 1400, "height": 1100}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 120_000
LONG_TOKEN = "https://example.org/" + "a1b2c3d4" * 50
LONG_ARTICLE = f"قال الوزير إن الرابط {LONG_TOKEN} يعمل.\nوأضاف أن الحكومة ستواصل العمل."


@pytest.fixture(scope="module")
def server(tiny_marian: Path):
    # The default summary method with no summary weights: the page falls back to extractive.
    config = tiny_config(tiny_marian, max_chars=20_000, summary_method="abstractive")
    with live_server(config) as (url, _):
        yield url


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


def open_page(browser, url: str, viewport: dict[str, int] = DESKTOP):
    page = browser.new_page(viewport=viewport, accept_downloads=True)
    page.requested = []  # every URL the page asks for
    page.on("request", lambda request: page.requested.append(request.url))
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("#source-box textarea")
    return page


@pytest.fixture()
def page(browser, server: str):
    page = open_page(browser, server)
    yield page
    page.close()


@pytest.fixture()
def held_engine(monkeypatch: pytest.MonkeyPatch):
    """An engine that runs one model cycle (a stream's first sentence), then waits until the
    test lets it go."""
    gate = threading.Event()
    calls = {"n": 0}
    original = Translator.run

    def run(self, pieces, progress=None):  # noqa: ANN001 - the Translator's own signature
        calls["n"] += 1
        if calls["n"] > 1:
            gate.wait(TIMEOUT_MS / 1000)
        return original(self, pieces, progress)

    monkeypatch.setattr(Translator, "run", run)
    yield gate
    gate.set()


def text_of(page, selector: str) -> str:
    return page.evaluate("s => document.querySelector(s)?.innerText || ''", selector)


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


def fonts_of(page, selector: str) -> list[dict]:
    """The platform fonts chromium used for the text of the first ``selector`` element."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no {selector} on the page"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def placeholder_fonts(page) -> list[dict]:
    """The fonts of the source box's placeholder (inside the textarea's user-agent shadow)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]

    def walk(node):
        yield node
        for child in node.get("children", []) + node.get("shadowRoots", []):
            yield from walk(child)

    textarea = next(
        n
        for n in walk(root)
        if n.get("nodeName") == "TEXTAREA" and "placeholder" in n.get("attributes", [])
    )
    shown = next(
        n for n in walk(textarea) if "-webkit-input-placeholder" in n.get("attributes", [])
    )
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": shown["nodeId"]})["fonts"]
    cdp.detach()
    return fonts


def translate(page, text: str) -> None:
    page.locator("#source-box textarea").fill(text)
    page.click("#translate-btn")
    status_starts_with(page, "Done")


def save(page, name: str, tmp_path: Path, top: str | None = None) -> None:
    """A screenshot of the viewport, scrolled to the top (or to the ``top`` element)."""
    page.evaluate(
        "top => { document.querySelectorAll('textarea').forEach(t => { t.scrollTop = 0; });"
        " const el = top && document.querySelector(top);"
        " window.scrollTo(0, el ? el.getBoundingClientRect().top + window.scrollY - 12 : 0); }",
        top,
    )
    page.wait_for_timeout(600)  # let the buttons' colour transitions finish
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("TARJAMA_UPDATE_SCREENSHOT"):  # refresh the README's pictures on request
        SCREENSHOTS[name].parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS[name])


# -- a whole run ---------------------------------------------------------------------------------
def test_translate_the_seed_article(page, seed_article: str, tmp_path: Path) -> None:
    source = page.locator("#source-box textarea")
    assert source.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "Noto Naskh Arabic" in source.evaluate("e => getComputedStyle(e).fontFamily")
    translate(page, seed_article)

    assert source.input_value() == seed_article
    assert page.input_value("#translation-box textarea").strip()
    assert page.input_value("#summary-box textarea").strip()
    assert text_of(page, "#tarjama-error").strip() == ""
    rows = page.locator("#aligned-view tr[id^='tj-sent-']")
    assert rows.count() >= 10
    assert page.locator("#aligned-view td.tj-ar[dir='rtl']").count() == rows.count()
    assert page.locator("#summary-sources a.tj-source-link").count() >= 1
    assert page.locator("#cancel-btn").is_disabled()
    assert page.locator("#translate-btn").is_enabled()
    # The Arabic font came from this server, and nothing came from anywhere else.
    assert page.evaluate("document.fonts.check(\"16px 'Noto Naskh Arabic'\", 'عربي')")
    assert any(url.endswith("NotoNaskhArabic-Regular.ttf") for url in page.requested)
    outside = [u for u in page.requested if urlsplit(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"the page made requests outside the server: {outside}"
    save(page, "desktop", tmp_path)

    links = page.locator("#summary-sources a.tj-source-link")
    target = links.first.get_attribute("href")
    links.first.click()
    assert page.evaluate("location.hash") == target


def test_downloads_are_named_after_the_article_in_four_formats(page, tmp_path: Path) -> None:
    translate(page, SHORT)
    names = {}
    for kind in ("txt", "md", "json", "csv"):
        button = page.locator(f"#download-{kind}")
        assert button.is_enabled()
        with page.expect_download() as info:
            button.click()
        download = info.value
        names[kind] = download.suggested_filename
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        if kind == "json":
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data["complete"] is True and data["translation"]["segments"]
        if kind == "csv":
            assert "flags" in path.read_text(encoding="utf-8-sig").splitlines()[0]
    stems = {Path(n).stem for n in names.values()}
    assert len(stems) == 1 and next(iter(stems)).startswith("tarjama-")
    assert next(iter(stems)) not in ("tarjama-digest", "tarjama-article")


# -- typefaces ---------------------------------------------------------------------------------
def test_bold_text_is_one_typeface_and_latin_in_the_arabic_box_is_sans(page) -> None:
    for selector in (".tj-name", ".tj-label", "#translate-btn", "#tj-model-status code"):
        fonts = fonts_of(page, selector)
        families = {f["familyName"] for f in fonts}
        assert len(families) == 1, (selector, fonts)
    assert {f["familyName"] for f in fonts_of(page, ".tj-name")} == {"IBM Plex Sans"}
    placeholder = page.locator("#source-box textarea").get_attribute("placeholder")
    assert "\u2066(paste an Arabic article)\u2069" in placeholder  # an LTR isolate under RTL
    page.wait_for_function("document.fonts.check(\"16px 'Noto Naskh Arabic'\", 'عربي')")
    shown = {f["familyName"]: f["glyphCount"] for f in placeholder_fonts(page)}
    assert set(shown) == {"Noto Naskh Arabic", "IBM Plex Sans"}, shown  # no serif fallback
    assert shown["IBM Plex Sans"] >= len("(paste an Arabic article)")


# -- layout --------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_long_token_stays_inside_its_cell(browser, server: str, viewport) -> None:
    page = open_page(browser, server, viewport)
    try:
        translate(page, LONG_ARTICLE)
        overflow = page.evaluate(
            """() => {
                const view = document.querySelector('#aligned-view');
                const table = view.querySelector('table');
                const cells = [...table.querySelectorAll('td')];
                return {
                    table: table.scrollWidth - view.clientWidth,
                    cells: Math.max(...cells.map(c => c.scrollWidth - c.clientWidth)),
                    page: document.documentElement.scrollWidth - window.innerWidth,
                };
            }"""
        )
        assert overflow["table"] <= 1 and overflow["cells"] <= 1 and overflow["page"] <= 1
        assert LONG_TOKEN in text_of(page, "#aligned-view").replace("\n", "")
    finally:
        page.close()


def test_phone_layout_keeps_the_button_near_the_input_and_shows_flags(
    browser, server: str, seed_article: str, tmp_path: Path
) -> None:
    page = open_page(browser, server, PHONE)
    try:
        box = page.locator("#source-box textarea").bounding_box()
        button = page.locator("#translate-btn").bounding_box()
        assert 0 <= button["y"] - (box["y"] + box["height"]) < 120  # right under the input
        translate(page, seed_article)
        badges = page.locator("#aligned-view .tj-badge")
        assert badges.count() >= 1
        assert badges.first.is_visible() and badges.first.bounding_box()["width"] > 0
        save(page, "phone", tmp_path, top="#tj-panels")
    finally:
        page.close()


# -- runs --------------------------------------------------------------------------------------
def test_loading_an_example_or_a_file_clears_the_previous_result(page, tmp_path: Path) -> None:
    translate(page, SHORT)
    assert page.input_value("#translation-box textarea").strip()
    page.get_by_role("button", name="Economy numbers").click()
    expected = (SEEDS / "economy-numbers.ar.txt").read_text(encoding="utf-8")
    page.wait_for_function(
        "text => document.querySelector('#source-box textarea').value === text", arg=expected
    )
    status_starts_with(page, "Example loaded")
    assert page.input_value("#translation-box textarea") == ""
    assert page.input_value("#summary-box textarea") == ""
    assert page.locator("#aligned-view tr[id^='tj-sent-']").count() == 0
    assert page.locator("#download-json").is_disabled()

    translate(page, SHORT)
    bad = tmp_path / "article.txt"
    bad.write_bytes("خبر عاجل".encode("cp1256"))
    page.locator("input[type=file]").first.set_input_files(bad)
    wait_for_error(page, "not UTF-8")
    good = tmp_path / "good.txt"
    good.write_text("قال الوزير إن الحكومة ستواصل العمل.", encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(good)
    status_starts_with(page, "Loaded good.txt")
    assert page.input_value("#source-box textarea").startswith("قال الوزير")
    assert page.input_value("#translation-box textarea") == ""
    assert text_of(page, "#tarjama-error").strip() == ""


def test_one_run_at_a_time_and_cancel_keeps_what_is_done(
    page, held_engine, seed_article: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started = []
    original = PageRuns.run

    def counted(self, *args, **kwargs):  # noqa: ANN001
        started.append(time.monotonic())
        yield from original(self, *args, **kwargs)

    monkeypatch.setattr(PageRuns, "run", counted)
    page.locator("#source-box textarea").fill(seed_article)
    page.click("#translate-btn")
    page.wait_for_function(
        "() => document.querySelectorAll('#aligned-view tr[id^=\"tj-sent-\"]').length >= 1"
    )
    assert page.locator("#translate-btn").is_disabled()
    page.locator("#translate-btn").click(force=True)  # a second click changes nothing
    assert page.locator(".tj-pending").count() == 1
    page.click("#cancel-btn")
    status_starts_with(page, "Stopped after")
    assert page.locator(".tj-pending").count() == 0
    assert "Translating the next" not in text_of(page, "#aligned-view")
    assert page.locator("#translate-btn").is_enabled()
    assert page.locator("#cancel-btn").is_disabled()
    assert len(started) == 1
    with page.expect_download() as info:
        page.locator("#download-json").click()
    path = tmp_path / "partial.json"
    info.value.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["complete"] is False
    assert 1 <= len(data["translation"]["segments"]) < len(seed_article.splitlines()) * 3


def test_a_long_summary_shows_progress(page, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Workbench.summarize

    def slow(self, *args, **kwargs):  # noqa: ANN001
        time.sleep(3.5)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Workbench, "summarize", slow)
    page.get_by_text("Options").click()
    page.locator("#summary-first input").uncheck()  # the summary after the translation
    page.locator("#source-box textarea").fill(SHORT)
    page.click("#translate-btn")
    seen = set()
    deadline = time.monotonic() + 60
    while not text_of(page, "#tarjama-status").startswith("Done"):
        status = text_of(page, "#tarjama-status")
        if "Summarising" in status:
            seen.add(status)
        assert time.monotonic() < deadline
        time.sleep(0.2)
    ticks = [s for s in seen if s.rstrip().endswith(" s")]
    assert len(ticks) >= 2, seen  # the seconds go up while the summary is made


# -- models and messages -------------------------------------------------------------------------
def test_the_page_says_which_models_are_ready(page, tiny_marian: Path) -> None:
    status = text_of(page, "#tj-model-status")
    assert tiny_marian.name in status and "ready" in status
    assert "distilbart-cnn-12-6 is not downloaded" in status and "extractive" in status
    page.get_by_text("Options").click()
    checked = page.locator("#method-select input:checked").get_attribute("value")
    assert checked == "extractive"


def test_errors_speak_page_language(browser, tiny_marian: Path) -> None:
    with live_server(tiny_config(tiny_marian, model="opus-mt-ar-en")) as (url, _):
        page = open_page(browser, url)
        try:
            assert "not available on this server" in text_of(page, "#tj-model-status")
            page.locator("#source-box textarea").fill(SHORT)
            page.click("#translate-btn")
            wait_for_error(page, "The translation model opus-mt-ar-en is not available")
            status_starts_with(page, "Nothing translated.")
            hint = page.locator("#tarjama-error .tj-error-hint")
            assert "restart with tarjama ui --model DIR" in hint.inner_text()
            assert hint.locator("code").count() == 2  # commands shown as code
            assert int(hint.evaluate("e => getComputedStyle(e).fontWeight")) == 400
            assert "pass --model" not in text_of(page, "#tarjama-error")
            assert "/" not in text_of(page, "#tarjama-error .tj-error-message")
        finally:
            page.close()


def test_empty_input_shows_a_message_and_the_page_stays_usable(page) -> None:
    page.click("#translate-btn")
    wait_for_error(page, "The input is empty.")
    status_starts_with(page, "Nothing translated.")
    assert "Traceback" not in page.content()
    page.locator("#source-box textarea").fill("Hello, this is English.")
    page.click("#translate-btn")
    wait_for_error(page, "no Arabic letters")


def test_the_api_docs_render_without_internet(browser, server: str) -> None:
    # Requests leaving this machine are refused, as on a server without internet: the docs must
    # come from the server's own files (the stock pages load Swagger UI from a CDN).
    page = browser.new_page(viewport=DESKTOP)
    outside: list[str] = []

    def route(request_route) -> None:  # noqa: ANN001 - Playwright's Route
        if urlsplit(request_route.request.url).hostname in LOCAL_HOSTS:
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(server + "docs")
        page.wait_for_selector(".opblock")  # Swagger UI drew the operations
        assert "/api/v1/translate" in page.inner_text("body")
        assert outside == []
    finally:
        page.close()
