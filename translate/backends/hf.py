"""The transformers (PyTorch) engine: the reference backend, and the one used on GPUs."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InputError
from ..registry import ModelSpec
from .base import Generation, engine_settings, load_pretrained


def resolve_torch_device(device: str) -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"device={device!r} was asked for, but no CUDA GPU is visible.")
    return device


class TransformersBackend:
    """A seq2seq model (MarianMT, BART) loaded with ``from_pretrained``; fp16 on CUDA."""

    name = "transformers"

    def __init__(self, spec: ModelSpec, device: str = "auto") -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.spec = spec
        self.device = resolve_torch_device(device)
        self.quantization = "float16" if self.device.startswith("cuda") else "float32"
        self.tokenizer = load_pretrained(spec, AutoTokenizer.from_pretrained)
        dtype = torch.float16 if self.quantization == "float16" else torch.float32
        model = load_pretrained(
            spec,
            lambda source, **kw: AutoModelForSeq2SeqLM.from_pretrained(source, dtype=dtype, **kw),
        )
        self.model = model.to(self.device).eval()
        self._torch = torch

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def generate(self, texts: Sequence[str], settings: Mapping[str, Any]) -> list[Generation]:
        if not texts:
            return []
        torch = self._torch
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False)
        width = batch["input_ids"].shape[1]
        if width > self.spec.max_input_tokens:
            # The translator windows input below the limit; reaching here is a caller bug.
            raise InputError(
                f"A segment of {width} tokens exceeds {self.spec.name}'s limit of "
                f"{self.spec.max_input_tokens}; split it before generation."
            )
        batch = {k: v.to(self.device) for k, v in batch.items()}
        params = engine_settings(settings)
        greedy = int(params.get("num_beams", 1)) == 1
        # Per-step scores over the whole vocabulary (output_scores) cost batch x steps x vocab
        # floats, gigabytes on an opus-mt-sized batch; keep only what the score needs.
        recorder = _ChosenLogProbs() if greedy else None
        with torch.inference_mode():
            sequences = self.model.generate(
                **batch,
                **params,
                do_sample=False,
                logits_processor=[recorder] if recorder else None,
            )
            if recorder is not None:
                scores = recorder.mean_scores(sequences, self._pad_id)
            else:
                scores = self._rescore(batch, sequences)
        texts_out = self.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        specials = set(self.tokenizer.all_special_ids)
        lengths = [
            sum(1 for tok in row.tolist()[1:] if tok not in specials) for row in sequences
        ]
        return [
            Generation(text=t.strip(), tokens=n, score=s)
            for t, n, s in zip(texts_out, lengths, scores, strict=True)
        ]

    @property
    def _pad_id(self) -> int:
        pad = self.model.config.pad_token_id
        return int(pad) if pad is not None else -1

    def _rescore(self, batch: Mapping[str, Any], sequences: Any) -> list[float | None]:
        """Mean log-probability per token of each chosen output (beam search), in row chunks
        so the logits of one chunk (rows x length x vocab) stay within ~256 MB."""
        torch = self._torch
        labels = sequences[:, 1:]
        vocab = int(self.model.config.vocab_size)
        rows_per_chunk = max(1, (64 * 1024 * 1024) // max(1, labels.shape[1] * vocab))
        values: list[float | None] = []
        for lo in range(0, sequences.shape[0], rows_per_chunk):
            hi = lo + rows_per_chunk
            logits = self.model(
                input_ids=batch["input_ids"][lo:hi],
                attention_mask=batch["attention_mask"][lo:hi],
                decoder_input_ids=sequences[lo:hi, :-1],
            ).logits.float()
            chosen = labels[lo:hi]
            logp = logits.gather(-1, chosen.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(
                logits, dim=-1
            )
            mask = chosen != self._pad_id
            for row, keep in zip(logp, mask, strict=True):
                kept = row[keep]
                values.append(float(kept.mean()) if kept.numel() else None)
        return values


class _ChosenLogProbs:
    """A logits processor, run last, that keeps the log-probability of each greedy choice.

    Greedy search picks the arg-max of the processed scores, so the chosen token's
    log-probability is the maximum of their log-softmax: one float per row and step instead of
    a whole vocabulary (the same value as ``compute_transition_scores(normalize_logits=True)``).
    """

    def __init__(self) -> None:
        self.steps: list[Any] = []

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        self.steps.append(scores.float().log_softmax(-1).max(-1).values)
        return scores

    def mean_scores(self, sequences: Any, pad_id: int) -> list[float | None]:
        if not self.steps:
            return [None] * sequences.shape[0]
        import torch

        per_step = torch.stack(self.steps, dim=1)  # rows x steps
        generated = sequences[:, 1 : 1 + per_step.shape[1]]
        values: list[float | None] = []
        for row, tokens in zip(per_step, generated, strict=True):
            # Forced tokens (log-prob 0) and steps after the end (padding) do not count.
            finite = [
                x
                for x, tok in zip(row.tolist(), tokens.tolist(), strict=False)
                if math.isfinite(x) and x != 0.0 and tok != pad_id
            ]
            values.append(sum(finite) / len(finite) if finite else None)
        return values
