"""The page's editor, as plain state and frames: open a sentence of the last run (its
alternatives fetched then), accept a person's English or an alternative, undo; the translation
panel, the summary (extractive at once, the chosen method on request), the view and every
download follow. No gradio here: ``ui/web/editor_panel.py`` lays out and wires the controls.

A row of the view is one source sentence (the windows of a long sentence are one row): its
edit goes to its first segment, the row's other windows become empty edited segments, so the
English is neither lost nor doubled. The model's segments are kept: undo and the downloads'
``machine`` read them.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from translate import Segment, TarjamaError
from translate.translator import join_paragraphs
from translate.types import TranslationResult

from ..service.edits import ConfirmedEdit, edited_segment
from ..service.errors import InputTooLarge
from ..service.workbench import Workbench
from . import render
from .downloads import write_run_downloads
from .runs import Frame

__all__ = ["ALTERNATIVES", "EditState", "PageEdits"]

log = logging.getLogger(__name__)
ALTERNATIVES = 3  # fetched when a sentence is opened: one n-best search of that sentence
_MAX_SESSIONS = 256
_EDIT_FLOOR, _EDIT_RATIO = 200, 4  # as ui.service.edits: a correction, not a new article


@dataclass
class EditState:
    """One session's finished run and what a person changed in it."""

    source: str
    model: str | None
    method: str
    length: str | None
    machine: list[Segment]
    meta: dict[str, Any]
    document: Any = None
    view: Any = None  # the run's glossary view of the server's translator (None: none)
    key: str = "api"  # the session, whose download folder the edited files replace
    summary: Any = None
    summary_method: str = ""
    rows: dict[int, str] = field(default_factory=dict)  # row number (1-based) → English
    history: list[tuple[int, str | None]] = field(default_factory=list)  # for undo
    alternatives: dict[int, list[Any]] = field(default_factory=dict)  # row → Alternatives

    def aligned(self) -> list[render.AlignedRow]:
        return render.aligned_rows(self.machine)

    def segments(self) -> list[Segment]:
        """The model's segments with the person's English in place."""
        segments = list(self.machine)
        for number, english in self.rows.items():
            indices = self.aligned()[number - 1].segments
            for k, index in enumerate(indices):
                segments[index] = edited_segment(self.machine[index], english if k == 0 else "")
        return segments

    def english(self, number: int) -> str:
        """The row's English as it stands (the person's, else the model's)."""
        if number in self.rows:
            return self.rows[number]
        return self.aligned()[number - 1].target


class PageEdits:
    """The editor of each browser session over one :class:`Workbench`."""

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench
        self._states: OrderedDict[str, EditState] = OrderedDict()
        self._lock = threading.Lock()

    def begin(self, session: str | None, state: EditState) -> list[tuple[str, int]]:
        """A run finished: its sentences can now be edited. Returns the editor's choices."""
        state.key = session or "api"
        with self._lock:
            self._states[session or "api"] = state
            self._states.move_to_end(session or "api")
            while len(self._states) > _MAX_SESSIONS:
                self._states.popitem(last=False)
        return self.choices(state)

    def forget(self, session: str | None) -> None:
        with self._lock:
            self._states.pop(session or "api", None)

    def state(self, session: str | None) -> EditState | None:
        with self._lock:
            return self._states.get(session or "api")

    @staticmethod
    def choices(state: EditState) -> list[tuple[str, int]]:
        """``(label, row number)`` of every sentence: its number and first English words."""
        out = []
        for number, row in enumerate(state.aligned(), start=1):
            words = state.english(number).split()
            snippet = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
            mark = " (edited)" if number in state.rows else " (unsure)" if row.unsure else ""
            out.append((f"{number} · {snippet or '(empty)'}{mark}", number))
        return out

    # -- the editor's actions ------------------------------------------------------------------
    def open(self, session: str | None, number: int) -> tuple[str, list[tuple[str, str]], Frame]:
        """Open row ``number``: its English, the choices of other English (the model's own
        when the row was edited, then its alternatives), and the view with the row selected."""
        state = self._need(session)
        rows = state.aligned()
        if not 1 <= number <= len(rows):
            raise TarjamaError(f"There is no sentence {number}.")
        choices: list[tuple[str, str]] = []
        if number in state.rows:
            choices.append(
                (f"The model's translation: {rows[number - 1].target}", rows[number - 1].target)
            )
        for alternative in self._alternatives(state, number):
            share = f" ({alternative.confidence:.0%})" if alternative.confidence is not None else ""
            choices.append((f"{alternative.target}{share}", alternative.target))
        frame = self.frame(state, f"Sentence {number} open: correct it, or pick another English.",
                           selected=number, downloads=False)  # fmt: skip
        return state.english(number), choices, frame

    def accept(self, session: str | None, number: int, english: str) -> Frame:
        """The person's English for row ``number``: everything follows; the save hook is
        told. An empty text or the English as it stands changes nothing."""
        state = self._need(session)
        rows = state.aligned()
        if not 1 <= number <= len(rows):
            raise TarjamaError(f"There is no sentence {number}.")
        english = " ".join(english.split())
        limit = max(_EDIT_FLOOR, _EDIT_RATIO * len(rows[number - 1].source))
        if len(english) > limit:
            raise InputTooLarge(
                f"That English is {len(english):,} characters; at most {limit:,} for this sentence."
            )
        if not english or english == state.english(number):
            return self.frame(state, f"Sentence {number} unchanged.", selected=number)
        state.history.append((number, state.rows.get(number)))
        self._set(state, number, english)
        machine = rows[number - 1].target
        if english != machine:
            self._save(state, rows[number - 1].source, english, machine)
        return self._resummarised(state, f"Sentence {number} changed", number)

    def undo(self, session: str | None) -> tuple[int | None, Frame]:
        """Take back the last accepted change: (its row, the frame)."""
        state = self._need(session)
        if not state.history:
            return None, self.frame(state, "Nothing to undo.", downloads=False)
        number, previous = state.history.pop()
        self._set(state, number, previous)
        return number, self._resummarised(state, f"Sentence {number}: change undone", number)

    def resummarise(self, session: str | None) -> Frame:
        """The summary of the edited English with the method chosen for the run."""
        state = self._need(session)
        state.summary = self.bench.summarize(
            [s.target for s in state.segments()], state.method, state.length, from_translation=True
        )
        state.summary_method = state.method
        return self.frame(state, f"Summary made again over the edited English ({state.method}).")

    # -- helpers -------------------------------------------------------------------------------
    def _need(self, session: str | None) -> EditState:
        state = self.state(session)
        if state is None:
            raise TarjamaError("Translate an article first; then its sentences can be edited.")
        return state

    @staticmethod
    def _set(state: EditState, number: int, english: str | None) -> None:
        if english is None or english == state.aligned()[number - 1].target:
            state.rows.pop(number, None)
        else:
            state.rows[number] = english

    def _alternatives(self, state: EditState, number: int) -> list[Any]:
        """The row's alternatives, fetched once (one n-best search of its segments).

        A long sentence cut in windows gets whole-sentence alternatives: each replaces one
        window's English by that window's best alternative and keeps the others as they are,
        least confident window first. Their confidence is that window's."""
        if number in state.alternatives:
            return state.alternatives[number]
        from translate.alternatives import Alternative, segment_alternatives

        indices = state.aligned()[number - 1].segments
        windows = [state.machine[i] for i in indices]
        translator = self.bench.pool.translator(state.model).translator
        result = TranslationResult(" ".join(w.target for w in windows), windows, {})
        per_window = segment_alternatives(translator, result, ALTERNATIVES)
        found: list[Any] = []
        if len(windows) == 1:
            found = per_window[0]
        else:
            order = sorted(range(len(windows)), key=lambda i: _confidence_key(windows[i]))
            for i in order:
                if not per_window[i]:
                    continue
                best = per_window[i][0]
                targets = [w.target for w in windows]
                targets[i] = best.target
                found.append(Alternative(" ".join(t for t in targets if t), best.confidence))
                if len(found) == ALTERNATIVES:
                    break
        state.alternatives[number] = found
        return found

    def _save(self, state: EditState, source: str, english: str, machine: str) -> None:
        model = state.meta.get("model")
        try:
            self.bench.save_edit(ConfirmedEdit(source, english, machine, model))
        except Exception:  # noqa: BLE001 - a failing memory must not lose the edit on the page
            log.exception("the save hook failed")

    def _resummarised(self, state: EditState, what: str, number: int) -> Frame:
        """After a change: the extractive summary at once (the chosen method on request)."""
        try:
            state.summary = self.bench.summarize(
                [s.target for s in state.segments()],
                "extractive",
                state.length,
                from_translation=True,
            )
            state.summary_method = "extractive"
        except TarjamaError as exc:
            log.info("no summary of the edited text: %s", exc)
            state.summary = None
        note = "; summary made again (extractive)."
        if state.method != "extractive":
            note += f" Press “Summarise again ({state.method})” for the {state.method} one."
        return self.frame(state, what + note, selected=number)

    def frame(
        self, state: EditState, status: str, *, selected: int | None = None, downloads: bool = True
    ) -> Frame:
        """The page for ``state``: translation, summary, view, provenance, downloads."""
        segments = state.segments()
        summary = state.summary.sentences if state.summary is not None else None
        frame = Frame(
            translation=join_paragraphs(state.source, segments),
            summary=state.summary.text if state.summary is not None else "",
            aligned=render.aligned_view(segments, summary, selected=selected),
            provenance=render.provenance_view(summary or [], segments),
            status=render.status_box(status, "done"),
        )
        if downloads:
            frame.downloads = self._write(state, segments)
        else:
            frame.downloads = None
        return frame

    def _write(self, state: EditState, segments: list[Segment]) -> dict[str, str] | None:
        """Every download of the edited text (a failure loses the files, not the edit)."""
        try:
            return write_run_downloads(
                self.bench.files.session_dir(state.key),
                self.bench,
                source=state.source,
                segments=segments,
                meta=state.meta,
                summary=state.summary,
                document=state.document,
                model=state.model,
                view=state.view,
                machine=state.machine,
            )
        except (OSError, TarjamaError):
            log.exception("could not write the downloads of the edited text")
            return None


def _confidence_key(segment: Segment) -> float:
    """Least confident first; a segment without a confidence (not the model's) last."""
    return segment.confidence if segment.confidence is not None else 2.0
