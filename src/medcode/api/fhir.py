"""FHIR R4 terminology routes under /fhir (JSON only; errors are OperationOutcomes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from medcode.api import fhir_batch, fhir_meta, fhir_ops, fhir_vs
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
           "Returns Parameters: name, version, display, code, system, abstract, designation, "
           "property (parent and child with their description, inactive, billable, "
           "notSelectable, kind, valid-in, seventh-character, and each note kind, inherited "
           "notes with subproperty inherited-from).")
_operation("/CodeSystem/$validate-code", fhir_ops.validate_code, "CodeSystem $validate-code",
           "`url` or `system`, `code` (or `coding`/`codeableConcept`), `display`, `version` "
           "(FY2026, 2026 or a date), `date`, `abstract`, `lenient-display-validation`. "
           "`result` is true when the code is in the code system (a header such as E11 is: "
           "it is abstract, and an information issue says it is not billable); ask "
           "`ValueSet/$validate-code` with `url=<system>?fhir_vs=billable` for billability. "
           "Problems come in `issues` (an OperationOutcome).")
_operation("/CodeSystem/$subsumes", fhir_ops.subsumes, "CodeSystem $subsumes",
           "`system`, `codeA`, `codeB` (or `codingA`/`codingB`), `version`. Outcome: "
           "equivalent, subsumes, subsumed-by or not-subsumed; an unknown code is a 400.")
_operation("/ValueSet/$expand", fhir_vs.expand, "ValueSet $expand",
           "`url` (an implicit value set: `<system>?fhir_vs`, `?fhir_vs=billable`, "
           "`?fhir_vs=isa/<code>`, `?fhir_vs=billable-isa/<code>`) or `valueSet` (an inline "
           "ValueSet with compose include/exclude, concept lists and filters); `filter`, "
           "`count` (at most 1000), `offset`, `date`, `system-version`, `valueSetVersion`, "
           "`activeOnly`, `excludeNotForUI`, `includeDesignations`, `displayLanguage`.",
           threaded=True)
_operation("/ValueSet/$validate-code", fhir_vs.vs_validate_code, "ValueSet $validate-code",
           "`url` (an implicit value set) or `valueSet` (inline), `code`+`system`, `coding` "
           "or `codeableConcept`, `display`, `date`, `systemVersion`, `abstract`.")
_operation("/ValueSet/$batch-validate-code", fhir_batch.batch_validate,
           "ValueSet $batch-validate-code",
           "`url` or `valueSet`, and one `validation` Parameters per code to check; answers "
           "one `validation` per input.", threaded=True)


@router.post("", summary="A batch Bundle of operations", responses=_ERRORS,
             openapi_extra={"requestBody": {"required": True, "content": {FHIR_JSON: {
                 "schema": {"type": "object"}}}}})
async def post_batch(request: Request) -> JSONResponse:
    """A Bundle of type `batch` whose entries are operations (`CodeSystem/$validate-code`,
    `$lookup`, `ValueSet/$validate-code` ...), each GET with its parameters in the URL or
    POST with a Parameters resource. Answers a `batch-response` Bundle, one entry each."""
    mime = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if mime not in _JSON_TYPES:
        raise ApiError(415, f"Content-Type {mime!r} is not supported: POST a Bundle as "
                       "application/fhir+json", issue="not-supported")
    try:
        resource = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not JSON: {exc}", issue="structure") from None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Bundle":
        raise ApiError(400, "POST to /fhir takes a Bundle of type batch", issue="structure")
    return fhir_json(await run_in_threadpool(fhir_batch.batch, _store(request), resource))


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


@router.get("/CodeSystem", summary="Search the code systems (one entry per loaded release)")
async def list_code_systems(request: Request, url: str | None = None,
                            version: str | None = None,
                            _summary: str | None = None) -> JSONResponse:
    resources = fhir_meta.code_systems(_store(request), url, version, _summary == "true")
    return fhir_json(fhir_meta.bundle(resources, _base(request)))


@router.get("/CodeSystem/{rid}", summary="Read one CodeSystem (e.g. icd-10-cm, "
            "icd-10-cm-fy2025); content not-present, _summary=true for the summary",
            responses=_ERRORS)
async def read_code_system(request: Request, rid: str,
                           _summary: str | None = None) -> JSONResponse:
    return fhir_json(fhir_meta.read_code_system(_store(request), rid, _summary == "true"))


# -- crosswalks (issue 12): ConceptMap/$translate and the maps as ConceptMap resources ----------
from medcode.api import fhir_conceptmap, fhir_translate  # noqa: E402

_operation("/ConceptMap/$translate", fhir_translate.translate, "ConceptMap $translate",
           "R4 `system`, `code`, `coding`, `codeableConcept`, `targetsystem`, `url`, "
           "`reverse`; R5 `sourceSystem`, `sourceCode`, `sourceCoding`, `targetSystem`, "
           "`targetScope`. Answers `result`, `message` and every `match` with `equivalence` "
           "(R4) and `relationship` (R5), `concept`, `source`/`originMap`.")


@router.get("/ConceptMap", summary="The official maps as ConceptMaps (GEMs, WHO tables)")
async def list_concept_maps(request: Request, url: str | None = None) -> JSONResponse:
    return fhir_json(fhir_conceptmap.search(_store(request), _base(request), url))


@router.get("/ConceptMap/{rid}", summary="Read one ConceptMap (e.g. gem-dx-9-10, "
            "who-10-11-one); _summary=true without its elements", responses=_ERRORS)
async def read_concept_map(request: Request, rid: str,
                           _summary: str | None = None) -> JSONResponse:
    return fhir_json(await run_in_threadpool(fhir_conceptmap.read, _store(request), rid,
                                             _summary == "true"))
