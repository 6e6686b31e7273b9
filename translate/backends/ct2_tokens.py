"""Tokenisation for the CTranslate2 engine without transformers (and so without torch):
MarianMT through ``sentencepiece`` (``source.spm`` / ``target.spm`` and ``vocab.json``, as
``MarianTokenizer`` does it), BART through the ``tokenizers`` library on ``tokenizer.json``;
transformers only as a fallback for a model with neither."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def clean_up_tokenization(text: str) -> str:
    """transformers' ``clean_up_tokenization``: drop spaces before punctuation and clitics."""
    for before, after in (
        (" .", "."),
        (" ?", "?"),
        (" !", "!"),
        (" ,", ","),
        (" ' ", "'"),
        (" n't", "n't"),
        (" 'm", "'m"),
        (" 's", "'s"),
        (" 've", "'ve"),
        (" 're", "'re"),
    ):
        text = text.replace(before, after)
    return text


class _SentencePieceTokens:
    """MarianTokenizer's tokenisation with ``sentencepiece`` alone: pieces in, pieces out."""

    def __init__(self, directory: Path, meta: Mapping[str, Any]) -> None:
        import sentencepiece as spm

        self.source = spm.SentencePieceProcessor(model_file=str(directory / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(directory / "target.spm"))
        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        self.vocab = frozenset(vocab)
        self.eos = str(meta.get("eos_token") or "</s>")
        self.unk = str(meta.get("unk_token") or "<unk>")
        self.specials = frozenset(meta.get("special_tokens") or (self.eos, self.unk, "<pad>"))
        self.clean_up = bool(meta.get("clean_up_tokenization_spaces"))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        out = []
        for text in texts:
            code: list[str] = []
            # A leading language code such as ">>eng<<" is one token, as MarianTokenizer has it.
            if text.startswith(">>") and (end := text.find("<<")) != -1:
                code, text = [text[: end + 2]], text[end + 2 :]
            pieces = self.source.encode(text, out_type=str) if text else []
            out.append([p if p in self.vocab else self.unk for p in code + pieces] + [self.eos])
        return out

    def decode(self, tokens: Sequence[str]) -> str:
        kept = [t for t in tokens if t not in self.specials]
        text = self.target.decode_pieces(kept).replace("\u2581", " ").strip()
        return clean_up_tokenization(text) if self.clean_up else text


class _HFTokenizersTokens:
    """A ``tokenizers`` tokenizer.json (BART's byte-level BPE) without transformers."""

    def __init__(self, directory: Path, meta: Mapping[str, Any]) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.specials = frozenset(meta.get("special_tokens") or ())
        self.clean_up = bool(meta.get("clean_up_tokenization_spaces"))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [enc.tokens for enc in self.tokenizer.encode_batch(list(texts))]

    def decode(self, tokens: Sequence[str]) -> str:
        ids = [self.tokenizer.token_to_id(t) for t in tokens if t not in self.specials]
        text = self.tokenizer.decode([i for i in ids if i is not None], skip_special_tokens=True)
        text = text.strip()
        return clean_up_tokenization(text) if self.clean_up else text


class _TransformersTokens:
    """Fallback for a model with neither sentencepiece files nor tokenizer.json."""

    def __init__(self, directory: Path, meta: Mapping[str, Any]) -> None:
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(directory))
        self.specials = frozenset(meta.get("special_tokens") or ())

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        ids = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [self.tokenizer.convert_ids_to_tokens(row) for row in ids]

    def decode(self, tokens: Sequence[str]) -> str:
        ids = self.tokenizer.convert_tokens_to_ids([t for t in tokens if t not in self.specials])
        return self.tokenizer.decode(ids, skip_special_tokens=True).strip()


def load_tokens(directory: Path, meta: Mapping[str, Any]):  # noqa: ANN201 - a private union
    """The tokenisation of a converted model directory (see the module docstring)."""
    if meta.get("model_type") == "marian" and (directory / "source.spm").is_file():
        return _SentencePieceTokens(directory, meta)
    if (directory / "tokenizer.json").is_file():
        return _HFTokenizersTokens(directory, meta)
    return _TransformersTokens(directory, meta)
