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

from translate.errors import InputError

from ..service.errors import AccessDenied, describe
from ..service.workbench import Workbench
from .door import request_key
from .guards import Access

__all__ = ["ERROR_RESPONSES", "ErrorBody", "api_key", "call", "check_unicode", "failure"]

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


def api_key(request: Request, body_key: object) -> object:
    """The key of a request: the body's ``api_key`` (checked as text by :class:`Access`),
    else ``X-API-Key``, else an ``Authorization: Bearer`` token."""
    if body_key is not None and body_key != "":
        return body_key
    return request_key(request.scope)


def check_unicode(data: object, what: str = "The request") -> None:
    """InputError when any string in ``data`` (nested lists and dicts walked without
    recursion) holds a lone surrogate: it cannot be translated nor written back as JSON."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(
                    f"{what} holds text that is not valid Unicode (a lone surrogate at "
                    f"position {exc.start})."
                ) from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


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
    key: object,
    work: Callable[[], Any],
    *,
    role: str = "translation",
    model: str | None = None,
    lt: bool = False,
    body: object = None,
) -> Any:
    """Check the key and rate limit (and that ``body``'s strings are valid Unicode), run
    ``work`` in a thread; every failure becomes JSON."""
    try:
        access.check(key, request.client.host if request.client else "unknown")
        if isinstance(body, BaseModel):
            body = body.model_dump()
        check_unicode(body)
        return await run_in_threadpool(work)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a JSON error
        return failure(exc, bench, role, model, lt)
