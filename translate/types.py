"""Result types of translation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Segment:
    """One translated piece of the source, in source order.

    ``source`` is the original text span exactly as given (``text[start:end]``). A sentence longer
    than the model's window is split into several segments sharing one ``sentence`` number and
    flagged ``"windowed"``.
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
    # Glossary matches: {"start", "end" (Arabic span in the whole text), "english", "keep",
    # "applied": "placeholder" | "restored" | "missing"}.
    terms: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["flags"] = list(self.flags)
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
