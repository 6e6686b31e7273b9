"""The plain JSON API: ``POST /api/v1/translate``, ``/api/v1/summarize``, ``/api/v1/digest``
take JSON and return the JSON of ``tarjama translate|summarize|digest --format json`` (model
names instead of local paths); ``GET /api/v1/models`` says which models are ready.

Request bodies are strict: a field the route does not know (``"glosary"``) is refused with a
400 that names it, so a misspelt option is never silently lost.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from summarize.config import LENGTHS, METHODS
from translate import __version__

from ..service.edits import alternatives_json, digest_with_edits
from ..service.glossary import request_glossary
from ..service.workbench import Workbench
from .common import ERROR_RESPONSES, api_key, call
from .guards import Access

__all__ = ["add_v1_routes", "validation_error"]

_ERRORS = ERROR_RESPONSES
_NAMED = 10  # problems named in one error message

# The summary's methods and lengths are listed once, in summarize.config.
Method = Literal[METHODS]  # type: ignore[valid-type]
Length = Literal[LENGTHS] | Annotated[int, Field(ge=1, le=1024)]  # type: ignore[valid-type]


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Arabic text: one article or part of one.")
    model: str | None = Field(None, description="A translation model of GET /api/v1/models.")
    api_key: str | None = Field(None, description="Or the X-API-Key / Authorization header.")
    alternatives: int = Field(
        0, ge=0, le=5, description="Up to this many other translations of each segment (0-5)."
    )
    glossary: list[dict[str, Any]] | None = Field(
        None,
        description='This request\'s terms, [{"arabic": …, "english": …, "note"?: …}] (english '
        '"" keeps the Arabic as written), added to the server\'s glossary; on the same Arabic '
        "term the request's entry wins.",
    )


class SummarizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | list[str] = Field(description="English text, or a list of its sentences.")
    method: Method | None = None
    length: Length | None = Field(None, description="short, medium, long, or a number.")
    api_key: str | None = None


class DigestRequest(TranslateRequest):
    method: Method | None = None
    length: Length | None = None
    edits: dict[int, str] | None = Field(
        None,
        description="A person's English for some segments, {segment index: English}: the "
        "digest of the edited translation (summary made again; edited segments say "
        '"edited": true and keep the model\'s English as "machine").',
    )


def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body the route cannot take, in the documented error shape; unknown fields by name."""
    problems = []
    unknown = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ())[1:]) or "body"
        if e.get("type") == "extra_forbidden":
            unknown.append(where)
        else:
            problems.append(f"{where}: {e.get('msg')}")
    if unknown:  # named, at most _NAMED of them: a hostile body must not grow the answer
        names = ", ".join(unknown[:_NAMED])
        more = f" and {len(unknown) - _NAMED} more" if len(unknown) > _NAMED else ""
        problems.insert(0, f"unknown field{'s' if len(unknown) > 1 else ''} {names}{more}")
    del problems[_NAMED:]
    return JSONResponse(
        {"error": f"Invalid request: {'; '.join(problems)}", "hint": None, "code": "bad_request"},
        status_code=400,
    )


def _digest(bench: Workbench, body: DigestRequest) -> dict[str, Any]:
    """The digest, with the edits applied and each segment's alternatives when asked."""
    glossary = request_glossary(body.glossary, bench.pool.glossary)
    digest = digest_with_edits(
        bench, body.text, body.edits, body.model, body.method, body.length, glossary=glossary
    )
    data = bench.digest_json(digest)
    if body.alternatives:
        data["translation"] = alternatives_json(
            bench, digest.translation, body.alternatives, body.model
        )
    return data


def add_v1_routes(app: FastAPI, bench: Workbench, access: Access) -> None:
    """Add the ``/api/v1`` routes to ``app``."""

    @app.post("/api/v1/translate", tags=["tarjama"], responses=_ERRORS)
    async def v1_translate(body: TranslateRequest, request: Request) -> Any:
        """Translate Arabic into English: text, segments (source spans, flags), meta."""
        return await call(
            request,
            bench,
            access,
            api_key(request, body.api_key),
            lambda: alternatives_json(
                bench,
                bench.translate(
                    body.text,
                    body.model,
                    glossary=request_glossary(body.glossary, bench.pool.glossary),
                ),
                body.alternatives,
                body.model,
            ),
            model=body.model,
            body=body,
        )

    @app.post("/api/v1/summarize", tags=["tarjama"], responses=_ERRORS)
    async def v1_summarize(body: SummarizeRequest, request: Request) -> Any:
        """Summarise English: text, sentences with their sources (input sentence indices)."""
        return await call(
            request,
            bench,
            access,
            api_key(request, body.api_key),
            lambda: bench.summary_json(bench.summarize(body.text, body.method, body.length)),
            role="summarization",
            body=body,
        )

    @app.post("/api/v1/digest", tags=["tarjama"], responses=_ERRORS)
    async def v1_digest(body: DigestRequest, request: Request) -> Any:
        """Translate an Arabic article and summarise it (sources index the segments)."""
        return await call(
            request,
            bench,
            access,
            api_key(request, body.api_key),
            lambda: _digest(bench, body),
            model=body.model,
            body=body,
        )

    @app.get("/api/v1/models", tags=["tarjama"])
    async def v1_models() -> dict[str, Any]:
        """The models this server offers and whether their weights are here."""
        catalog = bench.catalog
        return {
            "translation": [
                {"name": c.public, "state": c.state, "default": c == catalog.default}
                for c in catalog.translation
            ],
            "summarization": {"name": catalog.summary.public, "state": catalog.summary.state},
            "summary_method": bench.summary_method,
            "limits": {"max_chars": bench.config.max_chars, "max_items": bench.config.max_items},
            "api_key_required": access.required,
            "version": __version__,
        }
