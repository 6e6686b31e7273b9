"""The Translator's preparation (stage 1): a validated text → its :class:`~.pieces.Piece`
objects in source order: sentences (``sentences.sentence_spans``), normalised, untouchables and
glossary terms protected (``_model_input``), over-long sentences cut into windows of at most
``window_tokens`` tokens, passthrough pieces marked, memory keys set. Tokenizer work only.
"""

from __future__ import annotations

from typing import Any

from . import text as T
from .pieces import Piece
from .sentences import sentence_spans
from .terms.enforce import TermSlot, protect_terms
from .windows import window_spans

__all__ = ["Preparation"]

# start, end, model text, untouchables, tokens, glossary terms
_Window = tuple[int, int, str, list[str], int, list[TermSlot]]


class Preparation:
    """Stage 1 of :class:`~translate.translator.Translator` (a base class: it uses the
    Translator's ``backend``, ``glossary``, ``memory`` and ``window_tokens``)."""

    backend: Any
    glossary: Any
    memory: Any
    window_tokens: int

    def _model_input(self, source: str) -> tuple[str, list[str], list[TermSlot]]:
        # Glossary terms are protected beside the untouchables (terms.enforce).
        normalised = T.normalize(source)
        if self.glossary is None:
            return (*T.protect_untouchables(normalised), [])
        return protect_terms(normalised, self.glossary.matcher.find(normalised))

    def _count(self, sources: list[str]) -> list[int]:
        return self.backend.count_tokens([self._model_input(s)[0] for s in sources])

    def prepare(self, text: str, doc: int = 0) -> list[Piece]:
        """Stage 1: the pieces of a validated ``text``, in source order (tokenizer work only).

        Every character of ``text`` outside whitespace lies in exactly one piece. ``text`` must
        have passed :func:`validate_text` (callers validate once, at their edge).
        """
        persian = T.looks_persian_or_urdu(text)
        pieces: list[Piece] = []
        spans = sentence_spans(text)
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
                piece = Piece(doc, start, end, span.paragraph, number, mtext, origs, tokens=tokens)
                piece.terms = terms
                if len(windows) > 1:
                    piece.flags.append("windowed")
                if persian and T.looks_persian_or_urdu(text[start:end]):
                    piece.flags.append("persian-urdu")
                # Nothing for the model to do (only numbers, symbols or protected Latin text):
                # pass it through as written rather than let the model invent words.
                if not T.has_arabic(T.restore_untouchables(mtext, [""] * len(origs))[0]):
                    piece.passthrough = True
                elif self.memory is not None:
                    piece.key = _memory_key(text[start:end])
                pieces.append(piece)
        return pieces

    def _windows(self, text: str, start: int, end: int) -> list[_Window]:
        sentence = text[start:end]
        spans = window_spans(sentence, self.window_tokens, self._count)
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


def _memory_key(source: str) -> str:
    from .memory import memory_key

    return memory_key(source)
