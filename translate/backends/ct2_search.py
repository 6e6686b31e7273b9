"""CTranslate2's decoding calls for :class:`~.ct2.CTranslate2Backend`: each row ends at its own
budget (greedy: the per-step callback; beam search, which has no per-row limit: bands of budgets
and, where most rows run into theirs, one pass per budget), and the per-token log-probabilities
of beam-search outputs (a teacher-forced scoring pass: CTranslate2's beam search returns only
the sequence score).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .confidence import WEAK_PROBABILITY

__all__ = ["RedoRate", "Search", "budget_bands"]

_WEAK_LOG_PROB_SUM = math.log(WEAK_PROBABILITY)


class Search:
    """Runs ``translate_batch`` / ``score_batch`` on one ``ctranslate2.Translator``."""

    def __init__(self, translator: Any, eos: str, suppress: list[list[str]]) -> None:
        self.translator = translator
        self.eos = eos
        self.suppress = suppress
        self.redo = RedoRate()

    def score_tokens(
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
            ended = bool(hypothesis) and hypothesis[-1] == self.eos
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

    def decode(
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
            "suppress_sequences": self.suppress or None,
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
        for rows in budget_bands(budgets):
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
        if self.redo.per_budget():
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
                list(h)[-1:] == [self.eos] and len(h) < budget for h in result.hypotheses
            )
            if budget != top and not ended_early:
                again.setdefault(budget, []).append(row)
        self.redo.observe(sum(b != top for b in budgets), sum(map(len, again.values())))
        for budget, rows in again.items():
            redone = decode([sources[i] for i in rows], budget)
            for row, result in zip(rows, redone, strict=True):
                results[row] = result
        return results


class RedoRate:
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


def budget_bands(budgets: Sequence[int], spread: float = 2.0) -> list[list[int]]:
    """Row indices grouped by budget, each group's largest at most ``spread`` x its smallest."""
    bands: list[list[int]] = []
    for row in sorted(range(len(budgets)), key=lambda i: budgets[i]):
        if bands and budgets[row] <= spread * budgets[bands[-1][0]]:
            bands[-1].append(row)
        else:
            bands.append([row])
    return bands
