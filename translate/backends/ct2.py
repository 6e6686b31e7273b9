"""The CTranslate2 engine: int8 on CPU, float16 on CUDA; the fast path never imports torch.

The model is converted on first use (see :mod:`.convert`) and the converted copy is reused.
Tokenisation runs without transformers: MarianMT through ``sentencepiece`` (``source.spm`` /
``target.spm`` and ``vocab.json``, as ``MarianTokenizer`` does it), BART through the
``tokenizers`` library on ``tokenizer.json``. Only the model call differs from the transformers
backend; segmentation, windows, guard, cache and streaming stay in the Translator.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InternalError
from ..registry import ModelSpec
from .base import Generation, engine_settings
from .confidence import weak_spans
from .convert import (
    METADATA_FILE,
    check_quantization,
    convert_model,
    converted_dir,
    is_converted,
    require_ctranslate2,
)
from .ct2_search import Search
from .ct2_tokens import clean_up_tokenization, load_tokens  # noqa: F401 - re-exported

THREADS_ENV = "TARJAMA_CT2_THREADS"


def resolve_ct2_device(device: str) -> tuple[str, int]:
    """``auto`` → CUDA when ctranslate2 sees a GPU, else the CPU; returns (device, index)."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    if device == "auto":
        return ("cuda", 0) if gpus > 0 else ("cpu", 0)
    if device == "cpu":
        return "cpu", 0
    if device.startswith("cuda"):
        _, _, index = device.partition(":")
        if gpus == 0:
            raise ConfigError(f"device={device!r} was asked for, but no CUDA GPU is visible.")
        try:
            return "cuda", int(index or 0)
        except ValueError:
            raise ConfigError(
                f"Unknown device {device!r}: use auto, cpu, cuda or cuda:N."
            ) from None
    raise ConfigError(f"Unknown device {device!r}: use auto, cpu, cuda or cuda:N.")


def default_threads() -> int:
    """Intra-op threads: ``$TARJAMA_CT2_THREADS`` if set, else every core."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if value:
        try:
            threads = int(value)
        except ValueError:
            raise ConfigError(f"{THREADS_ENV}={value!r} is not a whole number.") from None
        if threads < 0:
            raise ConfigError(f"{THREADS_ENV} must be >= 0 (0: let ctranslate2 decide).")
        return threads
    return os.cpu_count() or 1


class CTranslate2Backend:
    """A seq2seq model (MarianMT, BART) running on CTranslate2."""

    name = "ctranslate2"

    def __init__(
        self,
        spec: ModelSpec,
        device: str = "auto",
        quantization: str | None = None,
        *,
        intra_threads: int | None = None,
    ) -> None:
        require_ctranslate2()
        import ctranslate2

        self.spec = spec
        self.device, index = resolve_ct2_device(device)
        default = "float16" if self.device == "cuda" else "int8"
        self.quantization = check_quantization(quantization or default)
        directory = converted_dir(spec, self.quantization)
        if not is_converted(directory):
            directory = convert_model(spec, self.quantization)
        self.model_dir = directory
        self.meta: dict[str, Any] = json.loads(
            (directory / METADATA_FILE).read_text(encoding="utf-8")
        )
        self._tokens = load_tokens(directory, self.meta)
        # The decoding defaults transformers applies from this checkpoint (wherever it keeps
        # them), recorded at conversion: a call's explicit settings win over them.
        self._defaults: dict[str, Any] = dict(self.meta.get("generation") or {})
        vocabulary = _target_vocabulary(directory)
        # Marian's pad is not in CTranslate2's vocabulary (it can never be produced): the
        # checkpoint's bad_words_ids [[pad]] is then already in force.
        self._suppress = [
            list(words)
            for words in self._defaults.pop("bad_words", [])
            if words and (vocabulary is None or all(w in vocabulary for w in words))
        ]
        self.intra_threads = default_threads() if intra_threads is None else intra_threads
        translator = ctranslate2.Translator(
            str(directory),
            device=self.device,
            device_index=index,
            compute_type=self.quantization,
            inter_threads=1,
            intra_threads=self.intra_threads,
        )
        self._prefix = self.meta.get("forced_bos_token")
        self._eos = self.meta.get("eos_token") or "</s>"
        # transformers forces EOS as the last of max_new_tokens when the model sets
        # forced_eos_token_id, leaving one token fewer for text; match it.
        self._eos_reserve = 1 if self.meta.get("forced_eos_token") else 0
        self._search = Search(translator, self._eos, self._suppress)

    @property
    def translator(self) -> Any:
        """The ``ctranslate2.Translator`` (the one every decoding and scoring call goes to)."""
        return self._search.translator

    @translator.setter
    def translator(self, value: Any) -> None:
        self._search.translator = value

    def decoding_params(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """CTranslate2's decoding options for ``settings``, meaning what transformers makes of
        the same settings on the same checkpoint.

        A setting left out takes the checkpoint's default; an explicit one (0 included) wins.
        Lengths: transformers' ``max_new_tokens`` counts a forced BOS and ends with a forced EOS
        where the model forces one (both are counted here as CTranslate2 counts them); given
        ``min_new_tokens`` (0 included) transformers ignores the checkpoint's ``min_length``,
        and otherwise ``min_length`` counts the decoder start token. What CTranslate2 cannot
        express: it renormalises log-probabilities after blocking tokens (transformers'
        ``renormalize_logits: true``) and ends a beam search once ``num_beams`` hypotheses
        are finished (``early_stopping: true``) — the same as transformers for checkpoints
        that set those, nearly the same for the others.
        """
        params = engine_settings(settings)
        defaults = self._defaults

        def pick(key: str, fallback: Any) -> Any:
            return params[key] if key in params else defaults.get(key, fallback)

        if "max_new_tokens" in params:
            max_new = int(params["max_new_tokens"])
        else:  # transformers: the checkpoint's max_length (decoder start included), else 20 new
            max_length = defaults.get("max_length")
            max_new = int(max_length) - 1 if max_length else 20
        # transformers forces EOS as the last of max_new_tokens when the model sets
        # forced_eos_token_id, leaving one token fewer for text; match it.
        budget = max(1, max_new - self._eos_reserve)
        if "min_new_tokens" in params:
            min_new = int(params["min_new_tokens"])
        else:
            min_new = max(0, int(defaults.get("min_length") or 0) - 1)
        return {
            "num_beams": int(pick("num_beams", 1)),
            "length_penalty": float(pick("length_penalty", 1.0)),
            "repetition_penalty": float(pick("repetition_penalty", 1.0)),
            "no_repeat_ngram_size": int(pick("no_repeat_ngram_size", 0)),
            "max_decoding_length": budget,
            "min_decoding_length": min(min_new, budget),
        }

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Source tokens (pieces, special tokens included) as the engine receives them."""
        return self._tokens.encode(texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(tokens) for tokens in self._tokens.encode(texts)]

    def generate(
        self,
        texts: Sequence[str],
        settings: Mapping[str, Any],
        *,
        caps: Sequence[int] | None = None,
        alternatives: int = 0,
        weak: bool = True,
    ) -> list[Generation]:
        if not texts:
            return []
        sources = self._tokens.encode(texts)
        width = max(len(tokens) for tokens in sources)
        if width > self.spec.max_input_tokens:
            # The translator windows input below the limit; reaching here is a caller bug.
            raise InternalError(
                f"A segment of {width} tokens exceeds {self.spec.name}'s limit of "
                f"{self.spec.max_input_tokens}; split it before generation."
            )
        params = self.decoding_params(settings)
        if alternatives > 0:
            params["num_beams"] = max(params["num_beams"], alternatives + 1)
            params["num_hypotheses"] = params["num_beams"]
        budgets = None
        if caps is not None and len(set(caps)) > 1:
            budgets = [max(1, int(cap) - self._eos_reserve) for cap in caps]
            params["max_decoding_length"] = max(budgets)
            params["min_decoding_length"] = min(params["min_decoding_length"], min(budgets))
        prefix = [self._prefix] if self._prefix else []
        steps: dict[int, list[float | None]] = {}
        results = self._search.decode(sources, params, prefix, budgets, steps)
        per_token: list[list[float | None] | None] = [steps.get(i) for i in range(len(sources))]
        # Weak words are a translation's (summaries do not show them), and only where someone
        # reads them: only then is a beam search's output scored token by token (about a
        # quarter of the decoding's work at beam 4, the vocabulary projection over every token).
        unscored = False
        if params["num_beams"] > 1 and alternatives == 0 and self.spec.role == "translation":
            if weak:
                per_token = self._search.score_tokens(
                    sources, results, prefix, params["length_penalty"]
                )
            else:
                unscored = True
        out = []
        for row, result in enumerate(results):
            hypotheses = [
                self._generation(list(h), raw, prefix, params["length_penalty"], per_token[row])
                for h, raw in zip(
                    result.hypotheses[: params.get("num_hypotheses", 1)],
                    result.scores or [None],
                    strict=False,
                )
            ]
            best, *others = hypotheses
            if unscored:
                best = replace(best, weak=None)
            out.append(replace(best, alternatives=tuple(others)) if alternatives else best)
        return out

    def _generation(
        self,
        hypothesis: list[str],
        raw: float | None,
        prefix: list[str],
        length_penalty: float,
        per_token: list[float | None] | None,
    ) -> Generation:
        """One hypothesis as a Generation: its score is the engine's (the same mean the
        per-token values give); weak words need the per-token values."""
        score = _mean_log_prob(raw, len(hypothesis), len(prefix), length_penalty)
        if prefix and hypothesis[: len(prefix)] == prefix:
            hypothesis = hypothesis[len(prefix) :]
        weak: tuple[tuple[int, int], ...] = ()
        # The values end with the last generated token: align them from the end.
        values = list(per_token or [])[-len(hypothesis) :] if hypothesis else []
        values = [None] * (len(hypothesis) - len(values)) + values
        if hypothesis and hypothesis[-1] == self._eos:
            hypothesis.pop()
            values.pop()
        text = self._tokens.decode(hypothesis)
        kept = [(t, v) for t, v in zip(hypothesis, values, strict=True)
                if t not in self._tokens.specials]  # fmt: skip
        if per_token:
            weak = weak_spans(text, [t for t, _ in kept], [v for _, v in kept])
        pieces = kept
        return Generation(text=text, tokens=len(pieces), score=score, weak=weak)


def _target_vocabulary(directory: Path) -> frozenset[str] | None:
    """The tokens the converted model can produce (None when the file is not found)."""
    for name in ("target_vocabulary.json", "shared_vocabulary.json"):
        path = directory / name
        if path.is_file():
            return frozenset(json.loads(path.read_text(encoding="utf-8")))
    for name in ("target_vocabulary.txt", "shared_vocabulary.txt"):
        path = directory / name
        if path.is_file():
            return frozenset(path.read_text(encoding="utf-8").splitlines())
    return None


def _mean_log_prob(
    score: float | None, length: int, forced: int, length_penalty: float
) -> float | None:
    """Mean log-probability per generated token, comparable with the transformers backend.

    CTranslate2 returns the sum of log-probabilities divided by ``length**length_penalty``, the
    length counting the end token and any forced prefix (whose tokens add nothing to the sum, as
    forced tokens do in transformers); undo the penalty and divide by the generated length.
    """
    if score is None or length <= forced or not math.isfinite(score):
        return None
    return score * (length**length_penalty) / (length - forced)
