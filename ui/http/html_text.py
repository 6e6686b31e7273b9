"""Translate the text of HTML documents and keep their markup (LibreTranslate's ``format=html``).

The standard library's parser splits a document into markup and text; every text run with
Arabic letters is translated (all runs of all documents in one call, so they share model
batches), everything else is written back as it came. Text inside ``script``, ``style``,
``code``, ``pre`` and elements marked ``translate="no"`` is never touched.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

from translate.text import has_arabic

__all__ = ["translate_html"]

_SKIP = {"script", "style", "code", "pre", "textarea", "noscript"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class _Splitter(HTMLParser):
    """A document as a list of parts: markup (kept as written) and text (unescaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = []  # ("markup" | "text" | "keep", content)
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(("markup", self.get_starttag_text() or f"<{tag}>"))
        if tag in _VOID:
            return
        if self._skip or tag in _SKIP or dict(attrs).get("translate") == "no":
            self._skip.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(("markup", self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(("markup", f"</{tag}>"))
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if self.cdata_elem:  # HTMLParser's own state: inside script/style, content is raw
            self.parts.append(("markup", data))
        else:
            self.parts.append(("keep" if self._skip else "text", data))

    def handle_comment(self, data: str) -> None:
        self.parts.append(("markup", f"<!--{data}-->"))

    def handle_decl(self, decl: str) -> None:
        self.parts.append(("markup", f"<!{decl}>"))

    def handle_pi(self, data: str) -> None:
        self.parts.append(("markup", f"<?{data}>"))

    def unknown_decl(self, data: str) -> None:
        # A CDATA section ends with "]]>", other marked sections (<![if !IE]>) with "]>":
        # the parser hands over the inside only, so the end is written back by its kind.
        end = "]]>" if data.startswith("CDATA[") else "]>"
        self.parts.append(("markup", f"<![{data}{end}"))


def _split(document: str) -> list[tuple[str, str]]:
    parser = _Splitter()
    parser.feed(document)
    parser.close()
    return parser.parts


def translate_html(
    documents: Sequence[str], translate_texts: Callable[[list[str]], list[str]]
) -> list[str]:
    """Each document with its Arabic text runs translated by ``translate_texts`` (one call for
    all runs of all documents); markup, entities' meaning and surrounding spaces are kept."""
    split = [_split(doc) for doc in documents]
    runs = [
        content.strip()
        for parts in split
        for kind, content in parts
        if kind == "text" and has_arabic(content)
    ]
    translated = iter(translate_texts(runs) if runs else [])
    out = []
    for parts in split:
        pieces = []
        for kind, content in parts:
            if kind == "markup":
                pieces.append(content)
            elif kind == "text" and has_arabic(content):
                lead = content[: len(content) - len(content.lstrip())]
                trail = content[len(content.rstrip()) :]
                pieces.append(lead + html.escape(next(translated), quote=False) + trail)
            else:
                pieces.append(html.escape(content, quote=False))
        out.append("".join(pieces))
    return out
