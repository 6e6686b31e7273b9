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
        beams = int(params.get("num_beams", 1))
        with torch.inference_mode():
            out = self.model.generate(
                **batch,
                **params,
                do_sample=False,
                output_scores=True,
                return_dict_in_generate=True,
            )
        sequences = out.sequences
        texts_out = self.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        scores = self._scores(out, beams)
        specials = set(self.tokenizer.all_special_ids)
        lengths = [
            sum(1 for tok in row.tolist()[1:] if tok not in specials) for row in sequences
        ]
        return [
            Generation(text=t.strip(), tokens=n, score=s)
            for t, n, s in zip(texts_out, lengths, scores, strict=True)
        ]

    def _scores(self, out: Any, beams: int) -> list[float | None]:
        """Mean log-probability per output token (beam: the length-normalised beam score)."""
        if beams > 1 and getattr(out, "sequences_scores", None) is not None:
            return [float(x) for x in out.sequences_scores.tolist()]
        if not getattr(out, "scores", None):
            return [None] * out.sequences.shape[0]
        transition = self.model.compute_transition_scores(
            out.sequences, out.scores, normalize_logits=True
        )
        values: list[float | None] = []
        for row in transition:
            finite = [x for x in row.tolist() if math.isfinite(x) and x != 0.0]
            values.append(sum(finite) / len(finite) if finite else None)
        return values
