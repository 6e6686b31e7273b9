"""Glossaries on a server: the default one (``--glossary FILE``) and a request's own entries.

Merge rule: a request's entries are added to the server's default glossary, and where both give
the same Arabic term the request's entry wins (:meth:`translate.terms.Glossary.extended`). A
request without entries uses the default unchanged. A request's list is bounded
(:data:`MAX_REQUEST_ENTRIES`) so that its matcher costs little beside the translation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from translate.terms import Glossary, GlossaryError, load_glossary

__all__ = ["MAX_REQUEST_ENTRIES", "load_server_glossary", "page_glossary", "request_glossary"]

MAX_REQUEST_ENTRIES = 1000


def load_server_glossary(path: str | Path | None) -> Glossary | None:
    """The server's default glossary (None without a file); GlossaryError names the line."""
    return None if path is None else load_glossary(Path(path).expanduser())


def request_glossary(
    entries: Sequence[Mapping[str, Any]] | None, default: Glossary | None
) -> Glossary | None:
    """The glossary of one request: ``entries`` (``{"arabic", "english"?, "note"?}``) over the
    server's ``default``. Raises GlossaryError naming the entry (HTTP 400)."""
    if not entries:
        return default
    if len(entries) > MAX_REQUEST_ENTRIES:
        raise GlossaryError(
            f"A request's glossary holds at most {MAX_REQUEST_ENTRIES} entries "
            f"(this one has {len(entries)}); give the server a glossary file instead."
        )
    own = Glossary.from_entries(entries, name="request")
    return default.extended(own) if default is not None else own


def page_glossary(
    file: str | Path | None, rows: Sequence[Sequence[Any]] | None, default: Glossary | None
) -> Glossary | None:
    """The glossary of a page run: the list's ``rows`` (``[arabic, english]``; blank rows
    skipped) over the uploaded ``file``'s entries, over the server's ``default``."""
    glossary = default
    if file:
        uploaded = load_glossary(Path(file))
        glossary = glossary.extended(uploaded) if glossary is not None else uploaded
    entries = [
        {"arabic": str(row[0] or ""), "english": str(row[1] or "") if len(row) > 1 else ""}
        for row in rows or []
        if row and str(row[0] or "").strip()
    ]
    return request_glossary(entries, glossary)
