"""LibreTranslate's protocol: ``POST /translate``, ``GET /languages``, ``POST /detect``,
``POST /suggest`` and ``GET /frontend/settings`` (form or JSON bodies, its response and error
shapes), so its clients work unchanged. Lenient, as LibreTranslate is: unknown fields are
ignored. A suggestion is stored in the translation memory (LibreTranslate only files them):
the next translation of that sentence is the suggested one.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from translate.errors import InputError
from translate.text import has_arabic, is_arabic_letter

from ..service.memory import remember
from ..service.workbench import Workbench
from .common import ERROR_RESPONSES, api_key, call
from .guards import Access
from .html_text import translate_html

__all__ = ["LANGUAGES", "add_libretranslate_routes", "detect_language"]

_ERRORS = ERROR_RESPONSES
LANGUAGES = [
    {"code": "ar", "name": "Arabic", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]


def detect_language(text: str) -> dict[str, Any]:
    """LibreTranslate's detection shape for the two languages tarjama knows (ar, en)."""
    letters = [ch for ch in text if ch.isalpha()]
    arabic = sum(1 for ch in letters if is_arabic_letter(ch))
    if letters and arabic * 2 >= len(letters):
        return {"confidence": round(100.0 * arabic / len(letters), 1), "language": "ar"}
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    confidence = round(100.0 * latin / len(letters), 1) if letters else 0.0
    return {"confidence": confidence, "language": "en"}


async def request_fields(request: Request) -> tuple[dict[str, Any], bool]:
    """The request's fields (JSON body, or form and query) and whether it was JSON."""
    if "json" in request.headers.get("content-type", ""):
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            data = None
        if not isinstance(data, dict):
            raise InputError("Invalid JSON format")
        return data, True
    try:
        form = await request.form()
    except HTTPException as exc:  # multipart over its part or field limits
        raise InputError(f"Invalid request: {exc.detail}") from None
    data = dict(request.query_params)
    for name in form:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        data[name] = values if len(values) > 1 else (values[0] if values else None)
    return data, False


def _translate(
    bench: Workbench, texts: list[str], *, batch: bool, fmt: str, detect: bool
) -> dict[str, Any]:
    """LibreTranslate's translate answer for ``texts`` (``q`` as a list when ``batch``)."""
    bench.limits.check_total(texts)

    def english(sources: list[str]) -> list[str]:
        # The answer holds only the English: no weak words (a scoring pass on CTranslate2).
        return [r.text for r in bench.translate_many(sources, weak_words=False)]

    if fmt == "html":
        out = translate_html(texts, english)
    elif not batch:  # one text: the batcher's validation refuses one without Arabic
        out = english(texts)[:1]
    else:
        wanted = [i for i, t in enumerate(texts) if has_arabic(t)]
        out = list(texts)  # items with nothing Arabic come back as written
        for i, text in zip(
            wanted, english([texts[i] for i in wanted]) if wanted else [], strict=True
        ):
            out[i] = text
    response: dict[str, Any] = {"translatedText": out if batch else out[0]}
    if detect:
        found = [detect_language(t) for t in texts]
        response["detectedLanguage"] = found if batch else found[0]
    return response


def add_libretranslate_routes(app: FastAPI, bench: Workbench, access: Access) -> None:
    """Add LibreTranslate's routes to ``app``."""

    @app.post("/translate", tags=["LibreTranslate"], responses=_ERRORS)
    async def lt_translate(request: Request) -> Any:
        """LibreTranslate's translate: ``q`` (a string or a list), ``source`` ``ar`` or
        ``auto``, ``target`` ``en``, ``format`` ``text`` or ``html``, ``api_key``."""
        try:
            data, is_json = await request_fields(request)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        checked = _translate_fields(data, is_json)
        if isinstance(checked, str):
            return JSONResponse({"error": checked}, status_code=400)
        texts, batch, fmt, source = checked

        def work() -> dict[str, Any]:
            return _translate(bench, texts, batch=batch, fmt=fmt, detect=source == "auto")

        key = api_key(request, data.get("api_key"))
        return await call(request, bench, access, key, work, lt=True, body=data)

    @app.get("/languages", tags=["LibreTranslate"])
    async def lt_languages() -> list[dict[str, Any]]:
        """The languages: Arabic, translated into English."""
        return LANGUAGES

    @app.post("/detect", tags=["LibreTranslate"], responses=_ERRORS)
    async def lt_detect(request: Request) -> Any:
        """Detect Arabic or English: ``[{"confidence": 0-100, "language": code}]``."""
        try:
            data, _ = await request_fields(request)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        q = data.get("q")
        if not q:
            return JSONResponse({"error": "Invalid request: missing q parameter"}, status_code=400)

        def work() -> Any:
            texts = q if isinstance(q, list) else [q]
            bench.limits.check_total([str(t) for t in texts])
            if isinstance(q, list):
                return [[detect_language(str(t))] for t in q]
            return [detect_language(str(q))]

        key = api_key(request, data.get("api_key"))
        return await call(request, bench, access, key, work, lt=True, body=data)

    @app.post("/suggest", tags=["LibreTranslate"], responses=_ERRORS)
    async def lt_suggest(request: Request) -> Any:
        """LibreTranslate's suggest: ``q`` (the Arabic), ``s`` (its better translation),
        ``source`` ``ar``, ``target`` ``en``, ``api_key``; stored in the translation memory,
        so that translations of ``q`` use it. ``{"success": true}``."""
        try:
            data, _ = await request_fields(request)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if bench.pool.memory is None:
            return JSONResponse(
                {"error": "Suggestions are disabled on this server."}, status_code=403
            )
        problem = _suggest_problem(data)
        if problem:
            return JSONResponse({"error": problem}, status_code=400)
        key = data.get("api_key") if isinstance(data.get("api_key"), str) else None

        def work() -> dict[str, Any]:
            remember(bench.pool.memory, data["q"], data["s"], origin="suggest", key=key)
            return {"success": True}

        return await call(request, bench, access, key, work, lt=True)

    @app.get("/frontend/settings", tags=["LibreTranslate"])
    async def lt_settings() -> dict[str, Any]:
        """LibreTranslate's front-end settings (limits, whether a key is needed)."""
        return {
            "charLimit": bench.config.max_chars,
            "frontendTimeout": 500,
            "apiKeys": access.required,
            "keyRequired": access.required,
            "suggestions": bench.pool.memory is not None,
            "filesTranslation": False,
            "supportedFilesFormat": [],
            "language": {
                "source": {"code": "ar", "name": "Arabic"},
                "target": {"code": "en", "name": "English"},
            },
        }


def _translate_fields(
    data: dict[str, Any], is_json: bool
) -> str | tuple[list[str], bool, str, str]:
    """``/translate``'s fields checked, LibreTranslate's way: ``(texts, batch, format,
    source)``, or the message of a 400."""
    q, source, target = data.get("q"), data.get("source"), data.get("target")
    fmt = data.get("format") or "text"
    for name, value in (("q", q), ("source", source), ("target", target)):
        if not value:
            return f"Invalid request: missing {name} parameter"
    batch = isinstance(q, list)
    texts = q if batch else [q]
    if not all(isinstance(t, str) for t in texts):
        return "Invalid request: q must be a string or a list of strings"
    if not is_json:
        texts = ["\n".join(t.splitlines()) for t in texts]
    if source == "en":
        return "en is not supported as a source: tarjama translates Arabic (ar) into English (en)"
    for value, allowed in ((source, ("ar", "auto")), (target, ("en",))):
        if value not in allowed:
            return f"{value} is not supported"
    if fmt not in ("text", "html"):
        return f"{fmt} format is not supported"
    return texts, batch, fmt, str(source)


def _suggest_problem(data: dict[str, Any]) -> str | None:
    """The message of a 400 for ``/suggest``'s fields, or None."""
    for name in ("q", "s", "source", "target"):
        if not isinstance(data.get(name), str) or not data.get(name):
            return f"Invalid request: missing {name} parameter"
    if data["source"] not in ("ar", "auto") or data["target"] != "en":
        return "tarjama takes suggestions from Arabic (ar) into English (en)"
    return None
