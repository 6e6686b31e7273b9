"""All HTTP routes on the server's app: the plain JSON API (``v1.py``) and the
LibreTranslate-compatible routes (``libretranslate.py``), on the same app as the page.

Every call goes through the same :class:`~ui.service.Workbench` as the page: same limits,
same batching, same error table.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..service.workbench import Workbench
from .guards import Access
from .libretranslate import add_libretranslate_routes
from .memory import add_memory_routes
from .v1 import add_v1_routes, validation_error

__all__ = ["API_PREFIXES", "add_routes"]

API_PREFIXES = (
    "/api/v1",
    "/translate",
    "/detect",
    "/languages",
    "/frontend/settings",
    "/suggest",
)


def add_routes(app: FastAPI, bench: Workbench, access: Access) -> None:
    """Add the JSON and LibreTranslate routes (and their error handling) to ``app``."""

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error(request, exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        """FastAPI's own refusals (a body it cannot parse: JSON nested too deep, multipart
        past its limits; an unknown route) in the documented shape on the API's paths."""
        path = request.url.path
        if not any(path == p or path.startswith(p + "/") for p in API_PREFIXES):
            return await http_exception_handler(request, exc)
        message = exc.detail if isinstance(exc.detail, str) else "Invalid request"
        if exc.status_code == 400:
            message = f"Invalid request: {message[:1].lower()}{message[1:]}"
        if not path.startswith("/api/v1"):  # LibreTranslate's shape
            return JSONResponse({"error": message}, status_code=exc.status_code)
        code = {400: "bad_request", 404: "not_found", 405: "bad_method"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            {"error": message, "hint": None, "code": code},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    add_v1_routes(app, bench, access)
    add_libretranslate_routes(app, bench, access)
    add_memory_routes(app, bench, access)
