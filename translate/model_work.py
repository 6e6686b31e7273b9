"""The Translator's model work (stage 2 after the lookups): length-sorted token-budget
batches → backend → restore protected spans (untouchables, glossary terms: checked and
repaired) → guard (retry once with the strict settings, then flag) → sentence cache.

A piece's result depends on the piece, the model and the settings only, never on its batch:
each output ends at its own cap in both engines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from . import text as T
from .backends.base import Generation
from .backends.confidence import confidence, relocate_spans
from .batching import output_cap, plan_batches
from .cache import CachedTranslation
from .guard import check_translation
from .pieces import Piece
from .terms.enforce import restore_terms

__all__ = ["ModelWork", "cached_output", "work_text"]


class ModelWork:
    """The decoding half of :class:`~translate.translator.Translator` (a base class: it uses the
    Translator's ``backend``, ``spec``, ``settings``, ``strict_settings``, ``cache``,
    ``batch_tokens``, ``max_batch_size`` and ``_key``)."""

    backend: Any
    spec: Any
    cache: Any
    batch_tokens: int
    max_batch_size: int
    settings: dict[str, Any]
    strict_settings: dict[str, Any]
    weak_words: bool

    def _key(self, piece: Piece, settings: dict[str, Any]) -> str:  # pragma: no cover
        raise NotImplementedError

    def output_cap(self, source_tokens: int, settings: Mapping[str, Any]) -> int:
        """The most new tokens of the output of a source of ``source_tokens`` tokens."""
        return output_cap(source_tokens, settings, self.spec.max_input_tokens)

    def _batches(
        self, pieces: Sequence[Piece], settings: Mapping[str, Any]
    ) -> Iterable[tuple[list[int], list[Piece]]]:
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

    def _generate(self, batch: Sequence[Piece], base: Mapping[str, Any], caps: list[int]):  # noqa: ANN202
        texts = [p.model_text for p in batch]
        settings = self._decode_settings(base, caps)
        extra: dict[str, Any] = {} if self.weak_words else {"weak": False}
        if len(set(caps)) == 1:
            return self.backend.generate(texts, settings, **extra)
        return self.backend.generate(texts, settings, caps=caps, **extra)

    def _translate_batch(self, batch: list[Piece], caps: list[int]) -> None:
        outputs = self._generate(batch, self.settings, caps)
        retry: list[Piece] = []
        for piece, out in zip(batch, outputs, strict=True):
            target, in_place, term_flags, outcomes = self._restore(piece, out.text)
            report = check_translation(
                piece.model_text, target, source_tokens=piece.tokens, target_tokens=out.tokens
            )
            flags = list(report.flags)
            if not in_place:
                flags.append("untouchable-restored")
            flags += term_flags
            piece.result = cached_output(target, tuple(flags), out, piece.originals, outcomes)
            if report.degenerate:
                retry.append(piece)
        if retry:
            for strict_caps, group in self._batches(retry, self.strict_settings):
                self._retry(group, strict_caps)
        for piece in batch:
            assert piece.result is not None
            self.cache.put(self._key(piece, self.settings), piece.result)

    def _retry(self, pieces: list[Piece], caps: list[int]) -> None:
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
                piece.result = cached_output(target, flags, out, piece.originals, outcomes)
            else:
                piece.result = replace(first, flags=(*first.flags, "degenerate", "retried"))

    @staticmethod
    def _restore(piece: Piece, output: str) -> tuple[str, bool, list[str], list[str]]:
        """Put protected spans back; glossary terms are checked and repaired (terms.enforce)."""
        if not piece.terms:
            return (*T.restore_untouchables(output, piece.originals), [], [])
        return restore_terms(output, piece.model_text, piece.originals, piece.terms)


def cached_output(
    target: str,
    flags: tuple[str, ...],
    out: Generation,
    originals: list[str],
    terms: list[str] = (),  # type: ignore[assignment]
) -> CachedTranslation:
    """A model output as cached: weak words moved onto the restored text (untouchables and
    glossary terms are not the model's words, so never weak)."""
    weak = out.weak
    if weak:
        weak = relocate_spans(out.text, weak, target, originals)
    return CachedTranslation(
        target, flags, out.tokens, out.score, confidence(out.score), weak, tuple(terms)
    )


def work_text(piece: Piece) -> str:
    """What decides a piece's output besides the settings: its input and protected originals."""
    if not piece.originals:
        return piece.model_text
    return "\x00".join([piece.model_text, *piece.originals])
