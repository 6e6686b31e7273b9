"""All HTTP routes on the server's app: the plain JSON API (``v1.py``) and the
LibreTranslate-compatible routes (``libretranslate.py``), on the same app as the page.

Every call goes through the same :class:`~ui.service.Workbench` as the page: same limits,
same batching, same error table.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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

    add_v1_routes(app, bench, access)
    add_libretranslate_routes(app, bench, access)
    add_memory_routes(app, bench, access)
