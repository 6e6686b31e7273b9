"""Build a tiny, random-weight BART summarizer locally, in seconds (no hub, no committed weights).

A byte-level BPE (the tokenizer family of BART) is trained on the English seed text with the
``tokenizers`` library and handed to ``BartTokenizer`` as ``vocab=``/``merges=`` objects, as
transformers 5 expects. ``max_position_embeddings`` is 1024, like distilbart-cnn-12-6, so the
summarizer's 1024-token window logic runs for real. Weights are random with a large init so
outputs vary; they are gibberish, which exercises the guard and the fallbacks.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.tiny_models import english_corpus

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # ids 0-4, as in BART


def train_byte_level_bpe(
    lines: list[str], vocab_size: int
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Train a byte-level BPE on ``lines``; returns its vocabulary and merges."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    model = json.loads(tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return dict(model["vocab"]), merges  # type: ignore[return-value]


def build_tiny_bart(
    out_dir: Path,
    *,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    bpe_vocab: int = 1000,
    max_positions: int = 1024,
    init_std: float = 1.0,
    seed: int = 0,
) -> Path:
    """Write a complete BART model directory (config, weights, tokenizer) to ``out_dir``."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab, merges = train_byte_level_bpe(english_corpus(), bpe_vocab)
    tokenizer = BartTokenizer(vocab=vocab, merges=merges)
    tokenizer.model_max_length = max_positions
    config = BartConfig(
        vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        init_std=init_std,
        bos_token_id=vocab["<s>"],
        pad_token_id=vocab["<pad>"],
        eos_token_id=vocab["</s>"],
        decoder_start_token_id=vocab["</s>"],
        forced_bos_token_id=vocab["<s>"],
        forced_eos_token_id=vocab["</s>"],
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    model.generation_config.num_beams = 1
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
