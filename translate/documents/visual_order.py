"""Arabic text as PDF writers store it → logical order with base letters (pure functions).

A PDF has no notion of reading order: it draws glyphs at positions. Many writers draw an
Arabic line from left to right, last letter first ("visual order"), and older ones map each
glyph to its contextual presentation form (U+FB50–U+FDFF, U+FE70–U+FEFF) rather than to the
letter. Extracted as is, such text is reversed and in forms no model was trained on.

:func:`looks_visual` decides whether a text's Arabic words run backwards, from evidence that
does not depend on a dictionary: a word's first letter can take an initial form but never a
final one, ة and ى only end words, and the article ال starts them; in visual order all of
these are mirrored. :func:`visual_to_logical` then reverses a line the way the Unicode
bidirectional algorithm lays out a right-to-left paragraph, keeping left-to-right runs (Latin
words, numbers) in their own order and mirroring brackets.
"""

from __future__ import annotations

import re
import unicodedata

_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
_ARABIC_WORD = re.compile("[\u0620-\u064a\u0671-\u06d3\ufb50-\ufdff\ufe70-\ufefe]{2,}")
_FORMS = {
    "<initial>": "initial",
    "<medial>": "medial",
    "<final>": "final",
    "<isolated>": "isolated",
}
_ENDS_ONLY = ("\u0629", "\u0649")  # ة ى
_ARTICLE = "\u0627\u0644"  # ال
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


def _form(ch: str) -> str | None:
    decomposition = unicodedata.decomposition(ch)
    return _FORMS.get(decomposition.split(" ", 1)[0]) if decomposition else None


def fold_presentation_forms(text: str) -> str:
    """Replace Arabic presentation forms (ligatures included) by the letters they show."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def order_votes(text: str) -> tuple[int, int]:
    """(logical, visual): how many Arabic words of ``text`` look written forwards, backwards."""
    logical = visual = 0
    for match in _ARABIC_WORD.finditer(text):
        word = match.group()
        first, last = _form(word[0]), _form(word[-1])
        if first in ("initial",) or last in ("final",):
            logical += 1
        if first in ("final", "medial") or last in ("initial", "medial"):
            visual += 1
        letters = fold_presentation_forms(word)
        if letters.endswith(_ENDS_ONLY) or (len(letters) >= 4 and letters.startswith(_ARTICLE)):
            logical += 1
        if letters.startswith(_ENDS_ONLY) or (
            len(letters) >= 4 and letters.endswith(_ARTICLE[::-1])
        ):
            visual += 1
    return logical, visual


def looks_visual(text: str) -> bool:
    """True if the Arabic words of ``text`` are, on the evidence, stored last letter first."""
    logical, visual = order_votes(text)
    return visual > logical


def _bidi_class(ch: str) -> str:
    """L (left-to-right letter), N (digit), E (number suffix/prefix), R (right-to-left), O."""
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "L"
    if kind in ("EN", "AN"):
        return "N"
    if kind == "ET":
        return "E"
    if kind in ("R", "AL"):
        return "R"
    return "O"


# A left-to-right run: strong L or digits, with whatever non-RTL characters lie between them,
# and number signs (% $ #) on either side.
# The look-behind starts a run only where a run of E starts: a match starting inside one fails
# exactly when one from its start does, and retrying each E of a long "%%%…" was quadratic.
_LTR_RUN = re.compile(r"(?<!E)E*[LN](?:[^R]*[LN])?E*")


def has_rtl(text: str) -> bool:
    return any(_bidi_class(ch) == "R" for ch in text)


def visual_to_logical(line: str) -> str:
    """One line of a right-to-left paragraph stored in visual order → logical order.

    The line is reversed; left-to-right runs inside it are turned back; brackets outside those
    runs are mirrored (a visual ")" opens an Arabic parenthesis). A line without right-to-left
    letters is returned unchanged.
    """
    if not has_rtl(line):
        return line
    reversed_line = line[::-1]
    classes = "".join(_bidi_class(ch) for ch in reversed_line)
    out: list[str] = []
    position = 0
    for run in _LTR_RUN.finditer(classes):
        out.append(reversed_line[position : run.start()].translate(_MIRROR))
        out.append(reversed_line[run.start() : run.end()][::-1])
        position = run.end()
    out.append(reversed_line[position:].translate(_MIRROR))
    return "".join(out)


def logical_lines(lines: list[str]) -> list[str]:
    """Lines of one page or text box → logical order with base letters.

    The order is judged on all the lines together (a writer stores a page one way), then each
    line holding right-to-left letters is reversed if needed; presentation forms are folded.
    """
    reverse = looks_visual("\n".join(lines))
    out = []
    for line in lines:
        if reverse:
            line = visual_to_logical(line)
        out.append(fold_presentation_forms(line))
    return out
