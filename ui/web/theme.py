"""The page's look: local fonts, CSS and theme, and the options gradio is mounted with.

The page fetches nothing from outside the server: its fonts are gradio's bundled IBM Plex (the
complete regular and bold faces only) and Noto Naskh Arabic from ``ui/web/static/fonts``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from ..service.config import AppConfig

__all__ = ["FONT_DIR", "FONT_ROUTE", "gradio_temp_dir", "launch_options"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
FONT_DIR = STATIC_DIR / "fonts"
ARABIC_FONT = FONT_DIR / "NotoNaskhArabic-Regular.ttf"
# Served by ui.http.server at this path (relative to the page): no local path reaches the browser.
FONT_ROUTE = "tarjama-fonts"
CSS_FILE = STATIC_DIR / "tarjama.css"


@contextlib.contextmanager
def gradio_temp_dir(folder: Path) -> Iterator[None]:
    """Gradio stores uploads and copies of downloads in ``GRADIO_TEMP_DIR``, read when its
    components and app are made: point it at the server's own folder meanwhile."""
    before = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = before


def page_css() -> str:
    """The page's CSS: the Arabic font (served by the server at ``FONT_ROUTE``) first, then
    ``ui/web/static/tarjama.css``."""
    font_url = f"{FONT_ROUTE}/{ARABIC_FONT.name}"
    face = (
        "@font-face { font-family: 'Noto Naskh Arabic'; "
        f"src: url('{font_url}') format('truetype'); font-weight: 400 700; "
        "font-display: swap; unicode-range: U+0600-06FF, U+0750-077F, U+08A0-08FF, "
        "U+FB50-FDFF, U+FE70-FEFF; }\n"
    )
    return face + CSS_FILE.read_text(encoding="utf-8")


def page_theme() -> gr.themes.Base:
    """Gradio's default theme with local fonts only. Only the complete faces (400, 700) of the
    bundled IBM Plex: its semibold files hold a handful of glyphs, so semibold text mixed
    typefaces letter by letter; 600 now resolves to the bold face."""
    return gr.themes.Default(
        primary_hue="teal",
        secondary_hue="amber",
        neutral_hue="slate",
        font=[
            gr.themes.LocalFont("IBM Plex Sans", weights=(400, 700)),
            "Noto Naskh Arabic",
            "ui-sans-serif",
            "system-ui",
            "sans-serif",
        ],
        font_mono=[
            gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)),
            "ui-monospace",
            "monospace",
        ],
    ).set(**_primary_button())


def _primary_button() -> dict[str, str]:
    """The primary button's theme variables: teal 700, teal 800 when hovered or disabled, white
    text; the same in dark mode.

    Contrast (axe-core, WCAG AA 4.5:1 against white text): the default teal 500/600 is too
    light. Set in the theme, not in CSS, so that every state the button passes through
    (disabled while a run goes, then enabled, hovered) and the 0.2 s transition between them
    stay dark enough: a CSS override missed the disabled state, and a check during the fade
    back caught a light teal.
    """
    variables = {}
    for state, fill in (("", "*primary_700"), ("_hover", "*primary_800")):
        for mode in ("", "_dark"):
            variables[f"button_primary_background_fill{state}{mode}"] = fill
            variables[f"button_primary_border_color{state}{mode}"] = fill
            variables[f"button_primary_text_color{state}{mode}"] = "white"
    return variables


def launch_options(config: AppConfig | None = None) -> dict[str, Any]:
    """Keyword arguments for ``gr.mount_gradio_app`` (or ``Blocks.launch``): theme, CSS, limits."""
    config = config or AppConfig()
    return {
        "theme": page_theme(),
        "css": page_css(),
        "allowed_paths": [],
        "max_file_size": config.max_upload_bytes,
        "show_error": True,
        "footer_links": ["api", "settings"],
    }
