"""Applying a glossary to one sentence, and checking the model's output afterwards.

Technique: a matched term leaves the model's input as a placeholder, numbered with the protected
spans of :func:`translate.text.protect_untouchables` (``__U0__``...), its original being the
English term (or the Arabic as written, for keep-as-written entries). The proclitics و ف ب ك ل
stay before the placeholder as separate words (وللرئيس → ``ول __U0__``) so the model still
reads "and to"; the article and any suffix go with the term.

Placeholders are unreliable with models not trained on them, so the promise is kept by the
check after decoding (:func:`restore_terms`), not by the model:

* a placeholder found (even mangled as the untouchables' pattern tolerates) → the term, in place;
* a placeholder repeated → the copies are removed (``term-restored``);
* a placeholder lost → the term is inserted right after the nearest found placeholder before
  it, else right before the nearest one after it, else at the word of the output proportional
  to its place in the input (``term-restored``);
* an output with no word at all → nothing can be placed (``term-missing``).

Finally every term's exact English (case kept) must occur in the output as many times as it
was matched; otherwise the segment is flagged ``term-missing``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import _PLACEHOLDER_RE, normalize, protect_untouchables, restore_untouchables
from .matching import TermMatch

__all__ = ["TermSlot", "align_offsets", "protect_terms", "restore_terms", "term_records"]

_PLACEHOLDER = "__U{}__"
_OWN_PLACEHOLDER = re.compile(r"__U([0-9]+)__")
# What is left of a placeholder mangled past recognition ("__U", "U3__"): an underscore pair
# next to U or a number. "U2" alone is left alone (it can be a name).
_RESIDUE = re.compile(r"_{2}[ ]?[Uu]?[ ]?[0-9]*[ ]?_*|(?<![A-Za-z])[Uu][ ]?[0-9]+[ ]?_{1,2}")


@dataclass(frozen=True)
class TermSlot:
    """A term placed in a model input: which placeholder, what must come back, which match."""

    index: int  # the placeholder number
    required: str  # the English, or the Arabic as written (keep-as-written)
    match: TermMatch


def protect_terms(
    normalised: str, matches: Sequence[TermMatch]
) -> tuple[str, list[str], list[TermSlot]]:
    """The model input of ``normalised`` text with ``matches`` and the untouchables protected.

    Returns the input, the originals (index i for ``__Ui__``) and one slot per match.
    """
    pieces: list[str] = []
    originals: list[str] = []
    slots: list[TermSlot] = []
    cursor = 0

    def protect_plain(segment: str) -> None:
        # The untouchables of the text between terms, renumbered after those before them.
        text, found = protect_untouchables(segment)
        offset = len(originals)
        pieces.append(
            _OWN_PLACEHOLDER.sub(lambda m: _PLACEHOLDER.format(int(m.group(1)) + offset), text)
        )
        originals.extend(found)

    for match in matches:
        protect_plain(normalised[cursor : match.start])
        required = match.entry.english or normalised[match.term_start : match.end]
        slots.append(TermSlot(len(originals), required, match))
        clitics = match.clitics
        pieces.append((clitics + " " if clitics else "") + _PLACEHOLDER.format(len(originals)))
        originals.append(required)
        cursor = match.end
    protect_plain(normalised[cursor:])
    return "".join(pieces), originals, slots


def _found_indices(output: str) -> dict[int, int]:
    """First position of each placeholder number the output holds."""
    found: dict[int, int] = {}
    for match in _PLACEHOLDER_RE.finditer(output):
        index = int(match.group(1).replace(" ", ""))
        found.setdefault(index, match.start())
    return found


def _insertion_point(output: str, model_input: str, slot: int, found: dict[int, int]) -> int:
    """Where a lost placeholder goes back: after its found predecessor, before its found
    successor, or at the proportional word boundary."""
    before = [i for i in found if i < slot]
    after = [i for i in found if i > slot]
    if before:
        anchor = found[max(before)]
        end = _PLACEHOLDER_RE.match(output, anchor)
        return end.end() if end else anchor
    if after:
        return found[min(after)]
    position = model_input.find(_PLACEHOLDER.format(slot))
    share = position / max(1, len(model_input)) if position >= 0 else 1.0
    bounds = [m.start() for m in re.finditer(r"(?<!\S)\S", output)] + [len(output)]
    return bounds[min(len(bounds) - 1, round(share * (len(bounds) - 1)))]


def _clean_residue(output: str) -> str:
    """Remove the remains of mangled placeholders between the recognised ones."""
    parts: list[str] = []
    cursor = 0
    for match in _PLACEHOLDER_RE.finditer(output):
        parts += [_RESIDUE.sub(" ", output[cursor : match.start()]), match.group()]
        cursor = match.end()
    parts.append(_RESIDUE.sub(" ", output[cursor:]))
    return re.sub(r" {2,}", " ", "".join(parts)).strip()


def _insert(output: str, at: int, text: str) -> str:
    head, tail = output[:at].rstrip(" "), output[at:].lstrip(" ")
    return " ".join(part for part in (head, text, tail) if part)


def restore_terms(
    output: str, model_input: str, originals: Sequence[str], slots: Sequence[TermSlot]
) -> tuple[str, bool, list[str], list[str]]:
    """Restore placeholders in a model output, repairing lost or repeated term placeholders.

    Returns the text, whether every *untouchable* was in place, the flags (``term-restored``,
    ``term-missing``) and each slot's outcome (``placeholder``, ``restored``, ``missing``).
    """
    flags: list[str] = []
    outcomes = ["placeholder"] * len(slots)
    if slots and not any(ch.isalnum() for ch in _PLACEHOLDER_RE.sub("", output)):
        # Nothing the model said to place a term in: restoring would pass a bare list of
        # terms off as a translation.
        text, in_place = restore_untouchables(output, list(originals))
        return text, in_place, ["term-missing"], ["missing"] * len(slots)
    counts = Counter(int(m.group(1).replace(" ", "")) for m in _PLACEHOLDER_RE.finditer(output))
    term_indices = {slot.index for slot in slots}
    # Untouchables are judged on the output as the model gave it.
    untouchables_in_place = all(
        counts[i] > 0 for i in range(len(originals)) if i not in term_indices
    )
    for number, slot in enumerate(slots):
        found = _found_indices(output)
        if slot.index not in found:
            at = _insertion_point(output, model_input, slot.index, found)
            output = _insert(output, at, _PLACEHOLDER.format(slot.index))
            outcomes[number] = "restored"
        elif counts[slot.index] > 1:
            outcomes[number] = "restored"
    if any(o == "restored" for o in outcomes):
        flags.append("term-restored")
        output = _clean_residue(output)
    text, _ = restore_untouchables(output, list(originals))
    wanted = Counter(slot.required for slot in slots)
    for required, count in wanted.items():
        if text.count(required) < count:
            flags.append("term-missing")
            for number, slot in enumerate(slots):
                if slot.required == required:
                    outcomes[number] = "missing"
    return text, untouchables_in_place, list(dict.fromkeys(flags)), outcomes


def term_records(
    slots: Sequence[TermSlot], outcomes: Sequence[str], offsets: Sequence[int] | None, base: int
) -> tuple[dict[str, object], ...]:
    """The ``terms`` of a segment: Arabic span (offsets into the whole source), English, how.

    ``offsets`` maps normalised positions of the segment to positions of its source (None:
    identical); ``base`` is the segment's start in the whole text.
    """
    records = []
    for slot, outcome in zip(slots, outcomes, strict=True):
        match = slot.match
        start, end = match.term_start, match.end
        if offsets is not None:
            start, end = offsets[start], offsets[end - 1] + 1
        records.append(
            {
                "start": base + start,
                "end": base + end,
                "english": match.entry.english,
                "keep": match.entry.keep,
                "applied": outcome,
            }
        )
    return tuple(records)


def align_offsets(source: str, normalised: str) -> list[int]:
    """For each position of ``normalize(source)``, the position in ``source`` it comes from.

    Normalisation maps characters one by one, drops some and merges spaces, so a two-pointer
    walk aligns them in linear time. A position that cannot be aligned gets its predecessor's.
    """
    offsets = [-1] * len(normalised)
    j = 0
    for i, ch in enumerate(source):
        if j >= len(normalised):
            break
        if ch.isspace():
            piece = "\n" if ch in "\n\r\x85\u2028\u2029" else " "
        else:
            piece = normalize(ch)
        if piece and normalised.startswith(piece, j):
            for k in range(j, j + len(piece)):
                offsets[k] = i
            j += len(piece)
    last = 0
    for k, value in enumerate(offsets):
        if value < 0:
            offsets[k] = last
        last = offsets[k]
    return offsets
