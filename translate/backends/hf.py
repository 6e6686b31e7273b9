"""The transformers (PyTorch) engine: the reference backend, and the one used on GPUs.

:func:`load_seq2seq` is the one way tarjama loads a checkpoint with transformers; the
CTranslate2 conversion starts from the model it returns, so both engines run the same weights.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InternalError
from ..registry import ModelSpec
from .base import Generation, engine_settings
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
    ) -> list[Generation]:
        if not texts:
            return []
        forced_eos = self.model.generation_config.forced_eos_token_id
        if caps is not None and len(set(caps)) > 1 and forced_eos is None:
            # Without a forced EOS a row cannot be ended early in a batch: one call per cap.
            out: list[Generation | None] = [None] * len(texts)
            for cap in sorted(set(caps)):
                rows = [i for i, c in enumerate(caps) if c == cap]
                done = self.generate([texts[i] for i in rows], settings, caps=[cap] * len(rows))
                for i, generation in zip(rows, done, strict=True):
                    out[i] = generation
            return [g for g in out if g is not None]
        torch = self._torch
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
        processors: list[Any] = []
        row_caps = [int(c) for c in caps] if caps is not None and len(set(caps)) > 1 else None
        if row_caps is not None:
            params["max_new_tokens"] = max(row_caps)
            processors.append(_RowCaps(row_caps, beams, forced_eos, self.device))
        elif caps:
            params["max_new_tokens"] = int(caps[0])
        # Per-step scores over the whole vocabulary (output_scores) cost batch x steps x vocab
        # floats, gigabytes on an opus-mt-sized batch; keep only what the score needs.
        recorder = _ChosenLogProbs() if beams == 1 else None
        if recorder is not None:
            processors.append(recorder)  # last: it sees the scores the search chooses from
        with torch.inference_mode():
            sequences = self.model.generate(
                **batch,
                **params,
                do_sample=False,
                logits_processor=processors or None,
            )
            if recorder is not None:
                scores = recorder.mean_scores(sequences, self._pad_id)
            else:
                row_limits = row_caps or [params.get("max_new_tokens")] * sequences.shape[0]
                scores = self._rescore(batch, sequences, params, row_limits)
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

    def _forced(self, labels: Any, limits: Sequence[int | None]) -> Any:
        """A mask of the tokens transformers forced (log-probability 0 in its search): a forced
        BOS at the first step, the EOS it forces as the last of each row's ``max_new_tokens``.
        CTranslate2 and the greedy path leave them out of the score; so does this."""
        torch = self._torch
        generation = self.model.generation_config
        forced = torch.zeros_like(labels, dtype=torch.bool)
        bos = generation.forced_bos_token_id
        if bos is not None and labels.shape[1] > 0:
            forced[:, 0] = labels[:, 0] == int(bos)
        eos = generation.forced_eos_token_id
        if eos is None:
            return forced
        ids = {eos} if isinstance(eos, int) else set(eos)
        for row, limit in enumerate(limits):
            if limit and labels.shape[1] >= limit and int(labels[row, limit - 1]) in ids:
                forced[row, limit - 1] = True
        return forced

    def _score_processors(self, params: Mapping[str, Any]) -> list[Any]:
        """The logits processors of the search that change which tokens may follow a prefix
        (repetition penalty, n-gram block, bad words, minimum length), built from the call's
        settings over the checkpoint's defaults as ``generate`` builds them."""
        from transformers.generation import (
            MinLengthLogitsProcessor,
            MinNewTokensLengthLogitsProcessor,
            NoBadWordsLogitsProcessor,
            NoRepeatNGramLogitsProcessor,
            RepetitionPenaltyLogitsProcessor,
        )

        generation = self.model.generation_config

        def value(key: str) -> Any:
            return params[key] if key in params else getattr(generation, key, None)

        eos = generation.eos_token_id
        processors: list[Any] = []
        penalty = value("repetition_penalty")
        if penalty is not None and float(penalty) != 1.0:
            processors.append(RepetitionPenaltyLogitsProcessor(float(penalty)))
        ngram = value("no_repeat_ngram_size")
        if ngram:
            processors.append(NoRepeatNGramLogitsProcessor(int(ngram)))
        if generation.bad_words_ids:
            processors.append(NoBadWordsLogitsProcessor(generation.bad_words_ids, eos))
        if eos is not None:
            if params.get("min_new_tokens") is not None:  # transformers then ignores min_length
                if int(params["min_new_tokens"]) > 0:
                    processors.append(
                        MinNewTokensLengthLogitsProcessor(1, int(params["min_new_tokens"]), eos)
                    )
            elif generation.min_length:
                processors.append(MinLengthLogitsProcessor(int(generation.min_length), eos))
        return processors

    def _rescore(
        self,
        batch: Mapping[str, Any],
        sequences: Any,
        params: Mapping[str, Any],
        limits: Sequence[int | None],
    ) -> list[float | None]:
        """Mean log-probability per generated token of each chosen output (beam search).

        Each step's logits go through the search's own token-blocking processors and are then
        normalised: the same quantity the greedy path records and CTranslate2 returns. Forced
        tokens do not count. In row chunks, so the logits of one chunk (rows x length x vocab)
        stay within ~256 MB.
        """
        torch = self._torch
        labels = sequences[:, 1:]
        forced = self._forced(labels, limits)
        processors = self._score_processors(params)
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
            steps = []
            for t in range(chosen.shape[1]):
                scores = logits[:, t, :]
                for processor in processors:
                    scores = processor(sequences[lo:hi, : t + 1], scores)
                logp = scores.log_softmax(-1)
                steps.append(logp.gather(-1, chosen[:, t : t + 1]).squeeze(-1))
            logp = torch.stack(steps, dim=1) if steps else torch.zeros_like(chosen).float()
            keep_mask = (chosen != self._pad_id) & ~forced[lo:hi] & torch.isfinite(logp)
            for row, keep in zip(logp, keep_mask, strict=True):
                kept = row[keep]
                values.append(float(kept.mean()) if kept.numel() else None)
        return values


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
