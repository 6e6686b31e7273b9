"""The editor in a real browser (Debian's chromium via Playwright) over the TRAINED tiny Marian,
whose alternatives are distinct, meaningful sentences: open a sentence, pick an alternative,
correct another by typing, see the summary change, and download JSON/TMX/XLIFF/.docx that
hold both edits as human translations; the same with the keyboard alone; axe-core clean."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

from tests.ui.fixtures import live_server, tiny_config  # noqa: E402
from tests.ui.web.test_browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    open_page,
    save,
    status_starts_with,  # noqa: E402
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTICLE = (
    "قال الوزير إن سارة سيزور دمشق يوم الجمعة. زار الرئيس حلب يوم الاثنين.\n"
    "قتل 5 أشخاص في بيروت. افتتح علي مستشفى جديدا في القاهرة."
)
TYPED = "Five people died in Beirut, officials said."
XLIFF = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


@pytest.fixture(scope="module")
def server(trained_marian: Path):
    config = tiny_config(
        trained_marian,
        summary_length="long",
        translation_settings={"num_beams": 4, "max_new_tokens": 40},
    )
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


@pytest.fixture()
def page(browser, server: str):
    page = open_page(browser, server)
    yield page
    page.close()


def translate_file(page, tmp_path: Path) -> None:
    """Open the article as an HTML file (so the structured downloads are offered), translate."""
    path = tmp_path / "article.html"
    paragraphs = "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines())
    path.write_text(
        f'<html lang="ar"><head><title>t</title></head><body><article>{paragraphs}</article>'
        "</body></html>",
        encoding="utf-8",
    )
    page.locator("input[type=file]").first.set_input_files(path)
    status_starts_with(page, "Loaded article.html")
    page.click("#translate-btn")
    status_starts_with(page, "Done")


def english_box(page) -> str:
    return page.input_value("#edit-english textarea, #edit-english input")


def wait_for_status(page, text: str) -> None:
    page.wait_for_function(
        "t => (document.querySelector('#tarjama-status')?.innerText || '').includes(t)", arg=text
    )


def wait_for_alternatives(page) -> list[str]:
    page.wait_for_selector("#edit-alternatives input[type=radio]")
    return page.locator("#edit-alternatives label").all_inner_texts()


def download(page, kind: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.locator(f"#download-{kind}").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def assert_downloads_hold_both_edits(page, tmp_path: Path, picked: str) -> None:
    data = json.loads(download(page, "json", tmp_path).read_text(encoding="utf-8"))
    segments = data["translation"]["segments"]
    edited = {s["index"]: s for s in segments if s.get("edited")}
    assert sorted(edited) == [1, 2]
    assert edited[1]["target"] == picked and edited[2]["target"] == TYPED
    assert all(s["machine"] and s["machine"] != s["target"] for s in edited.values())

    tmx = ET.fromstring(
        download(page, "tmx", tmp_path).read_text(encoding="utf-8").split("\n", 2)[2]
    )
    human = [
        tu.findall("tuv/seg")[1].text
        for tu in tmx.iter("tu")
        if any(p.get("type") == "x-tarjama-origin" and p.text == "human" for p in tu.iter("prop"))
    ]
    assert human == [picked, TYPED]

    xliff = ET.fromstring(
        download(page, "xliff", tmp_path).read_text(encoding="utf-8").split("\n", 1)[1]
    )
    reviewed = [
        s.find("x:target", XLIFF).text
        for s in xliff.iterfind(".//x:segment[@state='reviewed']", XLIFF)
    ]
    assert reviewed == [picked, TYPED]

    docx = pytest.importorskip("docx")
    document = docx.Document(io.BytesIO(download(page, "docx", tmp_path).read_bytes()))
    text = "\n".join(
        p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs
    )
    assert f"{picked} [edited, machine:" in text and f"{TYPED} [edited, machine:" in text


def test_pick_an_alternative_correct_another_and_everything_follows(page, tmp_path: Path) -> None:
    translate_file(page, tmp_path)
    assert page.locator("#tj-marks-note").inner_text().startswith("Underlined words")
    summary_before = page.input_value("#summary-box textarea")

    page.locator("#edit-sentence input").click()
    page.get_by_role("option", name=re.compile(r"^2 · ")).click()
    labels = wait_for_alternatives(page)
    machine = english_box(page)
    assert machine and labels and all(re.search(r"\(\d+%\)$", label) for label in labels)
    assert page.locator("#aligned-view tr.tj-selected").get_attribute("id") == "tj-sent-2"
    page.locator("#edit-alternatives label").first.click()
    page.wait_for_function(
        "m => { const e = document.querySelector('#edit-english textarea, #edit-english input');"
        " return e && e.value && e.value !== m; }",
        arg=machine,
    )
    picked = english_box(page)
    page.click("#edit-accept")
    wait_for_status(page, "Sentence 2 changed")

    page.click("#edit-next")
    page.wait_for_function(
        "() => document.querySelector('#aligned-view tr.tj-selected')?.id === 'tj-sent-3'"
    )
    box = page.locator("#edit-english textarea, #edit-english input")
    box.fill(TYPED)
    box.press("Enter")
    wait_for_status(page, "Sentence 3 changed")

    translation = page.input_value("#translation-box textarea")
    assert picked in translation and TYPED in translation and machine not in translation
    summary = page.input_value("#summary-box textarea")
    assert summary != summary_before and TYPED in summary
    assert page.locator("#aligned-view tr.tj-edited").count() == 2
    assert page.locator("#summary-sources a.tj-source-link").count() >= 1
    save(page, "desktop", tmp_path, top="#tj-editor")
    assert_downloads_hold_both_edits(page, tmp_path, picked)

    page.click("#edit-undo")
    wait_for_status(page, "Sentence 3: change undone")
    assert TYPED not in page.input_value("#translation-box textarea")
    assert page.locator("#aligned-view tr.tj-edited").count() == 1


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is inside ``selector`` (the keyboard's own way there)."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement?.closest(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_alone_opens_picks_accepts_and_undoes(page, tmp_path: Path) -> None:
    translate_file(page, tmp_path)
    page.locator("#translate-btn").focus()  # where a keyboard user is after translating
    tab_to(page, "#edit-sentence")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#aligned-view tr.tj-selected')?.id === 'tj-sent-1'"
    )
    tab_to(page, "#edit-next")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#aligned-view tr.tj-selected')?.id === 'tj-sent-2'"
    )
    wait_for_alternatives(page)
    machine = english_box(page)
    tab_to(page, "#edit-alternatives")
    page.keyboard.press("Space")  # picks the focused alternative
    page.wait_for_function(
        "m => document.querySelector('#edit-english textarea, #edit-english input').value !== m",
        arg=machine,
    )
    picked = english_box(page)
    tab_to(page, "#edit-english")
    page.keyboard.press("Enter")
    wait_for_status(page, "Sentence 2 changed")
    assert picked in page.input_value("#translation-box textarea")
    tab_to(page, "#edit-undo")
    page.keyboard.press("Enter")
    wait_for_status(page, "Sentence 2: change undone")
    assert machine in page.input_value("#translation-box textarea")


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # judge the page at rest: a colour fading between two states (0.2 s) is neither
    page.wait_for_function(
        "() => document.getAnimations().every(a => !(a instanceof CSSTransition))"
    )
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:8]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious_with_a_result_and_the_editor_open(page, tmp_path: Path) -> None:
    pytest.importorskip("axe_playwright_python")
    translate_file(page, tmp_path)
    assert serious(page) == []
    page.locator("#edit-sentence input").click()
    page.get_by_role("option", name=re.compile(r"^2 · ")).click()
    wait_for_alternatives(page)
    assert serious(page) == []
