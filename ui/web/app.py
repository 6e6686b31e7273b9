"""The web page: paste an Arabic article, read its English translation and summary side by side.

``build_app(config)`` returns the page as a ``gr.Blocks`` (nothing launched, no model loaded);
``ui.http.server.create_app`` mounts it beside the HTTP API and ``ui.http.server.serve``
runs both. The work is done by the :class:`~ui.service.Workbench` behind it; this module only
lays out the page.

Its events (run, cancel, open a file, fetch a link, load an example) are ``events.py``, which
turns each :class:`~ui.web.runs.Frame` into component updates; its look (fonts, CSS, theme) is
``theme.py``; gradio's named endpoints are ``endpoints.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from summarize.config import LENGTHS, METHODS  # noqa: E402

from ..service.config import UPLOAD_TYPES, AppConfig  # noqa: E402
from ..service.workbench import Workbench  # noqa: E402
from . import render  # noqa: E402
from .downloads import DOCUMENT_KINDS, DOWNLOAD_KINDS  # noqa: E402
from .editing import EditState, PageEdits  # noqa: E402
from .editor_panel import editor_layout, wire_editor  # noqa: E402
from .endpoints import add_gradio_api  # noqa: E402
from .events import wire  # noqa: E402
from .glossary import glossary_inputs  # noqa: E402
from .runs import PageRuns  # noqa: E402
from .theme import gradio_temp_dir  # noqa: E402

__all__ = ["AppConfig", "build_app"]

# Arabic first; the English hint is an LTR isolate (U+2066…U+2069) so that its parentheses
# stay the right way round inside the right-to-left box.
PLACEHOLDER = "الصق نص المقال هنا…  \u2066(paste an Arabic article)\u2069"

_HEADER = """
<header class="tj-header">
  <div class="tj-brand"><span class="tj-logo" lang="ar" dir="rtl">ترجمة</span>
  <span class="tj-name">tarjama</span></div>
  <p class="tj-tagline">Paste an Arabic news article — read the English translation and its
  summary side by side, then check every sentence below.</p>
</header>
"""


def _model_entries(bench: Workbench) -> list[tuple[str, str, str, bool]]:
    catalog = bench.catalog
    default = catalog.default
    entries = [("Translation", default.public, default.note(), default.ready)]
    summary = catalog.summary
    if bench.summary_method == "extractive" and not summary.ready:
        entries.append(("Summary", "extractive", "ready (needs no model)", True))
    else:
        entries.append(("Summary", summary.public, summary.note(), summary.ready))
    return entries


def build_app(config: AppConfig | None = None, bench: Workbench | None = None) -> gr.Blocks:
    """Build the page over ``bench`` (default: a new Workbench for ``config``)."""
    config = config or (bench.config if bench is not None else AppConfig())
    bench = bench or Workbench(config)
    runs = PageRuns(bench)
    edits = PageEdits(bench)

    def finished(session: str, **run: Any) -> list[tuple[str, int]]:
        # A complete run can be edited: the editor takes over its result.
        segments = run.pop("segments")
        return edits.begin(
            session, EditState(machine=segments, summary_method=run["method"], **run)
        )

    runs.on_finished = finished
    with gradio_temp_dir(bench.files.uploads_dir):
        app = _layout(config, bench, runs, edits)
    app.workbench = bench  # type: ignore[attr-defined]  # for the server and the tests
    app.runs = runs  # type: ignore[attr-defined]
    app.edits = edits  # type: ignore[attr-defined]
    return app


@dataclass
class Page:
    """The page's components that its events read or update."""

    source: Any = None
    model: Any = None
    method: Any = None
    length: Any = None
    summary_first: Any = None
    glossary_file: Any = None
    glossary_rows: Any = None
    upload: Any = None
    link: Any = None
    fetch_btn: Any = None
    run_btn: Any = None
    cancel_btn: Any = None
    example_buttons: list[tuple[str, Any]] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)


def _layout(config: AppConfig, bench: Workbench, runs: PageRuns, edits: PageEdits) -> gr.Blocks:
    page = Page()
    # Half-hourly, gradio deletes its copies of uploads and downloads older than an hour.
    with gr.Blocks(title=config.title, analytics_enabled=False, delete_cache=(1800, 3600)) as app:
        gr.HTML(_HEADER, elem_id="tj-header-block", padding=False)
        gr.HTML(
            render.model_status(_model_entries(bench), bench.summary_note),
            elem_id="tj-model-status",
            padding=False,
        )
        with gr.Row(elem_id="tj-inputs"):
            _sources(page, bench)
            _options(page, config, bench)
        translation, summary = _panels(page)
        status = gr.HTML(render.status_box("Ready."), elem_id="tarjama-status", padding=False)
        error = gr.HTML("", elem_id="tarjama-error", padding=False)
        download_buttons = _download_row()
        gr.HTML('<h2 class="tj-section">Sentence by sentence</h2>', padding=False)
        provenance = gr.HTML("", elem_id="summary-sources", padding=False)
        editor = editor_layout()
        aligned = gr.HTML(render.aligned_view([]), elem_id="aligned-view", padding=False)
        wire_editor(
            editor,
            edits,
            [translation, summary, aligned, provenance, error, status, *download_buttons],
        )
        page.outputs = [
            translation,
            summary,
            aligned,
            provenance,
            error,
            status,
            *download_buttons,
            page.run_btn,
            page.cancel_btn,
            editor.sentence,
        ]
        wire(page, bench, runs)
        if not config.api_keys:  # with keys, only the keyed HTTP API answers programs
            add_gradio_api(bench)
    app.queue(default_concurrency_limit=config.concurrency, max_size=config.max_queue)
    return app


def _sources(page: Page, bench: Workbench) -> None:
    """Examples, the upload button and the link field."""
    with gr.Column(scale=3, elem_id="tj-examples"):
        gr.HTML(
            '<span class="tj-label">'
            + (
                "Try an example, paste an article, or open a file"
                if bench.examples
                else "Paste an article, or open a file"
            )
            + "</span>",
            padding=False,
        )
        with gr.Row(elem_classes="tj-example-row"):
            for label in bench.examples:
                page.example_buttons.append(
                    (label, gr.Button(label, size="sm", variant="secondary"))
                )
            page.upload = gr.UploadButton(
                "Open file…",
                file_types=list(UPLOAD_TYPES),
                file_count="single",
                type="filepath",
                size="sm",
                variant="secondary",
                elem_id="upload-btn",
            )
        with gr.Row(elem_id="tj-link-row", equal_height=True):
            page.link = gr.Textbox(
                label="Paste a link to an article",
                placeholder="https://…",
                lines=1,
                max_lines=1,
                scale=4,
                elem_id="link-box",
            )
            page.fetch_btn = gr.Button(
                "Fetch", size="sm", variant="secondary", scale=1, elem_id="fetch-btn"
            )


def _options(page: Page, config: AppConfig, bench: Workbench) -> None:
    """The Options accordion: translation model, summary method and length."""
    catalog = bench.catalog
    with gr.Column(scale=2, elem_id="tj-options"):
        with gr.Accordion("Options", open=False):
            page.model = gr.Dropdown(
                choices=[
                    (c.public if c.ready else f"{c.public} ({c.note()})", c.public)
                    for c in catalog.translation
                ],
                value=catalog.default.public,
                label="Translation model",
                info="From models.yaml, or the local model the server was started with.",
                elem_id="model-select",
            )
            page.method = gr.Radio(
                list(METHODS),
                value=bench.summary_method,
                label="Summary",
                info="abstractive: a BART model writes it · extractive: picks sentences",
                elem_id="method-select",
            )
            page.length = gr.Radio(
                list(LENGTHS),
                value=config.summary_length,
                label="Summary length",
                elem_id="length-select",
            )
            page.summary_first = gr.Checkbox(
                value=True,
                label="Summary first",
                info="extractive: translate the summary's sentences first and show it early",
                elem_id="summary-first",
            )
            page.glossary_file, page.glossary_rows = glossary_inputs()


def _panels(page: Page) -> tuple[Any, Any]:
    """Source, translation and summary side by side; the run and cancel buttons."""
    with gr.Row(elem_id="tj-panels", equal_height=True):
        with gr.Column(min_width=300, elem_id="tj-source-col"):
            page.source = gr.Textbox(
                label="Arabic source · النص العربي",
                lines=14,
                max_lines=14,
                rtl=True,
                placeholder=PLACEHOLDER,
                elem_id="source-box",
            )
            with gr.Row(elem_id="tj-actions", equal_height=True):
                page.run_btn = gr.Button(
                    "Translate & summarise", variant="primary", elem_id="translate-btn", scale=3
                )
                page.cancel_btn = gr.Button(
                    "Cancel", variant="stop", interactive=False, elem_id="cancel-btn", scale=1
                )
        with gr.Column(min_width=300):
            translation = gr.Textbox(
                label="English translation",
                lines=14,
                max_lines=14,
                interactive=False,
                elem_id="translation-box",
                buttons=["copy"],
            )
        with gr.Column(min_width=300):
            summary = gr.Textbox(
                label="Summary",
                lines=14,
                max_lines=14,
                interactive=False,
                elem_id="summary-box",
                buttons=["copy"],
            )
    return translation, summary


def _download_row() -> list[Any]:
    """The download buttons (the document formats hidden until a run offers them)."""
    with gr.Row(elem_id="tj-downloads", equal_height=True):
        gr.HTML('<span class="tj-label">Download</span>', padding=False)
        return [
            gr.DownloadButton(
                label,
                interactive=False,
                visible=kind not in DOCUMENT_KINDS,
                elem_id=f"download-{kind}",
                size="sm",
                scale=0,
            )
            for kind, (_, label) in DOWNLOAD_KINDS.items()
        ]
