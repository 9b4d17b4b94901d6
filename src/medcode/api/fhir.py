"""FHIR R4 terminology routes under /fhir (JSON only; errors are OperationOutcomes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from medcode.api import fhir_meta, fhir_ops, fhir_vs
from medcode.api.errors import FHIR_JSON, ApiError
from medcode.api.fhir_params import Params, from_body, from_query
from medcode.store.db import Store

router = APIRouter(prefix="/fhir")

_OO = {"description": "OperationOutcome", "content": {FHIR_JSON: {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {400: _OO, 404: _OO, 413: _OO, 415: _OO}
_PARAMS_BODY = {"requestBody": {"required": False, "content": {FHIR_JSON: {
    "schema": {"type": "object"}, "example": {"resourceType": "Parameters", "parameter": [
        {"name": "system", "valueUri": "http://hl7.org/fhir/sid/icd-10-cm"},
        {"name": "code", "valueCode": "E11.9"}]}}}}}
_JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir", "")


def fhir_json(resource: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(resource, status_code=status, media_type=FHIR_JSON)


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def read_params(request: Request) -> Params:
    """Query parameters for GET; a Parameters body (plus any query parameters) for POST."""
    query = from_query(request.query_params)
    if request.method != "POST":
        return query
    mime = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if mime not in _JSON_TYPES:
        raise ApiError(415, f"Content-Type {mime!r} is not supported: POST a Parameters "
                       "resource as application/fhir+json", issue="not-supported")
    body = from_body(await request.body())
    for name, values in query.values.items():
        body.values.setdefault(name, values)
    return body


def _operation(path: str, func: Callable[[Store, Params], dict[str, Any]], summary: str,
               doc: str, threaded: bool = False) -> None:
    async def endpoint(request: Request) -> JSONResponse:
        params = await read_params(request)
        store = _store(request)
        if threaded:
            return fhir_json(await run_in_threadpool(func, store, params))
        return fhir_json(func(store, params))

    endpoint.__doc__ = doc
    name = path.strip("/").replace("/", "_").replace("$", "").replace("-", "_")
    router.add_api_route(path, endpoint, methods=["GET"], summary=summary, responses=_ERRORS,
                         name=f"{name}_get", operation_id=f"fhir_{name}_get")
    router.add_api_route(path, endpoint, methods=["POST"], summary=summary + " (Parameters)",
                         responses=_ERRORS, name=f"{name}_post", operation_id=f"fhir_{name}_post",
                         openapi_extra=_PARAMS_BODY)


_operation("/CodeSystem/$lookup", fhir_ops.lookup, "CodeSystem $lookup",
           "`system`, `code` (or `coding=system|code`), `version`, `date`, `property`. "
           "Returns Parameters: name, version, display, designation, property (parent, child, "
           "billable, notSelectable, kind, valid-in, seventh-character, and each note kind, "
           "inherited notes with subproperty inherited-from).")
_operation("/CodeSystem/$validate-code", fhir_ops.validate_code, "CodeSystem $validate-code",
           "`url` or `system`, `code` (or `coding`/`codeableConcept`), `display`, `version`, "
           "`date`, `abstract`. `result` is true when the code is billable in the release in "
           "force; headers count as valid only with `abstract=true`.")
_operation("/CodeSystem/$subsumes", fhir_ops.subsumes, "CodeSystem $subsumes",
           "`system`, `codeA`, `codeB` (or `codingA`/`codingB`), `version`. Outcome: "
           "equivalent, subsumes, subsumed-by or not-subsumed.")
_operation("/ValueSet/$expand", fhir_vs.expand, "ValueSet $expand",
           "`url` = `<system>?fhir_vs` or `<system>?fhir_vs=isa/<code>`; `filter`, `count` "
           "(at most 1000, the default), `offset`, `date`, `system-version`.", threaded=True)
_operation("/ValueSet/$validate-code", fhir_vs.vs_validate_code, "ValueSet $validate-code",
           "`url` (an implicit value set), `code`/`system` or `coding`, `display`, `date`, "
           "`abstract`.")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


@router.get("/metadata", summary="CapabilityStatement (mode=terminology: "
            "TerminologyCapabilities)")
async def metadata(request: Request, mode: str | None = None) -> JSONResponse:
    store = _store(request)
    if mode == "terminology":
        return fhir_json(fhir_meta.terminology_capabilities(store))
    if mode not in (None, "full", "normative"):
        raise ApiError(400, f"mode {mode!r} is not supported: use full, normative or "
                       "terminology")
    return fhir_json(fhir_meta.capability_statement(store, _base(request)))


@router.get("/CodeSystem", summary="The code systems (one entry per loaded release)")
async def list_code_systems(request: Request, url: str | None = None) -> JSONResponse:
    resources = fhir_meta.code_systems(_store(request), url)
    return fhir_json(fhir_meta.bundle(resources, _base(request)))


@router.get("/CodeSystem/{rid}", summary="Read one CodeSystem (e.g. icd-10-cm, "
            "icd-10-cm-fy2025)", responses=_ERRORS)
async def read_code_system(request: Request, rid: str) -> JSONResponse:
    return fhir_json(fhir_meta.read_code_system(_store(request), rid))
