"""The web UI: paste an Arabic article, read its English translation and summary side by side.

``build_app(config)`` returns a ``gr.Blocks`` and launches nothing; ``serve(config)`` launches it
(the ``tarjama ui`` command calls it). Importing this module imports gradio but loads no model:
the page calls ``translate``/``summarize`` like any user, and models load on first use.

Safe defaults: 127.0.0.1, no share link, a bounded queue, limited input and upload sizes,
analytics off, and the page fetches nothing from outside the server (the Arabic font is served
from ``ui/static/fonts``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from translate import (  # noqa: E402
    ConfigError,
    InputError,
    ModelUnavailableError,
    Segment,
    TarjamaError,
    Translator,
    split_sentences,
)
from translate.registry import load_registry  # noqa: E402
from translate.translator import join_paragraphs, validate_text  # noqa: E402

from . import render  # noqa: E402

__all__ = ["AppConfig", "build_app", "launch_options", "serve"]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
FONT_DIR = STATIC_DIR / "fonts"
ARABIC_FONT = FONT_DIR / "NotoNaskhArabic-Regular.ttf"
CSS_FILE = STATIC_DIR / "tarjama.css"
_REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"

DEFAULT_MAX_CHARS = 20_000  # a long news article is ~10k characters
SUMMARY_METHODS = ("abstractive", "extractive")
SUMMARY_LENGTHS = ("short", "medium", "long")
Method = Literal["abstractive", "extractive"]
Length = Literal["short", "medium", "long"]


@dataclass
class AppConfig:
    """Settings of one web UI; the ``tarjama ui`` flags fill the first five.

    ``model`` and ``summary_model`` are models.yaml names or local model directories (None: the
    registry's defaults). ``examples_dir`` holds ``*.ar.txt`` examples (None: the repository's
    ``seeds/`` when it exists; the page works without examples).
    """

    model: str | None = None
    summary_model: str | None = None
    backend: str | None = None
    device: str = "auto"
    max_chars: int = DEFAULT_MAX_CHARS
    summary_method: Method = "abstractive"
    summary_length: Length = "medium"
    examples_dir: Path | None = None
    max_upload_bytes: int = 1024 * 1024
    translation_settings: dict[str, Any] | None = None  # generation overrides (models.yaml keys)
    concurrency: int = 2
    max_queue: int = 32
    title: str = "tarjama — Arabic → English news"


@dataclass
class _Frame:
    """Everything the main event shows; each yield sends all of it (private)."""

    translation: str = ""
    summary: str = ""
    aligned: str = ""
    provenance: str = ""
    error: str = ""
    status: str = ""
    txt: str | None = None
    md: str | None = None
    running: bool = False

    def outputs(self) -> tuple[Any, ...]:
        return (
            self.translation,
            self.summary,
            self.aligned,
            self.provenance,
            self.error,
            self.status,
            gr.DownloadButton(value=self.txt, interactive=self.txt is not None),
            gr.DownloadButton(value=self.md, interactive=self.md is not None),
            gr.Button(interactive=self.running),
        )


@dataclass
class _Workbench:
    """What the page does, apart from its layout: one per app, holding its caches (private)."""

    config: AppConfig
    translators: dict[str, Translator] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    tmp_root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tarjama-ui-")))

    def __post_init__(self) -> None:
        registry = load_registry()
        names = [spec.name for spec in registry.by_role("translation")]
        self.default_model = self.config.model or registry.default("translation").name
        self.model_choices: list[tuple[str, str]] = [(name, name) for name in names]
        if self.default_model not in names:
            label = Path(self.default_model).name or self.default_model
            self.model_choices.insert(0, (f"{label} (local)", self.default_model))
        self.examples = _load_examples(self.config.examples_dir)
        weakref.finalize(self, shutil.rmtree, self.tmp_root, True)

    # -- models ------------------------------------------------------------------------------
    def check_model(self, model: str | None) -> str:
        """The model to use: the default for None/"", else one of the offered models."""
        if not model:
            return self.default_model
        allowed = [value for _, value in self.model_choices]
        if model not in allowed:
            raise ConfigError(
                f"Unknown translation model {model!r}. Choose one of: {', '.join(allowed)}."
            )
        return model

    def translator(self, model: str) -> Translator:
        """One Translator per model, created on first use (weights load when first needed)."""
        with self.lock:
            if model not in self.translators:
                self.translators[model] = Translator(
                    model=model,
                    backend=self.config.backend,
                    device=self.config.device,
                    max_chars=self.config.max_chars,
                    generation=self.config.translation_settings,
                )
            return self.translators[model]

    def summarize(self, sentences: list[str], method: str | None, length: str | None) -> Any:
        """Summarise the translation's segment targets (sources index the segments).

        Like ``summarize.digest``, the "is this English?" check is skipped: the input is the
        translation model's own output, and a poor translation is already flagged per segment.
        """
        from summarize import summarize

        return summarize(
            sentences,
            method=method or self.config.summary_method,
            model=self.config.summary_model,
            backend=self.config.backend,
            length=length or self.config.summary_length,
            device=self.config.device,
            check_language=False,
        )

    # -- input -------------------------------------------------------------------------------
    def read_upload(self, path: str | None) -> tuple[Any, str, str]:
        """Load an uploaded .txt file into the source box (source, error, status)."""
        if not path:
            return gr.skip(), "", gr.skip()
        name = Path(path).name
        try:
            text = _read_text_file(Path(path), self.config.max_upload_bytes)
        except OSError as exc:
            message = f"Could not read {name}: {exc.strerror or exc}."
            return gr.skip(), render.error_box(message), render.status_box("Nothing loaded.")
        except TarjamaError as exc:
            return gr.skip(), render.error_box(str(exc)), render.status_box("Nothing loaded.")
        return text, "", render.status_box(f"Loaded {name}: {len(text):,} characters.", "done")

    # -- the main event ----------------------------------------------------------------------
    def run(
        self,
        text: str,
        model: str | None,
        method: str | None,
        length: str | None,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        """Translate sentence by sentence (streamed), then summarise; errors become messages."""
        frame = _Frame(running=True, aligned=render.aligned_view([]))
        started = time.monotonic()
        try:
            validate_text(text, self.config.max_chars)
            name = self.check_model(model)
            translator = self.translator(name)
        except TarjamaError as exc:
            yield self._failed(frame, exc, "Nothing translated.")
            return
        expected = len(split_sentences(text))
        frame.status = render.status_box(f"Loading {Path(name).name} and translating…", "working")
        yield frame.outputs()
        segments: list[Segment] = []
        try:
            for segment in translator.iter_segments(text):
                segments.append(segment)
                frame.translation = join_paragraphs(text, segments)
                frame.aligned = render.aligned_view(segments, pending=True)
                done = len({s.sentence for s in segments})
                frame.status = render.status_box(
                    f"Translating… {done} of {expected} sentences", "working"
                )
                yield frame.outputs()
        except TarjamaError as exc:
            frame.aligned = render.aligned_view(segments)
            yield self._failed(frame, exc, "Translation stopped.")
            return
        except Exception as exc:  # the page must stay usable whatever happens below it
            log.exception("translation failed")
            frame.aligned = render.aligned_view(segments)
            yield self._failed(frame, exc, "Translation stopped.")
            return
        translation_meta = translator.meta
        frame.aligned = render.aligned_view(segments)
        frame.status = render.status_box("Translated. Summarising…", "working")
        yield frame.outputs()

        summary = None
        try:
            summary = self.summarize([s.target for s in segments], method, length)
        except Exception as exc:
            if not isinstance(exc, TarjamaError):
                log.exception("summary failed")
            hint = None
            if isinstance(exc, ModelUnavailableError):
                hint = "The extractive summary (under Options) needs no model."
            frame.error = render.error_box(
                f"The translation is done, but the summary failed: {_message(exc)}", hint=hint
            )
        if summary is not None:
            frame.summary = summary.text
            frame.aligned = render.aligned_view(segments, summary.sentences)
            frame.provenance = render.provenance_view(summary.sentences, segments)
        frame.txt, frame.md = self.write_downloads(
            request,
            text,
            frame.translation,
            frame.summary,
            translation_meta,
            summary.meta if summary is not None else None,
        )
        frame.running = False
        seconds = time.monotonic() - started
        rows = render.aligned_rows(segments)
        flagged = sum(1 for row in rows if row.severity)
        note = f" · {flagged} flagged" if flagged else ""
        plural = "s" if len(rows) != 1 else ""
        frame.status = render.status_box(
            f"Done in {seconds:.1f} s · {len(rows)} sentence{plural}{note} · model "
            f"{Path(translation_meta['model']).name}",
            "done" if summary is not None else "stopped",
        )
        yield frame.outputs()

    def _failed(self, frame: _Frame, exc: BaseException, status: str) -> tuple[Any, ...]:
        frame.error = render.error_box(_message(exc), hint=_hint(exc))
        frame.status = render.status_box(status, "stopped")
        frame.running = False
        return frame.outputs()

    # -- downloads ---------------------------------------------------------------------------
    def write_downloads(
        self,
        request: gr.Request | None,
        source: str,
        translation: str,
        summary: str,
        translation_meta: dict[str, Any],
        summary_meta: dict[str, Any] | None,
    ) -> tuple[str, str]:
        """Write the .txt and .md downloads into this session's own temporary folder."""
        session = _safe_name(getattr(request, "session_hash", None) or "api")
        session_dir = self.tmp_root / session
        if session_dir.exists():  # keep only the latest run of a session
            shutil.rmtree(session_dir, ignore_errors=True)
        session_dir.mkdir(parents=True)
        txt = session_dir / "tarjama-digest.txt"
        md = session_dir / "tarjama-digest.md"
        args = (source, translation, summary, translation_meta, summary_meta)
        txt.write_text(render.digest_text(*args), encoding="utf-8")
        md.write_text(render.digest_markdown(*args), encoding="utf-8")
        return str(txt), str(md)

    # -- API endpoints -------------------------------------------------------------------------
    def api_translate(self, text: str, model: str | None = None) -> dict[str, Any]:
        """Translate Arabic text into English: the TranslationResult as JSON."""
        with _api_errors():
            validate_text(text, self.config.max_chars)
            return self.translator(self.check_model(model)).translate(text).to_dict()

    def api_summarize(
        self, text: str, method: Method | None = None, length: Length | None = None
    ) -> dict[str, Any]:
        """Summarise English text: the SummaryResult as JSON (sources index its sentences)."""
        with _api_errors():
            if isinstance(text, str) and len(text) > self.config.max_chars:
                raise InputError(
                    f"The input has {len(text):,} characters; the limit is "
                    f"{self.config.max_chars:,}."
                )
            from summarize import summarize

            return summarize(
                text,
                method=method or self.config.summary_method,
                model=self.config.summary_model,
                backend=self.config.backend,
                length=length or self.config.summary_length,
                device=self.config.device,
            ).to_dict()

    def api_digest(
        self,
        text: str,
        model: str | None = None,
        method: Method | None = None,
        length: Length | None = None,
    ) -> dict[str, Any]:
        """Translate an Arabic article and summarise it: the Digest as JSON."""
        with _api_errors():
            from summarize import Digest

            validate_text(text, self.config.max_chars)
            translation = self.translator(self.check_model(model)).translate(text)
            summary = self.summarize([s.target for s in translation.segments], method, length)
            return Digest(source=text, translation=translation, summary=summary).to_dict()


class _api_errors:
    """Turn library errors into ``gr.Error`` (the client sees the message, never a traceback)."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> bool:
        if exc is None or isinstance(exc, gr.Error):
            return False
        if not isinstance(exc, TarjamaError):
            log.exception("API call failed", exc_info=exc)
        raise gr.Error(_message(exc), print_exception=False) from exc


def _message(exc: BaseException) -> str:
    if isinstance(exc, TarjamaError):
        return str(exc)
    return (
        f"Something went wrong inside tarjama ({type(exc).__name__}). The details are in the "
        "server log; the page is still usable."
    )


def _hint(exc: BaseException) -> str | None:

    if isinstance(exc, ModelUnavailableError) and "Fix" not in str(exc):
        return (
            "Fix: download the model once with network access, or start the UI with "
            "`tarjama ui --model DIR` pointing to a local model directory."
        )
    return None


def _safe_name(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() or ch in "-_")[:64] or "session"


def _read_text_file(path: Path, max_bytes: int) -> str:
    """Read an uploaded .txt file as UTF-8 within ``max_bytes``; else an InputError saying why."""

    if path.suffix.lower() != ".txt":
        raise InputError(f"{path.name} is not a .txt file: upload plain UTF-8 text (.txt).")
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"{path.name} is larger than {max_bytes // 1024:,} KiB; upload a single article."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not UTF-8 text (undecodable byte at position {exc.start}). "
            "Save it as UTF-8 and upload it again."
        ) from None
    if "\x00" in text:
        raise InputError(f"{path.name} looks like binary data, not text.")
    if not text.strip():
        raise InputError(f"{path.name} is empty.")
    return text


def _load_examples(directory: Path | None) -> dict[str, str]:
    """Label → text of the ``*.ar.txt`` examples (none when the folder is absent)."""
    folder = directory if directory is not None else _REPO_SEEDS
    examples: dict[str, str] = {}
    if not folder.is_dir():
        return examples
    for path in sorted(folder.glob("*.ar.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            log.warning("skipping unreadable example %s", path)
            continue
        label = path.name.removesuffix(".ar.txt").replace("-", " ").capitalize()
        examples[label] = text
    return examples


# -- page ------------------------------------------------------------------------------------
_HEADER = """
<header class="tj-header">
  <div class="tj-brand"><span class="tj-logo" lang="ar" dir="rtl">ترجمة</span>
  <span class="tj-name">tarjama</span></div>
  <p class="tj-tagline">Paste an Arabic news article — read the English translation and its
  summary side by side, then check every sentence below.</p>
</header>
"""


def build_app(config: AppConfig | None = None) -> gr.Blocks:
    """Build the page (nothing is launched and no model is loaded here)."""
    config = config or AppConfig()
    bench = _Workbench(config)
    with gr.Blocks(title=config.title, analytics_enabled=False) as app:
        gr.HTML(_HEADER, elem_id="tj-header-block", padding=False)
        with gr.Row(elem_id="tj-inputs"):
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
                example_buttons = []
                with gr.Row(elem_classes="tj-example-row"):
                    for label in bench.examples:
                        example_buttons.append(
                            (label, gr.Button(label, size="sm", variant="secondary"))
                        )
                    upload = gr.UploadButton(
                        "Open .txt file…",
                        file_types=[".txt"],
                        file_count="single",
                        type="filepath",
                        size="sm",
                        variant="secondary",
                        elem_id="upload-btn",
                    )
            with gr.Column(scale=2, elem_id="tj-options"):
                with gr.Accordion("Options", open=False):
                    model = gr.Dropdown(
                        choices=bench.model_choices,
                        value=bench.default_model,
                        label="Translation model",
                        info="From models.yaml, or the local model the UI was started with.",
                        elem_id="model-select",
                    )
                    method = gr.Radio(
                        list(SUMMARY_METHODS),
                        value=config.summary_method,
                        label="Summary",
                        info="abstractive: a BART model writes it · extractive: picks sentences",
                        elem_id="method-select",
                    )
                    length = gr.Radio(
                        list(SUMMARY_LENGTHS),
                        value=config.summary_length,
                        label="Summary length",
                        elem_id="length-select",
                    )
        with gr.Row(elem_id="tj-panels", equal_height=True):
            with gr.Column(min_width=300):
                source = gr.Textbox(
                    label="Arabic source · النص العربي",
                    lines=14,
                    max_lines=14,
                    rtl=True,
                    placeholder="الصق نص المقال هنا…  (paste an Arabic article)",
                    elem_id="source-box",
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
        with gr.Row(elem_id="tj-actions", equal_height=True):
            run_btn = gr.Button(
                "Translate & summarise", variant="primary", elem_id="translate-btn", scale=3
            )
            cancel_btn = gr.Button(
                "Cancel", variant="stop", interactive=False, elem_id="cancel-btn", scale=1
            )
            txt_btn = gr.DownloadButton(
                "Download .txt", interactive=False, elem_id="download-txt", scale=1
            )
            md_btn = gr.DownloadButton(
                "Download .md", interactive=False, elem_id="download-md", scale=1
            )
        status = gr.HTML(render.status_box("Ready."), elem_id="tarjama-status", padding=False)
        error = gr.HTML("", elem_id="tarjama-error", padding=False)
        gr.HTML('<h2 class="tj-section">Sentence by sentence</h2>', padding=False)
        provenance = gr.HTML("", elem_id="summary-sources", padding=False)
        aligned = gr.HTML(render.aligned_view([]), elem_id="aligned-view", padding=False)

        outputs = [
            translation,
            summary,
            aligned,
            provenance,
            error,
            status,
            txt_btn,
            md_btn,
            cancel_btn,
        ]
        run_event = run_btn.click(
            bench.run,
            inputs=[source, model, method, length],
            outputs=outputs,
            show_progress="hidden",
            api_visibility="private",
        )
        cancel_btn.click(
            lambda: (
                render.status_box("Stopped. The sentences translated so far are kept.", "stopped"),
                gr.Button(interactive=False),
            ),
            outputs=[status, cancel_btn],
            cancels=[run_event],
            queue=False,
            show_progress="hidden",
            api_visibility="private",
        )
        upload.upload(
            bench.read_upload,
            inputs=[upload],
            outputs=[source, error, status],
            show_progress="hidden",
            api_visibility="private",
        )
        for label, button in example_buttons:
            button.click(
                _example_loader(bench.examples[label], label),
                outputs=[source, error, status],
                queue=False,
                show_progress="hidden",
                api_visibility="private",
            )
        gr.api(bench.api_translate, api_name="translate")
        gr.api(bench.api_summarize, api_name="summarize")
        gr.api(bench.api_digest, api_name="digest")
    app.queue(default_concurrency_limit=config.concurrency, max_size=config.max_queue)
    return app


def _example_loader(text: str, label: str):
    def load() -> tuple[str, str, str]:
        return text, "", render.status_box(f"Example loaded: {label}.", "done")

    return load


def _css() -> str:
    """The page's CSS: the locally served Arabic font first, then ``ui/static/tarjama.css``."""
    font_url = f"gradio_api/file={ARABIC_FONT.as_posix()}"
    face = (
        "@font-face { font-family: 'Noto Naskh Arabic'; "
        f"src: url('{font_url}') format('truetype'); font-weight: 400 700; "
        "font-display: swap; unicode-range: U+0600-06FF, U+0750-077F, U+08A0-08FF, "
        "U+FB50-FDFF, U+FE70-FEFF; }\n"
    )
    return face + CSS_FILE.read_text(encoding="utf-8")


def _theme() -> gr.themes.Base:
    """Gradio's default theme with local fonts only: nothing is fetched from outside."""
    return gr.themes.Default(
        primary_hue="teal",
        secondary_hue="amber",
        neutral_hue="slate",
        font=[
            gr.themes.LocalFont("IBM Plex Sans", weights=(400, 600)),
            "Noto Naskh Arabic",
            "ui-sans-serif",
            "system-ui",
            "sans-serif",
        ],
        font_mono=[gr.themes.LocalFont("IBM Plex Mono"), "ui-monospace", "monospace"],
    )


def launch_options(config: AppConfig | None = None) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` besides host and port: theme, CSS, safe limits."""
    config = config or AppConfig()
    return {
        "theme": _theme(),
        "css": _css(),
        "allowed_paths": [str(FONT_DIR)],
        "max_file_size": config.max_upload_bytes,
        "show_error": True,
        "footer_links": ["api", "settings"],
    }


def serve(
    config: AppConfig, host: str = "127.0.0.1", port: int = 7860, share: bool = False
) -> None:
    """Start the web UI and block until it is stopped (Ctrl+C)."""
    app = build_app(config)
    app.launch(server_name=host, server_port=port, share=share, **launch_options(config))
