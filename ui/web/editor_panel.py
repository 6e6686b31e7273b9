"""The editor's controls on the page, above the sentence-by-sentence view, and their events.

Every control is a labelled gradio component, so the keyboard alone does it all: Tab to
"Sentence to check" (arrow keys and Enter open one; "Previous"/"Next" move), Tab to the
alternatives (arrow keys pick one into the English box), type in the English box and press
Enter (or "Accept") to accept, "Undo" takes back the last change. The work is
:class:`~ui.web.editing.PageEdits`; errors become the page's error box.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from translate import TarjamaError

from ..service.errors import describe
from .downloads import DOCUMENT_KINDS, DOWNLOAD_KINDS
from .editing import PageEdits
from .render import error_box
from .runs import Frame

__all__ = ["EditorControls", "download_updates", "editor_layout", "sentence_update", "wire_editor"]

log = logging.getLogger(__name__)

_HELP = (
    "Open a sentence to correct its English or pick one of the model's alternatives; "
    "Enter or Accept applies it, Undo takes it back. The translation, the summary and every "
    "download follow, and keep the model's version beside yours."
)


@dataclass
class EditorControls:
    """The editor's components."""

    sentence: Any
    previous: Any
    next: Any
    alternatives: Any
    english: Any
    accept: Any
    undo: Any
    resummarise: Any


def editor_layout() -> EditorControls:
    """Lay out the editor (inside the page's Blocks)."""
    with gr.Column(elem_id="tj-editor"):
        gr.HTML(f'<p class="tj-editor-help">{_HELP}</p>', padding=False)
        with gr.Row(equal_height=True):
            sentence = gr.Dropdown(
                choices=[],
                value=None,
                label="Sentence to check",
                interactive=False,
                scale=4,
                elem_id="edit-sentence",
            )
            previous = gr.Button("◀ Previous", size="sm", scale=0, elem_id="edit-prev")
            following = gr.Button("Next ▶", size="sm", scale=0, elem_id="edit-next")
        alternatives = gr.Radio(
            choices=[],
            label="Other English from the model (its confidence)",
            info="Picking one puts it in the box below; Accept applies it.",
            elem_id="edit-alternatives",
        )
        english = gr.Textbox(
            label="English of the open sentence",
            lines=1,
            max_lines=4,
            elem_id="edit-english",
        )
        with gr.Row(equal_height=True):
            accept = gr.Button("Accept", variant="primary", size="sm", elem_id="edit-accept")
            undo = gr.Button("Undo", size="sm", elem_id="edit-undo")
            resummarise = gr.Button(
                "Summarise the edited text with the chosen method",
                size="sm",
                elem_id="edit-resummarise",
            )
    return EditorControls(
        sentence, previous, following, alternatives, english, accept, undo, resummarise
    )


def download_updates(files: dict[str, str] | None) -> list[Any]:
    """The download buttons for ``files`` (kind → path); the document formats show only when
    offered."""
    files = files or {}
    return [
        gr.DownloadButton(
            value=files.get(k),
            interactive=k in files,
            **({"visible": k in files} if k in DOCUMENT_KINDS else {}),
        )
        for k in DOWNLOAD_KINDS
    ]


def sentence_update(frame: Frame, value: int | None = None) -> Any:
    """The "Sentence to check" dropdown after ``frame`` (unchanged when it says nothing)."""
    if frame.sentences is None:
        return gr.skip()
    return gr.Dropdown(choices=frame.sentences, value=value, interactive=bool(frame.sentences))


def wire_editor(controls: EditorControls, edits: PageEdits, outputs: list[Any]) -> None:
    """The editor's events. ``outputs``: translation, summary, view, provenance, error,
    status and the download buttons, in that order."""
    c = controls
    catalog = edits.bench.catalog

    def shown(frame: Frame) -> tuple[Any, ...]:
        downloads = (
            [gr.skip()] * len(DOWNLOAD_KINDS)
            if frame.downloads is None
            else download_updates(frame.downloads)
        )
        return (frame.translation, frame.summary, frame.aligned, frame.provenance,
                frame.error, frame.status, *downloads)  # fmt: skip

    def failed(exc: BaseException) -> tuple[Any, ...]:
        if not isinstance(exc, TarjamaError):
            log.exception("the editor failed")
        outcome = describe(exc, catalog)
        box = error_box(outcome.message, hint=outcome.hint)
        return (*[gr.skip()] * 4, box, *[gr.skip()] * (1 + len(DOWNLOAD_KINDS)))

    def session(request: gr.Request) -> str | None:
        return getattr(request, "session_hash", None)

    def open_row(number: int | None, step: int, request: gr.Request) -> tuple[Any, ...]:
        state = edits.state(session(request))
        if state is None or number is None and step == 0:
            return (gr.skip(),) * (3 + len(outputs))
        count = len(state.aligned())
        target = min(max((number or 0) + step, 1), count) if number else 1
        try:
            english, choices, frame = edits.open(session(request), target)
        except Exception as exc:  # noqa: BLE001 - a message in the page
            return (gr.skip(),) * 3 + failed(exc)
        radio = gr.Radio(choices=choices, value=None)
        return (target, english, radio, *shown(frame))

    def changed(
        action: Callable[[], tuple[int | None, Frame]], request: gr.Request
    ) -> tuple[Any, ...]:
        try:
            number, frame = action()
        except Exception as exc:  # noqa: BLE001
            return (gr.skip(),) * 2 + failed(exc)
        state = edits.state(session(request))
        if state is None or number is None:
            return (gr.skip(), gr.skip(), *shown(frame))
        frame.sentences = edits.choices(state)
        return (sentence_update(frame, number), state.english(number), *shown(frame))

    def accept(number: int | None, english: str, request: gr.Request) -> tuple[Any, ...]:
        if number is None:
            return (gr.skip(),) * (2 + len(outputs))
        return changed(lambda: (number, edits.accept(session(request), number, english or "")),
                       request)  # fmt: skip

    def undo(request: gr.Request) -> tuple[Any, ...]:
        return changed(lambda: edits.undo(session(request)), request)

    def resummarise(request: gr.Request) -> tuple[Any, ...]:
        try:
            return shown(edits.resummarise(session(request)))
        except Exception as exc:  # noqa: BLE001
            return failed(exc)

    def open_here(number: int | None, request: gr.Request) -> tuple[Any, ...]:
        return open_row(number, 0, request)

    def open_previous(number: int | None, request: gr.Request) -> tuple[Any, ...]:
        return open_row(number, -1, request)

    def open_next(number: int | None, request: gr.Request) -> tuple[Any, ...]:
        return open_row(number, 1, request)

    def pick(choice: str | None) -> Any:
        return choice or gr.skip()

    private: dict[str, Any] = {"show_progress": "hidden", "api_visibility": "private"}
    opened = [c.sentence, c.english, c.alternatives, *outputs]
    c.sentence.input(open_here, [c.sentence], opened, **private)
    c.previous.click(open_previous, [c.sentence], opened, **private)
    c.next.click(open_next, [c.sentence], opened, **private)
    c.alternatives.input(pick, [c.alternatives], [c.english], queue=False, **private)
    done = [c.sentence, c.english, *outputs]
    for trigger in (c.accept.click, c.english.submit):
        trigger(accept, [c.sentence, c.english], done, **private)
    c.undo.click(undo, None, done, **private)
    c.resummarise.click(resummarise, None, outputs, **private)
