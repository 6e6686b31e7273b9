"""SummarizerConfig: what makes a summary, as one frozen value beside ``TranslatorConfig``.

The surfaces build it once from their flags or settings and pass it down, instead of carrying
loose ``model``/``backend``/``device``/``method``/``length`` arguments through every call.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LENGTH", "DEFAULT_METHOD", "LENGTHS", "METHODS", "SummarizerConfig"]

METHODS = ("abstractive", "extractive")
LENGTHS = ("short", "medium", "long")  # or a positive int
DEFAULT_METHOD = "abstractive"
DEFAULT_LENGTH = "medium"


@dataclass(frozen=True)
class SummarizerConfig:
    """The summary model (a models.yaml name or a local directory; None: the default), its
    backend and device, and the method and length of a summary (see :func:`summarize`)."""

    model: str | None = None
    backend: str | None = None
    device: str = "auto"
    method: str = DEFAULT_METHOD
    length: str | int = DEFAULT_LENGTH
