"""The one path from a translation to its summary, and the one-call article digest.

:func:`summarize_translation` is what every front end calls to summarise a translation (the
page, the HTTP API, ``tarjama digest`` and batch jobs through :class:`TranslationSummarizer`);
:func:`digest` is translation then that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from translate.errors import ConfigError

from .api import METHODS, summarize
from .guard import check_summary_terms, translation_terms
from .types import Digest, SummaryResult

if TYPE_CHECKING:
    from translate import TranslationResult, Translator

    from .abstractive import Summarizer

__all__ = ["TranslationSummarizer", "digest", "summarize_translation"]


def summarize_translation(
    translation: TranslationResult,
    *,
    method: str = "abstractive",
    length: str | int = "medium",
    summarizer: Summarizer | None = None,
    model: str | None = None,
    backend: str | None = None,
    device: str = "auto",
) -> SummaryResult:
    """Summarise a translation; ``sentences[i].sources`` index into ``translation.segments``.

    The summary is made over the segment targets, in source order, so the lead of the Arabic
    article is the lead of what is summarised. The targets are the model's English, so the
    "is this English?" check meant for user input is skipped (a poor translation is already
    flagged on its segments). ``summarizer`` (abstractive) is used as given; otherwise the
    shared instance of ``model``/``backend``/``device``.
    """
    targets = [segment.target for segment in translation.segments]
    result = summarize(
        targets,
        method=method,
        model=model,
        backend=backend,
        length=length,
        device=device,
        check_language=False,
        max_chars=None,  # the Arabic was limited; its English may run longer
        summarizer=summarizer,
    )
    terms = translation_terms(translation.segments)
    if terms and method == "abstractive":
        # A glossary's house terms must survive the rewording (summarize.guard).
        flags = check_summary_terms(result.text, terms)
        if flags:
            result = replace(result, flags=tuple(dict.fromkeys([*result.flags, *flags])))
    return result


def digest(
    arabic_text: str,
    translation_model: str | None = None,
    summary_model: str | None = None,
    backend: str | None = None,
    summary_method: str = "abstractive",
    length: str | int = "medium",
    *,
    device: str = "auto",
    translator: Translator | None = None,
    summarizer: Summarizer | None = None,
) -> Digest:
    """Translate an Arabic article, then summarise the English, sentence sources included.

    ``translator`` and ``summarizer`` are used as given; otherwise the shared instances of the
    named models (``backend`` and ``device`` apply to both). Errors of the translation
    (InputError for empty or non-Arabic text, ModelUnavailableError...) pass through unchanged;
    a bad method or length is a ConfigError raised before any translation.
    """
    check_summary_options(summary_method, length)
    if translator is None:
        from translate import translate

        translation = translate(
            arabic_text, model=translation_model, backend=backend, device=device
        )
    else:
        translation = translator.translate(arabic_text)
    summary = summarize_translation(
        translation,
        method=summary_method,
        length=length,
        summarizer=summarizer,
        model=summary_model,
        backend=backend,
        device=device,
    )
    return Digest(source=arabic_text, translation=translation, summary=summary)


def check_summary_options(method: str, length: str | int) -> None:
    """Reject a bad method or length (ConfigError) before spending time on a translation."""
    if method not in METHODS:
        raise ConfigError(f"summary_method must be one of {', '.join(METHODS)}, not {method!r}.")
    if method == "extractive":
        from .extractive import sentence_count

        sentence_count(length)
    else:
        from .abstractive import token_budget

        token_budget(length)


@dataclass(frozen=True)
class TranslationSummarizer:
    """A batch job's summarizer: a translation in, the summary's text out; pickles for Ray.

    Each process uses its shared Summarizer of ``model``/``backend``/``device``;
    :meth:`settings` describe it for the job's fingerprint.
    """

    method: str = "abstractive"
    length: str | int = "medium"
    model: str | None = None
    backend: str | None = None
    device: str = "auto"

    def __post_init__(self) -> None:
        check_summary_options(self.method, self.length)

    def __call__(self, translation: TranslationResult) -> str:
        return summarize_translation(
            translation,
            method=self.method,
            length=self.length,
            model=self.model,
            backend=self.backend,
            device=self.device,
        ).text

    def settings(self) -> dict[str, Any]:
        """What changes the summaries: method, length and (abstractive) the model's identity."""
        model = None
        if self.method == "abstractive":
            from translate.registry import resolve_model

            spec = resolve_model(self.model, "summarization")
            model = {"source": spec.source, "revision": spec.revision}
        return {"method": self.method, "length": self.length, "model": model}
