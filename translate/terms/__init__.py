"""Glossaries: newsroom terms matched the Arabic way and enforced in the translation.

Public: :class:`Glossary` (``from_entries``, ``fingerprint``), :class:`GlossaryEntry`,
:func:`load_glossary`, :class:`GlossaryError`, :class:`TermMatch`, :func:`find_terms`.
"""

from __future__ import annotations

from pathlib import Path

from .glossary import Glossary, GlossaryEntry, GlossaryError, load_glossary
from .matching import TermMatch

__all__ = [
    "Glossary",
    "GlossaryEntry",
    "GlossaryError",
    "TermMatch",
    "as_glossary",
    "find_terms",
    "load_glossary",
]


def find_terms(glossary: Glossary, normalised: str) -> list[TermMatch]:
    """The glossary's terms in ``normalised`` text (see :mod:`translate.terms.matching`)."""
    return glossary.matcher.find(normalised)


def as_glossary(value: Glossary | str | Path | None) -> Glossary | None:
    """A Glossary from a Glossary, a file path, or None."""
    if value is None or isinstance(value, Glossary):
        return value
    if isinstance(value, (str, Path)):
        return load_glossary(value)
    raise GlossaryError(f"A glossary is a Glossary or a file path, not {type(value).__name__}.")
