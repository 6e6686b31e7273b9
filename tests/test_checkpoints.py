"""The registry's models as the hub serves them, in miniature (tests/checkpoints.py).

Each stand-in is loaded through the packaged registry from a Hugging Face cache laid out as a
download leaves it (``HF_HUB_OFFLINE=1``), through both backends, and the backends' outputs are
compared: CTranslate2 in float32 against transformers, token for token. Never int8: its kernels
differ between CPUs.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2")

from tests.checkpoints import real_arabic_spm  # noqa: E402
from tests.tiny_models import REPO  # noqa: E402
from translate.backends import hub  # noqa: E402
from translate.backends.ct2 import CTranslate2Backend  # noqa: E402
from translate.backends.hf import TransformersBackend  # noqa: E402
from translate.registry import load_registry, resolve_model  # noqa: E402
from translate.sentences import split_sentences  # noqa: E402

SEEDS = REPO / "seeds"
TRANSLATION = ("opus-mt-ar-en", "opus-mt-tc-big-ar-en")
SUMMARIZATION = ("distilbart-cnn-12-6", "bart-large-cnn", "brio-cnndm-cased")


def _arabic(n: int = 8) -> list[str]:
    text = (SEEDS / "aleppo-security-council.ar.txt").read_text(encoding="utf-8")
    return split_sentences(text)[:n]


def _english(n: int = 6) -> list[str]:
    lines = (SEEDS / "en-news.txt").read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if ln.strip()][:n]


def _role(name: str) -> str:
    return "translation" if name in TRANSLATION else "summarization"


def _texts(name: str) -> list[str]:
    return _arabic() if name in TRANSLATION else _english()


def _pair(name: str) -> tuple[TransformersBackend, CTranslate2Backend]:
    spec = resolve_model(name, _role(name))  # type: ignore[arg-type]
    return (
        TransformersBackend(spec, device="cpu"),
        CTranslate2Backend(spec, device="cpu", quantization="float32"),
    )


def _snapshot(name: str) -> Path:
    folder = hub.snapshot_dir(load_registry().get(name))
    assert folder is not None, f"{name} is not in the hub cache"
    return folder


# -- the stand-ins look like the real repositories ------------------------------------------------
def test_every_registry_model_has_a_stand_in(hub_models) -> None:
    assert set(hub_models) == set(load_registry().models)


def test_opus_mt_ar_en_files(hub_models) -> None:
    import torch

    folder = _snapshot("opus-mt-ar-en")
    assert hub_models["opus-mt-ar-en"].files == (
        "config.json", "generation_config.json", "pytorch_model.bin", "source.spm",
        "target.spm", "tokenizer_config.json", "vocab.json",
    )  # fmt: skip
    assert (folder / "tokenizer_config.json").stat().st_size == 42
    assert "tokenizer_class" not in json.loads((folder / "tokenizer_config.json").read_text())
    assert (folder / "source.spm").read_bytes() == real_arabic_spm().read_bytes()
    state = torch.load(folder / "pytorch_model.bin", weights_only=True)
    assert "lm_head.weight" not in state and state["model.shared.weight"].dtype == torch.float32
    assert state["final_logits_bias"].abs().sum() > 0
    ids = hub_models["opus-mt-ar-en"].facts
    generation = json.loads((folder / "generation_config.json").read_text())
    assert ids["eos"] == 0 and ids["pad"] == ids["vocab_size"] - 1
    assert generation["decoder_start_token_id"] == generation["pad_token_id"] == ids["pad"]
    assert generation["bad_words_ids"] == [[ids["pad"]]]
    assert generation["max_length"] == 512 and generation["num_beams"] == 4


def test_opus_mt_tc_big_files(hub_models) -> None:
    import torch

    folder = _snapshot("opus-mt-tc-big-ar-en")
    state = torch.load(folder / "pytorch_model.bin", weights_only=True)
    assert state["model.shared.weight"].dtype == torch.float16
    assert not torch.equal(state["lm_head.weight"], state["model.shared.weight"])
    ids = hub_models["opus-mt-tc-big-ar-en"].facts
    assert ids["eos"] != 0 and ids["unk"] != 1
    config = json.loads((folder / "config.json").read_text())
    assert config["max_position_embeddings"] == 1024 and config["eos_token_id"] == ids["eos"]
    assert json.loads((folder / "generation_config.json").read_text())["renormalize_logits"]
    assert json.loads((folder / "tokenizer_config.json").read_text())["separate_vocabs"] is False


def test_distilbart_and_bart_large_cnn_files(hub_models) -> None:
    distil = _snapshot("distilbart-cnn-12-6")
    assert not (distil / "generation_config.json").exists()
    assert not (distil / "tokenizer.json").exists()
    config = json.loads((distil / "config.json").read_text())
    assert (config["num_beams"], config["length_penalty"], config["max_length"]) == (4, 2.0, 142)
    assert (config["min_length"], config["no_repeat_ngram_size"]) == (56, 3)
    assert config["early_stopping"] is True
    large = _snapshot("bart-large-cnn")
    assert json.loads((large / "generation_config.json").read_text())["min_length"] == 56
    config = json.loads((large / "config.json").read_text())
    assert "normalize_before" in config and "normalize_embedding" not in config


def test_snapshots_are_hub_cache_symlinks(hub_models) -> None:
    for name in hub_models:
        folder = _snapshot(name)
        assert folder.parent.name == "snapshots"
        assert all(p.is_symlink() for p in folder.iterdir())
        spec = load_registry().get(name)
        if spec.revision:
            assert folder.name == spec.revision
        else:
            assert (folder.parent.parent / "refs" / "main").read_text() == folder.name


# -- loaded through the registry, offline, in both backends ---------------------------------------
@pytest.mark.parametrize("name", TRANSLATION + SUMMARIZATION)
def test_greedy_output_is_the_same_in_both_backends(hub_models, name: str) -> None:
    reference, fast = _pair(name)
    texts = _texts(name)
    assert reference.files == _snapshot(name)
    assert fast.count_tokens(texts) == reference.count_tokens(texts)
    for settings in (
        {"num_beams": 1, "max_new_tokens": 40},
        {"num_beams": 1, "max_new_tokens": 40, "min_new_tokens": 6},
    ):
        expected = reference.generate(texts, settings)
        got = fast.generate(texts, settings)
        for want, have in zip(expected, got, strict=True):
            assert (have.text, have.tokens) == (want.text, want.tokens)
            assert have.score == pytest.approx(want.score, abs=1e-3)
    lengths = {g.tokens for g in expected}
    assert len(lengths) > 1, "outputs that end on their own and outputs at the cap"


@pytest.mark.parametrize("name", TRANSLATION + SUMMARIZATION)
def test_beam_output_is_the_same_where_the_search_rules_agree(hub_models, name: str) -> None:
    """CTranslate2's beam search renormalises after blocking tokens and stops once num_beams
    hypotheses are finished; with those two rules, transformers' search finds the same outputs
    with the same scores. (Where a checkpoint sets neither, as opus-mt-ar-en, an output can
    differ: README, "The CTranslate2 backend".)"""
    reference, fast = _pair(name)
    reference.model.generation_config.renormalize_logits = True
    reference.model.generation_config.early_stopping = True
    texts = _texts(name)
    settings = {"num_beams": 3, "max_new_tokens": 40, "min_new_tokens": 4}
    for want, have in zip(
        reference.generate(texts, settings), fast.generate(texts, settings), strict=True
    ):
        assert (have.text, have.tokens) == (want.text, want.tokens)
        assert have.score == pytest.approx(want.score, abs=1e-3)


def test_tc_big_uses_its_shared_embeddings_in_both_backends(
    hub_models, caplog: pytest.LogCaptureFixture
) -> None:
    import torch
    from transformers import AutoModelForSeq2SeqLM

    with caplog.at_level(logging.WARNING, logger="translate.backends.hf"):
        reference, fast = _pair("opus-mt-tc-big-ar-en")
    stray_lines = [r for r in caplog.records if "stray" in r.getMessage()]
    assert stray_lines and "opus-mt-tc-big-ar-en" in stray_lines[0].getMessage()
    model = reference.model
    assert model.lm_head.weight is model.model.shared.weight
    # As transformers 5 loads it by itself: the stray matrix is the output layer.
    raw = AutoModelForSeq2SeqLM.from_pretrained(str(reference.files), dtype=torch.float32).eval()
    assert not torch.equal(raw.lm_head.weight, raw.model.shared.weight)
    texts = _arabic()
    settings = {"num_beams": 1, "max_new_tokens": 24}
    batch = reference.tokenizer(texts, return_tensors="pt", padding=True)
    with torch.inference_mode():
        stray = raw.generate(**batch, do_sample=False, **settings)
    decoded = reference.tokenizer.batch_decode(stray, skip_special_tokens=True)
    stray_texts = [t.strip() for t in decoded]
    tied = [g.text for g in reference.generate(texts, settings)]
    assert stray_texts != tied
    # The CTranslate2 copy was converted from the tied model.
    assert [g.text for g in fast.generate(texts, settings)] == tied


def test_no_stray_line_for_a_checkpoint_without_lm_head(
    hub_models, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="translate.backends.hf"):
        reference = TransformersBackend(resolve_model("opus-mt-ar-en", "translation"), "cpu")
    assert not [r for r in caplog.records if "stray" in r.getMessage()]
    model = reference.model
    assert model.lm_head.weight is model.model.shared.weight


# -- decoding defaults and lengths ----------------------------------------------------------------
def test_decoding_defaults_in_config_json_reach_both_backends(hub_models) -> None:
    reference, fast = _pair("distilbart-cnn-12-6")
    generation = reference.model.generation_config
    assert (generation.num_beams, generation.length_penalty, generation.min_length) == (4, 2.0, 56)
    assert generation.no_repeat_ngram_size == 3 and generation.early_stopping is True
    assert fast.decoding_params({}) == {
        "num_beams": 4,
        "length_penalty": 2.0,
        "repetition_penalty": 1.0,
        "no_repeat_ngram_size": 3,
        "max_decoding_length": 140,  # max_length 142: 141 new tokens, the last a forced EOS
        "min_decoding_length": 55,  # min_length 56 counts the decoder start token
    }
    # Explicit settings win, and 0 means 0.
    explicit = fast.decoding_params(
        {"no_repeat_ngram_size": 0, "min_new_tokens": 0, "num_beams": 1}
    )
    assert explicit["no_repeat_ngram_size"] == 0 and explicit["min_decoding_length"] == 0
    assert explicit["num_beams"] == 1


def test_checkpoint_defaults_and_explicit_zero_give_the_same_output_in_both_backends(
    hub_models,
) -> None:
    reference, fast = _pair("distilbart-cnn-12-6")
    texts = _english()
    outputs = {}
    for label, settings in (
        ("checkpoint", {"num_beams": 1, "max_new_tokens": 70}),
        ("zero", {"num_beams": 1, "max_new_tokens": 70, "no_repeat_ngram_size": 0,
                  "min_new_tokens": 0}),
    ):  # fmt: skip
        want = [(g.text, g.tokens) for g in reference.generate(texts, settings)]
        assert [(g.text, g.tokens) for g in fast.generate(texts, settings)] == want
        outputs[label] = want
    # The checkpoint's min_length 56 holds every output to at least 55 tokens (unless capped)...
    assert all(tokens >= 55 for _, tokens in outputs["checkpoint"])
    # ...and its n-gram block goes with an explicit 0: an output ends early or repeats itself.
    assert outputs["zero"] != outputs["checkpoint"]
    assert any(tokens < 55 for _, tokens in outputs["zero"])


def test_summary_length_limits_mean_the_same_in_both_backends(hub_models) -> None:
    """bart-large-cnn has min_length 56; a "short" summary asks for min_new_tokens 24, and
    transformers then ignores min_length. CTranslate2 must too (it used to hold summaries to
    max(min_new_tokens, 55) tokens: twice as long as transformers')."""
    from summarize.abstractive import Summarizer, token_budget

    summarizer = Summarizer("bart-large-cnn", backend="transformers", device="cpu")
    texts = _english()
    source = summarizer._content_tokens([" ".join(texts)], summarizer._overhead())[0]
    settings = summarizer._decode_settings(summarizer.settings, token_budget("short"), source)
    assert settings["min_new_tokens"] == 24 and settings["max_new_tokens"] == 60
    reference, fast = _pair("bart-large-cnn")
    params = fast.decoding_params(settings)
    assert params["min_decoding_length"] == 24 and params["max_decoding_length"] == 59
    greedy = {**settings, "num_beams": 1}
    want = [(g.text, g.tokens) for g in reference.generate(texts, greedy)]
    assert [(g.text, g.tokens) for g in fast.generate(texts, greedy)] == want
    assert any(tokens < 55 for _, tokens in want)


def test_scores_leave_out_the_eos_forced_at_the_limit(hub_models) -> None:
    """Greedy and beam scores in transformers, and CTranslate2's, are the same quantity: the
    mean log-probability of the generated tokens, leaving out forced BOS/EOS tokens."""
    reference, fast = _pair("opus-mt-tc-big-ar-en")
    reference.model.generation_config.early_stopping = True  # CTranslate2's rule (see above)
    texts = _arabic()
    cap = 24
    settings = {"num_beams": 2, "max_new_tokens": cap}
    beam = reference.generate(texts, settings)
    fast_beam = fast.generate(texts, settings)
    greedy = reference.generate(texts, {"num_beams": 1, "max_new_tokens": cap})
    at_cap = 0
    for want, have, single in zip(beam, fast_beam, greedy, strict=True):
        assert have.text == want.text
        assert have.score == pytest.approx(want.score, abs=1e-3)
        if want.tokens == cap - 1 and single.text == want.text:
            at_cap += 1  # ended by the forced EOS: the same score greedy gives it
            assert want.score == pytest.approx(single.score, abs=1e-4)
    assert at_cap, "some outputs must reach the cap"


def test_translator_on_the_registry_models_offline(hub_models) -> None:
    from translate import Translator

    text = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
    for name in TRANSLATION:  # the registry's own settings: beam 4, caps of 2 x tokens + 10
        tr = Translator(model=name, backend="transformers", device="cpu", cache_size=0)
        result = tr.translate(text)
        assert result.meta["model"] == name
        assert result.meta["revision"] == load_registry().get(name).revision
        assert len(result.segments) >= len(split_sentences(text))
        assert all(s.score is None or math.isfinite(s.score) for s in result.segments)
