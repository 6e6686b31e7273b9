"""The model registry: packaged entries, revision form, overrides, name-or-path resolution."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from translate.errors import ConfigError, ModelUnavailableError
from translate.registry import load_registry, registry_path, resolve_model

REQUIRED = {
    "opus-mt-ar-en": "translation",
    "opus-mt-tc-big-ar-en": "translation",
    "distilbart-cnn-12-6": "summarization",
    "bart-large-cnn": "summarization",
    "brio-cnndm-cased": "summarization",
}


def test_packaged_registry_has_required_entries() -> None:
    registry = load_registry()
    for name, role in REQUIRED.items():
        spec = registry.get(name)
        assert spec.role == role
        assert spec.hub_id and "/" in spec.hub_id
        assert spec.max_input_tokens in (512, 1024)
        assert spec.generation.get("num_beams", 1) >= 1
    assert registry.default("translation").name == "opus-mt-ar-en"
    assert registry.default("summarization").name == "distilbart-cnn-12-6"


def test_revisions_are_40_hex_or_null() -> None:
    import yaml

    raw = yaml.safe_load(Path(registry_path()).read_text(encoding="utf-8"))
    for name, entry in raw["models"].items():
        revision = entry.get("revision")
        assert revision is None or re.fullmatch(r"[0-9a-f]{40}", revision), name
        if revision is not None:
            # A pinned revision must say where it was read.
            assert entry.get("revision_source", "").startswith("http"), name


def test_summarizer_settings_count_new_tokens() -> None:
    """The CNN/DailyMail BARTs' max_length 142 / min_length 56 count the decoder start token:
    141 / 55 new tokens. BRIO decodes as bart-large-cnn does (its repository's settings)."""
    registry = load_registry()
    for name in ("distilbart-cnn-12-6", "bart-large-cnn", "brio-cnndm-cased"):
        generation = registry.get(name).generation
        assert (generation["max_new_tokens"], generation["min_new_tokens"]) == (141, 55)
        assert generation["num_beams"] == 4 and generation["length_penalty"] == 2.0
        assert generation["no_repeat_ngram_size"] == 3
    brio = registry.get("brio-cnndm-cased")
    assert brio.hub_id == "Yale-LILY/brio-cnndm-cased" and brio.max_input_tokens == 1024
    assert brio.revision == "b43d9597957496357911e66331fb0c3a983836c1"


def test_root_models_yaml_is_the_packaged_one() -> None:
    root = Path(__file__).resolve().parent.parent / "models.yaml"
    assert Path(registry_path()).read_text() == root.read_text()


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "models.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_env_override_and_local_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mymodel").mkdir()
    path = _write(
        tmp_path,
        "default_translation: mine\nmodels:\n  mine:\n    path: mymodel\n"
        "    role: translation\n    window_tokens: 64\n",
    )
    monkeypatch.setenv("TARJAMA_MODELS", str(path))
    spec = resolve_model(None, "translation")
    assert spec.name == "mine" and spec.is_local
    assert spec.path == str((tmp_path / "mymodel").resolve())
    assert spec.window_tokens == 64


def test_local_directory_as_model(tmp_path: Path) -> None:
    spec = resolve_model(str(tmp_path), "translation")
    assert spec.is_local and spec.path == str(tmp_path.resolve())
    assert spec.generation == load_registry().default("translation").generation


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("models: 3\n", "models:"),
        ("models:\n  x:\n    role: translation\n", "hub_id or a local path"),
        ("models:\n  x:\n    hub_id: a/b\n    role: poetry\n", "role must be"),
        ("models:\n  x:\n    hub_id: a/b\n    role: translation\n    revision: abc\n", "40-hex"),
        ("models:\n  x:\n    hub_id: a/b\n    role: translation\n    backend: onnx\n", "backend"),
        (
            "models:\n  x:\n    hub_id: a/b\n    role: translation\n    generation: {beams: 2}\n",
            "unknown generation keys",
        ),
        ("models: [\n", "not valid YAML"),
    ],
)
def test_malformed_registry(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_registry(_write(tmp_path, body))


def test_unknown_name_and_wrong_role() -> None:
    with pytest.raises(ConfigError, match="Unknown model 'nope'.*known: "):
        resolve_model("nope", "translation")
    with pytest.raises(ConfigError, match="summarization model, not a translation model"):
        resolve_model("bart-large-cnn", "translation")
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        resolve_model("./no/such/dir", "translation")


def test_missing_override_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TARJAMA_MODELS", "/nonexistent/models.yaml")
    with pytest.raises(ConfigError, match="TARJAMA_MODELS"):
        load_registry()


def test_import_is_light() -> None:
    code = (
        "import sys, translate; "
        "heavy = [m for m in ('torch', 'transformers', 'gradio', 'ctranslate2') "
        "if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


# -- one registry, passed as a value; one shared-instance cache ------------------------------
def test_a_registry_is_parsed_once_and_again_when_it_changes(tmp_path, fast_registry) -> None:
    import os

    from translate.registry import load_registry

    copy = tmp_path / "models.yaml"
    copy.write_text(fast_registry.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_registry(copy)
    assert load_registry(copy) is first  # not re-read
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    os.utime(copy, ns=(first.stamp[0] + 10**9, first.stamp[0] + 10**9))
    assert load_registry(copy) is not first


def test_a_registry_can_be_passed_in(monkeypatch, fast_registry) -> None:
    from translate import Translator
    from translate.registry import load_registry

    registry = load_registry(fast_registry)
    monkeypatch.delenv("TARJAMA_MODELS", raising=False)  # the packaged registry has no "tiny"
    translator = Translator(model="tiny", registry=registry)
    assert translator.spec.name == "tiny" and translator.registry is registry


def test_shared_instances_key_on_everything_that_makes_them(fast_registry, tmp_path) -> None:
    import threading

    from translate import Translator
    from translate.registry import load_registry

    registry = load_registry(fast_registry)
    other_file = tmp_path / "other.yaml"
    other_file.write_text(fast_registry.read_text(encoding="utf-8"), encoding="utf-8")
    other = load_registry(other_file)
    Translator.clear_shared()
    got: list[Translator] = []
    threads = [
        threading.Thread(target=lambda: got.append(Translator.shared("tiny", registry=registry)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(t) for t in got}) == 1  # one instance, even when asked for at once
    assert Translator.shared("tiny", registry=other) is not got[0]  # another registry file
    quantized = Translator.shared("tiny", registry=registry, quantization="float32")
    assert quantized is not got[0]
    Translator.clear_shared()


def test_meta_does_not_load_the_model(fast_registry) -> None:
    from translate import Translator
    from translate.registry import load_registry

    translator = Translator(model="tiny", registry=load_registry(fast_registry))
    meta = translator.meta
    assert translator._backend is None  # nothing loaded
    assert meta["backend"] == "transformers" and meta["device"] == "cpu"
    assert meta["quantization"] == "float32"
    translator.translate("قال الوزير إن المحادثات ستستأنف.")
    assert translator.meta == meta  # the same facts once loaded
