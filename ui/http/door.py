"""The page's door: with API keys, gradio's own routes (its queue, named endpoints, uploads)
need a key as the HTTP API does, and each run counts against the key's rate limit.

See :class:`PageDoor` for how a person opens the page with a key (a session cookie).
"""

from __future__ import annotations

from typing import Any

from translate.errors import InputError

from ..service.errors import AccessDenied, RateLimited, describe
from .guards import Access, ASGIApp, Receive, Scope, Send, header, send_json

__all__ = ["PAGE_COOKIE", "PageDoor", "request_key"]

PAGE_COOKIE = "tarjama_page"
_FREE = (  # what the page loads before any run: scripts, styles, fonts, the API docs
    "/assets/", "/static/", "/svelte/", "/favicon.ico", "/theme.css", "/robots.txt",
    "/manifest.json", "/pwa_icon", "/docs", "/openapi.json", "/api-docs-static/",
    "/tarjama-fonts/",
)  # fmt: skip
_RUNS = ("/gradio_api/queue/join", "/gradio_api/upload")  # POSTs that start work
_NAMED = ("/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/")  # + an endpoint name
_KEY_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tarjama</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto">
<h1>tarjama</h1><p>{message}</p>
<form method="get" action="/"><label>API key <input name="api_key" type="password"
autocomplete="current-password" required autofocus></label> <button>Open the page</button></form>
</body></html>"""


def _cookie(scope: Scope, name: str) -> str | None:
    for part in (header(scope, b"cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def request_key(scope: Scope) -> str | None:
    """The key of a request's headers: ``X-API-Key``, else ``Authorization: Bearer``."""
    given = header(scope, b"x-api-key")
    if given and given.strip():
        return _text(given.strip())
    auth = (header(scope, b"authorization") or "").strip()
    return _text(auth[7:].strip()) if auth.lower().startswith("bearer ") else None


def _text(raw: str) -> str:
    """A header value (read as latin-1) as the UTF-8 text the client sent."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


class PageDoor:
    """With API keys, the page and gradio's own routes (queue, named endpoints, uploads) need
    a key too, and every run counts against that key's rate limit (or the address's, without
    keys). Unknown named endpoints are 404.

    A person opens the page as ``/?api_key=KEY`` (or through the form shown at ``/`` without
    one): the key is checked, the page gets a session cookie (HttpOnly, SameSite=Strict) that
    stands for the key, and the browser is sent on to ``/`` so that the key leaves the address
    bar. Programs send ``X-API-Key`` or ``Authorization: Bearer`` instead.
    """

    def __init__(
        self,
        app: ASGIApp,
        access: Access,
        endpoints: set[str],
        api_prefixes: tuple[str, ...],
    ) -> None:
        self.app = app
        self.access = access
        self.endpoints = endpoints
        self.api_prefixes = api_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if any(path == p or path.startswith(p + "/") for p in self.api_prefixes) or any(
            path.startswith(p) for p in _FREE
        ):
            await self.app(scope, receive, send)  # the API routes check their keys themselves
            return
        named = next((path[len(p) :] for p in _NAMED if path.startswith(p)), None)
        if method == "POST" and named is not None and "/" not in named.strip("/"):
            if named.strip("/") not in self.endpoints:
                await _refuse(send, 404, f"No endpoint /{named.strip('/')} on this server.",
                              "not_found")  # fmt: skip
                return
        runs = method == "POST" and (path.rstrip("/") in _RUNS or named is not None)
        if not self.access.required:
            if runs and not await self._counted(scope, send, None):
                return
            await self.app(scope, receive, send)
            return
        if path == "/" and method in ("GET", "HEAD"):
            await self._page(scope, receive, send)
            return
        key = request_key(scope) or self.access.session_key(_cookie(scope, PAGE_COOKIE))
        if scope["type"] == "websocket":
            if key is None:
                await send({"type": "websocket.close", "code": 1008})
                return
        elif not await self._counted(scope, send, key, count=runs):
            return
        await self.app(scope, receive, send)

    async def _counted(self, scope: Scope, send: Send, key: str | None, count: bool = True) -> bool:
        """Check (and count, for a run) ``key``; False after answering a refusal."""
        client = (scope.get("client") or ("unknown", 0))[0]
        try:
            if count:
                self.access.check(key, client)
            else:
                self.access.check_key(key)
        except (AccessDenied, RateLimited, InputError) as exc:
            outcome = describe(exc)
            await send_json(
                send,
                outcome.status,
                {"error": outcome.message, "hint": outcome.hint, "code": outcome.code},
                outcome.headers.items(),
            )
            return False
        return True

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The page: with a valid key (query or header) a session cookie; else the key form."""
        from urllib.parse import parse_qs

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("api_key", [None])[0]
        key = given or request_key(scope)
        if key is None and self.access.session_key(_cookie(scope, PAGE_COOKIE)) is not None:
            await self.app(scope, receive, send)
            return
        if key is None:
            await _html(send, 401, _KEY_FORM.format(message="This server needs an API key."))
            return
        try:
            token = self.access.open_session(_text(key) if given else key)
        except (AccessDenied, InputError):
            await _html(send, 403, _KEY_FORM.format(message="That key is not valid here."))
            return
        cookie = f"{PAGE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        if given:  # the key leaves the address bar (and the browser's history)
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_cookie)


async def _refuse(send: Send, status: int, message: str, code: str) -> None:
    await send_json(send, status, {"error": message, "hint": None, "code": code})


async def _html(send: Send, status: int, page: str) -> None:
    body = page.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
