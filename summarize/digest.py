"""The one path from a translation to its summary, and the one-call article digest.

:func:`summarize_translation` is what every front end calls to summarise a translation (the
page, the HTTP API, ``tarjama digest`` and batch jobs through :class:`TranslationSummarizer`);
:func:`digest` is translation then that.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from translate.errors import ConfigError

from .api import METHODS, summarize
from .config import SummarizerConfig
from .guard import check_summary_terms, translation_terms
from .types import Digest, SummaryResult, SummarySentence

if TYPE_CHECKING:
    from translate import Segment, TranslationResult, Translator

    from .abstractive import Summarizer

__all__ = [
    "TranslationSummarizer",
    "digest",
    "stream_digest",
    "summarize_chosen",
    "summarize_translation",
]


class SegmentStreamer(Protocol):
    """What :func:`stream_digest` streams with: a Translator or a serving.BatchingTranslator."""

    def iter_segments(self, text: str, *, first: Collection[int] = ()) -> Iterator[Segment]: ...


def summarize_translation(
    translation: TranslationResult,
    *,
    method: str = "abstractive",
    length: str | int = "medium",
    summarizer: Summarizer | None = None,
    model: str | None = None,
    backend: str | None = None,
    device: str = "auto",
    config: SummarizerConfig | None = None,
) -> SummaryResult:
    """Summarise a translation; ``sentences[i].sources`` index into ``translation.segments``.

    The summary is made over the segment targets, in source order, so the lead of the Arabic
    article is the lead of what is summarised. The targets are the model's English, so the
    "is this English?" check meant for user input is skipped (a poor translation is already
    flagged on its segments). ``summarizer`` (abstractive) is used as given; otherwise the
    shared instance of ``model``/``backend``/``device``. A ``config`` replaces the five loose
    arguments (method, length, model, backend, device).
    """
    if config is not None:
        method, length = config.method, config.length
        model, backend, device = config.model, config.backend, config.device
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
    summary_config: SummarizerConfig | None = None,
    summary_first: bool = False,
) -> Digest:
    """Translate an Arabic article, then summarise the English, sentence sources included.

    ``translator`` and ``summarizer`` are used as given; otherwise the shared instances of the
    named models (``backend`` and ``device`` apply to both). Errors of the translation
    (InputError for empty or non-Arabic text, ModelUnavailableError...) pass through unchanged;
    a bad method or length is a ConfigError raised before any translation. A
    ``summary_config`` gives the summary's model, backend, device, method and length at once
    (the translation then uses ``translator``, or ``translation_model``/``backend``/``device``).

    ``summary_first``: the sentences are chosen on the *Arabic* side
    (:func:`summarize.arabic.summary_sentences`) and the summary is made of their translations
    only (:func:`summarize_chosen`), as :func:`stream_digest` shows it before the rest; without
    it, the English side is ranked (the whole translation is summarised).
    """
    if summary_config is None:
        summary_config = SummarizerConfig(
            model=summary_model,
            backend=backend,
            device=device,
            method=summary_method,
            length=length,
        )
    check_summary_options(summary_config.method, summary_config.length)
    if translator is None:
        from translate import translate

        translation = translate(
            arabic_text, model=translation_model, backend=backend, device=device
        )
    else:
        translation = translator.translate(arabic_text)
    if summary_first:
        from .arabic import summary_sentences

        c = summary_config
        chosen = summary_sentences(arabic_text, c.length)  # the text was validated by now
        summary = summarize_chosen(
            translation.segments,
            chosen,
            method=c.method,
            length=c.length,
            summarizer=summarizer,
            model=c.model,
            backend=c.backend,
            device=c.device,
        )
    else:
        summary = summarize_translation(translation, summarizer=summarizer, config=summary_config)
    return Digest(source=arabic_text, translation=translation, summary=summary)


def summarize_chosen(
    segments: list[Segment],
    sentences: Collection[int],
    *,
    method: str = "extractive",
    length: str | int = "medium",
    summarizer: Summarizer | None = None,
    model: str | None = None,
    backend: str | None = None,
    device: str = "auto",
) -> SummaryResult:
    """The summary-first summary: made of the translations of the chosen Arabic ``sentences``.

    ``segments`` are a translation's segments (all of them, or at least the chosen ones);
    ``sources`` index into them by ``Segment.index``, exactly. Extractive: each chosen sentence's
    translation is a summary sentence (the Arabic side did the choosing). Abstractive: the
    summary of those translations, its estimated sources mapped back to segment indices.
    """
    chosen = [s for s in segments if s.sentence in sentences]
    ranking = {"ranked_on": "arabic", "sentences": sorted(set(sentences))}
    if method == "extractive":
        groups: dict[int, list[Segment]] = {}
        for segment in chosen:
            groups.setdefault(segment.sentence, []).append(segment)
        parts = [
            SummarySentence(" ".join(s.target for s in group), [s.index for s in group])
            for group in groups.values()
        ]
        meta = {"method": "extractive", "length": length, **ranking}
        meta["provenance"] = "exact: each summary sentence is the translation it points to"
        return SummaryResult(" ".join(p.text for p in parts), parts, meta=meta)
    result = summarize(
        [s.target for s in chosen],
        method=method,
        model=model,
        backend=backend,
        length=length,
        device=device,
        check_language=False,
        max_chars=None,
        summarizer=summarizer,
    )
    parts = [
        SummarySentence(p.text, [chosen[i].index for i in p.sources], p.flags)
        for p in result.sentences
    ]
    return SummaryResult(result.text, parts, {**result.meta, **ranking}, result.flags)


def stream_digest(
    arabic_text: str,
    translator: SegmentStreamer,
    *,
    method: str = "extractive",
    length: str | int = "medium",
    summarizer: Summarizer | None = None,
    model: str | None = None,
    backend: str | None = None,
    device: str = "auto",
) -> Iterator[SummaryResult | Segment]:
    """Summary first, for a page: yield the :class:`SummaryResult` as soon as the chosen
    sentences are translated, then every :class:`Segment` of the article in source order.

    The segments equal ``translator.translate(arabic_text).segments``; the summary equals
    ``digest(..., summary_first=True).summary``. The text is validated, and the method and
    length checked, by this call (errors are raised here, not by the first ``next``).
    """
    check_summary_options(method, length)
    from translate.sentences import sentence_spans

    from .arabic import summary_sentences

    chosen = summary_sentences(arabic_text, length)
    ends = {n: span.end for n, span in enumerate(sentence_spans(arabic_text)) if n in chosen}
    stream = translator.iter_segments(arabic_text, first=chosen)
    options = {"method": method, "length": length, "summarizer": summarizer, "model": model}
    return _summary_then_segments(
        stream, chosen, ends, {**options, "backend": backend, "device": device}
    )


def _summary_then_segments(
    stream: Iterator[Segment], chosen: list[int], ends: dict[int, int], options: dict[str, Any]
) -> Iterator[SummaryResult | Segment]:
    held: dict[int, Segment] = {}
    waiting = set(chosen)
    summarized = False
    shown = 0
    for segment in stream:
        held[segment.index] = segment
        # A chosen sentence is done with its last window (the one that ends where it ends).
        if segment.sentence in waiting and segment.end == ends[segment.sentence]:
            waiting.discard(segment.sentence)
        if not summarized and (not waiting or segment.sentence not in chosen):
            summarized = True
            yield summarize_chosen(list(held.values()), chosen, **options)
        while summarized and shown in held:
            yield held.pop(shown)
            shown += 1
    if not summarized:
        yield summarize_chosen(list(held.values()), chosen, **options)
    while shown in held:
        yield held.pop(shown)
        shown += 1


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

    @classmethod
    def from_config(cls, config: SummarizerConfig) -> TranslationSummarizer:
        """The batch summarizer of a :class:`SummarizerConfig`."""
        return cls(
            method=config.method,
            length=config.length,
            model=config.model,
            backend=config.backend,
            device=config.device,
        )

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
