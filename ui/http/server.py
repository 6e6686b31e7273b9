"""The server: the page and the HTTP API on one app, its limits, and a clean exit.

``create_app(config)`` returns the FastAPI app (API routes, then the gradio page mounted at
``/``, wrapped in the body-size, upload and CORS guards); ``serve`` runs it with uvicorn on
127.0.0.1 unless told otherwise, and removes the server's temporary folder on exit, Ctrl+C or
SIGTERM. :class:`BackgroundServer` runs one in a thread (tests, ``bench/serve.py``).
"""

from __future__ import annotations

import atexit
import logging
import signal
import socket
import sys
import threading
import time
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from translate import __version__

from ..service.config import GLOSSARY_UPLOAD_TYPES, UPLOAD_TYPES, AppConfig
from ..service.workbench import Workbench
from ..web.app import build_app
from ..web.theme import FONT_DIR, FONT_ROUTE, gradio_temp_dir, launch_options
from .door import PageDoor
from .guards import Access, ApiCors, BodyLimit, UploadGuard
from .paths import PathMask
from .routes import API_PREFIXES, add_routes

__all__ = ["BackgroundServer", "create_app", "model_report", "public_endpoints", "serve"]

log = logging.getLogger(__name__)

DOCS_STATIC = "/api-docs-static"  # where the API docs' scripts are served


def create_app(config: AppConfig, bench: Workbench | None = None) -> FastAPI:
    """The page and the HTTP API on one FastAPI app (nothing is started, no model loaded)."""
    bench = bench or Workbench(config)
    blocks = build_app(config, bench)
    # The API docs (Swagger UI at /docs) from files the server holds: the stock page loads its
    # scripts from a CDN and stays blank on a machine without internet. (No ReDoc: its bundle
    # still fetches a logo from its CDN.)
    app = FastAPIOffline(
        title="tarjama",
        version=__version__,
        summary="Arabic → English news translation and summaries.",
        docs_url="/docs",
        redoc_url=None,
        static_url=DOCS_STATIC,
    )
    app.state.workbench = bench
    access = Access(config.api_keys, config.rate_limit)
    add_routes(app, bench, access)
    app.mount(f"/{FONT_ROUTE}", StaticFiles(directory=FONT_DIR), name="fonts")
    with gradio_temp_dir(bench.files.uploads_dir):
        gr.mount_gradio_app(
            app, blocks, path="/", run_history=False, ssr_mode=False, **launch_options(config)
        )
    # Outermost first: refuse an oversized body before anything reads it.
    app.add_middleware(ApiCors, prefixes=API_PREFIXES)
    app.add_middleware(
        PageDoor,
        access=access,
        endpoints=public_endpoints(blocks),
        api_prefixes=API_PREFIXES,
    )
    app.add_middleware(
        UploadGuard,
        folder=bench.files.uploads_dir,
        max_total=config.max_upload_total_bytes,
        types=(*UPLOAD_TYPES, *GLOSSARY_UPLOAD_TYPES),
    )
    # Outside the upload guard, which deletes refused uploads by their real paths.
    app.add_middleware(PathMask, real=str(bench.files.tmp_root))
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    return app


def public_endpoints(blocks: gr.Blocks) -> set[str]:
    """The gradio endpoints a program may call by name (none of the page's private events;
    ``predict`` is how the page itself runs its unqueued events)."""
    names = {"predict"}
    for dependency in blocks.config.get("dependencies", []):
        if dependency.get("api_name") and dependency.get("api_visibility") != "private":
            names.add(dependency["api_name"])
    return names


def model_report(bench: Workbench) -> list[str]:
    """One line per model for the start-up message: which are ready, and what follows."""
    catalog = bench.catalog
    lines = [
        f"translation model {c.public}: {c.note()}" + (" (default)" if c == catalog.default else "")
        for c in catalog.translation
        if c == catalog.default or c.ready
    ]
    lines.append(f"summary model {catalog.summary.public}: {catalog.summary.note()}")
    if bench.summary_note:
        lines.append(bench.summary_note.replace("`", ""))
    memory, glossary = bench.pool.memory, bench.pool.glossary
    if memory is not None:
        lines.append(f"translation memory {memory.path} ({memory.stats().units} units)")
    if glossary is not None:
        lines.append(f"glossary {glossary.name or 'default'} ({len(glossary)} entries)")
    return lines


def serve(
    config: AppConfig, host: str = "127.0.0.1", port: int = 7860, share: bool = False
) -> None:
    """Start the page and the API and block until stopped (Ctrl+C or SIGTERM); the temporary
    folder is removed on the way out."""
    # A SIGTERM before uvicorn takes over (or re-raised by it after a graceful stop) exits
    # through Python, so the cleanup below and atexit run.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        bench = Workbench(config)
        atexit.register(bench.cleanup)
        try:
            for line in model_report(bench):
                print(f"tarjama: {line}", file=sys.stderr)
            app = create_app(config, bench)
            server = uvicorn.Server(
                uvicorn.Config(
                    app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
                )
            )
            where = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
            print(f"tarjama: the page on {where} · the API on {where}docs", file=sys.stderr)
            if share:
                threading.Thread(target=_share, args=(server, port), daemon=True).start()
            server.run()
        finally:
            bench.cleanup()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _share(server: uvicorn.Server, port: int) -> None:
    """A temporary public link through gradio's share servers (only when asked for)."""
    import secrets

    from gradio import networking

    while not server.started:
        time.sleep(0.1)
    try:
        url = networking.setup_tunnel("127.0.0.1", port, secrets.token_urlsafe(32), None, None)
    except Exception as exc:  # noqa: BLE001 - the local server goes on without a link
        print(f"tarjama: no public link ({exc}).", file=sys.stderr)
        return
    print(f"tarjama: public link {url.replace('http://', 'https://')}", file=sys.stderr)


class BackgroundServer:
    """A server in a thread on a free 127.0.0.1 port: ``with BackgroundServer(app) as url``."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/"
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()
