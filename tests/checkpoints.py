"""Tiny checkpoints shaped like the registry's real ones, written into a Hugging Face hub cache.

Each builder writes the files the real repository has at the registry's revision, and only
those, with the quirks that decide how a loader must treat them (read from the hub's file
listings and configs, see issue 10):

- opus-mt-ar-en: ``pytorch_model.bin`` only (fp32, no ``lm_head`` key); ``source.spm``,
  ``target.spm``, one ``vocab.json``; a 42-byte ``tokenizer_config.json`` with no
  ``tokenizer_class``; no ``special_tokens_map.json``; pad = decoder start = the last id,
  eos = 0; a non-zero ``final_logits_bias``; ``bad_words_ids [[pad]]``, ``max_length 512`` and
  ``num_beams 4`` in ``generation_config.json``. Its ``source.spm`` is the real 32k-piece
  OPUS-MT Arabic SentencePiece model (``tests/data/opus-mt-ar``), so token counts are real.
- opus-mt-tc-big-ar-en: an fp16 ``pytorch_model.bin`` holding ``model.shared`` **and** a
  different stray ``lm_head.weight``; eos at a non-zero id; unk not 1; ``renormalize_logits``;
  1024 positions; ``separate_vocabs: false``.
- distilbart-cnn-12-6: no ``generation_config.json`` (its decoding settings live in
  ``config.json``) and no ``tokenizer.json``.
- bart-large-cnn: ``generation_config.json`` with ``min_length 56``; ``config.json`` has
  ``normalize_before`` but no ``normalize_embedding``.
- brio-cnndm-cased: a BART-large fine-tune saved in 2022: settings in ``config.json``, no
  generation config, ``pytorch_model.bin``, slow-tokenizer files.

Sizes are tiny (d_model 16) and weights random, with ``eos_bias`` added to the end token's
output bias so that some outputs end on their own, as real ones do, and others run to the cap.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.tiny_models import REPO, arabic_corpus, english_corpus, train_sentencepiece

DATA = REPO / "tests" / "data"
REAL_ARABIC_SPM_PLACES = (
    DATA / "opus-mt-ar" / "source.spm",
    REPO.parent / "shared" / "tokenizers" / "opus-mt-ar" / "source.spm",
)


def real_arabic_spm() -> Path:
    """The real OPUS-MT Arabic SentencePiece model (32k pieces, Apache-2.0; see its README)."""
    for place in REAL_ARABIC_SPM_PLACES:
        if place.is_file():
            return place
    raise FileNotFoundError(f"the OPUS-MT Arabic source.spm is in none of {REAL_ARABIC_SPM_PLACES}")


@dataclass(frozen=True)
class Shape:
    """What one registry model's tiny stand-in looks like."""

    name: str  # registry name
    hub_id: str
    revision: str | None  # the registry's pin (None: main)
    files: tuple[str, ...]  # every file of the snapshot
    facts: dict[str, Any] = field(default_factory=dict)


# -- hub cache layout -----------------------------------------------------------------------------
def write_snapshot(cache: Path, repo_id: str, source: Path, revision: str | None) -> Path:
    """Put the files of ``source`` into ``cache`` as huggingface_hub lays a download out:
    ``models--ORG--NAME/blobs/<hash>``, ``snapshots/<commit>/<file>`` symlinks to the blobs, and
    ``refs/main`` naming the commit when the revision is not pinned."""
    commit = revision or hashlib.sha1(f"{repo_id}@main".encode()).hexdigest()
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        data = item.read_bytes()
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snapshot / item.name
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, snapshot))
    if revision is None:
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    return snapshot


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# -- MarianMT -------------------------------------------------------------------------------------
def _spm_pieces(model_file: Path) -> list[str]:
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_file=str(model_file))
    return [
        proc.id_to_piece(i)
        for i in range(proc.get_piece_size())
        if not (proc.is_control(i) or proc.is_unknown(i))
    ]


def _marian_vocab(source: Path, target: Path, layout: str) -> dict[str, int]:
    pieces: list[str] = []
    seen = {"</s>", "<unk>", "<pad>", "<s>"}
    for model_file in (source, target):
        for piece in _spm_pieces(model_file):
            if piece not in seen:
                seen.add(piece)
                pieces.append(piece)
    if layout == "opus":  # the 2020 conversions: </s> 0, <unk> 1, ..., <pad> last
        tokens = ["</s>", "<unk>", *pieces]
    else:  # tc-big: a joint vocabulary with </s> and <unk> somewhere inside
        tokens = list(pieces)
        tokens.insert(3, "<unk>")
        tokens.insert(len(tokens) // 2, "</s>")
    tokens.append("<pad>")
    return {token: i for i, token in enumerate(tokens)}


def build_marian(
    out: Path,
    *,
    source_spm: Path,
    target_spm: Path,
    layout: str,
    activation: str,
    positions: int,
    fp16: bool,
    stray_lm_head: bool,
    generation: dict[str, Any],
    tokenizer_config: str,
    special_tokens_map: dict[str, str] | None,
    eos_bias: float,
    d_model: int = 16,
    layers: int = 2,
    seed: int = 0,
) -> dict[str, Any]:
    """A MarianMT checkpoint directory as OPUS-MT publishes them; returns its ids."""
    import torch
    from transformers import MarianConfig, MarianMTModel

    out.mkdir(parents=True, exist_ok=True)
    vocab = _marian_vocab(source_spm, target_spm, layout)
    pad, eos, unk = vocab["<pad>"], vocab["</s>"], vocab["<unk>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=2 * d_model,
        decoder_ffn_dim=2 * d_model,
        max_position_embeddings=positions,
        init_std=1.0,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=eos,
        forced_eos_token_id=eos,
        bos_token_id=0,
        scale_embedding=True,
        activation_function=activation,
        static_position_embeddings=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        # As the Marian → transformers conversion leaves them: the pad row of the embeddings is
        # zero, the trained output bias is non-zero except for pad.
        model.model.shared.weight[pad] = 0
        bias = torch.randn(1, len(vocab)) * 0.5
        bias[0, pad] = 0
        bias[0, eos] += eos_bias
        model.final_logits_bias.copy_(bias)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    for key in ("lm_head.weight", "model.encoder.embed_tokens.weight",
                "model.decoder.embed_tokens.weight"):  # fmt: skip
        state.pop(key, None)
    if stray_lm_head:
        # A different output matrix beside the trained shared one (opus-mt-tc-big-ar-en on main).
        generator = torch.Generator().manual_seed(seed + 1)
        state["lm_head.weight"] = torch.randn(
            state["model.shared.weight"].shape, generator=generator
        )
    if fp16:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    torch.save(state, out / "pytorch_model.bin")

    data = json.loads(config.to_json_string(use_diff=False))
    data["architectures"] = ["MarianMTModel"]
    data["bad_words_ids"] = [[pad]]
    data["max_length"] = 512
    data["num_beams"] = 4
    data["torch_dtype"] = "float16" if fp16 else "float32"
    data["transformers_version"] = "4.22.0.dev0" if fp16 else "4.0.0.dev0"
    _write_json(out / "config.json", data)
    _write_json(
        out / "generation_config.json",
        {
            "bad_words_ids": [[pad]],
            "bos_token_id": 0,
            "decoder_start_token_id": pad,
            "eos_token_id": eos,
            "forced_eos_token_id": eos,
            "max_length": 512,
            "num_beams": 4,
            "pad_token_id": pad,
            **generation,
            "transformers_version": "4.27.0.dev0",
        },
    )
    shutil.copyfile(source_spm, out / "source.spm")
    shutil.copyfile(target_spm, out / "target.spm")
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(tokenizer_config, encoding="utf-8")
    if special_tokens_map is not None:
        _write_json(out / "special_tokens_map.json", special_tokens_map)
    return {"pad": pad, "eos": eos, "unk": unk, "vocab_size": len(vocab)}


# -- BART -----------------------------------------------------------------------------------------
def _train_bpe(lines: list[str], size: int) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Byte-level BPE as BART's: <s> 0, <pad> 1, </s> 2, <unk> 3, ..., <mask> last."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=size,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    model = json.loads(tokenizer.to_str())["model"]
    vocab = dict(model["vocab"])
    vocab["<mask>"] = len(vocab)
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return vocab, merges  # type: ignore[return-value]


BART_CNN_DECODING = {  # bart-large-cnn's (and its fine-tunes') decoding settings
    "early_stopping": True,
    "length_penalty": 2.0,
    "max_length": 142,
    "min_length": 56,
    "no_repeat_ngram_size": 3,
    "num_beams": 4,
}


def build_bart(
    out: Path,
    *,
    layers: tuple[int, int],
    config_extra: dict[str, Any],
    drop_config_keys: tuple[str, ...],
    generation_config: dict[str, Any] | None,
    weights: str,
    tokenizer_json: bool,
    special_tokens_map: bool,
    tokenizer_config: dict[str, Any],
    eos_bias: float,
    d_model: int = 16,
    seed: int = 0,
) -> dict[str, Any]:
    """A BART summarizer checkpoint directory shaped by the arguments; returns its ids."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    out.mkdir(parents=True, exist_ok=True)
    vocab, merges = _train_bpe(english_corpus(), 600)
    config = BartConfig(
        # As bart-large-cnn's 50264: <mask>, the last token, has no embedding row.
        vocab_size=len(vocab) - 1,
        d_model=d_model,
        encoder_layers=layers[0],
        decoder_layers=layers[1],
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=2 * d_model,
        decoder_ffn_dim=2 * d_model,
        max_position_embeddings=1024,
        init_std=1.0,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    with torch.no_grad():
        bias = torch.zeros(1, config.vocab_size)
        bias[0, 2] = eos_bias
        model.final_logits_bias.copy_(bias)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        if weights == "safetensors":
            shutil.copyfile(Path(tmp) / "model.safetensors", out / "model.safetensors")
    if weights == "bin":
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        state.pop("lm_head.weight", None)  # tied to model.shared
        torch.save(state, out / "pytorch_model.bin")

    data = json.loads(config.to_json_string(use_diff=False))
    data.update(
        {
            "architectures": ["BartForConditionalGeneration"],
            "add_final_layer_norm": False,
            "normalize_before": False,
            "normalize_embedding": True,
            "scale_embedding": False,
            "static_position_embeddings": False,
            "prefix": " ",
            **BART_CNN_DECODING,
            "task_specific_params": {
                "summarization": {
                    "early_stopping": True,
                    "length_penalty": 2.0,
                    "max_length": 142,
                    "min_length": 56,
                    "no_repeat_ngram_size": 3,
                    "num_beams": 4,
                }
            },
            **config_extra,
        }
    )
    for key in drop_config_keys:
        data.pop(key, None)
    _write_json(out / "config.json", data)
    if generation_config is not None:
        _write_json(out / "generation_config.json", generation_config)

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
        (Path(tmp) / "merges.txt").write_text(
            "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8"
        )
        shutil.copyfile(Path(tmp) / "vocab.json", out / "vocab.json")
        shutil.copyfile(Path(tmp) / "merges.txt", out / "merges.txt")
    if tokenizer_json:
        tokenizer = BartTokenizer(vocab=vocab, merges=merges)
        tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", tokenizer_config)
    if special_tokens_map:
        _write_json(
            out / "special_tokens_map.json",
            {
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "sep_token": "</s>",
                "pad_token": "<pad>",
                "cls_token": "<s>",
                "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False,
                               "rstrip": False, "single_word": False},
            },
        )  # fmt: skip
    return {"eos": 2, "pad": 1, "vocab_size": config.vocab_size}


# -- the registry's models ------------------------------------------------------------------------
def _registry() -> Any:
    from translate.registry import load_registry

    return load_registry()


def build_registry_checkpoints(cache: Path, work: Path) -> dict[str, Shape]:
    """Write a tiny stand-in of every registry model into the hub cache ``cache``."""
    registry = _registry()
    work.mkdir(parents=True, exist_ok=True)
    target_spm = train_sentencepiece(english_corpus(), work / "target", 800)
    small_source = train_sentencepiece(arabic_corpus(), work / "source", 800)
    shapes: dict[str, Shape] = {}

    def add(name: str, folder: Path, facts: dict[str, Any]) -> None:
        spec = registry.get(name)
        snapshot = write_snapshot(cache, str(spec.hub_id), folder, spec.revision)
        files = tuple(sorted(p.name for p in snapshot.iterdir()))
        shapes[name] = Shape(name, str(spec.hub_id), spec.revision, files, facts)

    folder = work / "opus-mt-ar-en"
    ids = build_marian(
        folder,
        source_spm=real_arabic_spm(),
        target_spm=target_spm,
        layout="opus",
        activation="swish",
        positions=512,
        fp16=False,
        stray_lm_head=False,
        generation={},
        tokenizer_config='{"target_lang": "en", "source_lang": "ar"}',
        special_tokens_map=None,
        eos_bias=14.7,
    )
    add("opus-mt-ar-en", folder, ids)

    folder = work / "opus-mt-tc-big-ar-en"
    ids = build_marian(
        folder,
        source_spm=small_source,
        target_spm=target_spm,
        layout="tc-big",
        activation="relu",
        positions=1024,
        fp16=True,
        stray_lm_head=True,
        generation={"renormalize_logits": True},
        tokenizer_config=json.dumps(
            {
                "source_lang": "ar",
                "target_lang": "en",
                "separate_vocabs": False,
                "model_max_length": 512,
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
                "sp_model_kwargs": {},
                "tokenizer_class": "MarianTokenizer",
            }
        ),
        special_tokens_map={"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
        eos_bias=16.0,
        seed=1,
    )
    add("opus-mt-tc-big-ar-en", folder, ids)

    folder = work / "distilbart-cnn-12-6"
    ids = build_bart(
        folder,
        layers=(2, 1),  # 12-6 in miniature
        config_extra={"extra_pos_embeddings": 2},
        drop_config_keys=(),
        generation_config=None,
        weights="bin",
        tokenizer_json=False,
        special_tokens_map=False,
        tokenizer_config={"model_max_length": 1024},
        eos_bias=6.0,
        seed=2,
    )
    add("distilbart-cnn-12-6", folder, ids)

    folder = work / "bart-large-cnn"
    ids = build_bart(
        folder,
        layers=(2, 2),
        config_extra={"force_bos_token_to_be_generated": True},
        drop_config_keys=("normalize_embedding",),
        generation_config={
            "_from_model_config": True,
            "bos_token_id": 0,
            "decoder_start_token_id": 2,
            "eos_token_id": 2,
            "forced_bos_token_id": 0,
            "forced_eos_token_id": 2,
            "pad_token_id": 1,
            **BART_CNN_DECODING,
            "transformers_version": "4.27.0.dev0",
        },
        weights="safetensors",
        tokenizer_json=True,
        special_tokens_map=False,
        tokenizer_config={"model_max_length": 1024},
        eos_bias=12.0,
        seed=3,
    )
    add("bart-large-cnn", folder, ids)

    if "brio-cnndm-cased" in registry.models:
        folder = work / "brio-cnndm-cased"
        ids = build_bart(
            folder,
            layers=(2, 2),
            config_extra={"_name_or_path": "yale-lily/brio-cnndm-cased"},
            drop_config_keys=(),
            generation_config=None,
            weights="bin",
            tokenizer_json=False,
            special_tokens_map=True,
            tokenizer_config={"model_max_length": 1024, "tokenizer_class": "BartTokenizer"},
            eos_bias=9.0,
            seed=4,
        )
        add("brio-cnndm-cased", folder, ids)
    return shapes
