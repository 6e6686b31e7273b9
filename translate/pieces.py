"""The units of the Translator's pipeline: a Piece of model work, the order a stream yields
pieces in, and how segments join back into paragraphs (pure, no model)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .cache import CachedTranslation
from .types import Segment

if TYPE_CHECKING:
    from .memory import Match
    from .terms.enforce import TermSlot

__all__ = ["Piece", "join_paragraphs", "stream_order"]


@dataclass
class Piece:
    """One unit of model work: a sentence, or a window of an over-long one.

    Made by :meth:`Translator.prepare` (``doc`` is the index of its text in a batch of texts,
    ``start``/``end`` its span in that text, ``model_text`` the normalised text the model sees
    with untouchables replaced by placeholders, ``originals`` those untouchables, ``tokens``
    its source token count); :meth:`Translator.run` sets ``result``.
    """

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
    key: str = ""  # the translation memory's key of the source ("" without a memory)
    suggestions: list[Match] = field(default_factory=list)
    terms: list[TermSlot] = field(default_factory=list)  # glossary terms protected in it


def stream_order(pieces: Sequence[Piece], first: Collection[int] = ()) -> list[int]:
    """The order a stream yields ``pieces`` in: those of the ``first`` sentences, then the
    others, each part in source order (indices into ``pieces``)."""
    chosen = [i for i, p in enumerate(pieces) if p.sentence in first]
    return chosen + [i for i, p in enumerate(pieces) if p.sentence not in first]


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
