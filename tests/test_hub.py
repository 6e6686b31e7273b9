"""translate.backends.hub: which files a download fetches, failing fast offline, hints that name
the pinned revision and the right flag, what `tarjama models list` reports, local snapshots."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from translate.backends import hub
from translate.errors import ModelUnavailableError
from translate.registry import load_registry, resolve_model
from ui.cli import main

OPUS_MT_AR_EN = [  # the repository's files on main (2020 conversion, TF and Rust copies added)
    ".gitattributes", "README.md", "config.json", "generation_config.json", "metadata.json",
    "pytorch_model.bin", "rust_model.ot", "source.spm", "target.spm", "tf_model.h5",
    "tokenizer_config.json", "vocab.json",
]  # fmt: skip
BART_LARGE_CNN = [
    ".gitattributes", "README.md", "config.json", "flax_model.msgpack", "generation_config.json",
    "generation_config_for_summarization.json", "merges.txt", "model.safetensors",
    "pytorch_model.bin", "rust_model.ot", "tf_model.h5", "tokenizer.json", "vocab.json",
]  # fmt: skip
DISTILBART = [
    ".gitattributes", "README.md", "config.json", "flax_model.msgpack", "merges.txt",
    "pytorch_model.bin", "rust_model.ot", "tf_model.h5", "tokenizer_config.json", "vocab.json",
]  # fmt: skip
SHARDED = [
    "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
    "model.safetensors.index.json", "pytorch_model.bin", "onnx/model.onnx", "onnx/config.json",
    "weights.zip", "tokenizer.json",
]  # fmt: skip


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        (
            OPUS_MT_AR_EN,
            ["config.json", "generation_config.json", "tokenizer_config.json", "vocab.json",
             "source.spm", "target.spm", "pytorch_model.bin"],
        ),
        (
            BART_LARGE_CNN,
            ["config.json", "generation_config.json", "tokenizer.json", "vocab.json",
             "merges.txt", "model.safetensors"],
        ),
        (
            DISTILBART,
            ["config.json", "tokenizer_config.json", "vocab.json", "merges.txt",
             "pytorch_model.bin"],
        ),
        (
            SHARDED,
            ["config.json", "tokenizer.json", "model.safetensors.index.json",
             "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
        ),
        (["README.md", "tf_model.h5"], []),
    ],
)  # fmt: skip
def test_only_config_tokenizer_and_one_weight_format_are_fetched(listing, expected) -> None:
    chosen = hub.select_files(listing)
    assert chosen == expected
    assert not any(name.endswith((".h5", ".ot", ".msgpack", ".zip", ".onnx")) for name in chosen)


@pytest.fixture()
def online(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A pretend hub: reachable, with a listing per repository; records what was fetched."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    import huggingface_hub

    listings = {
        "Helsinki-NLP/opus-mt-ar-en": OPUS_MT_AR_EN,
        "facebook/bart-large-cnn": BART_LARGE_CNN,
        "sshleifer/distilbart-cnn-12-6": DISTILBART,
    }
    fetched: list[dict] = []

    def list_repo_files(self, repo_id, *, revision=None, **kwargs):  # noqa: ANN001, ANN202
        fetched.append({"listed": repo_id, "revision": revision})
        return listings[repo_id]

    def snapshot_download(repo_id, **kwargs):  # noqa: ANN001, ANN202
        fetched.append({"repo_id": repo_id, **kwargs})
        return str(tmp_path / "hub" / repo_id.replace("/", "--"))

    monkeypatch.setattr(huggingface_hub.HfApi, "list_repo_files", list_repo_files)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return fetched


def test_download_fetches_the_selection_at_the_pinned_revision(online) -> None:
    spec = load_registry().get("bart-large-cnn")
    path = hub.download(spec)
    listed, fetched = online
    assert listed == {"listed": "facebook/bart-large-cnn", "revision": spec.revision}
    assert fetched["revision"] == spec.revision == "3d224934c6541b2b9147e023c2f6f6fe49bd27e1"
    assert fetched["allow_patterns"] == hub.select_files(BART_LARGE_CNN)
    assert fetched["cache_dir"] == hub.hf_cache_dir()
    assert path.name == "facebook--bart-large-cnn"


def test_models_download_command_uses_the_selection(
    online, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "download", "opus-mt-ar-en", "distilbart-cnn-12-6"]) == 0
    downloads = [f for f in online if "allow_patterns" in f]
    assert [d["repo_id"] for d in downloads] == [
        "Helsinki-NLP/opus-mt-ar-en",
        "sshleifer/distilbart-cnn-12-6",
    ]
    assert "tf_model.h5" not in downloads[0]["allow_patterns"]
    assert "pytorch_model.bin" in downloads[1]["allow_patterns"]
    assert "ready in" in capsys.readouterr().err


def test_a_model_not_cached_is_downloaded_on_first_use(online, monkeypatch) -> None:  # noqa: ANN001
    spec = load_registry().get("opus-mt-ar-en")
    assert hub.snapshot_dir(spec) is None
    assert hub.model_files(spec).name == "Helsinki-NLP--opus-mt-ar-en"
    listed, fetched = online
    assert fetched["allow_patterns"] == hub.select_files(OPUS_MT_AR_EN)


def test_transformers_offline_alone_is_offline_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError, match="TRANSFORMERS_OFFLINE is set"):
        hub.download(load_registry().get("opus-mt-ar-en"))


def test_a_repository_without_weights_is_refused(online, monkeypatch) -> None:  # noqa: ANN001
    import huggingface_hub

    monkeypatch.setattr(
        huggingface_hub.HfApi, "list_repo_files", lambda self, repo_id, **kw: ["README.md"]
    )
    with pytest.raises(ModelUnavailableError, match="no config.json or no safetensors"):
        hub.download(load_registry().get("opus-mt-ar-en"))


def test_offline_download_fails_at_once_with_the_pinned_revision(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    start = time.monotonic()
    with caplog.at_level(logging.DEBUG):
        code = main(["models", "download", "distilbart-cnn-12-6"])
    err = capsys.readouterr().err
    assert code == 1 and time.monotonic() - start < 5
    assert "Cannot download distilbart-cnn-12-6 (sshleifer/distilbart-cnn-12-6 @ a4f8f3ea" in err
    assert "HF_HUB_OFFLINE" in err
    assert (
        "hf download sshleifer/distilbart-cnn-12-6 "
        "--revision a4f8f3ea906ed274767e9906dbaede7531d660ff" in err
    )
    assert "retry" not in (err + caplog.text).lower() and "Traceback" not in err


def test_unreachable_hub_fails_in_seconds_without_retries(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    start = time.monotonic()
    with caplog.at_level(logging.DEBUG):
        code = main(["models", "download", "opus-mt-ar-en"])
    err = capsys.readouterr().err
    assert code == 1 and time.monotonic() - start < 10
    assert "cannot connect to http://127.0.0.1:9" in err
    assert "retry" not in (err + caplog.text).lower()


@pytest.mark.slow  # loads a model engine (imports torch)
def test_unavailable_hints_name_the_revision_and_the_role_flag() -> None:
    from summarize.abstractive import Summarizer
    from translate import Translator

    with pytest.raises(ModelUnavailableError) as info:
        Summarizer("distilbart-cnn-12-6", backend="transformers").backend  # noqa: B018
    message = str(info.value)
    assert "tarjama models download distilbart-cnn-12-6" in message
    assert "hf download sshleifer/distilbart-cnn-12-6 --revision a4f8f3ea9" in message
    assert "--summary-model /path/to/a/local/model" in message and "--model /" not in message
    with pytest.raises(ModelUnavailableError) as info:
        Translator("opus-mt-tc-big-ar-en", backend="transformers").backend  # noqa: B018
    message = str(info.value)
    assert "`hf download Helsinki-NLP/opus-mt-tc-big-ar-en`" in message  # unpinned: no --revision
    assert "--model /path/to/a/local/model" in message


def test_local_directory_hint_names_the_role_flag(tmp_path: Path) -> None:
    spec = resolve_model(str(tmp_path), "summarization")
    message = str(hub.unavailable(spec, "no config.json there"))
    assert "point --summary-model" in message and "not a loadable model directory" in message


# -- the hub cache ---------------------------------------------------------------------------------
def test_cached_models_load_without_asking_the_hub(hub_models, monkeypatch) -> None:  # noqa: ANN001
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the hub was asked")

    monkeypatch.setattr(hub, "download", no_network)
    monkeypatch.setattr(hub, "hub_reachable", no_network)
    monkeypatch.delenv("HF_HUB_OFFLINE")  # even when the hub may be used
    for name in hub_models:
        spec = load_registry().get(name)
        folder = hub.model_files(spec)
        assert (folder / "config.json").is_file() and hub.has_weights(folder)
        assert (spec.revision is None) or folder.name == spec.revision


def test_models_list_reports_cached_snapshots_and_sizes(
    hub_models, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "list", "-f", "json"]) == 0
    entries = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    for name in hub_models:
        folder = hub.snapshot_dir(load_registry().get(name))
        assert folder is not None
        blobs = sum(p.resolve().stat().st_size for p in folder.iterdir())
        assert entries[name]["cached"] is True and entries[name]["size"] == blobs
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "brio-cnndm-cased" in out and (" KB" in out or " MB" in out)


def test_a_pinned_model_is_not_cached_under_another_revision(
    hub_models, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dataclasses import replace

    spec = replace(load_registry().get("bart-large-cnn"), revision="b" * 40)
    assert hub.snapshot_dir(spec) is None
    with pytest.raises(ModelUnavailableError, match="HF_HUB_OFFLINE"):
        hub.model_files(spec)


def test_convert_command_on_a_cached_hub_model(
    hub_models, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ctranslate2")
    args = ["models", "convert", "distilbart-cnn-12-6", "--quantization", "float32", "-q"]
    assert main(args) == 0
    converted = Path(capsys.readouterr().out.strip().split(": ", 1)[1])
    assert converted.name == (
        "sshleifer--distilbart-cnn-12-6-a4f8f3ea906ed274767e9906dbaede7531d660ff-float32"
    )
    meta = json.loads((converted / "tarjama.json").read_text(encoding="utf-8"))
    assert meta["generation"]["num_beams"] == 4 and meta["generation"]["min_length"] == 56


def test_a_local_directory_role_is_read_from_its_config(tiny_marian: Path, tmp_path: Path) -> None:
    bart = tmp_path / "bart"
    bart.mkdir()
    (bart / "config.json").write_text('{"model_type": "bart"}', encoding="utf-8")
    marian, summarizer = hub.named_specs([str(tiny_marian), str(bart)])
    assert marian.role == "translation" and summarizer.role == "summarization"
    defaults = hub.named_specs([])
    assert [s.name for s in defaults] == ["opus-mt-ar-en", "distilbart-cnn-12-6"]
