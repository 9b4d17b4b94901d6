"""Errors at the HTTP edge: every failure becomes a status code and a short JSON message
(an OperationOutcome under ``/fhir``), never a stack trace.

    InvalidCode, ClaimFormatError, other MedcodeError  -> 400
    UnknownCode, NoRelease                             -> 404
    StoreError, SourceError                            -> 503
    request validation (bad query parameter)           -> 422 (400 under /fhir)
    body or claim count over the limits                -> 413
    anything unexpected                                -> 500 (logged without request content)
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from medcode import errors as E

log = logging.getLogger("medcode.api")

FHIR_JSON = "application/fhir+json"

# HTTP status -> FHIR IssueType code
_ISSUE = {400: "invalid", 404: "not-found", 405: "not-supported", 413: "too-costly",
          415: "not-supported", 422: "invalid", 501: "not-supported", 503: "transient",
          500: "exception"}


class ApiError(Exception):
    """An error raised by a route with its status; ``issue`` overrides the FHIR issue code."""

    def __init__(self, status: int, message: str, issue: str | None = None,
                 outcome: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.issue = issue
        self.outcome = outcome    # a full OperationOutcome for /fhir (else one is made)
        self.extra = extra


def is_fhir(path: str) -> bool:
    return path == "/fhir" or path.startswith("/fhir/")


def operation_outcome(message: str, issue: str = "invalid",
                      severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": issue, "diagnostics": message,
                       "details": {"text": message}}]}


def error_response(path: str, status: int, message: str, kind: str = "error",
                   issue: str | None = None, **extra: Any) -> Response:
    """The body of an error for ``path``: OperationOutcome under /fhir, else JSON."""
    if is_fhir(path):
        return JSONResponse(operation_outcome(message, issue or _ISSUE.get(status, "processing")),
                            status_code=status, media_type=FHIR_JSON)
    body: dict[str, Any] = {"error": kind, "status": status, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status)


def status_of(exc: E.MedcodeError) -> int:
    if isinstance(exc, (E.UnknownCode, E.NoRelease)):
        return 404
    if isinstance(exc, (E.StoreError, E.SourceError)):
        return 503
    return 400


def medcode_error_response(path: str, exc: E.MedcodeError) -> Response:
    extra: dict[str, Any] = {}
    if isinstance(exc, E.UnknownCode):
        extra = {"code": exc.code, "system": exc.system}
    elif isinstance(exc, E.InvalidCode):
        extra = {"code": exc.code}
    elif isinstance(exc, E.ClaimFormatError):
        extra = {"where": exc.where}
    status = status_of(exc)
    issue = "code-invalid" if isinstance(exc, E.InvalidCode) else None
    return error_response(path, status, str(exc), type(exc).__name__, issue, **extra)


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:5]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts)


def install(app: Any) -> None:
    """Register the exception handlers on a FastAPI app."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def on_api(request: Request, exc: ApiError) -> Response:
        if exc.outcome is not None and is_fhir(request.url.path):
            return JSONResponse(exc.outcome, status_code=exc.status, media_type=FHIR_JSON)
        return error_response(request.url.path, exc.status, exc.message,
                              exc.extra.pop("kind", "error"), exc.issue, **exc.extra)

    async def on_medcode(request: Request, exc: E.MedcodeError) -> Response:
        return medcode_error_response(request.url.path, exc)

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        path = request.url.path
        status = 400 if is_fhir(path) else 422
        errs = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return error_response(path, status, _validation_message(errs), "invalid_request",
                              detail=errs)

    async def on_http(request: Request, exc: HTTPException) -> Response:
        path = request.url.path
        message = {404: f"no such resource: {path}",
                   405: f"method {request.method} is not allowed on {path}"}.get(
            exc.status_code, str(exc.detail))
        resp = error_response(path, exc.status_code, message, "http_error")
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    app.add_exception_handler(ApiError, on_api)
    app.add_exception_handler(E.MedcodeError, on_medcode)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


def log_unexpected(method: str, path: str, exc: BaseException) -> None:
    """Log an unexpected failure by type and stack frames only: the exception's message
    may quote request content (a claim), so it is left out."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s %s\n%s", type(exc).__name__, method, path, frames)
