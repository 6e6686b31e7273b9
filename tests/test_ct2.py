"""The CTranslate2 backend on tiny local models: conversion, exactness against transformers,
int8 behaviour through the Translator, the conversion cache, the install hint, and a torch-free
fast path. The sentence cache is off wherever outputs are compared."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2")

from tests.tiny_models import REPO  # noqa: E402
from translate import MissingDependencyError, ModelUnavailableError, Translator  # noqa: E402
from translate.backends import (  # noqa: E402
    clear_model_cache,
    load_backend,
    resolve_backend_name,
)
from translate.backends import convert as convert_mod  # noqa: E402
from translate.backends.ct2 import CTranslate2Backend, _mean_log_prob  # noqa: E402
from translate.backends.hf import TransformersBackend  # noqa: E402
from translate.errors import (  # noqa: E402
    ConfigError,
    InternalError,
)
from translate.registry import ModelSpec, resolve_model  # noqa: E402

SEEDS = REPO / "seeds"
HAS_TINY_BART = (REPO / "tests" / "tiny_bart.py").is_file()
needs_bart = pytest.mark.skipif(
    not HAS_TINY_BART, reason="tests/tiny_bart.py (the summarizer's tiny BART builder) is absent"
)
GREEDY = [
    {"num_beams": 1, "max_new_tokens": 16},
    {"num_beams": 1, "max_new_tokens": 24, "min_new_tokens": 24},
]


def _lines(name: str, limit: int) -> list[str]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip()][:limit]


def _arabic_sentences() -> list[str]:
    from translate.sentences import split_sentences

    text = "\n".join(_lines("short-headline.ar.txt", 3) + _lines("economy-numbers.ar.txt", 2))
    return split_sentences(text)[:8]


def _english_sentences() -> list[str]:
    return _lines("en-news.txt", 6)


def _spec(path: Path, role: str) -> ModelSpec:
    return resolve_model(str(path), role)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not HAS_TINY_BART:
        pytest.skip("tests/tiny_bart.py is absent")
    from tests.tiny_bart import build_tiny_bart

    return build_tiny_bart(tmp_path_factory.mktemp("ct2-tiny-bart"))


@pytest.fixture(scope="module")
def tiny_bart_forced_bos(tiny_bart_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BART with forced_bos_token_id=0, as distilbart-cnn-12-6 and bart-large-cnn set."""
    out = tmp_path_factory.mktemp("ct2-tiny-bart-bos") / "model"
    shutil.copytree(tiny_bart_dir, out)
    path = out / "generation_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["forced_bos_token_id"] = 0
    path.write_text(json.dumps(config), encoding="utf-8")
    return out


def _assert_same_greedy(pair: tuple[TransformersBackend, CTranslate2Backend], texts) -> None:  # noqa: ANN001
    reference, fast = pair
    assert fast.count_tokens(texts) == reference.count_tokens(texts)
    for settings in GREEDY:
        expected = reference.generate(texts, settings)
        got = fast.generate(texts, settings)
        for want, have in zip(expected, got, strict=True):
            assert have.text == want.text
            assert have.tokens == want.tokens
            assert have.score == pytest.approx(want.score, abs=1e-3)


def _pair(path: Path, role: str) -> tuple[TransformersBackend, CTranslate2Backend]:
    """The reference engine and CTranslate2 in float32 on the same model."""
    spec = _spec(path, role)
    return (
        TransformersBackend(spec, device="cpu"),
        CTranslate2Backend(spec, device="cpu", quantization="float32"),
    )


@pytest.fixture(scope="module")
def marian_pair(tiny_marian: Path) -> tuple[TransformersBackend, CTranslate2Backend]:
    return _pair(tiny_marian, "translation")


def test_marian_tokenisation_equals_marian_tokenizer(tiny_marian: Path, marian_pair) -> None:  # noqa: ANN001
    reference, fast = marian_pair
    vocab = json.loads((tiny_marian / "vocab.json").read_text(encoding="utf-8"))
    texts = _arabic_sentences() + _lines("aleppo-security-council.ar.txt", 4)
    for text, tokens in zip(texts, fast.tokenize(texts), strict=True):
        assert [vocab[t] for t in tokens] == reference.tokenizer(text)["input_ids"]


def test_marian_float32_greedy_equals_transformers(marian_pair) -> None:  # noqa: ANN001
    _assert_same_greedy(marian_pair, _arabic_sentences()[:5])


def test_marian_tokens_equal_transformers_token_for_token(marian_pair) -> None:  # noqa: ANN001
    import torch

    reference, fast = marian_pair
    texts = _arabic_sentences()[:3]
    batch = reference.tokenizer(texts, return_tensors="pt", padding=True)
    with torch.inference_mode():
        out = reference.model.generate(**batch, num_beams=1, do_sample=False, max_new_tokens=20)
    results = fast.translator.translate_batch(
        fast.tokenize(texts), beam_size=1, max_decoding_length=19, return_end_token=True
    )
    for row, result in zip(out.tolist(), results, strict=True):
        # Without the decoder start token, padding, and the EOS transformers forces at the limit.
        want = [t for t in reference.tokenizer.convert_ids_to_tokens(row)[1:] if t != "<pad>"]
        have = result.hypotheses[0]
        assert have == (want if have[-1:] == ["</s>"] else want[:-1])


@needs_bart
def test_bart_converts_and_float32_greedy_equals_transformers(tiny_bart_dir: Path) -> None:
    _assert_same_greedy(_pair(tiny_bart_dir, "summarization"), _english_sentences()[:4])


@needs_bart
def test_bart_forced_bos_equals_transformers(tiny_bart_forced_bos: Path) -> None:
    _assert_same_greedy(_pair(tiny_bart_forced_bos, "summarization"), _english_sentences()[:3])


@needs_bart
def test_bart_tokenisation_is_torch_free_and_equal(tiny_bart_dir: Path) -> None:
    from transformers import AutoTokenizer

    spec = _spec(tiny_bart_dir, "summarization")
    backend = CTranslate2Backend(spec, device="cpu", quantization="float32")
    reference = AutoTokenizer.from_pretrained(str(tiny_bart_dir))
    texts = _english_sentences()
    for text, tokens in zip(texts, backend.tokenize(texts), strict=True):
        assert reference.convert_tokens_to_ids(tokens) == reference(text)["input_ids"]


@pytest.mark.slow  # transformers' configs import torch
def test_bart_config_patch_sets_only_missing_attributes() -> None:
    from transformers import BartConfig, MarianConfig

    bart = BartConfig(vocab_size=10, d_model=8)
    convert_mod.patch_config_for_ctranslate2(bart)
    assert bart.normalize_before is False
    assert bart.normalize_embedding is True
    marian = MarianConfig(vocab_size=10, d_model=8)
    convert_mod.patch_config_for_ctranslate2(marian)
    assert not hasattr(marian, "normalize_before")


def test_int8_translator_keeps_segments(tiny_marian: Path) -> None:
    # Only structure is asserted on int8: its kernels (AVX2, AVX-512 VNNI...) give different
    # random-model output on different CPUs.
    article = (SEEDS / "aleppo-security-council.ar.txt").read_text(encoding="utf-8")
    generation = {"num_beams": 1, "max_new_tokens": 32}
    kwargs = {"model": str(tiny_marian), "cache_size": 0, "generation": generation}
    fast = Translator(backend="ctranslate2", **kwargs).translate(article)
    slow = Translator(backend="transformers", **kwargs).translate(article)
    assert len(fast.segments) == len(slow.segments)
    assert [(s.start, s.end) for s in fast.segments] == [(s.start, s.end) for s in slow.segments]
    assert all(s.score is None or math.isfinite(s.score) for s in fast.segments)
    assert fast.meta["backend"] == "ctranslate2"
    assert fast.meta["quantization"] == "int8"
    assert fast.meta["device"] == "cpu"


def test_float32_streaming_equals_whole_text(tiny_marian: Path) -> None:
    """Streaming batches sentences differently (waves of 2, 4, 8...); the output is the same."""
    article = (SEEDS / "aleppo-security-council.ar.txt").read_text(encoding="utf-8")
    kwargs = {
        "model": str(tiny_marian),
        "backend": "ctranslate2",
        "quantization": "float32",
        "cache_size": 0,
        "generation": {"num_beams": 1, "max_new_tokens": 32},
    }
    whole = Translator(**kwargs).translate(article)
    streamed = list(Translator(**kwargs).iter_segments(article))
    assert [(s.target, s.flags) for s in streamed] == [(s.target, s.flags) for s in whole.segments]


@needs_bart
def test_bart_int8_generates(tiny_bart_dir: Path) -> None:
    backend = CTranslate2Backend(_spec(tiny_bart_dir, "summarization"), device="cpu")
    assert backend.quantization == "int8"
    outputs = backend.generate(_english_sentences()[:3], {"num_beams": 2, "max_new_tokens": 20})
    assert len(outputs) == 3  # what the words are depends on the CPU's int8 kernels
    assert all(0 <= o.tokens <= 20 and (o.score is None or math.isfinite(o.score)) for o in outputs)


def test_conversion_is_cached_and_reused(
    tiny_marian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(tiny_marian, "translation")
    first = convert_mod.convert_model(spec, "int8")
    root = Path(os.environ["TARJAMA_CACHE_DIR"]) / "ct2"
    assert first.parent == root
    assert first.name.startswith(f"{tiny_marian.name}-") and first.name.endswith("-int8")
    assert convert_mod.is_converted(first)
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temp dirs left
    meta = json.loads((first / "tarjama.json").read_text(encoding="utf-8"))
    assert meta["model_type"] == "marian" and meta["quantization"] == "int8"

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(convert_mod, "_convert_into", fail)
    assert convert_mod.convert_model(spec, "int8") == first
    backend = CTranslate2Backend(spec, device="cpu", quantization="int8")
    assert backend.model_dir == first
    # Another revision (here: another quantisation) is another directory.
    assert convert_mod.converted_dir(spec, "float32") != first


def test_converted_dir_names_hub_models_by_revision() -> None:
    spec = resolve_model("opus-mt-ar-en", "translation")
    assert convert_mod.converted_dir(spec, "int8").name == "Helsinki-NLP--opus-mt-ar-en-main-int8"
    pinned = replace(spec, revision="a" * 40)
    assert convert_mod.converted_dir(pinned, "float16").name.endswith(f"-{'a' * 40}-float16")
    with pytest.raises(Exception, match="quantization"):
        convert_mod.converted_dir(spec, "int3")


@pytest.mark.slow  # the conversion imports transformers (and torch) before it fails
def test_missing_model_gives_model_unavailable(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(ModelUnavailableError, match="not-a-model"):
        CTranslate2Backend(_spec(empty, "translation"), device="cpu")
    with pytest.raises(ModelUnavailableError, match="opus-mt-ar-en"):
        convert_mod.convert_model(resolve_model("opus-mt-ar-en", "translation"), "int8")


def test_missing_ctranslate2_gives_install_hint(
    tiny_marian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object, **kwargs: object):  # noqa: ANN202
        return None if name.split(".")[0] == "ctranslate2" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    spec = _spec(tiny_marian, "translation")
    clear_model_cache()
    with pytest.raises(MissingDependencyError, match=r"tarjama\[fast\]"):
        load_backend(spec, "ctranslate2", "cpu")
    with pytest.raises(MissingDependencyError, match=r"tarjama\[fast\]"):
        CTranslate2Backend(spec, device="cpu")
    with pytest.raises(MissingDependencyError, match=r"tarjama\[fast\]"):
        convert_mod.convert_model(spec, "int8")
    assert resolve_backend_name(spec, "auto", "cpu") == "transformers"


def test_auto_picks_ctranslate2_on_cpu(tiny_marian: Path) -> None:
    spec = _spec(tiny_marian, "translation")
    assert resolve_backend_name(spec, None, "cpu") == "ctranslate2"
    assert resolve_backend_name(spec, "auto", "cuda") == "transformers"
    assert resolve_backend_name(spec, "transformers", "cpu") == "transformers"
    import ctranslate2

    expected = "ctranslate2" if ctranslate2.get_cuda_device_count() == 0 else "transformers"
    assert resolve_backend_name(spec, None, "auto") == expected


def test_fast_path_does_not_import_torch(tiny_marian: Path) -> None:
    convert_mod.convert_model(_spec(tiny_marian, "translation"), "int8")
    script = (
        "import sys\n"
        "from translate import translate\n"
        f"text = open({str(SEEDS / 'short-headline.ar.txt')!r}, encoding='utf-8').read()\n"
        f"result = translate(text, model={str(tiny_marian)!r}, backend='ctranslate2', "
        "device='cpu')\n"
        "assert result.meta['backend'] == 'ctranslate2', result.meta\n"
        "assert result.segments\n"
        "loaded = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "print('ok', len(result.segments))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok")


def test_bad_device_and_overlong_input(tiny_marian: Path) -> None:
    spec = _spec(tiny_marian, "translation")
    with pytest.raises(ConfigError, match="device"):
        CTranslate2Backend(spec, device="tpu")
    backend = CTranslate2Backend(spec, device="cpu", quantization="int8")
    with pytest.raises(InternalError, match="split it"):  # the translator windows input first
        backend.generate(["كلمة " * 600], {"max_new_tokens": 4})
    assert backend.generate([], {}) == []
    assert backend.count_tokens([]) == []


@pytest.mark.parametrize(
    ("score", "length", "forced", "penalty", "expected"),
    [
        (-2.0, 4, 0, 1.0, -2.0),  # already the mean
        (-8.0, 4, 0, 0.0, -2.0),  # a plain sum
        (-1.0, 4, 0, 2.0, -4.0),  # sum / length**2
        (-2.0, 5, 1, 1.0, -2.5),  # a forced prefix token adds length, not log-probability
        (None, 4, 0, 1.0, None),
        (-1.0, 0, 0, 1.0, None),
    ],
)
def test_mean_log_prob(score, length, forced, penalty, expected) -> None:  # noqa: ANN001
    assert _mean_log_prob(score, length, forced, penalty) == (
        expected if expected is None else pytest.approx(expected)
    )


def test_generation_config_defaults_apply_like_transformers(tiny_marian: Path) -> None:
    """Keys a call leaves out come from the checkpoint's defaults, min_length included; an
    explicit value wins, 0 included, and min_new_tokens makes min_length irrelevant."""
    backend = CTranslate2Backend(_spec(tiny_marian, "translation"), device="cpu")
    calls: list[dict] = []

    class Recorder:
        def translate_batch(self, sources, **kwargs):  # noqa: ANN001, ANN202
            calls.append(kwargs)
            return backend_translator.translate_batch(sources, **kwargs)

        def score_batch(self, sources, targets, **kwargs):  # noqa: ANN001, ANN202
            return backend_translator.score_batch(sources, targets, **kwargs)

    backend_translator = backend.translator
    backend.translator = Recorder()
    backend._defaults = {"num_beams": 3, "no_repeat_ngram_size": 2, "min_length": 9}
    backend.generate(["قال الوزير."], {"max_new_tokens": 12})
    backend.generate(["قال الوزير."], {"max_new_tokens": 12, "num_beams": 1, "min_new_tokens": 10})
    first, second = calls
    assert first["beam_size"] == 3 and first["no_repeat_ngram_size"] == 2
    assert first["min_decoding_length"] == 8  # min_length counts the decoder start token
    assert first["max_decoding_length"] == 11  # transformers forces EOS as the 12th token
    assert second["beam_size"] == 1 and second["min_decoding_length"] == 10
    assert first["max_input_length"] == 0  # never truncates
    backend.generate(["قال الوزير."], {"max_new_tokens": 12, "no_repeat_ngram_size": 0,
                                        "min_new_tokens": 0})  # fmt: skip
    third = calls[2]
    assert third["no_repeat_ngram_size"] == 0 and third["min_decoding_length"] == 0
    assert third["beam_size"] == 3


def test_converted_copies_of_an_older_format_are_converted_again(
    tiny_marian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(tiny_marian, "translation")
    first = convert_mod.convert_model(spec, "float32")
    meta_file = first / "tarjama.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    assert meta["format"] == convert_mod.FORMAT_VERSION
    assert meta["generation"]["bad_words"] == [["<pad>"]]  # from the checkpoint
    meta_file.write_text(json.dumps({**meta, "format": 1}), encoding="utf-8")
    assert not convert_mod.is_converted(first)
    again = convert_mod.convert_model(spec, "float32")
    assert again == first and convert_mod.is_converted(again)


def test_beam_rows_run_in_bands_of_similar_budgets(tiny_marian: Path) -> None:
    """Beam search has no per-row limit in CTranslate2: a 10-token row batched with a 100-token
    one would decode 100 steps (and again at 10). Bands of budgets within 2x keep each pass near
    its rows' own budgets; results stay each row's alone (test_independence checks the text)."""
    backend = CTranslate2Backend(_spec(tiny_marian, "translation"), device="cpu")
    calls: list[tuple[int, int]] = []

    class Recorder:
        def translate_batch(self, sources, **kwargs):  # noqa: ANN001, ANN202
            calls.append((len(sources), kwargs["max_decoding_length"]))
            return backend_translator.translate_batch(sources, **kwargs)

        def score_batch(self, sources, targets, **kwargs):  # noqa: ANN001, ANN202
            return backend_translator.score_batch(sources, targets, **kwargs)

    backend_translator = backend.translator
    backend.translator = Recorder()
    # Random weights run every row into its budget, which would switch the path to one pass
    # per budget (the next test): keep the band passes here.
    backend._search.redo.per_budget = lambda: False  # type: ignore[method-assign]
    texts = ["قال الوزير.", "قال الرئيس.", "وأضاف أن الحكومة ستواصل العمل.", "وأكد أنه قريب."]
    caps = [10, 12, 100, 60]
    out = backend.generate(texts, {"num_beams": 2, "max_new_tokens": 100}, caps=caps)
    assert len(out) == 4
    budget = {cap: cap - backend._eos_reserve for cap in caps}
    # One pass per band at its largest budget (10/12 and 60/100); the rest are single rows
    # decoded again at their own budget when they ran into the band's.
    assert [c for c in calls if c[0] == 2] == [(2, budget[12]), (2, budget[100])]
    assert {c for c in calls if c[0] == 1} <= {(1, budget[10]), (1, budget[60])}


def test_rows_running_into_their_budget_are_not_decoded_twice(tiny_marian: Path) -> None:
    """Random weights never end a row, so every row below its band's top budget would be
    decoded again; once that is what happens lately, the beam path decodes one pass per budget
    instead. Results stay each row's own (equal to decoding it alone)."""
    spec = _spec(tiny_marian, "translation")
    backend = CTranslate2Backend(spec, device="cpu", quantization="float32")
    calls: list[tuple[int, int]] = []

    class Recorder:
        def translate_batch(self, sources, **kwargs):  # noqa: ANN001, ANN202
            calls.append((len(sources), kwargs["max_decoding_length"]))
            return backend_translator.translate_batch(sources, **kwargs)

        def score_batch(self, sources, targets, **kwargs):  # noqa: ANN001, ANN202
            return backend_translator.score_batch(sources, targets, **kwargs)

    backend_translator = backend.translator
    backend.translator = Recorder()
    texts = ["قال الوزير.", "قال الرئيس.", "وأضاف أن الحكومة ستواصل العمل.", "وأكد أنه قريب."]
    caps = [10, 12, 14, 16]
    settings = {"num_beams": 2, "max_new_tokens": 16}
    first = backend.generate(texts, settings, caps=caps)
    assert len(calls) > 1 and any(n == 1 for n, _ in calls)  # a band pass, then redos
    calls.clear()
    second = backend.generate(texts, settings, caps=caps)
    budgets = sorted(cap - backend._eos_reserve for cap in caps)
    assert sorted(calls) == [(1, b) for b in budgets]  # one pass per budget, nothing twice
    assert [g.text for g in second] == [g.text for g in first]
    alone = [
        backend.generate([text], {**settings, "max_new_tokens": cap})[0]
        for text, cap in zip(texts, caps, strict=True)
    ]
    assert [g.text for g in second] == [g.text for g in alone]
