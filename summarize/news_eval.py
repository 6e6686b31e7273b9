"""Summaries of news against reference highlights: Lead-3, ours at each length, a model.

The data is a JSON Lines file of ``{"article": ..., "highlights": ...}`` objects (for instance
CNN/DailyMail, whose highlights are one sentence a line); it is read, never stored. For each
article:

* **Lead-3** (and Lead-5, Lead-8): the first sentences (the splitter of
  :mod:`summarize.english`);
* **extractive** at ``short``, ``medium`` and ``long`` (:mod:`summarize.extractive`), at most
  3, 5 and 8 sentences;
* **abstractive** with a summarization model, when its weights are on this machine (a local
  model directory or a model in the Hugging Face cache); otherwise the row is left out with a
  note saying why.

Scores are ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 × 100 with stemming (``rouge-score``; Lsum on one
sentence a line). Each method is compared with Lead-3 on the same articles by a paired
bootstrap: the articles are resampled with replacement ``samples`` times (seeded, so the
intervals are reproducible) and the 2.5th and 97.5th percentiles of the mean difference give
a 95% interval. An interval above 0 means the method beats Lead-3 on that score. The longer
extractive lengths are also compared with the lead of their sentence cap (medium with Lead-5,
long with Lead-8), the baseline of the same size.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from translate.errors import InputError, MissingDependencyError, ModelUnavailableError

from .config import LENGTHS
from .english import split_sentences
from .evaluate import rouge_table

__all__ = [
    "SCORES",
    "MethodScores",
    "NewsPair",
    "NewsReport",
    "evaluate_news",
    "format_report",
    "lead",
    "paired_bootstrap",
    "read_pairs",
]

SCORES = ("rouge1", "rouge2", "rougeLsum")
_LABELS = {"rouge1": "R1", "rouge2": "R2", "rougeLsum": "RLsum"}
LEAD_COUNTS = (3, 5, 8)  # Lead-3 is the baseline; Lead-5 and Lead-8 match medium and long


@dataclass(frozen=True)
class NewsPair:
    """One article and its reference summary (``line``: where it is in the file, from 1)."""

    article: str
    highlights: str
    line: int


@dataclass
class MethodScores:
    """One method's per-article scores, their means, and its paired differences with leads.

    ``per_article[k]`` maps each of :data:`SCORES` to the F1 × 100 of article ``k``;
    ``vs[baseline][score]`` is ``(mean difference, low, high)`` of the 95% interval against the
    row named ``baseline`` (``"Lead-3"``...); ``wins[baseline]`` is ``(better, worse)``, the
    articles whose mean of the three scores is above/below the baseline's; ``words``: mean
    words of a summary; ``failed``: articles it could not summarise (scored 0, see the notes).
    """

    name: str
    per_article: list[dict[str, float]]
    words: float
    mean: dict[str, float] = field(default_factory=dict)
    vs: dict[str, dict[str, tuple[float, float, float]]] = field(default_factory=dict)
    wins: dict[str, tuple[int, int]] = field(default_factory=dict)
    failed: int = 0


@dataclass
class NewsReport:
    """The rows of the table (Lead-3 first), how they were made, and notes (skips, failures)."""

    methods: list[MethodScores]
    n: int
    samples: int
    seed: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: means, intervals and counts (not the per-article scores)."""
        return {
            "n": self.n,
            "bootstrap": {"samples": self.samples, "seed": self.seed, "interval": 0.95},
            "scores": "ROUGE F1 x 100, stemmed; rougeLsum on one sentence a line",
            "methods": [
                {
                    "name": m.name,
                    "words": m.words,
                    **{key: m.mean[key] for key in SCORES},
                    "vs": {
                        base: {
                            key: dict(zip(("mean", "low", "high"), interval, strict=True))
                            for key, interval in scores.items()
                        }
                        for base, scores in m.vs.items()
                    },
                    "wins": {
                        base: {"better": better, "worse": worse}
                        for base, (better, worse) in m.wins.items()
                    },
                    "failed": m.failed,
                }
                for m in self.methods
            ],
            "notes": list(self.notes),
        }


def read_pairs(path: str | Path, limit: int | None = None) -> list[NewsPair]:
    """The pairs of a JSON Lines file (blank lines skipped; the first ``limit`` if given).

    Raises InputError naming the line for a line that is not a JSON object with string
    ``article`` and ``highlights``, or for a file with no pairs; InputError too when the file
    cannot be read or is not UTF-8.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not valid UTF-8 (position {exc.start}).") from None
    pairs: list[NewsPair] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if limit is not None and len(pairs) >= limit:
            break
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}, line {number}: not JSON ({exc.msg}).") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}, line {number}: a JSON object is needed.")
        for key in ("article", "highlights"):
            if not isinstance(row.get(key), str):
                raise InputError(f"{path}, line {number}: {key!r} must be a string.")
        pairs.append(NewsPair(row["article"], row["highlights"], number))
    if not pairs:
        raise InputError(f"{path} has no article/highlights pairs.")
    return pairs


def lead(article: str, count: int = 3) -> list[str]:
    """The first ``count`` sentences of ``article``: the Lead-N baseline."""
    return split_sentences(article)[:count]


@lru_cache(maxsize=4)
def _resamples(n: int, samples: int, seed: int) -> tuple[tuple[int, ...], ...]:
    # The same resamples for every method and score of one report: the intervals are paired
    # across rows too, and drawing them once keeps the bootstrap cheap.
    rng = random.Random(seed)
    population = range(n)
    return tuple(tuple(rng.choices(population, k=n)) for _ in range(samples))


def paired_bootstrap(
    ours: Sequence[float], baseline: Sequence[float], samples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``ours - baseline`` and its 95% paired-bootstrap interval ``(mean, low, high)``.

    Raises ValueError for lists of different lengths, empty lists or ``samples < 1``.
    """
    if len(ours) != len(baseline) or not ours or samples < 1:
        raise ValueError("paired_bootstrap needs two non-empty lists of the same length")
    diffs = [a - b for a, b in zip(ours, baseline, strict=True)]
    n = len(diffs)
    means = sorted(sum(diffs[i] for i in sample) / n for sample in _resamples(n, samples, seed))
    low = means[round(0.025 * (samples - 1))]
    high = means[round(0.975 * (samples - 1))]
    return sum(diffs) / n, low, high


def _lines(sentences: Sequence[str]) -> str:
    return "\n".join(s.strip() for s in sentences if s.strip())


def _run(
    name: str,
    pairs: Sequence[NewsPair],
    summarise: Callable[[str], list[str]],
    notes: list[str],
    progress: Callable[[str], None] | None,
) -> MethodScores:
    predictions: list[str] = []
    failed = 0
    for k, pair in enumerate(pairs):
        try:
            sentences = summarise(pair.article)
        except InputError as exc:
            # An article that cannot be summarised (an empty one) scores 0, and says so.
            failed += 1
            notes.append(f"{name}: line {pair.line} not summarised ({exc}); scored 0.")
            sentences = []
        predictions.append(_lines(sentences))
        if progress and (k + 1) % 100 == 0:
            progress(f"{name}: {k + 1}/{len(pairs)}")
    rows = rouge_table(predictions, [p.highlights for p in pairs], SCORES)
    words = sum(len(p.split()) for p in predictions) / len(predictions)
    scores = MethodScores(name, rows, words, failed=failed)
    scores.mean = {key: sum(r[key] for r in rows) / len(rows) for key in SCORES}
    return scores


def _compare(method: MethodScores, baseline: MethodScores, samples: int, seed: int) -> None:
    method.vs[baseline.name] = {
        key: paired_bootstrap(
            [r[key] for r in method.per_article],
            [r[key] for r in baseline.per_article],
            samples,
            seed,
        )
        for key in SCORES
    }
    better = worse = 0
    for ours, base in zip(method.per_article, baseline.per_article, strict=True):
        delta = sum(ours[k] for k in SCORES) - sum(base[k] for k in SCORES)
        better += delta > 1e-9
        worse += delta < -1e-9
    method.wins[baseline.name] = (better, worse)


def evaluate_news(
    pairs: Sequence[NewsPair],
    *,
    lengths: Sequence[str | int] = LENGTHS,
    abstractive: bool = True,
    model: str | None = None,
    backend: str | None = None,
    device: str = "auto",
    abstractive_length: str | int = "medium",
    samples: int = 1000,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> NewsReport:
    """Score Lead-3/5/8, the extractive method at each of ``lengths`` and (``abstractive``) a model.

    ``model``/``backend``/``device`` choose the summarization model (None: the registry's
    default); without its weights (or without torch) the abstractive row is skipped with a
    note. Raises InputError for no pairs, MissingDependencyError without ``rouge-score``.
    """
    from .api import summarize
    from .extractive import extractive_summary, sentence_count

    if not pairs:
        raise InputError("Nothing to evaluate: no article/highlights pairs.")
    notes: list[str] = []
    leads = {
        count: _run(f"Lead-{count}", pairs, lambda a, c=count: lead(a, c), notes, progress)
        for count in LEAD_COUNTS
    }
    methods = list(leads.values())
    compare: list[tuple[MethodScores, MethodScores]] = []
    for length in lengths:

        def ours(article: str, length: str | int = length) -> list[str]:
            result = extractive_summary(article, length, check_language=False)
            return [s.text for s in result.sentences]

        row = _run(f"extractive {length}", pairs, ours, notes, progress)
        methods.append(row)
        compare.append((row, leads[3]))
        same = leads.get(sentence_count(length))
        if same is not None and same is not leads[3]:
            compare.append((row, same))
    if abstractive:

        def generated(article: str) -> list[str]:
            result = summarize(
                article,
                method="abstractive",
                model=model,
                backend=backend,
                length=abstractive_length,
                device=device,
                check_language=False,
            )
            return split_sentences(result.text)

        try:
            generated(pairs[0].article)  # fails fast when the weights (or torch) are not here
        except (ModelUnavailableError, MissingDependencyError) as exc:
            notes.append(f"abstractive: skipped, {exc}")
        else:
            label = f"abstractive {model or 'default model'} {abstractive_length}"
            row = _run(label, pairs, generated, notes, progress)
            methods.append(row)
            compare.append((row, leads[3]))
    for row, baseline in compare:
        _compare(row, baseline, samples, seed)
    return NewsReport(methods, len(pairs), samples, seed, notes)


def _delta(interval: tuple[float, float, float]) -> str:
    mean, low, high = interval
    return f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def format_report(report: NewsReport) -> str:
    """The report as Markdown tables (every row against Lead-3; lengths against their lead)."""
    labels = [_LABELS[key] for key in SCORES]
    head = ["method", "words", *labels, *(f"Δ{label} vs Lead-3 [95% CI]" for label in labels)]
    head.append("better / worse than Lead-3")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    others: list[str] = []
    for m in report.methods:
        cells = [m.name, f"{m.words:.1f}", *(f"{m.mean[key]:.2f}" for key in SCORES)]
        if "Lead-3" in m.vs:
            cells += [_delta(m.vs["Lead-3"][key]) for key in SCORES]
            cells.append("{} / {}".format(*m.wins["Lead-3"]))
        else:
            cells += ["—"] * (len(SCORES) + 1)
        lines.append("| " + " | ".join(cells) + " |")
        for base, scores in m.vs.items():
            if base != "Lead-3":
                others.append(
                    f"| {m.name} | {base} | "
                    + " | ".join(_delta(scores[key]) for key in SCORES)
                    + " | {} / {} |".format(*m.wins[base])
                )
    out = [
        f"{report.n} articles; ROUGE F1 x 100 (rouge-score, stemmed; RLsum one sentence a line); "
        f"paired bootstrap, {report.samples} resamples, seed {report.seed}.",
        "",
        *lines,
    ]
    if others:
        out += [
            "",
            "Against the lead of the same sentence cap:",
            "",
            "| method | baseline | "
            + " | ".join(f"Δ{label} [95% CI]" for label in labels)
            + " | better / worse |",
            "|" + "---|" * (len(labels) + 3),
            *others,
        ]
    if report.notes:
        out += ["", *(f"note: {note}" for note in report.notes)]
    return "\n".join(out) + "\n"
