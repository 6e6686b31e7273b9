"""Translator: Arabic text → English, sentence by sentence, nothing dropped.

The flow of one text: validate → paragraphs/sentences (``text.sentence_spans``) → normalise and
protect untouchables and glossary terms (``terms.enforce``) → split over-long sentences into
windows → cache lookup → length-sorted, token-budget batches → backend → restore untouchables,
check and repair terms → guard (retry once, then flag) → cache store → reassemble in source
order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import text as T
from .backends.handle import ModelHandle
from .batching import output_cap, plan_batches
from .cache import CachedTranslation, SentenceCache, cache_key
from .config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_CACHE_SIZE,
    DEFAULT_MAX_BATCH_SIZE,
    DEFAULT_MAX_CHARS,
    TranslatorConfig,
)
from .errors import ConfigError, InputError, TarjamaError
from .guard import check_translation
from .registry import Registry
from .terms import Glossary, as_glossary
from .terms.enforce import TermSlot, align_offsets, protect_terms, restore_terms, term_records
from .types import Segment, TranslationResult

_FIRST_WAVE = 2  # streaming: translate the first sentences alone to show something quickly
_Window = tuple[int, int, str, list[str], int, list[TermSlot]]  # ..., tokens, glossary terms


@dataclass
class _Piece:
    """One unit of model work: a sentence or a window of one (private)."""

    doc: int
    start: int
    end: int
    paragraph: int
    sentence: int
    model_text: str
    originals: list[str]
    flags: list[str] = field(default_factory=list)
    tokens: int = 0
    passthrough: bool = False
    result: CachedTranslation | None = None
    terms: list[TermSlot] = field(default_factory=list)


def validate_text(text: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return ``text`` if it can be translated, else raise an InputError saying why."""
    if isinstance(text, (bytes, bytearray)):
        raise InputError("The input is bytes, not text: decode it as UTF-8 first.")
    if not isinstance(text, str):
        raise InputError(f"The input must be a string of Arabic text, not {type(text).__name__}.")
    if "\x00" in text or "\ufffd" in text[:10000] and text.count("\ufffd") > 10:
        raise InputError("The input looks like binary data, not text (NUL or undecodable bytes).")
    if not text.strip():
        raise InputError("The input is empty." if not text else "The input is only whitespace.")
    position = T.lone_surrogate(text)
    if position is not None:
        raise InputError(T.surrogate_message(text, position))
    if len(text) > max_chars:
        raise InputError(
            f"The input has {len(text):,} characters; the limit is {max_chars:,}. "
            "Split it into several documents or raise the limit (max_chars / --max-chars)."
        )
    if not T.has_arabic(text):
        raise InputError(
            "The input contains no Arabic letters; tarjama translates Arabic into English."
        )
    return text


class Translator(ModelHandle):
    """Arabic→English translation with one model, loaded on first use and kept.

    ``model`` is a ``models.yaml`` name or a local model directory (None: the default);
    ``backend`` is ``transformers``, ``ctranslate2`` or ``auto``; ``device`` ``auto`` picks CUDA
    (fp16) when present, else the CPU. ``cache_size=0`` turns the sentence cache off.
    """

    def __init__(
        self,
        model: str | None = None,
        backend: str | None = None,
        device: str = "auto",
        *,
        quantization: str | None = None,
        batch_tokens: int = DEFAULT_BATCH_TOKENS,
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
        window_tokens: int | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        cache_size: int = DEFAULT_CACHE_SIZE,
        generation: dict[str, Any] | None = None,
        registry: Registry | None = None,
        glossary: Glossary | str | Path | None = None,
    ) -> None:
        super().__init__(
            model, "translation", backend, device, quantization, generation, registry
        )
        self.config = TranslatorConfig(
            model=model,
            backend=backend,
            device=device,
            quantization=quantization,
            batch_tokens=batch_tokens,
            max_batch_size=max_batch_size,
            window_tokens=window_tokens,
            max_chars=max_chars,
            cache_size=cache_size,
            generation=generation,
        )
        if batch_tokens < 16 or max_batch_size < 1:
            raise ConfigError("batch_tokens must be >= 16 and max_batch_size >= 1.")
        self.batch_tokens = batch_tokens
        self.max_batch_size = max_batch_size
        window = window_tokens if window_tokens is not None else self.spec.window_tokens
        if not 8 <= window <= self.spec.max_input_tokens - 2:
            raise ConfigError(
                f"window_tokens must be between 8 and {self.spec.max_input_tokens - 2} "
                f"for {self.spec.name}."
            )
        self.window_tokens = window
        self.max_chars = max_chars
        self.cache = SentenceCache(cache_size)
        self.glossary = as_glossary(glossary)

    def with_glossary(self, glossary: Glossary | str | Path | None) -> Translator:
        """A view of this Translator with another glossary (None: none), sharing its model and
        cache (a cache key holds the glossary's fingerprint): a per-request glossary."""
        view = copy.copy(self)
        view.glossary = as_glossary(glossary)
        return view

    @classmethod
    def from_config(cls, config: TranslatorConfig, registry: Registry | None = None) -> Translator:
        """A Translator made of ``config`` (the model loads on first use, as always)."""
        return cls(**config.as_dict(), registry=registry)

    @property
    def meta(self) -> dict[str, Any]:
        meta = {
            **self.model_meta(),
            "window_tokens": self.window_tokens,
            "batch_tokens": self.batch_tokens,
        }
        if self.glossary is not None:
            meta["glossary"] = self.glossary.meta
        return meta

    # -- public API --------------------------------------------------------------------------
    def translate(self, text: str) -> TranslationResult:
        """Translate one text; raises InputError for text that cannot be translated."""
        validate_text(text, self.max_chars)
        pieces = self._prepare(text, doc=0)
        self._run(pieces)
        return self._assemble(text, pieces)

    def translate_batch(
        self,
        texts: Sequence[str],
        *,
        on_error: str = "raise",
        progress: Callable[[int], None] | None = None,
    ) -> list[TranslationResult | TarjamaError]:
        """Translate many texts, batching sentences across them by token budget.

        ``on_error="raise"`` raises the first InputError; ``"return"`` puts the error in that
        text's place and goes on. ``progress`` is called with the number of segments finished.
        """
        if on_error not in ("raise", "return"):
            raise ValueError("on_error must be 'raise' or 'return'")
        outcomes: list[TranslationResult | TarjamaError | None] = [None] * len(texts)
        all_pieces: list[_Piece] = []
        per_doc: dict[int, list[_Piece]] = {}
        for i, text in enumerate(texts):
            try:
                validate_text(text, self.max_chars)
                per_doc[i] = self._prepare(text, doc=i)
            except InputError as exc:
                if on_error == "raise":
                    raise
                outcomes[i] = exc
                continue
            all_pieces += per_doc[i]
        self._run(all_pieces, progress=progress)
        for i, pieces in per_doc.items():
            outcomes[i] = self._assemble(texts[i], pieces)
        return [o for o in outcomes if o is not None]

    def iter_segments(self, text: str) -> Iterator[Segment]:
        """Yield translated segments in source order as they complete (for streaming)."""
        validate_text(text, self.max_chars)
        pieces = self._prepare(text, doc=0)
        position = 0
        wave = _FIRST_WAVE
        index = 0
        while position < len(pieces):
            chunk = pieces[position : position + wave]
            self._run(chunk)
            for piece in chunk:
                yield self._segment(text, piece, index)
                index += 1
            position += len(chunk)
            wave = min(wave * 2, self.max_batch_size)

    # -- preparation -------------------------------------------------------------------------
    def _model_input(self, source: str) -> tuple[str, list[str], list[TermSlot]]:
        normalised = T.normalize(source)
        if self.glossary is None:
            return (*T.protect_untouchables(normalised), [])
        return protect_terms(normalised, self.glossary.matcher.find(normalised))

    def _count(self, sources: list[str]) -> list[int]:
        return self.backend.count_tokens([self._model_input(s)[0] for s in sources])

    def _prepare(self, text: str, doc: int) -> list[_Piece]:
        persian = T.looks_persian_or_urdu(text)
        pieces: list[_Piece] = []
        spans = T.sentence_spans(text)
        inputs = [self._model_input(text[s.start : s.end]) for s in spans]
        counts = self.backend.count_tokens([model_text for model_text, _, _ in inputs])
        for number, (span, (model_text, originals, slots), count) in enumerate(
            zip(spans, inputs, counts, strict=True)
        ):
            if count <= self.window_tokens:
                windows = [(span.start, span.end, model_text, originals, count, slots)]
            else:
                windows = self._windows(text, span.start, span.end)
            for start, end, mtext, origs, tokens, terms in windows:
                piece = _Piece(doc, start, end, span.paragraph, number, mtext, origs, tokens=tokens)
                piece.terms = terms
                if len(windows) > 1:
                    piece.flags.append("windowed")
                if persian and T.looks_persian_or_urdu(text[start:end]):
                    piece.flags.append("persian-urdu")
                # Nothing for the model to do (only numbers, symbols or protected Latin text):
                # pass it through as written rather than let the model invent words.
                if not T.has_arabic(T.restore_untouchables(mtext, [""] * len(origs))[0]):
                    piece.passthrough = True
                pieces.append(piece)
        return pieces

    def _windows(self, text: str, start: int, end: int) -> list[_Window]:
        sentence = text[start:end]
        spans = T.window_spans(sentence, self.window_tokens, self._count)
        out = []
        trimmed = []
        for ws, we in spans:
            piece = sentence[ws:we]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                trimmed.append((start + ws + lead, start + ws + lead + len(piece)))
        inputs = [self._model_input(text[s:e]) for s, e in trimmed]
        counts = self.backend.count_tokens([m for m, _, _ in inputs])
        for (s, e), (mtext, origs, terms), count in zip(trimmed, inputs, counts, strict=True):
            out.append((s, e, mtext, origs, count, terms))
        return out

    # -- model work --------------------------------------------------------------------------
    def _key(self, piece: _Piece, settings: dict[str, Any]) -> str:
        backend = self.backend
        if piece.terms and self.glossary is not None:
            settings = {**settings, "glossary": self.glossary.fingerprint}
        return cache_key(
            model=self.spec.source,
            revision=self.spec.revision,
            backend=backend.name,
            quantization=backend.quantization,
            settings=settings,
            text=_work_text(piece),
        )

    def _run(self, pieces: Sequence[_Piece], progress: Callable[[int], None] | None = None) -> None:
        todo: list[_Piece] = []
        done = 0
        for piece in pieces:
            if piece.passthrough:
                restored, _ = T.restore_untouchables(piece.model_text, piece.originals)
                piece.result = CachedTranslation(restored, ("passthrough",), 0, None)
                done += 1
                continue
            cached = self.cache.get(self._key(piece, self.settings))
            if cached is not None:
                piece.result = cached
                done += 1
            else:
                todo.append(piece)
        if progress and done:
            progress(done)
        # Identical sentences in one run are translated once.
        unique: dict[str, list[_Piece]] = {}
        for piece in todo:
            unique.setdefault(_work_text(piece), []).append(piece)
        leaders = [group[0] for group in unique.values()]
        for caps, batch in self._batches(leaders, self.settings):
            self._translate_batch(batch, caps)
            if progress:
                progress(sum(len(unique[_work_text(p)]) for p in batch))
        for group in unique.values():
            for follower in group[1:]:
                follower.result = group[0].result

    def output_cap(self, source_tokens: int, settings: Mapping[str, Any]) -> int:
        """The most new tokens of the output of a source of ``source_tokens`` tokens."""
        return output_cap(source_tokens, settings, self.spec.max_input_tokens)

    def _batches(
        self, pieces: Sequence[_Piece], settings: Mapping[str, Any]
    ) -> Iterable[tuple[list[int], list[_Piece]]]:
        """Length-sorted token-budget batches, each piece with its own output cap.

        The backends end each output at its own cap (``generate(..., caps=...)``), so pieces
        with different caps share a batch without changing each other's output. A minimum
        length must agree within a batch, so pieces are grouped by it (it is clipped to the cap).
        """
        caps = {id(p): self.output_cap(p.tokens, settings) for p in pieces}
        floor = int(settings.get("min_new_tokens") or 0)
        for batch in plan_batches(
            pieces,
            tokens=lambda p: p.tokens,
            group=lambda p: min(floor, caps[id(p)]),
            batch_tokens=self.batch_tokens,
            max_batch_size=self.max_batch_size,
        ):
            yield [caps[id(p)] for p in batch], batch

    def _decode_settings(self, base: Mapping[str, Any], caps: Sequence[int]) -> dict[str, Any]:
        settings = {k: v for k, v in base.items() if k != "max_length_ratio"}
        settings["max_new_tokens"] = max(caps)
        if settings.get("min_new_tokens"):
            settings["min_new_tokens"] = min(int(settings["min_new_tokens"]), min(caps))
        return settings

    def _generate(self, batch: Sequence[_Piece], base: Mapping[str, Any], caps: list[int]):  # noqa: ANN202
        texts = [p.model_text for p in batch]
        settings = self._decode_settings(base, caps)
        if len(set(caps)) == 1:
            return self.backend.generate(texts, settings)
        return self.backend.generate(texts, settings, caps=caps)

    def _translate_batch(self, batch: list[_Piece], caps: list[int]) -> None:
        outputs = self._generate(batch, self.settings, caps)
        retry: list[_Piece] = []
        for piece, out in zip(batch, outputs, strict=True):
            target, in_place, term_flags, outcomes = self._restore(piece, out.text)
            report = check_translation(
                piece.model_text, target, source_tokens=piece.tokens, target_tokens=out.tokens
            )
            flags = list(report.flags)
            if not in_place:
                flags.append("untouchable-restored")
            flags += term_flags
            piece.result = CachedTranslation(
                target, tuple(flags), out.tokens, out.score, tuple(outcomes)
            )
            if report.degenerate:
                retry.append(piece)
        if retry:
            for strict_caps, group in self._batches(retry, self.strict_settings):
                self._retry(group, strict_caps)
        for piece in batch:
            assert piece.result is not None
            self.cache.put(self._key(piece, self.settings), piece.result)

    def _retry(self, pieces: list[_Piece], caps: list[int]) -> None:
        """One retry with the strict settings; keep whichever output the guard likes better."""
        outputs = self._generate(pieces, self.strict_settings, caps)
        for piece, out in zip(pieces, outputs, strict=True):
            first = piece.result
            assert first is not None
            target, in_place, term_flags, outcomes = self._restore(piece, out.text)
            report = check_translation(
                piece.model_text, target, source_tokens=piece.tokens, target_tokens=out.tokens
            )
            extra = [] if in_place else ["untouchable-restored"]
            if not report.degenerate:
                flags = (*report.flags, *extra, *term_flags, "retried")
                piece.result = CachedTranslation(
                    target, tuple(flags), out.tokens, out.score, tuple(outcomes)
                )
            else:
                piece.result = replace(first, flags=(*first.flags, "degenerate", "retried"))

    @staticmethod
    def _restore(piece: _Piece, output: str) -> tuple[str, bool, list[str], list[str]]:
        """Put protected spans back; glossary terms are checked and repaired (terms.enforce)."""
        if not piece.terms:
            return (*T.restore_untouchables(output, piece.originals), [], [])
        return restore_terms(output, piece.model_text, piece.originals, piece.terms)

    # -- assembly ----------------------------------------------------------------------------
    def _segment(self, text: str, piece: _Piece, index: int) -> Segment:
        result = piece.result
        assert result is not None, "every piece is translated before assembly"
        flags = tuple(dict.fromkeys([*piece.flags, *result.flags]))
        terms: tuple[dict[str, Any], ...] = ()
        if piece.terms:
            source = text[piece.start : piece.end]
            outcomes = result.terms or ("placeholder",) * len(piece.terms)
            offsets = align_offsets(source, T.normalize(source))
            terms = term_records(piece.terms, outcomes, offsets, piece.start)
        return Segment(
            index=index,
            source=text[piece.start : piece.end],
            start=piece.start,
            end=piece.end,
            target=result.target,
            paragraph=piece.paragraph,
            sentence=piece.sentence,
            flags=flags,
            score=result.score,
            terms=terms,
        )

    def _assemble(self, text: str, pieces: list[_Piece]) -> TranslationResult:
        segments = [self._segment(text, piece, i) for i, piece in enumerate(pieces)]
        warnings = []
        if T.looks_persian_or_urdu(text):
            warnings.append(
                "The text contains letters of Persian or Urdu (پ چ ژ گ ک ی ے); the model is "
                "trained on Arabic, so affected segments are flagged 'persian-urdu'."
            )
        degenerate = sum("degenerate" in s.flags for s in segments)
        if degenerate:
            warnings.append(f"{degenerate} segment(s) still looked degenerate after a retry.")
        return TranslationResult(
            text=join_paragraphs(text, segments),
            segments=segments,
            meta=self.meta,
            warnings=warnings,
        )


def _work_text(piece: _Piece) -> str:
    """What decides a piece's output besides the settings: its input and protected originals."""
    if not piece.originals:
        return piece.model_text
    return "\x00".join([piece.model_text, *piece.originals])


def join_paragraphs(text: str, segments: Sequence[Segment]) -> str:
    """Join segment targets: spaces within a paragraph, the source's line breaks between them."""
    parts: list[str] = []
    previous: Segment | None = None
    for seg in segments:
        if previous is not None:
            if seg.paragraph != previous.paragraph:
                gap = text[previous.end : seg.start]
                parts.append("\n" * max(1, gap.count("\n")))
            else:
                parts.append(" ")
        parts.append(seg.target)
        previous = seg
    return "".join(parts)


def translate(
    text: str, model: str | None = None, backend: str | None = None, device: str = "auto"
) -> TranslationResult:
    """Translate one Arabic text with the registry's default (or the named) model."""
    return Translator.shared(model, backend, device).translate(text)


def clear_translator_cache() -> None:
    """Forget the Translators shared by :func:`translate`."""
    Translator.clear_shared()
