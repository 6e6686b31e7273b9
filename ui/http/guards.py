"""HTTP-level limits of the server: body size, uploads, API keys and rate limits, CORS.

Pure ASGI middleware (no buffering of large bodies): a body over the cap is refused from its
``Content-Length`` before it is read, or as soon as the streamed bytes pass the cap (413).
Uploads are kept to the types the page opens and to a bounded total in the server's own
folder. Keys and rate limits are checked by the API routes through :class:`Access`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from translate.errors import InputError

from ..service.errors import AccessDenied, RateLimited

__all__ = [
    "Access",
    "AccessDenied",
    "ApiCors",
    "BodyLimit",
    "RateLimited",
    "UploadGuard",
    "folder_size",
    "header",
]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_MAX_PAGE_SESSIONS = 10_000  # page tokens kept (about 100 bytes each: ~1 MB in all)


class _BodyTooLarge(BaseException):
    """Raised from ``receive`` past the cap. A BaseException, so that no ``except Exception``
    of the app (FastAPI turns body errors into 400s) swallows it before the middleware."""


async def send_json(
    send: Send, status: int, data: Any, headers: Iterable[tuple[str, str]] = ()
) -> None:
    """Send a complete JSON response."""
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value (the first of that name), read as latin-1."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, before reading them whole.

    The rest of a refused body is read and thrown away (up to ``linger_bytes``) before the
    answer goes out: closing a connection with unread data makes the kernel reset it, and the
    client may then lose the 413 it was sent and see only a broken connection. Nothing is kept,
    so memory stays flat. A body declared longer than ``linger_bytes`` is answered at once, and a
    streamed one is cut after ``linger_bytes``: those connections are simply closed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, linger_bytes: int = 32 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.linger_bytes = linger_bytes

    def _too_large(self) -> dict[str, str]:
        return {
            "error": f"The request body is larger than this server accepts "
            f"({self.max_bytes // 1024:,} KiB)."
        }

    async def _refuse(self, receive: Receive, send: Send, more: bool) -> None:
        drained = 0
        while more and drained <= self.linger_bytes:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away
            drained += len(message.get("body", b""))
            more = bool(message.get("more_body"))
        await send_json(send, 413, self._too_large(), [("connection", "close")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(receive, send, more=int(declared) <= self.linger_bytes)
            return
        received = 0
        started = False
        more_body = True

        async def counted_receive() -> dict[str, Any]:
            nonlocal received, more_body
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more_body = bool(message.get("more_body"))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracked_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(receive, send, more=more_body)


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total


class UploadGuard:
    """Gradio's upload route stores any file: keep only the page's types, within a total.

    Before the upload: refused (413) when the folder plus the declared size would pass
    ``max_total``. After it: files of other types are deleted and the request answered 415.
    """

    def __init__(self, app: ASGIApp, folder: Path, max_total: int, types: tuple[str, ...]) -> None:
        self.app = app
        self.folder = folder
        self.max_total = max_total
        self.types = tuple(t.lower() for t in types)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("path", "").rstrip("/").endswith("/upload")
        ):
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length") or "0"
        incoming = int(declared) if declared.isdigit() else 0
        if folder_size(self.folder) + incoming > self.max_total:
            await send_json(send, 413, {"error": self._full()})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start.get("status") == 200:
            try:
                stored = [Path(p) for p in json.loads(body)]
            except (ValueError, TypeError):
                stored = []
            wrong = [p for p in stored if p.suffix.lower() not in self.types]
            if wrong or folder_size(self.folder) > self.max_total:
                for path in stored:
                    self._remove(path)
                if wrong:
                    kinds = ", ".join(self.types)
                    message = f"{wrong[0].name}: only {kinds} files can be opened here."
                    await send_json(send, 415, {"error": message})
                else:
                    await send_json(send, 413, {"error": self._full()})
                return
        await send({**start, "type": "http.response.start"})
        await send({"type": "http.response.body", "body": body})

    def _full(self) -> str:
        return "The server holds too many uploads right now; try again in a few minutes."

    def _remove(self, path: Path) -> None:
        try:
            resolved = path.resolve()
            if resolved.is_relative_to(self.folder.resolve()):
                resolved.unlink(missing_ok=True)
        except OSError:
            pass


class ApiCors:
    """CORS for the JSON routes only (browser extensions and web apps call them); the page
    keeps gradio's own, stricter policy."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes
        self.headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-headers", b"Authorization, Content-Type, X-API-Key"),
            (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
            (b"access-control-max-age", b"86400"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not any(path == p or path.startswith(p + "/") for p in self.prefixes):
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": self.headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, with_cors)


class Access:
    """API keys (optional) and per-key (or per-address) rate limits over a sliding minute.

    A page opened with a valid key gets a session token (:meth:`open_session`, a cookie): the
    page's own gradio calls then count against that key, as an API call with it would.
    """

    def __init__(self, keys: dict[str, int | None], rate_limit: int = 0) -> None:
        self.keys = dict(keys)
        self.rate_limit = rate_limit
        self._hits: dict[str, deque[float]] = {}
        self._sessions: OrderedDict[str, str] = OrderedDict()  # page token → its key
        self._lock = threading.Lock()

    @property
    def required(self) -> bool:
        return bool(self.keys)

    def open_session(self, key: object) -> str:
        """A fresh page token for a valid ``key`` (else AccessDenied / InputError)."""
        self._match(key)
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = str(key)
            while len(self._sessions) > _MAX_PAGE_SESSIONS:  # the oldest pages log in again
                self._sessions.popitem(last=False)
        return token

    def session_key(self, token: str | None) -> str | None:
        """The key a page token was opened with (None: no such token)."""
        if not token:
            return None
        with self._lock:
            return self._sessions.get(token)

    def _match(self, key: object) -> str:
        """The configured key equal to ``key``; AccessDenied when none is, InputError when
        ``key`` is not text at all (a list, a number, a lone surrogate)."""
        if key is None or key == "":
            raise AccessDenied(
                "Please contact the server operator to get an API key.", missing=True
            )
        if not isinstance(key, str):
            raise InputError("Invalid request: api_key must be a string.")
        try:
            given = key.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("Invalid request: api_key is not valid text.") from None
        # Compare against every key in constant time: no timing hint of a near miss.
        match = [k for k in self.keys if hmac.compare_digest(k.encode("utf-8"), given)]
        if not match:
            raise AccessDenied("Invalid API key", missing=False)
        return match[0]

    def check_key(self, key: object) -> None:
        """Raise AccessDenied (or InputError) unless ``key`` is valid; counts nothing."""
        if self.keys:
            self._match(key)

    def check(self, key: object, client: str) -> None:
        """Raise AccessDenied, RateLimited or InputError (a key that is not text); else count
        this request."""
        if self.keys:
            matched = self._match(key)
            limit = self.keys[matched] or self.rate_limit
            who = "key:" + hashlib.sha256(matched.encode()).hexdigest()[:16]
        else:
            limit, who = self.rate_limit, f"ip:{client}"
        if limit > 0:
            self._count(who, limit)

    def _count(self, who: str, limit: int) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(who, deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= limit:
                raise RateLimited(limit, max(1, int(60.0 - (now - hits[0])) + 1))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle callers
                for name in [n for n, h in self._hits.items() if not h or now - h[-1] >= 60]:
                    del self._hits[name]
