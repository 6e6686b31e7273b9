"""A person's corrections of a translation: applied to its segments, its summary made again,
and carried into every export with the machine's version kept beside them.

Edits are ``{segment index: English}``. An edited segment becomes an :class:`EditedSegment`:
its ``target`` is the person's English, ``machine`` the model's, ``flags`` just ``("edited",)``
(the model's flags described the model's words, not these), no confidence and no weak spans
(a person's words are not the model's). Its JSON says ``"edited": true`` and ``"machine"``;
the TMX, XLIFF and .docx writers mark it as a human translation (they look for the
``"edited"`` flag and a ``machine`` attribute).

No gradio, no HTTP: the page (``ui/web/editor.py``) and ``POST /api/v1/digest`` with
``edits`` both call :func:`digest_with_edits` / :func:`apply_edits`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from translate.documents.translation import SentencePair, TranslatedBlock, review_flags
from translate.errors import InputError
from translate.translator import join_paragraphs
from translate.types import Segment, TranslationResult

from .errors import InputTooLarge

if TYPE_CHECKING:
    from .workbench import Workbench

__all__ = [
    "alternatives_json",
    "EDITED_FLAG",
    "MAX_EDIT_RATIO",
    "ConfirmedEdit",
    "EditedPair",
    "EditedSegment",
    "SaveEdit",
    "apply_edits",
    "apply_edits_to_document",
    "check_edits",
    "digest_with_edits",
    "no_save",
]

EDITED_FLAG = "edited"
# An edit may be this many times longer than its Arabic (plus a floor): English runs longer
# than Arabic, but an edit 100x its sentence is not a correction, and each costs summary time.
MAX_EDIT_RATIO = 4
_EDIT_FLOOR = 200


@dataclass(frozen=True)
class EditedSegment(Segment):
    """A segment whose English a person wrote; ``machine`` is what the model wrote."""

    machine: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["edited"] = True
        data["machine"] = self.machine
        return data


@dataclass(frozen=True)
class ConfirmedEdit:
    """One correction a person confirmed: the Arabic, their English, the model's English, and
    the model (public name) that wrote it — what a translation memory keeps."""

    source: str
    target: str
    machine: str
    model: str | None


SaveEdit = Callable[[ConfirmedEdit], None]


def no_save(edit: ConfirmedEdit) -> None:
    """The default save hook: keep nothing (a translation memory replaces it)."""


def check_edits(segments: list[Segment], edits: Mapping[int | str, str] | None) -> dict[int, str]:
    """``edits`` with integer keys, checked against ``segments``: InputError for an index that
    is not a segment's or a value that is not text; InputTooLarge for an edit over
    ``MAX_EDIT_RATIO`` times its Arabic (at least 200 characters). Cost: one pass over them."""
    checked: dict[int, str] = {}
    for key, english in (edits or {}).items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            raise InputError(f"edits: {str(key)[:20]!r} is not a segment index.") from None
        if not 0 <= index < len(segments):
            raise InputError(f"edits: there is no segment {index} (this text has {len(segments)}).")
        if not isinstance(english, str):
            raise InputError(f"edits: the English of segment {index} must be text.")
        limit = max(_EDIT_FLOOR, MAX_EDIT_RATIO * len(segments[index].source))
        if len(english) > limit:
            raise InputTooLarge(
                f"edits: the English of segment {index} is {len(english):,} characters; "
                f"at most {limit:,} for this sentence."
            )
        checked[index] = english.strip()
    return checked


def edited_segment(segment: Segment, english: str) -> Segment:
    """``segment`` with a person's English (the machine's kept); the same English as the
    machine's (or an edit undone) gives back the plain segment."""
    machine = segment.machine if isinstance(segment, EditedSegment) else segment.target
    if english == machine:
        return machine_segment(segment)
    fields = {k: getattr(segment, k) for k in Segment.__dataclass_fields__}
    fields.update(target=english, flags=(EDITED_FLAG,), confidence=None, weak=(), score=None)
    return EditedSegment(**fields, machine=machine)


def machine_segment(segment: Segment) -> Segment:
    """The model's own segment back from an edited one (itself when not edited). Its flags,
    confidence and weak spans were not kept: they are recomputed on a new translation."""
    if not isinstance(segment, EditedSegment):
        return segment
    fields = {k: getattr(segment, k) for k in Segment.__dataclass_fields__}
    fields.update(target=segment.machine, flags=())
    return Segment(**fields)


def apply_edits(
    result: TranslationResult, edits: Mapping[int | str, str] | None, source: str
) -> TranslationResult:
    """``result`` (the translation of ``source``) with ``edits`` applied: the text rebuilt
    with the source's paragraph breaks, ``meta["edited"]`` the indices a person changed."""
    checked = check_edits(result.segments, edits)
    if not checked:
        return result
    segments = [
        edited_segment(seg, checked[i]) if i in checked else seg
        for i, seg in enumerate(result.segments)
    ]
    changed = [i for i, seg in enumerate(segments) if isinstance(seg, EditedSegment)]
    meta = dict(result.meta)
    meta["edited"] = changed
    return replace(result, text=join_paragraphs(source, segments), segments=segments, meta=meta)


def digest_with_edits(
    bench: Workbench,
    text: str,
    edits: Mapping[int | str, str] | None,
    model: str | None = None,
    method: str | None = None,
    length: str | int | None = None,
    *,
    glossary: Any = None,
) -> Any:
    """The Digest of ``text`` with a person's ``edits`` applied and the summary made over the
    edited English (its sources still index the segments). The translation comes from the
    shared translator, whose sentence cache holds what was translated before: asking again
    after an edit translates nothing again."""
    from summarize import Digest
    from summarize.digest import check_summary_options

    check_summary_options(method or bench.summary_method, length or bench.config.summary_length)
    translation = apply_edits(bench.translate(text, model, glossary=glossary), edits, text)
    targets = [segment.target for segment in translation.segments]
    summary = bench.summarize(targets, method, length, from_translation=True)
    return Digest(source=text, translation=translation, summary=summary)


def apply_edits_to_document(translated: Any, segments: list[Segment]) -> Any:
    """A ``TranslatedDocument`` with the edits among ``segments`` (the page's segments of the
    same text) applied to its blocks and sentence pairs, matched by their Arabic in order (the
    document is translated block by block, so its segment numbers differ from the page's).

    Subtitles: the page shows each cue as its own paragraph, and a person corrects the English
    of a cue. Every cue of a run that holds an edit (cues the document translated as one
    sentence, its words spread over their timings) takes the page's English of each cue, so
    the corrected words are neither lost nor doubled by the run's machine spread; those cues
    are marked edited. Their sentence pairs (TMX, XLIFF) take the edits of whole sentences.
    """
    queue: dict[str, list[Segment]] = {}
    for seg in segments:
        if isinstance(seg, EditedSegment):
            queue.setdefault(seg.source.strip(), []).append(seg)
    if not queue:
        return translated
    if translated.document.is_subtitles:
        pairs = [_edited_pair(pair, queue) for pair in translated.pairs]
        return replace(translated, blocks=_edited_cues(translated, segments), pairs=tuple(pairs))
    blocks = []
    rebuilt: dict[int, list[SentencePair]] = {}
    for number, item in enumerate(translated.blocks):
        new = []
        for seg in item.segments:
            waiting = queue.get(seg.source.strip())
            new.append(edited_segment(seg, waiting.pop(0).target) if waiting else seg)
        if new == list(item.segments):
            blocks.append(item)
            continue
        target = join_paragraphs(item.block.translation_text, new)
        flags = tuple(sorted({f for s in new for f in s.flags}))
        blocks.append(TranslatedBlock(item.block, target, tuple(new), flags, item.error))
        rebuilt[number] = _block_pairs(number, item.block.translation_text, new)
    pairs: list[SentencePair] = []
    for pair in translated.pairs:  # each pair of a non-subtitle document has one block
        number = pair.blocks[0]
        if number not in rebuilt:
            pairs.append(pair)
        elif rebuilt[number]:
            pairs += rebuilt.pop(number)
            rebuilt[number] = []  # emitted once, in place of the block's first pair
    return replace(translated, blocks=tuple(blocks), pairs=tuple(pairs))


def _edited_cues(translated: Any, segments: list[Segment]) -> tuple[TranslatedBlock, ...]:
    """The cue blocks with the page's English in every run that holds an edit (see
    :func:`apply_edits_to_document`). ``segments`` index the document's text."""
    from translate.documents import document_text, segments_by_block
    from translate.documents.translation import cue_runs

    # block number -> the page's segments in it
    page = segments_by_block(document_text(translated.document).spans, segments)
    blocks = list(translated.blocks)
    for run in cue_runs(translated.document):
        if not any(isinstance(s, EditedSegment) for n in run for s in page.get(n, ())):
            continue
        for number in run:
            mine = page.get(number, [])
            if not mine:
                continue
            item = blocks[number]
            target = " ".join(s.target for s in mine if s.target)
            edited = any(isinstance(s, EditedSegment) for s in mine)
            flags = (EDITED_FLAG,) if edited else review_flags([f for s in mine for f in s.flags])
            blocks[number] = TranslatedBlock(item.block, target, item.segments, flags, item.error)
    return tuple(blocks)


@dataclass(frozen=True)
class EditedPair(SentencePair):
    """A sentence pair whose English a person wrote (in whole or part); ``machine`` is the
    model's English of the sentence."""

    machine: str = ""


def _block_pairs(number: int, text: str, segments: list[Segment]) -> list[SentencePair]:
    """The sentence pairs of one block (windows of a sentence joined), edited ones marked."""
    groups: dict[int, list[Segment]] = {}
    for seg in segments:
        groups.setdefault(seg.sentence, []).append(seg)
    pairs: list[SentencePair] = []
    for segs in groups.values():
        source = text[segs[0].start : segs[-1].end]
        target = " ".join(s.target for s in segs if s.target)
        if any(isinstance(s, EditedSegment) for s in segs):
            machine = " ".join(machine_segment(s).target for s in segs if machine_segment(s).target)
            pairs.append(EditedPair(source, target, (number,), (EDITED_FLAG,), machine=machine))
        else:
            flags = tuple(dict.fromkeys(f for s in segs for f in s.flags))
            pairs.append(SentencePair(source, target, (number,), flags))
    return pairs


def _edited_pair(pair: SentencePair, queue: dict[str, list[Segment]]) -> SentencePair:
    waiting = queue.get(pair.source.strip())
    if not waiting:
        return pair
    edit = waiting.pop(0)
    return EditedPair(pair.source, edit.target, pair.blocks, (EDITED_FLAG,), machine=pair.target)


def alternatives_json(
    bench: Workbench, result: TranslationResult, n: int, model: str | None = None
) -> dict[str, Any]:
    """The JSON of ``result`` with, on each segment, ``alternatives``: up to ``n`` (at most 5)
    other translations from its beam search, each ``{"target", "confidence"}`` (none for a
    segment the model did not write). ``n=0`` adds nothing and costs nothing."""
    from translate.alternatives import check_count, segment_alternatives

    data = bench.translation_json(result)
    if check_count(n) == 0:
        return data
    translator = bench.pool.translator(model).translator
    found = segment_alternatives(translator, result, n)
    for segment, alternatives in zip(data["segments"], found, strict=True):
        segment["alternatives"] = [a.to_dict() for a in alternatives]
    return data
