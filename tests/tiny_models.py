"""Build tiny, random-weight MarianMT models locally, in seconds (no hub, no committed weights).

The source sentencepiece model is trained on the Arabic seeds, the target one on English news
text, so tokenisation is realistic; weights are random with a large init so outputs vary instead
of looping on one token. ``bench/run.py`` reuses this with the opus-mt-ar-en architecture.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def arabic_corpus() -> list[str]:
    lines: list[str] = []
    for path in sorted(SEEDS.glob("*.ar.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


def english_corpus() -> list[str]:
    lines: list[str] = []
    for path in sorted(SEEDS.glob("en-*.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


def train_sentencepiece(lines: list[str], prefix: Path, vocab_size: int) -> Path:
    """Train a unigram sentencepiece model on ``lines``; returns the ``.model`` path."""
    import sentencepiece as spm

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write("\n".join(lines))
        corpus = fh.name
    spm.SentencePieceTrainer.train(
        input=corpus,
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        bos_id=-1,
        eos_id=2,
        unk_id=1,
        pad_id=-1,
        minloglevel=2,
    )
    Path(corpus).unlink()
    return prefix.with_suffix(".model")


def build_tiny_marian(
    out_dir: Path,
    *,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    vocab_size: int | None = None,
    spm_vocab: int = 800,
    init_std: float = 1.0,
    seed: int = 0,
    source_spm: Path | None = None,
) -> Path:
    """Write a complete MarianMT model directory (config, weights, tokenizer) to ``out_dir``.

    ``vocab_size`` pads the shared vocabulary (e.g. 62834 for the opus-mt-ar-en shape).
    ``source_spm`` is a SentencePiece model to use for the source side instead of one trained
    on the seeds (``tests/checkpoints.real_arabic_spm()``: real OPUS-MT token counts).
    """
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "_spm"
    work.mkdir(exist_ok=True)
    if source_spm is not None:
        src = work / "source.model"
        src.write_bytes(Path(source_spm).read_bytes())
    else:
        src = train_sentencepiece(arabic_corpus(), work / "source", spm_vocab)
    tgt = train_sentencepiece(english_corpus(), work / "target", spm_vocab)

    import sentencepiece as spm

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for model_file in (src, tgt):
        proc = spm.SentencePieceProcessor(model_file=str(model_file))
        for i in range(proc.get_piece_size()):
            piece = proc.id_to_piece(i)
            if proc.is_control(i) or proc.is_unknown(i):
                continue
            if piece not in vocab and piece not in {"<s>", "</s>", "<unk>"}:
                vocab[piece] = len(vocab)
    total = max(vocab_size or 0, len(vocab) + 1)
    filler = 0
    while len(vocab) < total - 1:
        vocab[f"<extra_{filler}>"] = len(vocab)
        filler += 1
    vocab["<pad>"] = len(vocab)
    pad_id = vocab["<pad>"]

    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(src), target_spm=str(tgt), vocab=str(work / "vocab.json")
    )
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=512,
        init_std=init_std,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        scale_embedding=True,
        activation_function="swish",
        static_position_embeddings=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config.bad_words_ids = [[pad_id]]
    model.generation_config.num_beams = 1
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return out_dir
