"""Shared pieces of the web UI and HTTP API tests: configs on the tiny models, a live server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import SEEDS

SHORT = (SEEDS / "short-headline.ar.txt").read_text(encoding="utf-8")
ENGLISH = "\n".join((SEEDS / "en-news.txt").read_text(encoding="utf-8").splitlines()[:12])
FAST = {"num_beams": 1, "max_new_tokens": 8}


def tiny_config(tiny_marian: Path, **overrides: Any):
    """An AppConfig on the tiny Marian model, extractive summaries, short greedy decoding."""
    from ui.service.config import AppConfig

    fields: dict[str, Any] = {
        "model": str(tiny_marian),
        "backend": "transformers",
        "device": "cpu",
        "max_chars": 4000,
        "summary_method": "extractive",
        "summary_length": "short",
        "translation_settings": FAST,
    }
    fields.update(overrides)
    return AppConfig(**fields)


@contextlib.contextmanager
def live_server(config: Any) -> Iterator[tuple[str, Any]]:
    """The page and the API on a free 127.0.0.1 port: (url, app)."""
    from ui.http.server import BackgroundServer, create_app

    app = create_app(config)
    try:
        with BackgroundServer(app) as url:
            yield url, app
    finally:
        app.state.workbench.cleanup()
