"""A tiny MarianMT model TRAINED on templated Arabic→English news sentences, cached on disk.

Random weights never end a sentence and give noise confidences; this model has learned its
templates ("قال الوزير إن X" → "The minister said that X" over a few dozen names, places,
days and numbers), so its outputs end with EOS, its confidence is high on a sentence like its
training data and lower on a scrambled one. Built in about a minute on one core and kept under
a directory keyed by a hash of this recipe (this file's text and the library versions), so
later runs reuse it. The directory is a complete Marian checkpoint: ``Translator(model=dir)``
loads it, and CTranslate2 converts it like the other test models.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
from pathlib import Path

PEOPLE = [
    ("محمد", "Mohammed"), ("أحمد", "Ahmed"), ("علي", "Ali"), ("سارة", "Sara"),
    ("خالد", "Khaled"), ("يوسف", "Youssef"), ("مريم", "Maryam"), ("عمر", "Omar"),
    ("ليلى", "Layla"), ("حسن", "Hassan"), ("فاطمة", "Fatima"), ("سمير", "Samir"),
]  # fmt: skip
PLACES = [
    ("دمشق", "Damascus"), ("حلب", "Aleppo"), ("بيروت", "Beirut"), ("القاهرة", "Cairo"),
    ("بغداد", "Baghdad"), ("عمان", "Amman"), ("الرياض", "Riyadh"), ("تونس", "Tunis"),
    ("الخرطوم", "Khartoum"), ("صنعاء", "Sanaa"), ("الدوحة", "Doha"), ("الرباط", "Rabat"),
]  # fmt: skip
DAYS = [
    ("الاثنين", "Monday"), ("الثلاثاء", "Tuesday"), ("الأربعاء", "Wednesday"),
    ("الخميس", "Thursday"), ("الجمعة", "Friday"), ("السبت", "Saturday"), ("الأحد", "Sunday"),
]  # fmt: skip
NUMBERS = [(str(n), str(n)) for n in (3, 5, 7, 10, 12, 15, 20, 25, 30, 40, 50, 100)]
# (Arabic, English) templates; {p}/{q}: people, {c}: a place, {d}: a day, {n}: a number.
TEMPLATES = [
    ("قال الوزير إن {p} سيزور {c} يوم {d}.", "The minister said that {p} will visit {c} on {d}."),
    ("زار الرئيس {c} يوم {d}.", "The president visited {c} on {d}."),
    ("قتل {n} أشخاص في {c}.", "{n} people were killed in {c}."),
    ("التقى {p} مع {q} في {c}.", "{p} met {q} in {c}."),
    ("وصل {n} لاجئا إلى {c} يوم {d}.", "{n} refugees arrived in {c} on {d}."),
    ("أعلنت الحكومة في {c} أن {p} استقال.", "The government in {c} announced that {p} resigned."),
    ("قال {p} إن الوضع في {c} صعب.", "{p} said that the situation in {c} is difficult."),
    ("افتتح {p} مستشفى جديدا في {c}.", "{p} opened a new hospital in {c}."),
]
STEPS = 900
BATCH = 32
SHAPE = {"d_model": 64, "layers": 2, "heads": 4, "ffn": 128}


def training_pairs(count: int = 3000, seed: int = 0) -> list[tuple[str, str]]:
    """``count`` templated (Arabic, English) pairs, the same for the same seed."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        ar_t, en_t = rng.choice(TEMPLATES)
        (p_ar, p_en), (q_ar, q_en) = rng.sample(PEOPLE, 2)
        c_ar, c_en = rng.choice(PLACES)
        d_ar, d_en = rng.choice(DAYS)
        n_ar, n_en = rng.choice(NUMBERS)
        pairs.append(
            (
                ar_t.format(p=p_ar, q=q_ar, c=c_ar, d=d_ar, n=n_ar),
                en_t.format(p=p_en, q=q_en, c=c_en, d=d_en, n=n_en),
            )
        )
    return pairs


def recipe_key() -> str:
    """A hash of everything that decides the weights: this file and the library versions."""
    import sentencepiece
    import torch
    import transformers

    text = Path(__file__).read_text(encoding="utf-8")
    versions = f"{torch.__version__}|{transformers.__version__}|{sentencepiece.__version__}"
    return hashlib.sha256(f"{text}|{versions}".encode()).hexdigest()[:16]


def trained_marian_dir(cache_root: Path) -> Path:
    """The trained model under ``cache_root/<recipe hash>``, built there once (atomically, so
    two sessions building at once both end with a complete directory)."""
    target = Path(cache_root) / recipe_key()
    if (target / "config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="trained-marian-", dir=target.parent))
    try:
        build_trained_marian(work / "model")
        try:
            os.replace(work / "model", target)
        except OSError:
            if not (target / "config.json").is_file():  # not another session's finished copy
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def build_trained_marian(out_dir: Path, steps: int = STEPS, seed: int = 0) -> Path:
    """Train the model on :func:`training_pairs` and write a Marian checkpoint to ``out_dir``."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    from tests.tiny_models import train_sentencepiece

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = training_pairs(seed=seed)
    work = out_dir / "_spm"
    work.mkdir(exist_ok=True)
    src = train_sentencepiece(sorted({a for a, _ in pairs}), work / "source", 160)
    tgt = train_sentencepiece(sorted({e for _, e in pairs}), work / "target", 160)
    vocab = _shared_vocab(src, tgt)
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(src), target_spm=str(tgt), vocab=str(work / "vocab.json")
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=SHAPE["d_model"],
        encoder_layers=SHAPE["layers"],
        decoder_layers=SHAPE["layers"],
        encoder_attention_heads=SHAPE["heads"],
        decoder_attention_heads=SHAPE["heads"],
        encoder_ffn_dim=SHAPE["ffn"],
        decoder_ffn_dim=SHAPE["ffn"],
        max_position_embeddings=128,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        scale_embedding=True,
        activation_function="swish",
        static_position_embeddings=True,
        share_encoder_decoder_embeddings=True,
        dropout=0.0,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    _train(model, tokenizer, pairs, steps, seed)
    model.generation_config.bad_words_ids = [[pad]]
    model.generation_config.num_beams = 1
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    shutil.rmtree(work)
    return out_dir


def _shared_vocab(*models: Path) -> dict[str, int]:
    import sentencepiece as spm

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for model_file in models:
        proc = spm.SentencePieceProcessor(model_file=str(model_file))
        for i in range(proc.get_piece_size()):
            piece = proc.id_to_piece(i)
            if proc.is_control(i) or proc.is_unknown(i) or piece in vocab:
                continue
            vocab[piece] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def _train(model, tokenizer, pairs: list[tuple[str, str]], steps: int, seed: int) -> None:  # noqa: ANN001
    """Plain teacher-forced cross-entropy with AdamW and a short warm-up."""
    import torch

    rng = random.Random(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    warmup = 60
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.1, 1 - s / steps)
    )
    model.train()
    for _ in range(steps):
        batch = rng.sample(pairs, BATCH)
        enc = tokenizer(
            [a for a, _ in batch], text_target=[e for _, e in batch],
            return_tensors="pt", padding=True,
        )  # fmt: skip
        labels = enc["labels"]
        labels[labels == tokenizer.pad_token_id] = -100
        loss = model(
            input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], labels=labels
        ).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        # Marian starts decoding from the pad embedding, which CTranslate2 takes to be zero
        # (``start_from_zero_embedding``), as it is in OPUS-MT checkpoints; the tied output
        # layer would otherwise train it.
        with torch.no_grad():
            model.get_input_embeddings().weight[tokenizer.pad_token_id].zero_()
    model.eval()
