"""The one-call summary: :func:`summarize` picks the method and keeps one model per key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from translate.errors import ConfigError, InputError
from translate.text import lone_surrogate, surrogate_message
from translate.translator import DEFAULT_MAX_CHARS

from .config import DEFAULT_LENGTH, DEFAULT_METHOD, LENGTHS, METHODS, SummarizerConfig
from .types import SummaryResult

if TYPE_CHECKING:
    from .abstractive import Summarizer

__all__ = [
    "DEFAULT_LENGTH",
    "DEFAULT_METHOD",
    "LENGTHS",
    "METHODS",
    "check_input",
    "summarize",
    "summarize_with",
]


def summarize(
    english: str | Sequence[str],
    method: str = "abstractive",
    model: str | None = None,
    backend: str | None = None,
    length: str | int = "medium",
    *,
    device: str = "auto",
    check_language: bool = True,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    summarizer: Summarizer | None = None,
) -> SummaryResult:
    """Summarise English text: a str (split into sentences here) or a list of sentences.

    ``method``: ``abstractive`` (a BART-family model; ``model`` is a models.yaml name or a local
    model directory, None for the default) or ``extractive`` (lead, centrality and form ranked
    sentences, no model, offline). ``length``: ``short``/``medium``/``long`` or an int.
    Extractive: at most 3/5/8 sentences within 65/120/200 words (an int: that many sentences).
    Abstractive: new tokens of the summary (60/130/220; an int is the maximum), with a minimum
    of 40% of it. Never more than the input holds.

    ``result.sentences[i].sources`` index into the input sentences (the list as given, or the
    split of the str), best first: exact for extractive output, estimated for abstractive.
    Raises InputError for empty or non-English input, ConfigError for a bad method or length,
    ModelUnavailableError when the model's weights cannot be found. ``check_language=False``
    skips the "is this English?" check (for machine output, e.g. a translation's segments).
    The input may hold at most ``max_chars`` characters (a list: all its sentences together),
    the same limit as ``translate()`` (None: no limit, for the English of a translation whose
    Arabic was already limited), and no NUL or lone surrogate (InputError naming where).
    ``summarizer``, a :class:`Summarizer` you made, is used instead of the shared instance of
    ``model``/``backend``/``device`` (abstractive only).
    """
    check_input(english, max_chars)
    if method == "extractive":
        from .extractive import extractive_summary

        return extractive_summary(english, length, check_language=check_language)
    if method == "abstractive":
        from .abstractive import shared_summarizer

        if summarizer is None:
            summarizer = shared_summarizer(model, backend, device)
        return summarizer.summarize(english, length, check_language=check_language)
    raise ConfigError(f"method must be one of {', '.join(METHODS)}, not {method!r}.")


def summarize_with(
    english: str | Sequence[str],
    config: SummarizerConfig,
    *,
    check_language: bool = True,
    max_chars: int | None = DEFAULT_MAX_CHARS,
) -> SummaryResult:
    """:func:`summarize` with the model, backend, device, method and length of ``config``."""
    return summarize(
        english,
        method=config.method,
        model=config.model,
        backend=config.backend,
        length=config.length,
        device=config.device,
        check_language=check_language,
        max_chars=max_chars,
    )


def check_input(english: object, max_chars: int | None = DEFAULT_MAX_CHARS) -> None:
    """Raise InputError for a NUL character, a lone surrogate or more than ``max_chars``
    characters in all.

    Other problems (wrong types, empty or non-English text) are reported by the summariser;
    this check only bounds the work before any of it starts.
    """
    if isinstance(english, str):
        items: Sequence[object] = [english]
    elif isinstance(english, Sequence) and not isinstance(english, (bytes, bytearray)):
        items = english
    else:
        return
    total = 0
    for k, item in enumerate(items):
        if not isinstance(item, str):
            continue
        position = item.find("\x00")
        if position >= 0:
            where = f"at character {position}"
            if not isinstance(english, str):
                where = f"in sentence {k}, at character {position}"
            raise InputError(
                f"The input contains a NUL character {where}: it looks like binary data, not text."
            )
        surrogate = lone_surrogate(item)
        if surrogate is not None:
            message = surrogate_message(item, surrogate)
            if not isinstance(english, str):
                message = f"Sentence {k}: {message}"
            raise InputError(message)
        total += len(item)
    if max_chars is not None and total > max_chars:
        raise InputError(
            f"The input has {total:,} characters; the limit is {max_chars:,}. "
            "Split it into several documents or raise the limit (max_chars)."
        )
