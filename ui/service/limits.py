"""A server's input limits, alike for the page and the HTTP API: characters per request (a
list counts as the sum of its items), items or sentences per request."""

from __future__ import annotations

from collections.abc import Sequence

from translate import InputError

from .config import AppConfig
from .errors import InputTooLarge

__all__ = ["Limits"]


class Limits:
    """The checks of one server's ``max_chars`` and ``max_items``."""

    def __init__(self, config: AppConfig) -> None:
        self.max_chars = config.max_chars
        self.max_items = config.max_items

    def check_text(self, text: object) -> str:
        """A text within this server's size limit, else InputTooLarge (413). Only the size:
        the batching translator validates the rest (empty, not Arabic…) as it takes the text,
        so a request is validated once."""
        if not isinstance(text, str):
            raise InputError("The text must be a string.")
        if len(text) > self.max_chars:
            raise InputTooLarge(
                f"The text has {len(text):,} characters; this server accepts up to "
                f"{self.max_chars:,} per request."
            )
        return text

    def check_total(self, texts: Sequence[str], what: str = "texts") -> None:
        """A list of texts counts against the same limit as one text: the sum of its items."""
        if len(texts) > self.max_items:
            raise InputTooLarge(
                f"The request has {len(texts):,} {what}; this server accepts up to "
                f"{self.max_items:,}."
            )
        total = sum(len(t) for t in texts)
        if total > self.max_chars:
            raise InputTooLarge(
                f"The {what} have {total:,} characters in all; this server accepts up to "
                f"{self.max_chars:,} per request."
            )

    def check_english(self, text: object) -> str | list[str]:
        """Summary input (a str or a list of str) within the same limits as a translation."""
        if isinstance(text, str):
            from summarize.english import split_sentences

            self.check_total([text], "characters")
            if len(split_sentences(text)) > self.max_items:
                raise InputTooLarge(
                    f"The text has more than {self.max_items:,} sentences; this server "
                    "summarises up to that many per request."
                )
            return text
        if isinstance(text, list) and all(isinstance(item, str) for item in text):
            self.check_total(text, "sentences")
            return text
        raise InputError("The text must be a string or a list of strings (sentences).")
