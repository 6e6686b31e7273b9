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
from .confidence import WEAK_PROBABILITY, weak_spans
from .convert import (
    METADATA_FILE,
    check_quantization,
    convert_model,
    converted_dir,
    is_converted,
    require_ctranslate2,
)
from .ct2_tokens import clean_up_tokenization, load_tokens  # noqa: F401 - re-exported

THREADS_ENV = "TARJAMA_CT2_THREADS"
_WEAK_LOG_PROB_SUM = math.log(WEAK_PROBABILITY)


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
        self.translator = ctranslate2.Translator(
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
        self._redo = _RedoRate()

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
        results = self._decode(sources, params, prefix, budgets, steps)
        per_token: list[list[float | None] | None] = [steps.get(i) for i in range(len(sources))]
        # Weak words are a translation's (summaries do not show them): only then is a beam
        # search's output scored token by token.
        if params["num_beams"] > 1 and alternatives == 0 and self.spec.role == "translation":
            per_token = self._score_tokens(sources, results, prefix, params["length_penalty"])
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

    def _score_tokens(
        self,
        sources: list[list[str]],
        results: list[Any],
        prefix: list[str],
        length_penalty: float,
    ) -> list[list[float | None] | None]:
        """Per-token log-probabilities of each chosen beam-search output.

        CTranslate2's beam search returns only the sequence score (its per-step callback and
        ``return_logits_vocab`` are greedy-only), so the chosen outputs are scored in one
        teacher-forced pass (``score_batch``), not decoded again. A row whose whole
        log-probability is above log 0.5 cannot hold a token below 0.5 (every term is <= 0):
        it needs no scoring, and has no weak word.
        """
        todo: list[int] = []
        targets: list[list[str]] = []
        closed: list[bool] = []
        out: list[list[float | None] | None] = [None] * len(results)
        for row, result in enumerate(results):
            hypothesis = list(result.hypotheses[0])
            raw = result.scores[0] if result.scores else None
            if raw is not None and raw * len(hypothesis) ** length_penalty > _WEAK_LOG_PROB_SUM:
                out[row] = []
                continue
            ended = bool(hypothesis) and hypothesis[-1] == self._eos
            if ended:
                hypothesis.pop()
            todo.append(row)
            targets.append(hypothesis)
            closed.append(ended)
        if not todo:
            return out
        scored = self.translator.score_batch(
            [sources[i] for i in todo], targets, max_input_length=0
        )
        for row, ended, result in zip(todo, closed, scored, strict=True):
            # One value per target token (the forced prefix included) and the end token it
            # appends, which belongs to the output only where it ended there; the prefix is
            # dropped by aligning from the end.
            values = list(result.log_probs)
            out[row] = values if ended else values[:-1]
        return out

    def _decode(
        self,
        sources: list[list[str]],
        params: Mapping[str, Any],
        prefix: list[str],
        budgets: list[int] | None,
        steps: dict[int, list[float | None]] | None = None,
    ) -> list[Any]:
        """``translate_batch``; with per-row ``budgets`` (most tokens, prefix included), each
        row's result is the one it would get alone with its own budget.

        Greedy: a callback ends each row at its own budget, as ``max_decoding_length`` would.
        Beam search (no per-row limit in CTranslate2): rows in bands of budgets within 2x, one
        pass per band at its largest budget, returning every finished hypothesis; a row whose
        hypotheses all ended (EOS) before its own budget was finished before the limit could
        matter, so its result stands. The others, rows running into their limit (few with a
        trained model; every row with random weights), are decoded again with it.
        """
        options: dict[str, Any] = {
            "target_prefix": [prefix] * len(sources) if prefix else None,
            "beam_size": params["num_beams"],
            "length_penalty": params["length_penalty"],
            "repetition_penalty": params["repetition_penalty"],
            "no_repeat_ngram_size": params["no_repeat_ngram_size"],
            "suppress_sequences": self._suppress or None,
            "max_input_length": 0,  # never truncate: the translator windows long input
            "max_decoding_length": params["max_decoding_length"],
            "min_decoding_length": params["min_decoding_length"],
            "return_scores": True,
            "return_end_token": True,
            "num_hypotheses": params.get("num_hypotheses", 1),
        }
        if params["num_beams"] == 1:
            # Greedy: the per-step callback carries each chosen token's log-probability (a
            # forced prefix token is not a step); it also ends each row at its own budget.
            collected = steps if steps is not None else {}

            def on_step(step: Any) -> bool:
                collected.setdefault(step.batch_id, []).append(step.log_prob)
                return budgets is not None and step.step + 1 >= budgets[step.batch_id]

            return list(self.translator.translate_batch(sources, **options, callback=on_step))
        if budgets is None:
            return list(self.translator.translate_batch(sources, **options))
        # Rows run to their call's budget unless they end, so a row far below the largest
        # budget of a batch would decode long past its own (and then again): each band of
        # budgets within 2x of its smallest is one pass.
        results: list[Any] = [None] * len(sources)
        for rows in _budget_bands(budgets):
            band = self._beam_pass(
                [sources[i] for i in rows], options, params, prefix, [budgets[i] for i in rows]
            )
            for row, result in zip(rows, band, strict=True):
                results[row] = result
        return results

    def _beam_pass(
        self,
        sources: list[list[str]],
        options: Mapping[str, Any],
        params: Mapping[str, Any],
        prefix: list[str],
        budgets: list[int],
    ) -> list[Any]:
        """One beam-search pass at the largest budget; rows that did not end before their own
        budget are decoded again with it. Where most rows have been running into their budget
        lately (random weights; degenerate input), decoding them twice costs more than one
        pass per budget, which is used instead (the same results either way: each row's own)."""
        # With length_penalty 0 a row may end as soon as its best beam does, which the returned
        # hypotheses cannot show: then every row below the largest budget is decoded again.
        verifiable = params["length_penalty"] != 0

        def decode(batch: list[list[str]], budget: int, **extra: Any) -> list[Any]:
            return list(
                self.translator.translate_batch(
                    batch,
                    **{**options, "target_prefix": [prefix] * len(batch) if prefix else None,
                       "max_decoding_length": budget, **extra},
                )
            )  # fmt: skip

        top = max(budgets)
        if self._redo.per_budget():
            results: list[Any] = [None] * len(sources)
            for budget in sorted(set(budgets)):
                rows = [i for i, b in enumerate(budgets) if b == budget]
                done = decode([sources[i] for i in rows], budget)
                for row, result in zip(rows, done, strict=True):
                    results[row] = result
            return results
        wanted = options["num_hypotheses"]
        results = decode(sources, top, num_hypotheses=params["num_beams"] if verifiable else wanted)
        again: dict[int, list[int]] = {}
        for row, (result, budget) in enumerate(zip(results, budgets, strict=True)):
            ended_early = verifiable and all(
                list(h)[-1:] == [self._eos] and len(h) < budget for h in result.hypotheses
            )
            if budget != top and not ended_early:
                again.setdefault(budget, []).append(row)
        self._redo.observe(sum(b != top for b in budgets), sum(map(len, again.values())))
        for budget, rows in again.items():
            redone = decode([sources[i] for i in rows], budget)
            for row, result in zip(rows, redone, strict=True):
                results[row] = result
        return results


class _RedoRate:
    """How often rows below their band's largest budget had to be decoded again, lately
    (decayed counts). Only the cost depends on it, never a result."""

    DECAY = 0.8
    PROBE_EVERY = 16  # passes per budget between two band passes that measure the rate again

    def __init__(self) -> None:
        self.below = 0.0
        self.redone = 0.0
        self.skipped = 0

    def observe(self, below: int, redone: int) -> None:
        self.below = self.DECAY * self.below + below
        self.redone = self.DECAY * self.redone + redone

    def per_budget(self) -> bool:
        """Whether the next pass should be one per budget (most rows were decoded twice)."""
        if self.below <= 0 or self.redone < 0.5 * self.below:
            return False
        self.skipped += 1
        if self.skipped >= self.PROBE_EVERY:
            self.skipped = 0
            return False
        return True


def _budget_bands(budgets: Sequence[int], spread: float = 2.0) -> list[list[int]]:
    """Row indices grouped by budget, each group's largest at most ``spread`` x its smallest."""
    bands: list[list[int]] = []
    for row in sorted(range(len(budgets)), key=lambda i: budgets[i]):
        if bands and budgets[row] <= spread * budgets[bands[-1][0]]:
            bands[-1].append(row)
        else:
            bands.append([row])
    return bands


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
