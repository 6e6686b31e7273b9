"""What every HTTP route shares: the API key of a request, the call of the service in a
thread, and errors as JSON with the status of the error table (``ui.service.errors``).

Errors are JSON with a status: 400 bad input, 401/403 API key, 413 too large, 429 busy or over
the rate limit, 503 model unavailable, 500 anything else (logged, never a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ..service.errors import AccessDenied, describe
from ..service.workbench import Workbench
from .guards import Access

__all__ = ["ERROR_RESPONSES", "ErrorBody", "api_key", "call", "failure"]

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    error: str
    hint: str | None = None
    code: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in [
        (400, "Bad input (empty, not Arabic, unknown model, option or field)"),
        (401, "An API key is required"),
        (403, "Invalid API key"),
        (413, "Input or body over the server's limits"),
        (429, "Queue full or over the rate limit"),
        (503, "Model not available on this server"),
    ]
}


def api_key(request: Request, body_key: str | None) -> str | None:
    """The key of a request: the body's ``api_key``, else X-API-Key, else a Bearer token."""
    if body_key:
        return body_key
    header = request.headers.get("x-api-key")
    if header:
        return header.strip()
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def failure(
    exc: BaseException, bench: Workbench, role: str, model: str | None, lt: bool
) -> JSONResponse:
    """``exc`` as a JSON error: ``{error, hint, code}``, or LibreTranslate's ``{error}``."""
    outcome = describe(exc, bench.catalog, role=role, model=model)
    status = outcome.status
    if status == 500:
        log.error("API call failed", exc_info=exc)
    if lt and isinstance(exc, AccessDenied) and exc.missing:
        status = 400  # LibreTranslate answers a missing key with 400
    if lt:
        return JSONResponse(
            {"error": outcome.page_text}, status_code=status, headers=outcome.headers
        )
    return JSONResponse(
        {"error": outcome.message, "hint": outcome.hint, "code": outcome.code},
        status_code=status,
        headers=outcome.headers,
    )


async def call(
    request: Request,
    bench: Workbench,
    access: Access,
    key: str | None,
    work: Callable[[], Any],
    *,
    role: str = "translation",
    model: str | None = None,
    lt: bool = False,
) -> Any:
    """Check the key and rate limit, run ``work`` in a thread; every failure becomes JSON."""
    try:
        access.check(key, request.client.host if request.client else "unknown")
        return await run_in_threadpool(work)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a JSON error
        return failure(exc, bench, role, model, lt)
