"""POST /v1/suggest: codes for a clinical note, with the spans that justify each."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from medcode.api import lib
from medcode.api.errors import ApiError

router = APIRouter(prefix="/v1")

_EXAMPLE = {"text": "Type 2 diabetic with peripheral neuropathy. No fever.",
            "system": "ICD-10-CM", "limit": 10, "on": "2026-05-04"}


@router.post("/suggest", summary="Suggest ICD-10-CM/PCS codes for a clinical note",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}, "example": _EXAMPLE},
                 "text/plain": {"schema": {"type": "string"}}}}})
async def suggest(request: Request) -> JSONResponse:
    """Body: JSON `{"text", "system"?, "limit"?, "on"?}` or the note as text/plain (then
    `system`, `limit`, `on` come from the query). Answer: `{"input", "suggestions"}` where
    each suggestion has `code`, `system`, `title`, `score`, `evidence` (`text`, `start`,
    `end` in the note), `assertion`, `billable`, `undetermined`, `why`."""
    from starlette.concurrency import run_in_threadpool

    from medcode.suggester import suggest as do_suggest
    raw = await request.body()
    params: dict[str, Any] = dict(request.query_params)
    if "json" in (request.headers.get("content-type") or "application/json"):
        try:
            body = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "the body is not JSON: send {\"text\": \"...\"} or "
                           "text/plain", kind="bad_body") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ApiError(400, "the JSON body needs a \"text\" string (the note)",
                           kind="bad_body")
        params.update({k: v for k, v in body.items() if k != "text"})
        text = body["text"]
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "the note is not UTF-8 text", kind="bad_body") from None
    limit = params.get("limit", 20)
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise ApiError(400, f"limit: {limit!r} is not a number", kind="bad_limit") from None
    if not 1 <= limit <= 500:
        raise ApiError(400, "limit must be between 1 and 500", kind="bad_limit")
    on = lib.parse_date(params.get("on") if isinstance(params.get("on"), str) else None)
    system = params.get("system")
    if system is not None and not isinstance(system, str):
        raise ApiError(400, "system must be a string (ICD-10-CM or ICD-10-PCS)",
                       kind="bad_system")
    result = await run_in_threadpool(do_suggest, request.app.state.store, text, system,
                                     limit, on)
    return JSONResponse({"input": "text", "suggestions": [s.to_dict() for s in result]})
