"""Result types of translation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    """A near match from the translation memory, offered beside the machine's translation.

    Never substituted: ``similarity`` (normalised Indel ratio on the normalised Arabic, below
    1.0) is at least the memory's threshold. ``id`` is the unit's id in the memory.
    """

    id: int
    source: str
    target: str
    similarity: float


@dataclass(frozen=True)
class Segment:
    """One translated piece of the source, in source order.

    ``source`` is the original text span exactly as given (``text[start:end]``). A sentence longer
    than the model's window is split into several segments sharing one ``sentence`` number and
    flagged ``"windowed"``. A segment taken from the translation memory is flagged ``"memory"``;
    ``suggestions`` holds the memory's near matches of the others.

    ``confidence`` is the geometric mean of the probabilities of the tokens the model chose
    (``exp(score)``), None for text the model did not write (passthrough). ``weak`` holds the
    character spans ``(start, end)`` in ``target`` of words with a token the model gave a
    probability below 0.5; restored untouchables are never weak; None where they were not
    computed (``TranslatorConfig.weak_words`` off, as in batch jobs).
    """

    index: int
    source: str
    start: int
    end: int
    target: str
    paragraph: int
    sentence: int
    flags: tuple[str, ...] = ()
    score: float | None = None
    confidence: float | None = None
    weak: tuple[tuple[int, int], ...] | None = ()
    suggestions: tuple[Suggestion, ...] = ()
    # Glossary matches: {"start", "end" (Arabic span in the whole text), "english", "keep",
    # "applied": "placeholder" | "restored" | "missing"}.
    terms: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["flags"] = list(self.flags)
        data["weak"] = None if self.weak is None else [list(span) for span in self.weak]
        data["suggestions"] = [asdict(s) for s in self.suggestions]
        data["terms"] = [dict(t) for t in self.terms]
        return data


@dataclass(frozen=True)
class TranslationResult:
    """A whole translated text: ``text`` keeps the paragraph breaks of the source."""

    text: str
    segments: list[Segment]
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float | None:
        """The lowest confidence of any segment the model wrote (None when it wrote none)."""
        values = [seg.confidence for seg in self.segments if seg.confidence is not None]
        return min(values) if values else None

    @property
    def flags(self) -> list[str]:
        """Every flag raised on any segment, sorted and without repeats."""
        return sorted({flag for seg in self.segments for flag in seg.flags})

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "segments": [seg.to_dict() for seg in self.segments],
            "meta": dict(self.meta),
            "warnings": list(self.warnings),
            "flags": self.flags,
        }
