"""The ``tarjama`` command: help, version, exit codes, the single-document commands, models, eval.

Commands run in-process through ``main([...])``; one test runs the real console entry point in a
subprocess with text on stdin. ``tarjama batch`` has its own tests in test_batch.py.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.conftest import run_cli as run
from tests.tiny_models import REPO

ARABIC = "قال الوزير إن المحادثات ستستأنف الأسبوع المقبل. وأضاف أن الوفد سيصل غدا."

COMMANDS = [
    [],
    ["translate"],
    ["summarize"],
    ["digest"],
    ["batch"],
    ["models"],
    ["models", "list"],
    ["models", "download"],
    ["models", "convert"],
    ["eval"],
    ["eval", "translation"],
    ["eval", "summary"],
    ["ui"],
]


def with_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- help, version, usage errors -----------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tarjama")
def test_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert out.startswith(f"usage: tarjama {' '.join(command)}".rstrip())
    if command and command[0] in ("translate", "digest", "batch", "ui"):
        assert "--model" in out and "--backend" in out and "--device" in out
    if command in (["summarize"], ["digest"]):
        assert "{text,json,markdown}" in out
    if command == ["translate"]:
        assert "{text,json,markdown,docx,srt,vtt,tmx,xliff}" in out


@pytest.mark.parametrize("command", [[], ["batch"], ["models", "list"]])
def test_version(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    from translate import __version__

    code, out, _ = run(capsys, *command, "--version")
    assert code == 0 and out.strip() == f"tarjama {__version__}"


def test_help_is_fast_and_light() -> None:
    """`tarjama --help` imports neither torch, transformers nor gradio."""
    code = (
        "import sys; from ui.cli import main; main(['--help']); "
        "print(sorted(m for m in ('torch', 'transformers', 'gradio', 'ray') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("[]")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "usage: tarjama"),
        (["frobnicate"], "invalid choice"),
        (["translate", "--format", "xml"], "invalid choice"),
        (["translate", "no-such-file.txt"], "Cannot read no-such-file.txt"),
        (["batch", "in.txt"], "required: OUTPUT"),
        (["batch", "in.txt", "out.jsonl", "--batch-tokens", "4"], "must be at least 16"),
        (["batch", "in.txt", "out.jsonl", "--model", "no-such-model"], "Unknown model"),
        (["models"], "choose an action"),
        (["eval"], "choose an action"),
        (["eval", "summary", "--predictions", "p.txt"], "--references"),
        (["summarize", "--length", "huge"], "use short, medium, long or a number"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_no_stdin_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    code, _, err = run(capsys, "translate")
    assert code == 2 and "pipe text in" in err


# -- translate, summarize, digest ----------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_translate_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_marian: Path, fmt: str
) -> None:
    source = tmp_path / "article.ar.txt"
    source.write_text(ARABIC + "\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "translate", source, "--model", tiny_marian, "--backend", "transformers",
        "--num-beams", "1", "--format", fmt,
    )  # fmt: skip
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert len(data["segments"]) == 2
        assert data["segments"][0]["source"] == ARABIC.split(". ")[0] + "."
        assert isinstance(data["flags"], list)
        assert data["meta"]["model"] == str(tiny_marian)
        assert data["meta"]["backend"] == "transformers"
        assert data["meta"]["settings"]["num_beams"] == 1
    elif fmt == "markdown":
        assert out.startswith("# Translation")
        assert "| # | Arabic | English | Flags |" in out and "| 1 | وأضاف" in out
        assert "backend `transformers`" in out
    else:
        assert out.strip() and not out.startswith(("{", "#"))  # the translation, nothing else


def test_translate_to_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(ARABIC, encoding="utf-8")
    target = tmp_path / "out.json"
    code, out, _ = run(capsys, "translate", source, "-o", target, "-f", "json", "--model", "tiny")
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["meta"]["model"] == "tiny"


def test_translate_stdin_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, registry: Path
) -> None:
    with_stdin(monkeypatch, ARABIC.encode("utf-8"))
    code, out, _ = run(capsys, "translate", "-", "--model", "tiny", "--format", "json")
    assert code == 0 and len(json.loads(out)["segments"]) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"Just English.", "no Arabic"), (b"\xd9\x82\xff", "not valid UTF-8")],
)
def test_translate_bad_input_exit_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    registry: Path,
    data: bytes,
    message: str,
) -> None:
    with_stdin(monkeypatch, data)
    code, out, err = run(capsys, "translate", "--model", "tiny")
    assert code == 1 and out == ""
    assert message in err and err.startswith("tarjama: error:") and "Traceback" not in err


def test_missing_model_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(ARABIC, encoding="utf-8")
    code, _, err = run(capsys, "translate", source, "--model", "hub-model")
    assert code == 1
    assert "hub-model" in err and "tarjama models download hub-model" in err


def test_console_script_reads_stdin(registry: Path) -> None:
    """The real entry point (`python -m ui`, as the `tarjama` script) with text piped in."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "ui", "translate", "-", "--model", "tiny", "--format", "json"],
        input=ARABIC.encode("utf-8"),
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["segments"][1]["source"].startswith("وأضاف")
    bad = subprocess.run(
        [sys.executable, "-m", "ui", "translate", "--model", "tiny"],
        input=b"   ",
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=180,
    )
    assert bad.returncode == 1 and b"Traceback" not in bad.stderr
    assert b"only whitespace" in bad.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_summarize_extractive(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    english = SEEDS / "en-news.txt"
    code, out, _ = run(
        capsys, "summarize", english, "--method", "extractive", "--length", "2", "-f", fmt
    )
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert len(data["sentences"]) == 2
        assert all(s["sources"] for s in data["sentences"])
    elif fmt == "markdown":
        assert out.startswith("# Summary") and out.count("\n- ") == 2 and "(sentences " in out
    else:
        assert out.strip() and out.strip().split()[0] in english.read_text(encoding="utf-8")
    # The same from stdin.
    with_stdin(monkeypatch, english.read_bytes())
    code, again, _ = run(
        capsys, "summarize", "-", "--method", "extractive", "--length", "2", "-f", fmt
    )
    assert code == 0 and again == out


def test_summarize_refuses_arabic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ar.txt"
    source.write_text(ARABIC, encoding="utf-8")
    code, _, err = run(capsys, "summarize", source, "--method", "extractive")
    assert code == 1 and "Arabic" in err


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_digest_extractive(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    registry: Path,
    fmt: str,
) -> None:
    article = SEEDS / "short-headline.ar.txt"
    args = ["digest", article, "--model", "tiny", "--method", "extractive", "--length", "1"]
    code, out, _ = run(capsys, *args, "-f", fmt)
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert data["source"] == article.read_text(encoding="utf-8")
        assert data["translation"]["segments"] and data["translation"]["meta"]["model"] == "tiny"
        assert len(data["summary"]["sentences"]) == 1
    elif fmt == "markdown":
        assert "## Summary" in out and "## Translation" in out and "(segments " in out
    else:
        assert out.startswith("SUMMARY\n") and "\nTRANSLATION\n" in out
    with_stdin(monkeypatch, article.read_bytes())
    code, again, _ = run(capsys, *(["digest", "-"] + [str(a) for a in args[2:]]), "-f", fmt)
    assert code == 0 and again == out


# -- models --------------------------------------------------------------------------------------
def test_models_list_packaged_registry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "list")
    assert code == 0
    assert "* opus-mt-ar-en" in out and "Helsinki-NLP/opus-mt-ar-en" in out
    assert "distilbart-cnn-12-6" in out and "cached" in out
    code, out, _ = run(capsys, "models", "list", "--format", "json")
    entries = {e["name"]: e for e in json.loads(out)}
    assert entries["opus-mt-ar-en"]["cached"] is False  # the tests' HF cache is empty
    assert entries["opus-mt-ar-en"]["default"] is True
    assert entries["bart-large-cnn"]["role"] == "summarization"


def test_models_list_local_entry(capsys: pytest.CaptureFixture[str], registry: Path) -> None:
    code, out, _ = run(capsys, "models", "list", "-f", "json")
    entries = {e["name"]: e for e in json.loads(out)}
    assert entries["tiny"]["cached"] is True and entries["tiny"]["size"] > 0
    assert entries["hub-model"]["cached"] is False and entries["hub-model"]["size"] is None
    code, out, _ = run(capsys, "models", "list")
    assert " KB" in out or " MB" in out


def test_models_download_offline(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "models", "download", "opus-mt-ar-en")
    assert code == 1
    assert "Cannot download opus-mt-ar-en (Helsinki-NLP/opus-mt-ar-en @ main)" in err
    assert "HF_HUB_OFFLINE" in err and "Traceback" not in err
    code, _, err = run(capsys, "models", "download", "no-such-model")
    assert code == 2 and "Unknown model" in err


def test_models_download_local_entry(capsys: pytest.CaptureFixture[str], registry: Path) -> None:
    code, _, err = run(capsys, "models", "download", "tiny")
    assert code == 0 and "nothing to download" in err


def test_models_convert(
    capsys: pytest.CaptureFixture[str], registry: Path, tiny_marian: Path
) -> None:
    code, out, _ = run(capsys, "models", "convert", "tiny", "--quantization", "int8", "-q")
    assert code == 0
    converted = Path(out.strip().split(": ", 1)[1])
    assert (converted / "model.bin").is_file()
    first = (converted / "model.bin").stat().st_mtime_ns
    code, out, _ = run(capsys, "models", "convert", "tiny", "-q")
    assert code == 0 and (converted / "model.bin").stat().st_mtime_ns == first  # reused
    code, out, _ = run(capsys, "models", "convert", "tiny", "--force", "-q")
    assert code == 0 and (converted / "model.bin").stat().st_mtime_ns != first  # redone
    code, _, err = run(capsys, "models", "convert", "tiny", "--quantization", "int3")
    assert code == 2 and "Unknown quantization" in err


# -- eval, ui, ray -------------------------------------------------------------------------------
def test_eval_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions, references = tmp_path / "p.txt", tmp_path / "r.txt"
    predictions.write_text("The minister said talks resume.\nOil rose.\n", encoding="utf-8")
    references.write_text("Talks will resume, the minister said.\nOil prices rose.\n")
    report = tmp_path / "rouge.json"
    code, out, _ = run(
        capsys, "eval", "summary", "--predictions", predictions, "--references", references,
        "--output", report,
    )  # fmt: skip
    assert code == 0 and "rouge1" in out and "rougeL" in out
    scores = json.loads(report.read_text(encoding="utf-8"))
    assert 0 < scores["rouge1"] <= 100 and scores["n"] == 2
    references.write_text("Only one line.\n", encoding="utf-8")
    code, _, err = run(
        capsys, "eval", "summary", "--predictions", predictions, "--references", references
    )
    assert code == 1 and "2 predictions but 1 references" in err


def test_eval_translation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: Path
) -> None:
    report = tmp_path / "scores.json"
    code, out, _ = run(
        capsys, "eval", "translation", "--source", SEEDS / "short-headline.ar.txt",
        "--reference", SEEDS / "en-news-reference.txt", "--model", "tiny", "--output", report,
    )  # fmt: skip
    assert code == 0 and "bleu" in out and "chrf" in out and "tiny" in out
    scores = json.loads(report.read_text(encoding="utf-8"))
    assert scores["n"] == 2 and scores["meta"]["model"] == "tiny" and "bleu" in scores


@pytest.mark.parametrize("name", ["ui", "serve"])  # `serve`: the same server, its API name
def test_ui_passes_its_options_to_serve(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import ui.http.server

    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(ui.http.server, "serve", lambda *a, **k: calls.append((a, k)))
    code, _, _ = run(
        capsys, name, "--model", "m", "--summary-model", "s", "--backend", "transformers",
        "--device", "cpu", "--port", "7000", "--max-chars", "5000",
    )  # fmt: skip
    assert code == 0
    ((args, kwargs),) = calls
    config = args[0]
    assert (config.model, config.summary_model, config.backend, config.device) == (
        "m", "s", "transformers", "cpu",
    )  # fmt: skip
    assert config.max_chars == 5000
    assert kwargs == {"host": "127.0.0.1", "port": 7000, "share": False}  # local by default


# -- each command accepts only what it uses; defaults come from the library -------------------
@pytest.mark.parametrize(
    "args",
    [
        ["translate", "-", "--summary-model", "x"],
        ["translate", "-", "--method", "extractive"],
        ["summarize", "-", "--num-beams", "2"],
        ["models", "list", "--model", "x"],
        ["eval", "translation", "--source", "a", "--reference", "b", "--summary-model", "x"],
    ],
)
def test_options_a_command_would_ignore_are_refused(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and "unrecognized arguments" in err


def test_summarize_model_names_the_summarizer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "en.txt"
    source.write_text("The minister said talks would resume next week.\n", encoding="utf-8")
    missing = tmp_path / "no-such-summarizer"
    code, _, err = run(capsys, "summarize", source, "--model", missing)
    assert code == 1 and "no-such-summarizer" in err  # used, not ignored


def test_help_shows_the_library_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    from summarize.api import DEFAULT_LENGTH
    from translate.batch import DEFAULT_CHUNK_ROWS
    from translate.config import DEFAULT_BATCH_TOKENS

    _, out, _ = run(capsys, "batch", "--help")
    text = " ".join(out.split())
    assert f"(default: {DEFAULT_CHUNK_ROWS})" in text
    assert f"(default: {DEFAULT_BATCH_TOKENS})" in text
    assert f"(default: {DEFAULT_LENGTH})" in text  # the same summary length as `summarize`
