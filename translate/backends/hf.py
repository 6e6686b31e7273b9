"""The transformers (PyTorch) engine: the reference backend, and the one used on GPUs.

:func:`load_seq2seq` is the one way tarjama loads a checkpoint with transformers; the
CTranslate2 conversion starts from the model it returns, so both engines run the same weights.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InternalError
from ..registry import ModelSpec
from .base import Generation, engine_settings
from .confidence import mean_log_prob, weak_spans
from .hub import model_files, unavailable

log = logging.getLogger(__name__)

_LOAD_ERRORS = (OSError, ValueError, KeyError)


def resolve_torch_device(device: str) -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device={device!r} was asked for, but no CUDA GPU is visible.")
    return device


def load_seq2seq(spec: ModelSpec, dtype: Any = None) -> tuple[Any, Any, Path]:
    """Tokenizer, model (eval mode, ``dtype``, float32 by default) and the directory of their
    files. Raises ModelUnavailableError when they cannot be found or loaded."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    files = model_files(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(files))
        model = AutoModelForSeq2SeqLM.from_pretrained(str(files), dtype=dtype or torch.float32)
    except _LOAD_ERRORS as exc:
        raise unavailable(spec, exc) from exc
    tie_shared_output_embeddings(model, spec.name)
    return tokenizer, model.eval(), files


def tie_shared_output_embeddings(model: Any, name: str = "") -> bool:
    """Make a Marian model with shared embeddings use them as its output layer.

    OPUS-MT models are trained with one embedding matrix for source, target and output
    (``share_encoder_decoder_embeddings``, ``tie_word_embeddings``). Some checkpoints also carry
    a stray ``lm_head.weight`` that differs from it (opus-mt-tc-big-ar-en on main: transformers
    up to 4.28 tied the two on load, so the stray copy never mattered; transformers 5 keeps it
    when both are present with different values, and the model outputs garbage). The trained
    output layer is the shared embedding: tie to it. Returns True when a stray copy was found
    and ignored (and says so in a log line).
    """
    config = model.config
    if getattr(config, "model_type", None) != "marian":
        return False
    if not getattr(config, "share_encoder_decoder_embeddings", True):
        return False
    if not getattr(config, "tie_word_embeddings", True):
        return False  # the checkpoint says its output layer is its own
    import torch

    shared = model.get_input_embeddings().weight
    head = model.get_output_embeddings()
    if head is None or head.weight is shared:
        return False
    stray = head.weight.shape != shared.shape or not torch.equal(head.weight, shared)
    head.weight = shared
    if stray:
        log.warning(
            "%s: the checkpoint's lm_head.weight differs from the shared embeddings the model "
            "was trained with (a stray copy); it is ignored and the output layer is tied to the "
            "shared embeddings, as transformers <= 4.28 loaded it.",
            name or getattr(config, "name_or_path", "") or "marian model",
        )
    return stray


class TransformersBackend:
    """A seq2seq model (MarianMT, BART) loaded with ``from_pretrained``; fp16 on CUDA."""

    name = "transformers"

    def __init__(self, spec: ModelSpec, device: str = "auto") -> None:
        import torch

        self.spec = spec
        self.device = resolve_torch_device(device)
        self.quantization = "float16" if self.device.startswith("cuda") else "float32"
        dtype = torch.float16 if self.quantization == "float16" else torch.float32
        self.tokenizer, model, self.files = load_seq2seq(spec, dtype)
        self.model = model.to(self.device)
        self._torch = torch

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def generate(
        self,
        texts: Sequence[str],
        settings: Mapping[str, Any],
        *,
        caps: Sequence[int] | None = None,
        alternatives: int = 0,
        weak: bool = True,  # noqa: ARG002  (free here: every step's log-probabilities are kept)
    ) -> list[Generation]:
        if not texts:
            return []
        forced_eos = self.model.generation_config.forced_eos_token_id
        if caps is not None and len(set(caps)) > 1 and forced_eos is None:
            # Without a forced EOS a row cannot be ended early in a batch: one call per cap.
            out: list[Generation | None] = [None] * len(texts)
            for cap in sorted(set(caps)):
                rows = [i for i, c in enumerate(caps) if c == cap]
                done = self.generate(
                    [texts[i] for i in rows], settings, caps=[cap] * len(rows),
                    alternatives=alternatives,
                )  # fmt: skip
                for i, generation in zip(rows, done, strict=True):
                    out[i] = generation
            return [g for g in out if g is not None]
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False)
        width = batch["input_ids"].shape[1]
        if width > self.spec.max_input_tokens:
            # The translator windows input below the limit; reaching here is a caller bug.
            raise InternalError(
                f"A segment of {width} tokens exceeds {self.spec.name}'s limit of "
                f"{self.spec.max_input_tokens}; split it before generation."
            )
        batch = {k: v.to(self.device) for k, v in batch.items()}
        params = engine_settings(settings)
        beams = int(params.get("num_beams", self.model.generation_config.num_beams or 1))
        hypotheses = 1
        if alternatives > 0:
            hypotheses = max(beams, alternatives + 1)
            beams = params["num_beams"] = hypotheses
            params["num_return_sequences"] = hypotheses
        processors: list[Any] = []
        if caps is not None and len(set(caps)) > 1:
            params["max_new_tokens"] = max(int(c) for c in caps)
            processors.append(_RowCaps([int(c) for c in caps], beams, forced_eos, self.device))
        elif caps:
            params["max_new_tokens"] = int(caps[0])
        # Last: it sees the scores the search chooses from. It keeps a few values per row and
        # step, not the vocabulary-wide scores output_scores would hold (gigabytes).
        recorder = _TokenLogProbs(beams)
        processors.append(recorder)
        with self._torch.inference_mode():
            output = self.model.generate(
                **batch,
                **params,
                do_sample=False,
                logits_processor=processors,
                return_dict_in_generate=True,
            )
        sequences = output.sequences
        per_token = recorder.chosen(sequences, self._pad_id, getattr(output, "beam_indices", None))
        generations = self._generations(sequences, per_token)
        if hypotheses == 1:
            return generations
        return [
            _with_alternatives(generations[row : row + hypotheses])
            for row in range(0, len(generations), hypotheses)
        ]

    @property
    def _pad_id(self) -> int:
        pad = self.model.config.pad_token_id
        return int(pad) if pad is not None else -1

    def _generations(self, sequences: Any, per_token: list[list[float | None]]) -> list[Generation]:
        """Text, length, score and weak words of each output row."""
        texts_out = self.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        specials = set(self.tokenizer.all_special_ids)
        out = []
        for text, row, values in zip(texts_out, sequences.tolist(), per_token, strict=True):
            kept = [
                (tok, value)
                for tok, value in zip(row[1:], values, strict=False)
                if tok not in specials
            ]
            pieces = self.tokenizer.convert_ids_to_tokens([tok for tok, _ in kept])
            text = text.strip()
            out.append(
                Generation(
                    text=text,
                    tokens=len(kept),
                    score=mean_log_prob(values),
                    weak=weak_spans(text, pieces, [value for _, value in kept]),
                )
            )
        return out


class _RowCaps:
    """A logits processor that ends each row at its own ``max_new_tokens``, as transformers'
    forced EOS ends a batch at its one limit: at a row's last step only EOS is allowed (log-
    probability 0), so every beam of that row finishes there and the row is done. A row's output
    is then what it would be alone with its own limit, whatever its neighbours'."""

    def __init__(self, caps: Sequence[int], beams: int, eos: Any, device: str) -> None:
        import torch

        # input_ids carry the decoder start token, so a row's last step is at length == cap.
        self.limits = torch.tensor(caps, device=device).repeat_interleave(max(1, beams))
        self.eos = [eos] if isinstance(eos, int) else list(eos or [])

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        ending = self.limits[: input_ids.shape[0]] == input_ids.shape[-1]
        if not self.eos or not bool(ending.any()):
            return scores
        scores = scores.clone()
        scores[ending] = -math.inf
        rows = ending.nonzero().squeeze(-1)
        for eos in self.eos:
            scores[rows, eos] = 0.0
        return scores


class _TokenLogProbs:
    """A logits processor, run last, that keeps what the log-probability of each chosen token
    needs: per row and step, the best few renormalised log-probabilities and their tokens, and
    whether the step was forced (one token allowed: a forced BOS or EOS, a row's cap).

    Greedy search picks the arg-max, so one value per row suffices. Beam search picks each
    continuation among the best ``2 x beams`` of its beam's row (the running score is the same
    for the whole row), so keeping that many per row always holds the chosen token;
    ``beam_indices`` then says which row each output came from at each step.
    """

    def __init__(self, beams: int) -> None:
        # At least 2: a step is forced when the second-best token is impossible.
        self.keep = 2 if beams <= 1 else 2 * beams + 1
        self.steps: list[tuple[Any, Any, Any]] = []

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        # Two passes over the vocabulary (top-k, log-sum-exp) rather than a log_softmax that
        # writes a vocabulary-wide tensor: ~1% of a beam step of an opus-mt-sized model.
        values, indices = scores.topk(min(self.keep, scores.shape[-1]), dim=-1)
        values = values.float() - scores.float().logsumexp(-1, keepdim=True)
        forced = ~values[:, 1].isfinite() if values.shape[-1] > 1 else values[:, 0] == 0
        self.steps.append((values, indices, forced))
        return scores

    def chosen(
        self, sequences: Any, pad_id: int, beam_indices: Any = None
    ) -> list[list[float | None]]:
        """Per output row, the log-probability of each generated token (None: forced), up to
        its end (padding); ``beam_indices`` as ``generate`` returns them for beam search."""
        import torch

        rows = sequences.shape[0]
        out: list[list[float | None]] = [[] for _ in range(rows)]
        live = [True] * rows
        for step, (values, indices, forced) in enumerate(self.steps):
            if step + 1 >= sequences.shape[1]:
                break
            if beam_indices is None:
                source = torch.arange(rows)
            else:
                if step >= beam_indices.shape[1]:
                    break
                source = beam_indices[:, step].clamp(min=0)
            token = sequences[:, step + 1]
            hit = indices[source] == token[:, None]
            value = torch.where(hit, values[source], torch.zeros_like(values[source])).sum(-1)
            found = hit.any(-1).tolist()
            was_forced = forced[source].tolist()
            ended = (
                (beam_indices[:, step] < 0).tolist() if beam_indices is not None else [False] * rows
            )
            for row, (v, ok, f, gone, tok) in enumerate(
                zip(value.tolist(), found, was_forced, ended, token.tolist(), strict=True)
            ):
                if not live[row] or gone or tok == pad_id:
                    live[row] = False
                    continue
                out[row].append(None if f or not ok else v)
        return out


def _with_alternatives(group: Sequence[Generation]) -> Generation:
    """The best hypothesis of a row with the others as its alternatives (the caller keeps the
    distinct ones)."""
    best, *others = group
    return replace(best, alternatives=tuple(others))
