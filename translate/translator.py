"""Translator: Arabic text → English, sentence by sentence, nothing dropped.

The flow of one text is three public stages, shared by ``translate``, ``translate_batch``,
``iter_segments``, the cross-request batcher (``translate.serving``) and the batch engines:

1. :meth:`Translator.prepare` (:mod:`translate.preparation`) — paragraphs/sentences
   (``sentences.sentence_spans``) → normalise and protect untouchables → split over-long sentences
   into windows → :class:`Piece` objects, in source order. Text is validated once, at the edge
   (:func:`validate_text`), not here. *Protected spans* (a glossary's terms) belong in
   ``_model_input``, beside the untouchables.
2. :meth:`Translator.run` (the model work: :mod:`translate.model_work`) — fill each piece's
   ``result``: pre-model lookups first (pass-through pieces, then ``_lookup``: the place for a
   translation memory's exact match, then the sentence cache), then length-sorted token-budget
   batches → backend → restore untouchables → guard (retry once, then flag; *checked spans*
   belong in the guard step) → cache store. A piece's result depends on the piece, the model
   and the settings only, never on its batch.
3. :meth:`Translator.segment` / :meth:`Translator.assemble` — pieces → :class:`Segment` objects
   and a :class:`TranslationResult`, in source order.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import text as T
from .alternatives import Alternative, check_count, segment_alternatives
from .backends.handle import ModelHandle
from .batching import stream_chunks
from .cache import CachedTranslation, SentenceCache, cache_key
from .config import DEFAULT_MAX_CHARS, TranslatorConfig
from .errors import ConfigError, InputError, TarjamaError
from .model_work import ModelWork, work_text
from .pieces import Piece, join_paragraphs, stream_order
from .preparation import Preparation
from .registry import Registry
from .terms import Glossary, as_glossary
from .terms.enforce import align_offsets, term_records
from .types import Segment, Suggestion, TranslationResult
from .validation import validate_text

if TYPE_CHECKING:
    from .memory import MemoryStore

__all__ = [
    "DEFAULT_MAX_CHARS",  # re-exported: older importers read it here; its home is config
    "Piece",
    "Translator",
    "clear_translator_cache",
    "join_paragraphs",
    "stream_order",
    "translate",
    "validate_text",
]


class Translator(Preparation, ModelWork, ModelHandle):
    """Arabic→English translation with one model, loaded on first use and kept.

    The keywords are the fields of :class:`~translate.config.TranslatorConfig`, whose docstring
    says what each does (``model``, ``backend`` and ``device`` may also be given by position);
    :meth:`from_config` makes one of a config value. The stages (:meth:`prepare`, :meth:`run`,
    :meth:`segment`, :meth:`assemble`) are public for the batcher and the batch engines.

    ``memory`` is a translation memory (a :class:`~translate.memory.TranslationMemory`, or its
    file's path, opened read-only): a sentence with an exact match gets the unit's English,
    flagged ``memory``, without the model; near matches (``memory_threshold``, default 0.8, for a
    path) are offered as the segment's ``suggestions``.
    """

    def __init__(
        self,
        model: str | None = None,
        backend: str | None = None,
        device: str = "auto",
        *,
        registry: Registry | None = None,
        memory: MemoryStore | str | os.PathLike[str] | None = None,
        glossary: Glossary | str | Path | None = None,
        **settings: Any,
    ) -> None:
        if isinstance(glossary, (str, os.PathLike)):
            # A glossary file travels in the config (Ray workers load the same file).
            settings["glossary"] = str(glossary)
        self.memory = _open_memory(memory, settings.get("memory_threshold"))
        if self.memory is not None:
            settings["memory"] = getattr(self.memory, "path", None)
            settings["memory_threshold"] = getattr(self.memory, "threshold", None)
        # One home for the fields and their defaults: TranslatorConfig (an unknown keyword is a
        # TypeError there, as it would be here).
        config = TranslatorConfig(model=model, backend=backend, device=device, **settings)
        super().__init__(
            config.model,
            "translation",
            config.backend,
            config.device,
            config.quantization,
            config.generation_overrides() or None,
            registry,
        )
        self.config = config
        if config.batch_tokens < 16 or config.max_batch_size < 1:
            raise ConfigError("batch_tokens must be >= 16 and max_batch_size >= 1.")
        window = config.window_tokens
        if window is None:
            window = self.spec.window_tokens
        if not 8 <= window <= self.spec.max_input_tokens - 2:
            raise ConfigError(
                f"window_tokens must be between 8 and {self.spec.max_input_tokens - 2} "
                f"for {self.spec.name}."
            )
        self.window_tokens = window
        self.cache = SentenceCache(config.cache_size)
        self.glossary = as_glossary(glossary)
        self.weak_words = config.weak_words

    def with_glossary(self, glossary: Glossary | str | Path | None) -> Translator:
        """A view of this Translator with another glossary (None: none), sharing its model and
        cache (a cache key holds the glossary's fingerprint): a per-request glossary."""
        view = copy.copy(self)
        view.glossary = as_glossary(glossary)
        return view

    def with_weak_words(self, on: bool) -> Translator:
        """A view of this Translator that computes weak words or not (``weak_words``), sharing
        its model and cache; an entry cached without them is translated again where they are
        wanted. Batch jobs use it off (their rows do not show weak words)."""
        if on == self.weak_words:
            return self
        view = copy.copy(self)
        view.weak_words = on
        view.config = replace(self.config, weak_words=on)
        return view

    @property
    def view_kind(self) -> tuple[Any, ...]:
        """What the views of one Translator differ in (:meth:`with_glossary`: the glossary, by
        fingerprint, since the same entries repair the same terms; :meth:`with_weak_words`):
        views of one kind can share a :meth:`run` (the cross-request batcher groups by it)."""
        glossary = self.glossary
        return (glossary.fingerprint if glossary is not None else None, self.weak_words)

    @property
    def batch_tokens(self) -> int:
        """Padded source tokens per model batch (``TranslatorConfig.batch_tokens``)."""
        return self.config.batch_tokens

    @property
    def max_batch_size(self) -> int:
        """Rows per model batch at most (``TranslatorConfig.max_batch_size``)."""
        return self.config.max_batch_size

    @property
    def max_chars(self) -> int:
        """The longest text accepted, in characters (``TranslatorConfig.max_chars``)."""
        return self.config.max_chars

    @max_chars.setter
    def max_chars(self, value: int) -> None:
        # The config stays the one record of the settings (a batch fingerprint reads it).
        self.config = replace(self.config, max_chars=value)

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
        if self.memory is not None:
            meta["memory"] = self.memory.describe()
        if self.glossary is not None:
            meta["glossary"] = self.glossary.meta
        if not self.weak_words:
            meta["weak_words"] = False  # Segment.weak is None where they were not computed
        return meta

    # -- public API --------------------------------------------------------------------------
    def translate(self, text: str) -> TranslationResult:
        """Translate one text; raises InputError for text that cannot be translated."""
        validate_text(text, self.max_chars)
        pieces = self.prepare(text, doc=0)
        self.run(pieces)
        return self.assemble(text, pieces)

    def translate_batch(
        self,
        texts: Sequence[str],
        *,
        on_error: str = "raise",
        progress: Callable[[int], None] | None = None,
        suggestions: bool = True,
    ) -> list[TranslationResult | TarjamaError]:
        """Translate many texts, batching sentences across them by token budget.

        ``on_error="raise"`` raises the first InputError; ``"return"`` puts the error in that
        text's place and goes on. ``progress`` is called with the number of segments finished.
        ``suggestions=False`` skips the memory's near-match search (batch outputs omit them).
        """
        if on_error not in ("raise", "return"):
            raise ValueError("on_error must be 'raise' or 'return'")
        outcomes: list[TranslationResult | TarjamaError | None] = [None] * len(texts)
        all_pieces: list[Piece] = []
        per_doc: dict[int, list[Piece]] = {}
        for i, text in enumerate(texts):
            try:
                validate_text(text, self.max_chars)
                per_doc[i] = self.prepare(text, doc=i)
            except InputError as exc:
                if on_error == "raise":
                    raise
                outcomes[i] = exc
                continue
            all_pieces += per_doc[i]
        self.run(all_pieces, progress=progress, suggest=suggestions)
        for i, pieces in per_doc.items():
            outcomes[i] = self.assemble(texts[i], pieces)
        return [o for o in outcomes if o is not None]

    def iter_segments(self, text: str, *, first: Collection[int] = ()) -> Iterator[Segment]:
        """Yield translated segments in source order as they complete (for streaming).

        ``text`` is validated now (an InputError is raised by this call, not by the first
        ``next``). The segments equal ``translate(text).segments``; the first comes after one
        sentence's model time, the last after about ``translate``'s time
        (:func:`~translate.batching.stream_chunks`). ``first``: sentence numbers
        (``Segment.sentence``) to translate together and yield before the others (a summary's
        sentences); each part is in source order.
        """
        validate_text(text, self.max_chars)
        return self._stream(text, self.prepare(text), frozenset(first))

    def _stream(self, text: str, pieces: list[Piece], first: frozenset[int]) -> Iterator[Segment]:
        chunks = stream_chunks(
            pieces,
            tokens=lambda p: p.tokens,
            free=lambda p: p.passthrough,
            first=(lambda p: p.sentence in first) if first else None,
            batch_tokens=self.batch_tokens,
            max_batch_size=self.max_batch_size,
        )
        order = stream_order(pieces, first)
        shown = 0
        for chunk in chunks:
            self.run(chunk)
            while shown < len(order) and pieces[order[shown]].result is not None:
                yield self.segment(text, pieces[order[shown]], order[shown])
                shown += 1

    def alternatives(self, sentence: str, n: int = 3) -> list[Alternative]:
        """Up to ``n`` (at most 5) other translations of one sentence from its beam search's
        n-best list, distinct from each other and from the chosen translation (case and
        whitespace aside), each with its confidence; ``n=0`` costs nothing. Raises InputError
        for text that is not one segment. For every segment of a text, see
        :func:`translate.alternatives.segment_alternatives`."""
        if check_count(n) == 0:
            return []
        result = self.translate(sentence)
        if len(result.segments) != 1:
            raise InputError(
                f"alternatives() takes one sentence; this text has {len(result.segments)} "
                "segments (use translate.alternatives.segment_alternatives for a text)."
            )
        return segment_alternatives(self, result, n)[0]

    # -- model work --------------------------------------------------------------------------
    def _key(self, piece: Piece, settings: dict[str, Any]) -> str:
        backend = self.backend
        if piece.terms and self.glossary is not None:
            settings = {**settings, "glossary": self.glossary.fingerprint}
        return cache_key(
            model=self.spec.source,
            revision=self.spec.revision,
            backend=backend.name,
            quantization=backend.quantization,
            settings=settings,
            text=work_text(piece),
        )

    def run(
        self,
        pieces: Sequence[Piece],
        progress: Callable[[int], None] | None = None,
        suggest: bool = True,
    ) -> None:
        """Stage 2: set ``result`` on every piece (any pieces of any texts, in any order).

        Pre-model lookups first (:meth:`_lookup`), then the model on the rest, in the
        length-sorted token-budget batches of :func:`~translate.batching.plan_batches`.
        ``progress`` is called with the number of pieces finished, as they finish.
        ``suggest=False`` skips the memory's near-match search.
        """
        todo: list[Piece] = []
        done = 0
        remembered = self._consult_memory(pieces, suggest)
        for piece in pieces:
            found = self._lookup(piece, remembered)
            if found is not None:
                piece.result = found
                done += 1
            else:
                todo.append(piece)
        if progress and done:
            progress(done)
        # Identical sentences in one run are translated once.
        unique: dict[str, list[Piece]] = {}
        for piece in todo:
            unique.setdefault(work_text(piece), []).append(piece)
        leaders = [group[0] for group in unique.values()]
        for caps, batch in self._batches(leaders, self.settings):
            self._translate_batch(batch, caps)
            if progress:
                progress(sum(len(unique[work_text(p)]) for p in batch))
        for group in unique.values():
            for follower in group[1:]:
                follower.result = group[0].result

    def _lookup(self, piece: Piece, remembered: Mapping[str, str]) -> CachedTranslation | None:
        """A piece's translation without a model call, or None.

        In order: pass-through pieces (nothing to translate), then the translation memory's
        exact match (``remembered``, by key: it wins over the cache, is flagged ``memory`` and
        never cached as a model output), then the sentence cache.
        """
        if piece.passthrough:
            restored, _ = T.restore_untouchables(piece.model_text, piece.originals)
            return CachedTranslation(restored, ("passthrough",), 0, None)
        if piece.key and piece.key in remembered:
            return CachedTranslation(remembered[piece.key], ("memory",), 0, None)
        found = self.cache.get(self._key(piece, self.settings))
        if found is not None and found.weak is None and self.weak_words:
            return None  # cached without its weak words (a batch job's view): translate again
        return found

    def _consult_memory(self, pieces: Sequence[Piece], suggest: bool = True) -> dict[str, str]:
        """Exact matches' targets by key; near matches go to the other pieces' suggestions."""
        if self.memory is None:
            return {}
        keys = [p.key for p in pieces if p.key]
        exact = {key: unit.target for key, unit in self.memory.lookup_many(keys).items()}
        near = self.memory.near([k for k in keys if k not in exact]) if suggest else {}
        for piece in pieces:
            piece.suggestions = near.get(piece.key, [])
        return exact

    # -- assembly ----------------------------------------------------------------------------
    def segment(self, text: str, piece: Piece, index: int) -> Segment:
        """Stage 3: the Segment of a translated ``piece`` of ``text``, numbered ``index``."""
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
            confidence=result.confidence,
            weak=result.weak,
            suggestions=tuple(
                Suggestion(m.unit.id, m.unit.source, m.unit.target, round(m.similarity, 4))
                for m in piece.suggestions
            ),
            terms=terms,
        )

    def assemble(self, text: str, pieces: Sequence[Piece]) -> TranslationResult:
        """Stage 3: the TranslationResult of ``text`` from its translated pieces (source order)."""
        segments = [self.segment(text, piece, i) for i, piece in enumerate(pieces)]
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


def _open_memory(
    memory: MemoryStore | str | os.PathLike[str] | None, threshold: float | None
) -> MemoryStore | None:
    """The memory a Translator uses: a path is opened read-only (translation only reads)."""
    if memory is None or not isinstance(memory, (str, os.PathLike)):
        return memory
    from .memory import DEFAULT_THRESHOLD, TranslationMemory

    return TranslationMemory(
        memory, readonly=True, threshold=threshold if threshold is not None else DEFAULT_THRESHOLD
    )


def translate(
    text: str, model: str | None = None, backend: str | None = None, device: str = "auto"
) -> TranslationResult:
    """Translate one Arabic text with the registry's default (or the named) model."""
    return Translator.shared(model, backend, device).translate(text)


def clear_translator_cache() -> None:
    """Forget the Translators shared by :func:`translate`."""
    Translator.clear_shared()
