"""Translation quality against references: corpus BLEU and chrF with sacrebleu.

``tarjama eval translation --source ar.txt --reference en.txt`` calls
:func:`evaluate_translation` with one segment per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import InputError, MissingDependencyError, TarjamaError
from .translator import Translator

EVAL_HINT = "Evaluation needs the optional package sacrebleu: pip install 'tarjama[eval]'."


def _sacrebleu() -> Any:
    try:
        import sacrebleu
    except ImportError as exc:
        raise MissingDependencyError(EVAL_HINT) from exc
    return sacrebleu


def _check_pairs(sources: Sequence[str], references: Sequence[str]) -> tuple[list[str], list[str]]:
    sources, references = list(sources), list(references)
    if not sources or not references:
        raise InputError("Nothing to evaluate: sources and references must not be empty.")
    if len(sources) != len(references):
        raise InputError(
            f"{len(sources)} source segments but {len(references)} references: "
            "give one reference line per source line."
        )
    for number, reference in enumerate(references, start=1):
        if not isinstance(reference, str):
            raise InputError(f"Reference {number} is not text ({type(reference).__name__}).")
    return sources, references


def evaluate_translation(
    sources: list[str],
    references: list[str],
    *,
    model: str | None = None,
    backend: str | None = None,
    device: str = "auto",
) -> dict[str, Any]:
    """Translate ``sources`` and score them against ``references`` (one per source).

    Returns ``{"bleu", "chrf", "n", "meta", "hypotheses"}``: corpus BLEU and chrF (0-100, from
    sacrebleu with its default settings), the number of segments, the translator's metadata
    (model, revision, backend, device, quantisation, settings) with the metric signatures, and
    the translations. Raises InputError for mismatched or empty input (naming the bad line),
    MissingDependencyError when sacrebleu is not installed.
    """
    sources, references = _check_pairs(sources, references)
    sacrebleu = _sacrebleu()
    translator = Translator(model=model, backend=backend, device=device)
    outcomes = translator.translate_batch(sources, on_error="return")
    hypotheses: list[str] = []
    for number, outcome in enumerate(outcomes, start=1):
        if isinstance(outcome, TarjamaError):
            raise InputError(f"Source line {number} cannot be translated: {outcome}") from outcome
        hypotheses.append(outcome.text)
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    bleu_score = bleu.corpus_score(hypotheses, [references])
    chrf_score = chrf.corpus_score(hypotheses, [references])
    meta = {
        **translator.meta,
        "sacrebleu": sacrebleu.__version__,
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
    }
    return {
        "bleu": round(float(bleu_score.score), 2),
        "chrf": round(float(chrf_score.score), 2),
        "n": len(sources),
        "meta": meta,
        "hypotheses": hypotheses,
    }
