"""The page's events: run, cancel, open a file, fetch a link, load an example.

``wire`` connects them to the components ``ui.web.app`` laid out; each turns what the
:class:`~ui.web.runs.PageRuns` of the page yields (a :class:`~ui.web.runs.Frame`) into component
updates with :func:`frame_outputs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from translate import TarjamaError

from ..service.errors import describe
from ..service.uploads import FETCH_SLOTS, UPLOAD_SLOTS
from ..service.workbench import Workbench
from . import render
from .editor_panel import download_updates, sentence_update
from .runs import Frame, PageRuns

if TYPE_CHECKING:
    from .app import Page

log = logging.getLogger(__name__)

__all__ = ["frame_outputs", "wire"]


def frame_outputs(frame: Frame) -> tuple[Any, ...]:
    """A Frame as the updates of the page's outputs, in ``Page.outputs`` order."""
    return (
        frame.translation,
        frame.summary,
        frame.aligned,
        frame.provenance,
        frame.error,
        frame.status,
        # The document formats show only when the run offers them (a loaded document).
        *download_updates(frame.downloads),
        gr.Button(interactive=not frame.running),
        gr.Button(interactive=frame.running),
        sentence_update(frame),
    )


def wire(page: Page, bench: Workbench, runs: PageRuns) -> None:
    """The page's events: run, cancel, open a file, fetch a link, load an example."""
    outputs = page.outputs

    def run(
        text: str,
        model_name: str,
        method_name: str,
        length_name: str,
        summary_first: bool,
        glossary_file: Any,
        glossary_rows: Any,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        session = getattr(request, "session_hash", None)
        frames = runs.run(
            text,
            model_name,
            method_name,
            length_name,
            session,
            summary_first,
            glossary=(glossary_file, glossary_rows),
        )
        for frame in frames:
            yield frame_outputs(frame)

    def cancel(request: gr.Request) -> Any:
        # The run sends its own last frame (what is done, the downloads): no frame of it
        # can then arrive after the one that says it stopped.
        runs.stop(getattr(request, "session_hash", None))
        return gr.Button(interactive=False)

    run_event = page.run_btn.click(
        run,
        inputs=[
            page.source,
            page.model,
            page.method,
            page.length,
            page.summary_first,
            page.glossary_file,
            page.glossary_rows,
        ],
        outputs=outputs,
        show_progress="hidden",
        api_visibility="private",
        trigger_mode="once",
    )
    page.cancel_btn.click(
        cancel,
        outputs=[page.cancel_btn],
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    )
    _wire_loading(page, bench, runs, run_event)


def _wire_loading(page: Page, bench: Workbench, runs: PageRuns, run_event: Any) -> None:
    """Opening a file, fetching a link, loading an example: each cancels a run in progress."""
    outputs = page.outputs

    def open_file(path: str | None, request: gr.Request) -> tuple[Any, ...]:
        if not path:
            return (gr.skip(),) * (len(outputs) + 1)
        name = Path(path).name
        return load(lambda: bench.files.open_upload(path), name, request)

    def fetch_link(url: str, request: gr.Request) -> tuple[Any, ...]:
        shown = (url or "").strip()
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        return load(lambda: bench.files.fetch_link(url), shown or "the link", request)

    def load(read: Any, name: str, request: gr.Request) -> tuple[Any, ...]:
        """Put a file's or a link's text in the source box; remember its Document for the
        downloads. A bad file or link is a message in the error area, never a traceback."""
        session = getattr(request, "session_hash", None)
        runs.stop(session, silent=True)
        try:
            text, document = read()
        except Exception as exc:  # noqa: BLE001 - the page shows a message and stays usable
            message = _read_failed(exc, name, bench)
            frame = runs.cleared("Nothing loaded.")
            frame.error = render.error_box(message)
            return (gr.skip(), *frame_outputs(frame))
        runs.remember_document(session, text, document)
        title = getattr(getattr(document, "meta", None), "title", None)
        what = f"{name} ({title})" if title else name
        frame = runs.cleared(f"Loaded {what}: {len(text):,} characters.")
        return (text, *frame_outputs(frame))

    # Uploads and links have slots of their own, so that they never hold the translations'
    # (and a run never holds theirs): a parse ends within its worker's time cap, a fetch at
    # its total deadline, whatever the file or the far server does.
    loaders = (
        (page.upload.upload, open_file, page.upload, "upload", UPLOAD_SLOTS),
        (page.fetch_btn.click, fetch_link, page.link, "fetch", FETCH_SLOTS),
        (page.link.submit, fetch_link, page.link, "fetch", FETCH_SLOTS),
    )
    for trigger, handler, given, slot, slots in loaders:
        trigger(
            handler,
            inputs=[given],
            outputs=[page.source, *outputs],
            cancels=[run_event],
            show_progress="hidden",
            api_visibility="private",
            concurrency_id=slot,
            concurrency_limit=slots,
        )
    for label, button in page.example_buttons:
        button.click(
            _example_loader(runs, bench.examples[label], label),
            outputs=[page.source, *outputs],
            cancels=[run_event],
            queue=False,
            show_progress="hidden",
            api_visibility="private",
        )


def _read_failed(exc: BaseException, name: str, bench: Workbench) -> str:
    """The page's line for a file or link that could not be read (the error table's message;
    a system error on reading names its cause, as the file is the user's own)."""
    if isinstance(exc, OSError) and not isinstance(exc, TarjamaError):
        return f"Could not read {name}: {exc.strerror or exc}"
    outcome = describe(exc, bench.catalog)
    if outcome.code == "internal":
        log.exception("reading %s failed", name)
        return f"Could not read {name} ({type(exc).__name__})."
    return f"Could not read {name}: {outcome.message}"


def _example_loader(runs: PageRuns, text: str, label: str):
    def load(request: gr.Request) -> tuple[Any, ...]:
        runs.stop(getattr(request, "session_hash", None), silent=True)
        return (text, *frame_outputs(runs.cleared(f"Example loaded: {label}.")))

    return load
