"""The page and documents: .docx/.pdf/.html/.srt/.vtt uploads, the link field (SSRF-safe by
default), and the structured downloads (bilingual .docx, .srt/.vtt, TMX, XLIFF) of a run."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

pytest.importorskip("gradio")
pytest.importorskip("docx")

from tests.documents_fixtures import SRT, make_docx, make_image_pdf, make_zip, serve  # noqa: E402
from tests.ui.fixtures import tiny_config  # noqa: E402
from translate import InputError  # noqa: E402
from ui.service import Workbench  # noqa: E402
from ui.service.config import UPLOAD_TYPES, AppConfig  # noqa: E402
from ui.web.runs import PageRuns  # noqa: E402

TIMING = re.compile(r"^(\d\d:\d\d:\d\d[,.]\d{3}) --> (\d\d:\d\d:\d\d[,.]\d{3})", re.M)


def upload(bench: Workbench, name: str, data: bytes) -> Path:
    """A file where gradio stores uploads (the service deletes it after reading)."""
    folder = bench.files.uploads_dir / "up1"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def run_to_end(runs: PageRuns, text: str, session: str):
    frames = list(runs.run(text, None, None, None, session))
    assert not frames[-1].running and frames[-1].downloads, frames[-1].error
    return frames[-1]


def test_upload_types_include_the_documents() -> None:
    assert {".txt", ".docx", ".pdf", ".html", ".htm", ".srt", ".vtt"} <= set(UPLOAD_TYPES)


def test_a_docx_upload_fills_the_source_and_offers_a_bilingual_docx(bench: Workbench) -> None:
    import docx

    path = upload(bench, "statement.docx", make_docx())
    text, document = bench.files.open_upload(path)
    assert not path.exists()  # uploads are not kept
    assert "الحكومة تعلن خطة جديدة للطاقة" in text and "ملخص المشروع" in text
    runs = PageRuns(bench)
    runs.remember_document("d1", text, document)
    final = run_to_end(runs, text, "d1")
    assert {"txt", "md", "json", "csv", "docx", "tmx", "xliff"} <= set(final.downloads)
    assert "srt" not in final.downloads  # not subtitles
    out = docx.Document(final.downloads["docx"])
    cells = [c.text for t in out.tables for row in t.rows for c in row.cells]
    assert any("الحكومة تعلن خطة جديدة للطاقة" in c for c in cells)
    tmx = Path(final.downloads["tmx"]).read_text(encoding="utf-8")
    assert "<tmx" in tmx and "<tu" in tmx
    assert "<xliff" in Path(final.downloads["xliff"]).read_text(encoding="utf-8")


def test_an_srt_upload_gives_subtitles_with_the_same_cues_and_timings(bench: Workbench) -> None:
    text, document = bench.files.open_upload(upload(bench, "report.srt", SRT.encode("utf-8")))
    assert "قال الوزير إن الحكومة" in text and "-->" not in text
    runs = PageRuns(bench)
    runs.remember_document("s1", text, document)
    final = run_to_end(runs, text, "s1")
    srt = Path(final.downloads["srt"]).read_text(encoding="utf-8")
    assert TIMING.findall(srt) == TIMING.findall(SRT)
    assert len(TIMING.findall(srt)) == 5
    vtt = Path(final.downloads["vtt"]).read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and len(TIMING.findall(vtt)) == 5


def test_a_changed_text_is_exported_as_text_not_as_the_subtitles(bench: Workbench) -> None:
    text, document = bench.files.open_upload(upload(bench, "report.srt", SRT.encode("utf-8")))
    runs = PageRuns(bench)
    runs.remember_document("e1", text, document)
    final = run_to_end(runs, text + "\n\nوقال الوزير إن العمل سيبدأ.", "e1")
    # the text is no longer the subtitles': no .srt/.vtt with timings it does not have
    assert set(final.downloads) == {"txt", "md", "json", "csv", "docx", "tmx", "xliff"}
    tmx = Path(final.downloads["tmx"]).read_text(encoding="utf-8")
    assert "وقال الوزير إن العمل سيبدأ." in tmx


def test_pasted_text_gets_structured_downloads_that_follow_an_edit(bench: Workbench) -> None:
    import docx

    from ui.web.editing import EditState, PageEdits

    text = "قال الوزير إن الحكومة ستعمل.\nوقال الرئيس إن الاجتماع انتهى."
    runs, edits = PageRuns(bench), PageEdits(bench)

    def finished(session: str, **run: object) -> list[tuple[str, int]]:
        segments = run.pop("segments")
        return edits.begin(
            session, EditState(machine=segments, summary_method=run["method"], **run)
        )  # type: ignore[arg-type]

    runs.on_finished = finished
    final = run_to_end(runs, text, "p1")
    assert {"docx", "tmx", "xliff"} <= set(final.downloads) and "srt" not in final.downloads
    tmx = Path(final.downloads["tmx"]).read_text(encoding="utf-8")
    assert len(re.findall(r"<tu[\s>]", tmx)) == 2 and "قال الوزير إن الحكومة ستعمل." in tmx
    frame = edits.accept("p1", 2, "The president said the meeting was over.")
    tmx = Path(frame.downloads["tmx"]).read_text(encoding="utf-8")
    assert "The president said the meeting was over." in tmx and "human" in tmx.lower()
    xliff = Path(frame.downloads["xliff"]).read_text(encoding="utf-8")
    assert 'state="reviewed"' in xliff and "The president said the meeting was over." in xliff
    body = docx.Document(frame.downloads["docx"])
    cells = [c.text for t in body.tables for r in t.rows for c in r.cells]
    assert any("The president said the meeting was over." in c for c in cells)


def _bomb() -> bytes:
    real = zipfile.ZipFile(BytesIO(make_docx()))
    parts = {name: real.read(name) for name in real.namelist()}
    parts["word/media/filler.bin"] = b"\x00" * 3_000_000
    return make_zip(parts)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.docx", _bomb(), "zip bomb"),
        ("fake.docx", b"this is not a word file", "docx"),
        ("broken.srt", b"1\nnot a timing\nhello\n", "srt|SRT|subtitle|cue"),
        ("empty.pdf", b"%PDF-1.4 garbage", "PDF|pdf"),
        ("article.exe", b"MZ", "not a file the page opens"),
    ],
)
def test_a_bad_upload_is_a_specific_message(
    bench: Workbench, name: str, data: bytes, message: str
) -> None:
    path = upload(bench, name, data)
    with pytest.raises(InputError, match=message) as caught:
        bench.files.open_upload(path)
    assert "Traceback" not in str(caught.value)
    assert not path.exists()


def test_a_scanned_pdf_says_it_has_no_text_layer(bench: Workbench, tmp_path: Path) -> None:
    pytest.importorskip("fpdf")
    with pytest.raises(InputError, match="text layer|scanned|image"):
        bench.files.open_upload(upload(bench, "scan.pdf", make_image_pdf(tmp_path)))


def test_links_to_loopback_are_refused_unless_the_operator_allows_them(
    config: AppConfig,
) -> None:
    from dataclasses import replace

    from translate.documents import BlockedAddressError

    guarded = Workbench(config)
    trusting = Workbench(replace(config, allow_private_fetch=True))
    try:
        with serve() as (base, _):
            with pytest.raises(BlockedAddressError):
                guarded.files.fetch_link(f"{base}/aleppo.html")
            text, document = trusting.files.fetch_link(f"{base}/aleppo.html")
            assert "حلب" in text and document.meta.url
            with pytest.raises(InputError, match="404|not found|Not Found"):
                trusting.files.fetch_link(f"{base}/no-such-page.html")
            with pytest.raises(InputError):
                trusting.files.fetch_link(f"{base}/image.png")
        with pytest.raises(InputError, match="http"):
            guarded.files.fetch_link("file:///etc/passwd")
        with pytest.raises(InputError, match="Paste a link"):
            guarded.files.fetch_link("  ")
    finally:
        guarded.cleanup()
        trusting.cleanup()


def test_the_cli_flag_turns_protection_off() -> None:
    from ui.cli import build_parser

    assert build_parser().parse_args(["ui"]).allow_private_fetch is False
    assert build_parser().parse_args(["ui", "--allow-private-fetch"]).allow_private_fetch is True
    assert AppConfig().allow_private_fetch is False


# -- in a real browser ---------------------------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_opens_a_docx_and_fetches_links_safely(tiny_marian: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium")
    from tests.ui.fixtures import live_server

    statement = tmp_path / "statement.docx"
    make_docx(statement)
    with live_server(tiny_config(tiny_marian)) as (url, _), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector("#source-box textarea")
            page.locator("input[type=file]").first.set_input_files(statement)
            page.wait_for_function(
                "() => document.querySelector('#source-box textarea').value"
                ".includes('الحكومة تعلن خطة جديدة للطاقة')"
            )
            assert "statement.docx" in page.inner_text("#tarjama-status")
            # The server's own address is loopback: the link field refuses it by default.
            page.locator("#link-box input, #link-box textarea").first.fill(f"{url}/")
            page.click("#fetch-btn")
            page.wait_for_function(
                "() => (document.querySelector('#tarjama-error')?.innerText || '')"
                ".includes('Could not read')"
            )
            error = page.inner_text("#tarjama-error")
            assert "not a public address" in error and "Traceback" not in error
        finally:
            browser.close()


def test_a_saved_web_page_upload_gives_the_article_without_the_menus(bench: Workbench) -> None:
    from tests.documents_fixtures import PAGES

    data = (PAGES / "aleppo.html").read_bytes()
    text, document = bench.files.open_upload(upload(bench, "aleppo.html", data))
    assert "حلب" in text and document.meta.title
    assert "<" not in text


def test_structured_downloads_keep_the_runs_glossary_and_translate_nothing_again(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Made of the run's own segments: what the person applied (a glossary) is in every file.
    def no_second_translation(*args: object, **kwargs: object) -> None:
        raise AssertionError("the structured downloads translated the text again")

    monkeypatch.setattr(bench, "translate_document", no_second_translation)
    text = "زار الوفد حلب يوم الاثنين.\n\nقال الوزير إن الحكومة ستعمل."
    runs = PageRuns(bench)
    frames = list(runs.run(text, None, None, None, "g1",
                           glossary=(None, [["الوفد", "the delegation"]])))  # fmt: skip
    final = frames[-1]
    assert {"docx", "tmx", "xliff"} <= set(final.downloads), final.error
    assert "the delegation" in final.translation
    for kind in ("tmx", "xliff"):
        assert "the delegation" in Path(final.downloads[kind]).read_text(encoding="utf-8")


def test_subtitle_downloads_keep_the_runs_glossary(bench: Workbench) -> None:
    text, document = bench.files.open_upload(upload(bench, "report.srt", SRT.encode("utf-8")))
    runs = PageRuns(bench)
    runs.remember_document("g2", text, document)
    frames = list(runs.run(text, None, None, None, "g2",
                           glossary=(None, [["الوفد", "the delegation"]])))  # fmt: skip
    final = frames[-1]
    assert "the delegation" in final.translation, final.error
    for kind in ("srt", "vtt", "tmx"):
        assert "the delegation" in Path(final.downloads[kind]).read_text(encoding="utf-8"), kind
