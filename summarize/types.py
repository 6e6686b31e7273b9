"""Result types of summarization and of the one-call digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from translate.types import TranslationResult


@dataclass(frozen=True)
class SummarySentence:
    """One sentence of a summary and where it came from.

    ``sources`` are indices into the summarised sentences (the list as given, or the split of
    the string), best first. For extractive output they are exact: the sentence *is* that input
    sentence. For abstractive output they are an estimate by lexical overlap, and the sentence
    carries the flag ``"estimated-sources"``; an empty list means no input sentence overlapped.
    """

    text: str
    sources: list[int]
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "sources": list(self.sources), "flags": list(self.flags)}


@dataclass(frozen=True)
class SummaryResult:
    """A summary: its text, its sentences with provenance, how it was made, and its flags.

    ``flags`` (result level): ``extractive-fallback`` (the abstractive rounds did not fit one
    window, or stopped shrinking, so sentences were selected from the partial summaries),
    ``guard-retried`` (an output was empty, longer than its input or repetitive and was decoded
    again with stricter settings), ``guard-replaced`` (it still was, so an extractive selection
    took its place).
    """

    text: str
    sentences: list[SummarySentence]
    meta: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sentences": [s.to_dict() for s in self.sentences],
            "meta": dict(self.meta),
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Digest:
    """An Arabic article, its English translation, and a summary of that translation.

    ``summary.sentences[i].sources`` index into ``translation.segments``.
    """

    source: str
    translation: TranslationResult
    summary: SummaryResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "translation": self.translation.to_dict(),
            "summary": self.summary.to_dict(),
        }
