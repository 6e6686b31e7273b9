"""ui.service (the Workbench, its limits, uploads and messages), the page's streamed runs and
gradio's named endpoints: the page's work without a browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")

from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from tests.ui.fixtures import ENGLISH, SHORT, live_server, tiny_config  # noqa: E402
from translate import InputError  # noqa: E402
from translate.errors import ConfigError, ModelUnavailableError  # noqa: E402
from ui.service import InputTooLarge, Workbench, read_text_file  # noqa: E402
from ui.service.config import AppConfig, load_api_keys  # noqa: E402
from ui.web import render  # noqa: E402
from ui.web.app import build_app  # noqa: E402
from ui.web.runs import PageRuns  # noqa: E402


@pytest.fixture(scope="module")
def client(config: AppConfig):
    with live_server(config) as (url, _):
        yield Client(url, verbose=False)


# -- gradio's named endpoints ------------------------------------------------------------------
def test_named_endpoints_and_nothing_else(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/translate", "/summarize", "/digest"}
    for info in endpoints.values():
        params = info["parameters"]
        assert params[0]["parameter_name"] == "text"
        assert all(p["parameter_has_default"] for p in params[1:])


def test_translate_with_only_text_shows_model_names_not_paths(
    client: Client, tiny_marian: Path
) -> None:
    result = client.predict(SHORT, api_name="/translate")
    assert result["text"].strip()
    assert len(result["segments"]) >= 2
    assert result["segments"][0]["source"] in SHORT
    assert result["meta"]["model"] == tiny_marian.name
    assert str(tiny_marian) not in json.dumps(result)


def test_summarize_and_digest_with_only_text(client: Client, tiny_bart_dir: Path) -> None:
    summary = client.predict(ENGLISH, api_name="/summarize")
    assert summary["text"].strip() and summary["meta"]["method"] == "extractive"
    digest = client.predict(SHORT, None, "abstractive", "short", api_name="/digest")
    assert digest["source"] == SHORT and digest["summary"]["text"].strip()
    assert digest["summary"]["meta"]["model"] == tiny_bart_dir.name
    count = len(digest["translation"]["segments"])
    assert all(0 <= i < count for s in digest["summary"]["sentences"] for i in s["sources"])


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/translate", ("",), "The input is empty."),
        ("/translate", ("Hello, this is English.",), "no Arabic letters"),
        ("/translate", ("كلمة " * 1000,), "accepts up to 4,000"),
        ("/translate", (SHORT, "../../etc"), "Unknown translation model"),
        ("/summarize", ("قال الوزير إن الحكومة ستواصل العمل.",), "Arabic text, not English"),
        ("/summarize", ("word " * 1000,), "accepts up to 4,000"),
        ("/translate", (SHORT, "opus-mt-ar-en"), "tarjama models download opus-mt-ar-en"),
    ],
)
def test_errors_are_readable(client: Client, api_name, args, message) -> None:
    with pytest.raises(AppError) as info:
        client.predict(*args, api_name=api_name)
    assert message in str(info.value)
    assert "Traceback" not in str(info.value) and "/tmp/" not in str(info.value)


# -- the page's run, without a browser ---------------------------------------------------------
def test_streaming_run_yields_partial_translations_then_summary(bench: Workbench) -> None:
    frames = list(PageRuns(bench).run(SHORT, None, None, None, session="s1"))
    assert len(frames) >= 4  # start, one per segment, summarising, done
    assert frames[0].running and not frames[-1].running
    assert frames[1].translation and len(frames[1].translation) <= len(frames[-1].translation)
    final = frames[-1]
    assert final.summary.strip() and "tj-sent-1" in final.aligned and final.error == ""
    assert "Done" in final.status and "Translating the next" not in final.aligned
    files = {kind: Path(path) for kind, path in final.downloads.items()}
    assert set(files) == {"txt", "md", "json", "csv", "docx", "tmx", "xliff"}  # pasted text too
    assert all(p.name.startswith("tarjama-") for p in files.values())
    assert "TRANSLATION" in files["txt"].read_text(encoding="utf-8")
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["complete"] is True and data["summary"]["sentences"]
    assert len(data["translation"]["segments"]) >= 2
    assert files["csv"].read_text(encoding="utf-8-sig").startswith("sentence,paragraph,arabic")


def test_empty_input_stops_with_nothing_translated(bench: Workbench) -> None:
    frames = list(PageRuns(bench).run("", None, None, None, session="s"))
    assert len(frames) == 1
    assert "The input is empty." in frames[0].error
    assert "Nothing translated." in frames[0].status
    assert "Translation stopped" not in frames[0].status


def test_stop_ends_the_run_with_what_is_done_without_the_pending_row(
    bench: Workbench, seed_article: str
) -> None:
    runs = PageRuns(bench)
    stream = runs.run(seed_article, None, None, None, session="s2")
    frames = [next(stream) for _ in range(3)]  # the start and two segments
    assert "Translating the next" in frames[-1].aligned
    assert runs.stop("s2") is True
    *_, frame = list(stream)  # the run sends its own last frame
    assert "Translating the next" not in frame.aligned and "tj-sent-1" in frame.aligned
    assert frame.status.count("Stopped after") == 1 and not frame.running
    data = json.loads(Path(frame.downloads["json"]).read_text(encoding="utf-8"))
    assert data["complete"] is False and data["translation"]["segments"]
    assert runs.stop("s2") is False  # over


def test_a_silent_stop_sends_nothing_more(bench: Workbench, seed_article: str) -> None:
    runs = PageRuns(bench)
    stream = runs.run(seed_article, None, None, None, session="s3")
    next(stream), next(stream)
    runs.stop("s3", silent=True)
    assert list(stream) == []
    assert runs.stop("never-ran") is False


def test_one_translator_per_model(bench: Workbench, config: AppConfig) -> None:
    assert bench.pool.translator(None) is bench.pool.translator(Path(config.model).name)
    with pytest.raises(ConfigError, match="Unknown translation model"):
        bench.pool.translator("../../etc")
    assert any(c.public == "opus-mt-ar-en" for c in bench.catalog.translation)


def test_limits_count_lists_like_text(bench: Workbench, tiny_marian: Path) -> None:
    with pytest.raises(InputTooLarge, match="accepts up to 4,000"):
        bench.limits.check_english(["A sentence of English news."] * 200)
    with pytest.raises(InputTooLarge, match="1,000"):
        bench.limits.check_english(["A."] * 1001)
    with pytest.raises(InputError, match="list of strings"):
        bench.limits.check_english([1, 2])
    small = Workbench(tiny_config(tiny_marian, max_items=50))
    try:
        with pytest.raises(InputTooLarge, match="more than 50 sentences"):
            small.limits.check_english("It rained. " * 60)
        with pytest.raises(InputTooLarge, match="60 texts"):
            small.limits.check_total(["نص"] * 60)
    finally:
        small.cleanup()


def test_a_missing_summary_model_means_extractive_and_says_so(tiny_marian: Path) -> None:
    bench = Workbench(tiny_config(tiny_marian, summary_method="abstractive"))
    try:
        assert bench.catalog.summary.state == "missing"  # the hub model, offline
        assert bench.summary_method == "extractive"
        assert "distilbart-cnn-12-6 is not downloaded" in bench.summary_note
        summary = bench.summarize(ENGLISH)
        assert summary.meta["method"] == "extractive"
    finally:
        bench.cleanup()


def test_a_bad_model_directory_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        Workbench(AppConfig(model=str(tmp_path / "nope")))


def test_messages_speak_page_language_and_hide_paths(bench: Workbench, tmp_path: Path) -> None:
    exc = ModelUnavailableError(f"Model 'x' not in the cache at {tmp_path}/hub/models. Fix: …")
    message, hint = bench.explain(exc, model="opus-mt-ar-en")
    assert message == "The translation model opus-mt-ar-en is not available on this server."
    assert "`tarjama ui --model DIR`" in hint and "--model /path" not in hint
    summary_message, summary_hint = bench.explain(exc, role="summarization")
    assert "extractive summary under Options" in summary_hint
    assert str(tmp_path) not in bench.explain(InputError(f"bad {tmp_path}/a/b"))[0]
    assert "…/b" in bench.explain(InputError(f"bad {tmp_path}/a/b"))[0]


def test_examples_come_from_seeds_and_are_optional(config: AppConfig, tmp_path: Path) -> None:
    bench = Workbench(config)
    absent = Workbench(AppConfig(model=config.model, examples_dir=tmp_path / "nowhere"))
    try:
        assert "Aleppo security council" in bench.examples
        assert absent.examples == {}
        assert build_app(bench=absent).analytics_enabled is False
    finally:
        bench.cleanup()
        absent.cleanup()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("article.txt", "خبر عاجل".encode("cp1256"), "not UTF-8"),
        ("article.pdf", b"%PDF-1.4", "not a .txt file"),
        ("big.txt", "ا".encode() * 40_000, "larger than"),
        ("empty.txt", b"  \n", "is empty"),
        ("nul.txt", b"abc\x00def", "binary"),
    ],
)
def test_uploads_are_checked(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_text_file(path, max_bytes=64 * 1024)


def test_an_upload_is_read_then_removed(bench: Workbench) -> None:
    folder = bench.files.uploads_dir / "abc123"
    folder.mkdir()
    path = folder / "article.txt"
    path.write_bytes("\ufeff".encode() + SHORT.encode("utf-8"))
    assert bench.files.read_upload(path) == SHORT
    assert not path.exists() and not folder.exists()


def test_api_key_files(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# newsroom\nk3y-for-desk-one 120\nk3y-for-desk-two\n\n", encoding="utf-8")
    assert load_api_keys(keys) == {"k3y-for-desk-one": 120, "k3y-for-desk-two": None}
    keys.write_text("short\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="at least 8"):
        load_api_keys(keys)
    keys.write_text("k3y-for-desk-one many\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        load_api_keys(keys)
    with pytest.raises(ConfigError, match="Cannot read"):
        load_api_keys(tmp_path / "missing.txt")


def test_serve_defaults_are_safe(monkeypatch: pytest.MonkeyPatch, config: AppConfig) -> None:
    import uvicorn

    from ui.http import server

    seen: dict = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, **kw: seen.update(cfg=self.config))
    server.serve(config)
    cfg = seen["cfg"]
    assert (cfg.host, cfg.port) == ("127.0.0.1", 7860)
    app = cfg.app
    routes = {getattr(r, "path", None) for r in app.routes}
    assert {"/api/v1/translate", "/translate", "/languages", "/detect", "/docs"} <= routes
    assert render.status_box("x")  # the page module imported without launching anything


def test_tarjama_ui_refuses_a_model_that_cannot_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal

    from ui.cli import main

    before = signal.getsignal(signal.SIGTERM)
    assert main(["ui", "--model", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is before  # serve() leaves the handler as it was
    keys = tmp_path / "keys.txt"
    keys.write_text("short\n", encoding="utf-8")
    assert main(["ui", "--api-keys", str(keys)]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
