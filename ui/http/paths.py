"""Keep the server's temporary folder out of what clients see.

gradio names uploaded and downloadable files by their path on the server
(``/tmp/tarjama-ui-…/files/<hash>/name``), in its upload answers, in the messages of a run and
in the ``/gradio_api/file=`` links. :class:`PathMask` writes an alias (``/tarjama``) in its
place on the way out, and the real folder back on the way in (a file link, the files named in
an event's data), so gradio works on its real paths and no client ever sees them.
"""

from __future__ import annotations

import os
from typing import Any

from .guards import ASGIApp, Receive, Scope, Send

__all__ = ["ALIAS", "PathMask"]

ALIAS = "/tarjama"
_EVENTS = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/")
_FILE = "/gradio_api/file="
_ANSWERS = (*_EVENTS, "/gradio_api/upload", "/gradio_api/queue/data")


class PathMask:
    """Swap the real temporary folder ``real`` for :data:`ALIAS` in gradio's answers, and
    back in its requests (file links and event data)."""

    def __init__(self, app: ASGIApp, real: str, alias: str = ALIAS) -> None:
        self.app = app
        self.real = real.rstrip("/").encode()
        self.alias = alias.rstrip("/").encode()
        # The folder as named and as resolved (/tmp may be a link, as on macOS): both masked.
        resolved = os.path.realpath(real).rstrip("/").encode()
        self.reals = sorted({self.real, resolved}, key=len, reverse=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/gradio_api/"):
            await self.app(scope, receive, send)
            return
        link = f"{_FILE}{self.alias.decode()}/"
        if path.startswith(link):  # a file link as the client knows it
            path = f"{_FILE}{self.real.decode()}/{path[len(link) :]}"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        if scope.get("method") == "POST" and path.startswith(_EVENTS):
            receive = await self._unmasked(receive)
        if path.startswith(_ANSWERS):
            send = self._masking(send)
        await self.app(scope, receive, send)

    async def _unmasked(self, receive: Receive) -> Receive:
        """The whole event body (bounded by BodyLimit) with the alias made real again; read
        whole, so that an alias split between two chunks is still found."""
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        # Only a JSON string that starts with the alias: a file's own name is left alone.
        body = b"".join(chunks).replace(b'"' + self.alias + b"/", b'"' + self.real + b"/")
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    def _masking(self, send: Send) -> Send:
        """A sender that writes the alias in place of the real folder: streamed answers
        (server-sent events) chunk by chunk, others whole with their length set again."""
        start: dict[str, Any] = {}
        streaming = False
        chunks: list[bytes] = []

        async def masked(message: dict[str, Any]) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                start.update(message)
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                streaming = kind.startswith(b"text/event-stream")
                if streaming:
                    await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = message.get("body", b"")
            for real in self.reals:
                body = body.replace(real + b"/", self.alias + b"/")
            if streaming:
                await send({**message, "body": body})
                return
            chunks.append(body)
            if message.get("more_body"):
                return
            whole = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(whole)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": whole})

        return masked
