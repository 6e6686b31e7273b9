"""The translation memory over HTTP: ``POST /api/v1/memory`` (a unit: 201), ``GET
/api/v1/memory?q=…&limit=…`` (exact and near matches with their similarity), ``GET
/api/v1/memory/export`` (TMX 1.4) and ``DELETE /api/v1/memory/{id}`` (204, or 404).

With ``--api-keys`` every memory route needs a key (the memory holds unpublished text and its
corrections), and a unit records the writing key's *name* (``ui.service.memory.key_name``),
never the key. A server without a memory (``--no-memory``) answers 503 ``memory_off``; a memory
file that became unusable (locked, read-only) 503 ``memory_unavailable`` with the reason.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from translate.memory import MAX_UNIT_CHARS, export_tmx
from translate.memory import delete as delete_unit
from translate.memory import search as search_units

from ..service.memory import remember, require
from ..service.workbench import Workbench
from .common import ERROR_RESPONSES, api_key, call
from .guards import Access

__all__ = ["MemoryUnit", "add_memory_routes"]

_ERRORS = ERROR_RESPONSES
MAX_QUERY_CHARS = MAX_UNIT_CHARS  # a search text is held to a unit's size


class MemoryUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The Arabic sentence as written.")
    target: str = Field(description="Its English translation (the correction).")
    api_key: str | None = Field(None, description="Or the X-API-Key / Authorization header.")


def _key(request: Request) -> str | None:
    """A GET or DELETE's key: the ``api_key`` query parameter, else the headers."""
    return api_key(request, request.query_params.get("api_key"))


def add_memory_routes(app: FastAPI, bench: Workbench, access: Access) -> None:
    """Add the ``/api/v1/memory`` routes to ``app``."""

    def memory() -> Any:
        return require(bench.pool.memory)

    @app.post("/api/v1/memory", tags=["memory"], status_code=201, responses=_ERRORS)
    async def memory_add(body: MemoryUnit, request: Request) -> Any:
        """Store a correction: the unit (id, source, target, origin, times); an existing
        source has its unit updated."""
        key = api_key(request, body.api_key)
        result = await call(
            request,
            bench,
            access,
            key,
            lambda: remember(bench.pool.memory, body.source, body.target, origin="api", key=key),
        )
        return result if isinstance(result, Response) else JSONResponse(result, status_code=201)

    @app.get("/api/v1/memory", tags=["memory"], responses=_ERRORS)
    async def memory_search(
        request: Request,
        q: str = Query(description="Arabic text to look up.", max_length=MAX_QUERY_CHARS),
        limit: int = Query(10, ge=1, le=100),
    ) -> Any:
        """Exact and near matches of ``q``, best first, each with its similarity (0-1)."""
        return await call(
            request,
            bench,
            access,
            _key(request),
            lambda: {"matches": search_units(memory(), q, limit=limit)},
        )

    @app.get(
        "/api/v1/memory/export",
        tags=["memory"],
        responses={**_ERRORS, 200: {"content": {"application/x-tmx+xml": {}}}},
    )
    async def memory_export(request: Request) -> Any:
        """Every unit as TMX 1.4 (a file download)."""

        def work() -> Any:
            store = memory()
            handle, name = tempfile.mkstemp(prefix="tarjama-memory-", suffix=".tmx")
            os.close(handle)
            try:
                export_tmx(store, name)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
            return FileResponse(
                name,
                media_type="application/x-tmx+xml",
                filename="tarjama-memory.tmx",
                background=BackgroundTask(Path(name).unlink, missing_ok=True),
            )

        return await call(request, bench, access, _key(request), work)

    @app.delete(
        "/api/v1/memory/{unit_id}",
        tags=["memory"],
        status_code=204,
        response_model=None,
        responses={**_ERRORS, 404: {"description": "No unit with this id"}},
    )
    async def memory_delete(unit_id: int, request: Request) -> Response:
        """Remove a unit: 204, or 404 when there is none with this id."""

        def work() -> Response:
            if delete_unit(memory(), unit_id):
                return Response(status_code=204)
            return JSONResponse(
                {"error": f"There is no unit {unit_id}.", "hint": None, "code": "not_found"},
                status_code=404,
            )

        return await call(request, bench, access, _key(request), work)
