"""ui.app: the app on a free localhost port with tiny models, called through gradio_client."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")

from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from tests.conftest import SEEDS  # noqa: E402
from tests.tiny_bart import build_tiny_bart  # noqa: E402
from translate import InputError  # noqa: E402
from ui import render  # noqa: E402
from ui.app import (  # noqa: E402
    FONT_DIR,
    AppConfig,
    _read_text_file,
    _Workbench,
    build_app,
    launch_options,
    serve,
)

SHORT = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
ENGLISH = "\n".join((SEEDS / "en-news.txt").read_text(encoding="utf-8").splitlines()[:12])
FAST = {"num_beams": 1, "max_new_tokens": 8}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))


@pytest.fixture(scope="module")
def config(tiny_marian: Path, tiny_bart_dir: Path) -> AppConfig:
    return AppConfig(
        model=str(tiny_marian),
        summary_model=str(tiny_bart_dir),
        backend="transformers",
        device="cpu",
        max_chars=4000,
        summary_method="extractive",
        summary_length="short",
        translation_settings=FAST,
    )


@pytest.fixture(scope="module")
def client(config: AppConfig):
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
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        app.close()


def test_named_endpoints_and_nothing_else(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/translate", "/summarize", "/digest"}
    for info in endpoints.values():
        params = info["parameters"]
        assert params[0]["parameter_name"] == "text"
        assert all(p["parameter_has_default"] for p in params[1:])


def test_translate_with_only_text(client: Client, config: AppConfig) -> None:
    result = client.predict(SHORT, api_name="/translate")
    assert result["text"].strip()
    assert len(result["segments"]) >= 2
    assert result["segments"][0]["source"] in SHORT
    assert result["meta"]["model"] == config.model


def test_summarize_with_only_text(client: Client) -> None:
    result = client.predict(ENGLISH, api_name="/summarize")
    assert result["text"].strip()
    assert result["meta"]["method"] == "extractive"  # the app's configured default
    assert all(s["sources"] for s in result["sentences"])


def test_digest_with_only_text(client: Client) -> None:
    result = client.predict(SHORT, api_name="/digest")
    assert result["source"] == SHORT
    assert result["translation"]["text"].strip()
    assert result["summary"]["text"].strip()
    count = len(result["translation"]["segments"])
    assert all(0 <= i < count for s in result["summary"]["sentences"] for i in s["sources"])


def test_digest_abstractive_with_tiny_bart(client: Client, config: AppConfig) -> None:
    result = client.predict(SHORT, None, "abstractive", "short", api_name="/digest")
    assert result["summary"]["text"].strip()
    assert result["summary"]["meta"]["method"] == "abstractive"
    assert result["summary"]["meta"]["model"] == config.summary_model


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/translate", ("",), "The input is empty."),
        ("/translate", ("   \n",), "only whitespace"),
        ("/translate", ("Hello, this is English.",), "no Arabic letters"),
        ("/translate", ("كلمة " * 1000,), "the limit is 4,000"),
        ("/translate", (SHORT, "../../etc"), "Unknown translation model"),
        ("/summarize", ("قال الوزير إن الحكومة ستواصل العمل.",), "Arabic text, not English"),
        ("/summarize", (ENGLISH, "poetic"), "method"),
        ("/summarize", ("word " * 1000,), "the limit is 4,000"),
        ("/digest", ("",), "The input is empty."),
    ],
)
def test_bad_input_is_a_readable_error(client: Client, api_name, args, message) -> None:
    with pytest.raises(AppError) as info:
        client.predict(*args, api_name=api_name)
    assert message in str(info.value)
    assert "Traceback" not in str(info.value)


def test_model_not_available_says_how_to_fix(client: Client) -> None:
    with pytest.raises(AppError) as info:
        client.predict(SHORT, "opus-mt-ar-en", api_name="/translate")
    text = str(info.value)
    assert "opus-mt-ar-en" in text
    assert "Traceback" not in text


def test_app_still_answers_after_errors(client: Client) -> None:
    with pytest.raises(AppError):
        client.predict("", api_name="/translate")
    assert client.predict(SHORT, api_name="/translate")["text"].strip()


# -- the page's event handlers, without a browser -----------------------------------------------


def test_streaming_run_yields_partial_translations_then_summary(config: AppConfig) -> None:
    bench = _Workbench(config)
    frames = list(bench.run(SHORT, None, None, None, request=None))
    translations = [f[0] for f in frames]
    assert len(frames) >= 4  # start, one per segment, summarising, done
    assert translations[1] and len(translations[1]) <= len(translations[-1])
    final = frames[-1]
    assert final[1].strip()  # summary
    assert "tj-sent-1" in final[2]  # aligned view
    assert final[4] == ""  # no error
    assert "Done" in final[5]
    txt = bench.tmp_root / "api" / "tarjama-digest.txt"
    md = bench.tmp_root / "api" / "tarjama-digest.md"
    assert "TRANSLATION" in txt.read_text(encoding="utf-8")
    assert f"**Translation model:** {config.model}" in md.read_text(encoding="utf-8")


def test_run_with_empty_input_shows_the_error_and_stops(config: AppConfig) -> None:
    bench = _Workbench(config)
    frames = list(bench.run("", None, None, None, request=None))
    assert len(frames) == 1
    assert "The input is empty." in frames[0][4]
    assert bench.translators == {}  # no model touched


def test_one_translator_per_model(config: AppConfig) -> None:
    bench = _Workbench(config)
    assert bench.translator(config.model) is bench.translator(config.model)
    assert bench.check_model("") == config.model
    assert any(value == "opus-mt-ar-en" for _, value in bench.model_choices)


def test_examples_come_from_seeds_and_are_optional(config: AppConfig, tmp_path: Path) -> None:
    assert "Aleppo security council" in _Workbench(config).examples
    absent = AppConfig(model=config.model, examples_dir=tmp_path / "nowhere")
    assert _Workbench(absent).examples == {}
    app = build_app(absent)  # the page builds without examples
    assert app.analytics_enabled is False


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
        _read_text_file(path, max_bytes=64 * 1024)


def test_upload_reads_utf8_with_bom(tmp_path: Path, config: AppConfig) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes("\ufeff".encode() + SHORT.encode("utf-8"))
    text, error, status = _Workbench(config).read_upload(str(path))
    assert text == SHORT and error == ""
    assert "Loaded article.txt" in status
    _, error, _ = _Workbench(config).read_upload(str(tmp_path / "missing.pdf"))
    assert "not a .txt file" in error and render.error_box("x")[:20] in error


def test_serve_defaults_are_safe(monkeypatch: pytest.MonkeyPatch, config: AppConfig) -> None:
    import gradio as gr

    seen: dict = {}
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kwargs: seen.update(kwargs))
    serve(config)
    assert seen["server_name"] == "127.0.0.1"
    assert seen["server_port"] == 7860
    assert seen["share"] is False
    assert seen["allowed_paths"] == [str(FONT_DIR)]
    assert seen["max_file_size"] == config.max_upload_bytes
    assert "Noto Naskh Arabic" in seen["css"]
    fonts = seen["theme"]._font + seen["theme"]._font_mono
    assert not any(isinstance(f, gr.themes.GoogleFont) for f in fonts)
