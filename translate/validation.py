"""validate_text: whether a text can be translated, said once at each edge (pure, no model)."""

from __future__ import annotations

from . import text as T
from .config import DEFAULT_MAX_CHARS
from .errors import InputError


def validate_text(text: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return ``text`` if it can be translated, else raise an InputError saying why."""
    if isinstance(text, (bytes, bytearray)):
        raise InputError("The input is bytes, not text: decode it as UTF-8 first.")
    if not isinstance(text, str):
        raise InputError(f"The input must be a string of Arabic text, not {type(text).__name__}.")
    if "\x00" in text or "\ufffd" in text[:10000] and text.count("\ufffd") > 10:
        raise InputError("The input looks like binary data, not text (NUL or undecodable bytes).")
    if not text.strip():
        raise InputError("The input is empty." if not text else "The input is only whitespace.")
    position = T.lone_surrogate(text)
    if position is not None:
        raise InputError(T.surrogate_message(text, position))
    if len(text) > max_chars:
        raise InputError(
            f"The input has {len(text):,} characters; the limit is {max_chars:,}. "
            "Split it into several documents or raise the limit (max_chars / --max-chars)."
        )
    if not T.has_arabic(text):
        raise InputError(
            "The input contains no Arabic letters; tarjama translates Arabic into English."
        )
    return text
