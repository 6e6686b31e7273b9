"""Plain JSON and LibreTranslate-compatible HTTP routes, on the same app as the page.

``POST /api/v1/translate``, ``/api/v1/summarize`` and ``/api/v1/digest`` take JSON and return
the JSON of ``tarjama translate|summarize|digest --format json`` (model names instead of local
paths); ``GET /api/v1/models`` says which models are ready. ``POST /translate``, ``GET
/languages``, ``POST /detect`` and ``GET /frontend/settings`` speak LibreTranslate's protocol
(form or JSON bodies, its response and error shapes), so its clients work unchanged.

Errors are JSON with a status: 400 bad input, 401/403 API key, 413 too large, 429 busy or over
the rate limit, 503 model unavailable, 500 anything else (logged, never a traceback). Every call
goes through the same :class:`~ui.service.Workbench` as the page: same limits, same batching.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from translate import __version__
from translate.errors import (
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelUnavailableError,
    TarjamaError,
)
from translate.serving import ServerBusyError
from translate.text import has_arabic

from .guards import Access, AccessDenied, RateLimited
from .html_text import translate_html
from .service import InputTooLarge, Workbench

__all__ = ["API_PREFIXES", "add_routes", "detect_language"]

log = logging.getLogger(__name__)
API_PREFIXES = ("/api/v1", "/translate", "/detect", "/languages", "/frontend/settings")
LANGUAGES = [
    {"code": "ar", "name": "Arabic", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]

Length = Literal["short", "medium", "long"] | Annotated[int, Field(ge=1, le=1024)]


class TranslateRequest(BaseModel):
    text: str = Field(description="Arabic text: one article or part of one.")
    model: str | None = Field(None, description="A translation model of GET /api/v1/models.")
    api_key: str | None = Field(None, description="Or the X-API-Key / Authorization header.")


class SummarizeRequest(BaseModel):
    text: str | list[str] = Field(description="English text, or a list of its sentences.")
    method: Literal["abstractive", "extractive"] | None = None
    length: Length | None = Field(None, description="short, medium, long, or a number.")
    api_key: str | None = None


class DigestRequest(TranslateRequest):
    method: Literal["abstractive", "extractive"] | None = None
    length: Length | None = None


class ErrorBody(BaseModel):
    error: str
    hint: str | None = None
    code: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in [
        (400, "Bad input (empty, not Arabic, unknown model or option)"),
        (401, "An API key is required"),
        (403, "Invalid API key"),
        (413, "Input or body over the server's limits"),
        (429, "Queue full or over the rate limit"),
        (503, "Model not available on this server"),
    ]
}


def _status(exc: BaseException) -> tuple[int, str]:
    if isinstance(exc, InputTooLarge):
        return 413, "too_large"
    if isinstance(exc, InputError):
        return 400, "bad_input"
    if isinstance(exc, ConfigError):
        return 400, "bad_option"
    if isinstance(exc, (ServerBusyError, RateLimited)):
        return 429, "busy" if isinstance(exc, ServerBusyError) else "rate_limited"
    if isinstance(exc, AccessDenied):
        return (401, "key_missing") if exc.missing else (403, "key_invalid")
    if isinstance(exc, (ModelUnavailableError, MissingDependencyError)):
        return 503, "model_unavailable"
    if isinstance(exc, TarjamaError):
        return 400, "bad_input"
    return 500, "internal"


def _api_key(request: Request, body_key: str | None) -> str | None:
    if body_key:
        return body_key
    header = request.headers.get("x-api-key")
    if header:
        return header.strip()
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def detect_language(text: str) -> dict[str, Any]:
    """LibreTranslate's detection shape for the two languages tarjama knows (ar, en)."""
    letters = [ch for ch in text if ch.isalpha()]
    arabic = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("ARABIC"))
    if letters and arabic * 2 >= len(letters):
        return {"confidence": round(100.0 * arabic / len(letters), 1), "language": "ar"}
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    confidence = round(100.0 * latin / len(letters), 1) if letters else 0.0
    return {"confidence": confidence, "language": "en"}


def add_routes(app: FastAPI, bench: Workbench, access: Access) -> None:
    """Add the JSON and LibreTranslate routes (and their error handling) to ``app``."""

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def failure(exc: BaseException, role: str, model: str | None, lt: bool) -> JSONResponse:
        status, code = _status(exc)
        if status == 500:
            log.error("API call failed", exc_info=exc)
        headers = {}
        if isinstance(exc, RateLimited):
            message, hint = f"Slowdown: {exc}", None
            headers["Retry-After"] = str(exc.retry_after)
        elif isinstance(exc, AccessDenied):
            message, hint = str(exc), None
            if lt and exc.missing:
                status = 400  # LibreTranslate answers a missing key with 400
        else:
            message, hint = bench.explain(exc, role, model)
        if lt:
            text = f"{message} {hint}" if hint else message
            return JSONResponse({"error": text}, status_code=status, headers=headers)
        return JSONResponse(
            {"error": message, "hint": hint, "code": code}, status_code=status, headers=headers
        )

    async def call(
        request: Request,
        key: str | None,
        work: Callable[[], Any],
        *,
        role: str = "translation",
        model: str | None = None,
        lt: bool = False,
    ) -> Any:
        try:
            access.check(key, client(request))
            return await run_in_threadpool(work)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a JSON error
            return failure(exc, role, model, lt)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg')}"
            for e in exc.errors()
        )
        return JSONResponse(
            {"error": f"Invalid request: {problems}", "hint": None, "code": "bad_request"},
            status_code=400,
        )

    # -- plain JSON ------------------------------------------------------------------------
    @app.post("/api/v1/translate", tags=["tarjama"], responses=_ERRORS)
    async def v1_translate(body: TranslateRequest, request: Request) -> Any:
        """Translate Arabic into English: text, segments (source spans, flags), meta."""
        return await call(
            request,
            _api_key(request, body.api_key),
            lambda: bench.translation_json(bench.translate(body.text, body.model)),
            model=body.model,
        )

    @app.post("/api/v1/summarize", tags=["tarjama"], responses=_ERRORS)
    async def v1_summarize(body: SummarizeRequest, request: Request) -> Any:
        """Summarise English: text, sentences with their sources (input sentence indices)."""
        return await call(
            request,
            _api_key(request, body.api_key),
            lambda: bench.summary_json(bench.summarize(body.text, body.method, body.length)),
            role="summarization",
        )

    @app.post("/api/v1/digest", tags=["tarjama"], responses=_ERRORS)
    async def v1_digest(body: DigestRequest, request: Request) -> Any:
        """Translate an Arabic article and summarise it (sources index the segments)."""
        return await call(
            request,
            _api_key(request, body.api_key),
            lambda: bench.digest_json(
                bench.digest(body.text, body.model, body.method, body.length)
            ),
            model=body.model,
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

    # -- LibreTranslate ----------------------------------------------------------------------
    async def params(request: Request) -> tuple[dict[str, Any], bool]:
        """The request's fields (JSON body, or form and query) and whether it was JSON."""
        if "json" in request.headers.get("content-type", ""):
            try:
                data = await request.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise InputError("Invalid JSON format")
            return data, True
        form = await request.form()
        data = dict(request.query_params)
        for name in form:
            values = [v for v in form.getlist(name) if isinstance(v, str)]
            data[name] = values if len(values) > 1 else (values[0] if values else None)
        return data, False

    @app.post("/translate", tags=["LibreTranslate"], responses=_ERRORS)
    async def lt_translate(request: Request) -> Any:
        """LibreTranslate's translate: ``q`` (a string or a list), ``source`` ``ar`` or
        ``auto``, ``target`` ``en``, ``format`` ``text`` or ``html``, ``api_key``."""
        try:
            data, is_json = await params(request)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        q, source, target = data.get("q"), data.get("source"), data.get("target")
        fmt = data.get("format") or "text"
        for name, value in (("q", q), ("source", source), ("target", target)):
            if not value:
                return JSONResponse(
                    {"error": f"Invalid request: missing {name} parameter"}, status_code=400
                )
        batch = isinstance(q, list)
        texts = q if batch else [q]
        if not all(isinstance(t, str) for t in texts):
            return JSONResponse(
                {"error": "Invalid request: q must be a string or a list of strings"},
                status_code=400,
            )
        if not is_json:
            texts = ["\n".join(t.splitlines()) for t in texts]
        if source == "en":
            return JSONResponse(
                {
                    "error": "en is not supported as a source: tarjama translates Arabic (ar) "
                    "into English (en)"
                },
                status_code=400,
            )
        for value, allowed in ((source, ("ar", "auto")), (target, ("en",))):
            if value not in allowed:
                return JSONResponse({"error": f"{value} is not supported"}, status_code=400)
        if fmt not in ("text", "html"):
            return JSONResponse({"error": f"{fmt} format is not supported"}, status_code=400)

        def work() -> dict[str, Any]:
            bench.check_total(texts)
            if fmt == "html":
                out = translate_html(
                    texts, lambda runs: [r.text for r in bench.translate_many(runs)]
                )
            else:
                if not batch:
                    bench.check_text(texts[0])
                wanted = [i for i, t in enumerate(texts) if has_arabic(t)]
                results = bench.translate_many([texts[i] for i in wanted]) if wanted else []
                out = list(texts)  # items with nothing Arabic come back as written
                for i, result in zip(wanted, results, strict=True):
                    out[i] = result.text
            response: dict[str, Any] = {"translatedText": out if batch else out[0]}
            if source == "auto":
                found = [detect_language(t) for t in texts]
                response["detectedLanguage"] = found if batch else found[0]
            return response

        return await call(request, data.get("api_key"), work, lt=True)

    @app.get("/languages", tags=["LibreTranslate"])
    async def lt_languages() -> list[dict[str, Any]]:
        """The languages: Arabic, translated into English."""
        return LANGUAGES

    @app.post("/detect", tags=["LibreTranslate"], responses=_ERRORS)
    async def lt_detect(request: Request) -> Any:
        """Detect Arabic or English: ``[{"confidence": 0-100, "language": code}]``."""
        try:
            data, _ = await params(request)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        q = data.get("q")
        if not q:
            return JSONResponse({"error": "Invalid request: missing q parameter"}, status_code=400)

        def work() -> Any:
            texts = q if isinstance(q, list) else [q]
            bench.check_total([str(t) for t in texts])
            if isinstance(q, list):
                return [[detect_language(str(t))] for t in q]
            return [detect_language(str(q))]

        return await call(request, data.get("api_key"), work, lt=True)

    @app.get("/frontend/settings", tags=["LibreTranslate"])
    async def lt_settings() -> dict[str, Any]:
        """LibreTranslate's front-end settings (limits, whether a key is needed)."""
        return {
            "charLimit": bench.config.max_chars,
            "frontendTimeout": 500,
            "apiKeys": access.required,
            "keyRequired": access.required,
            "suggestions": False,
            "filesTranslation": False,
            "supportedFilesFormat": [],
            "language": {
                "source": {"code": "ar", "name": "Arabic"},
                "target": {"code": "en", "name": "English"},
            },
        }
