"""The one-call article digest: Arabic text → English translation → summary with provenance."""

from __future__ import annotations

from translate import translate

from .api import METHODS, _summarize
from .types import Digest

__all__ = ["digest"]


def digest(
    arabic_text: str,
    translation_model: str | None = None,
    summary_model: str | None = None,
    backend: str | None = None,
    summary_method: str = "abstractive",
    length: str | int = "medium",
    *,
    device: str = "auto",
) -> Digest:
    """Translate an Arabic article, then summarise the English, sentence sources included.

    The translation uses the shared translator (``translate.translate``); the summary is made
    over the segment targets as a list, so ``summary.sentences[i].sources`` index into
    ``translation.segments``. ``backend`` and ``device`` apply to both models. Errors of the
    translation (InputError for empty or non-Arabic text, ModelUnavailableError...) pass
    through unchanged.
    """
    _check_options(summary_method, length)
    translation = translate(arabic_text, model=translation_model, backend=backend, device=device)
    targets = [segment.target for segment in translation.segments]
    # The targets are the translation model's English, so the "is this English?" check, meant
    # for user input, is skipped: it could only reject a poor translation, which the segment
    # flags already report.
    summary = _summarize(
        targets, summary_method, summary_model, backend, length, device, check_language=False
    )
    return Digest(source=arabic_text, translation=translation, summary=summary)


def _check_options(method: str, length: str | int) -> None:
    """Reject a bad method or length before spending time on the translation."""
    from translate.errors import ConfigError

    if method not in METHODS:
        raise ConfigError(f"summary_method must be one of {', '.join(METHODS)}, not {method!r}.")
    if method == "extractive":
        from .extractive import sentence_count

        sentence_count(length)
    else:
        from .abstractive import token_budget

        token_budget(length)
