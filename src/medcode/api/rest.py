"""The JSON API under /v1: lookup, validate, releases, about, identify, search, claims."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

import medcode
from medcode.api import lib
from medcode.api.claims import check_body
from medcode.api.errors import ApiError
from medcode.store.db import Store

router = APIRouter(prefix="/v1")

#: most codes one validate or identify request may carry
MAX_CODES = 1000

_ERR = {"description": "error: JSON object with `error`, `status` and `message`"}
_Codes = Annotated[list[str], Query(description="repeat, or comma-separated")]
_On = Annotated[str | None, Query(description="date of service, YYYY-MM-DD")]


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def _codes(values: list[str]) -> list[str]:
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    if not codes:
        raise ApiError(400, "code: give at least one code, e.g. ?code=E11.9&code=I10",
                       kind="missing_code")
    if len(codes) > MAX_CODES:
        raise ApiError(413, f"{len(codes)} codes in one request; at most {MAX_CODES}",
                       kind="too_many_codes")
    return codes


def _query_doc(*params: tuple[str, str]) -> dict[str, Any]:
    """OpenAPI entries for query parameters a hot route reads itself (skipping FastAPI's
    per-request parameter machinery, about a third of a lookup's cost)."""
    return {"parameters": [{"name": n, "in": "query", "required": False,
                            "schema": {"type": "string"}, "description": d} for n, d in params]}


@router.get("/codes/{code}", summary="Look a code up",
            responses={400: _ERR, 404: _ERR, 503: _ERR},
            openapi_extra=_query_doc(
                ("system", ("ICD-10-CM, ICD-10-PCS, CPT, HCPCS or ICD-9-CM; found from the "
                           "code when absent")),
                ("on", "date of service, YYYY-MM-DD"), ("release", "release name, e.g. FY2025")))
async def get_code(request: Request) -> JSONResponse:
    """Title, kind, billable flag, hierarchy, instructional notes (own and inherited), 7th
    characters and the releases in which the code is valid. 404 says why a code is unknown
    (deleted, added later, missing placeholder, closest existing code)."""
    q = request.query_params
    info = lib.lookup_dict(_store(request), request.path_params["code"],
                           lib.parse_system(q.get("system")), lib.parse_date(q.get("on")),
                           q.get("release") or None)
    return JSONResponse(info)


@router.get("/validate", summary="Validate codes for a date of service",
            responses={400: _ERR, 404: _ERR, 413: _ERR})
async def validate(request: Request,
                   code: _Codes, on: _On = None, release: str | None = None,
                   system: str | None = None) -> JSONResponse:
    """One object per input: `valid`, `status` (valid, header, needs_7th, placeholder,
    bad_7th, not_in_release, unknown, wrong_system, malformed), `message`, `suggestions`."""
    out = lib.validate_dicts(_store(request), _codes(code), lib.parse_date(on), release,
                             lib.parse_system(system))
    return JSONResponse(out)


@router.get("/releases", summary="Releases loaded in the store")
async def releases(request: Request, system: str | None = None) -> JSONResponse:
    sysname = lib.parse_system(system)
    rels = _store(request).releases(sysname)
    return JSONResponse([lib.release_dict(r) for r in rels])


@router.get("/about", summary="Version, build facts, sources and features")
async def about(request: Request) -> JSONResponse:
    store = _store(request)
    meta = store.all_meta()
    return JSONResponse({
        "name": "medcode", "version": medcode.__version__,
        "store": {"file": store.path.name, "schema_version": meta.get("schema_version"),
                  "built_at": meta.get("built_at"), "medcode_version": meta.get("medcode_version")},
        "meta": lib.jsonable(meta), "sources": lib.jsonable(store.sources()),
        "releases": [lib.release_dict(r) for r in store.releases()],
        "systems": lib.systems_loaded(store),
        "coverage": _coverage(store),
        "features": features(),
    })


def _coverage(store) -> list[dict]:
    """Per system: newest release, its period, whether today is covered (and what to load)."""
    from medcode.store.freshness import coverage
    return coverage(store)


def features() -> dict[str, bool]:
    return {"lookup": True, "validate": True,
            "identify": lib.feature("identify") is not None,
            "search": lib.feature("search") is not None,
            "claims": lib.feature("check_claims") is not None and lib.claim_reader() is not None}


@router.get("/health", summary="Liveness: the store answers")
async def health(request: Request) -> JSONResponse:
    _store(request).releases()
    return JSONResponse({"status": "ok"})


@router.get("/identify", summary="Which code system(s) can a string belong to?",
            responses={400: _ERR, 413: _ERR, 501: _ERR})
async def identify(request: Request, code: _Codes) -> JSONResponse:
    """A list, one object per input: `input`, `candidates` (each `system`, `kind`, `valid`,
    `reason`), most likely first."""
    func = lib.feature("identify")
    if func is None:
        raise lib.not_yet("identify", "medcode.identify")
    store = _store(request)
    codes = _codes(code)
    if lib.accepts(func, "codes") or _takes_many(func):
        result = lib.call(func, codes, store=store)
    else:
        result = [lib.call(func, c, store=store) for c in codes]
    return JSONResponse(lib.jsonable(result))


def _takes_many(func: Any) -> bool:
    import inspect
    try:
        first = next(iter(inspect.signature(func).parameters.values()))
    except (StopIteration, TypeError, ValueError):
        return False
    return first.kind is first.VAR_POSITIONAL


#: /v1/search limits, shared by its OpenAPI entry, the quick path and the pydantic rules
Q_MAX, LIMIT_MAX, LIMIT_DEFAULT = 200, 200, 20

_SEARCH_DOC = {"parameters": [
    {"name": "q", "in": "query", "required": True, "description": "words or a code",
     "schema": {"type": "string", "minLength": 1, "maxLength": Q_MAX}},
    {"name": "system", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "billable", "in": "query", "required": False, "schema": {"type": "boolean"},
     "description": "only billable codes"},
    {"name": "on", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "date of service, YYYY-MM-DD"},
    {"name": "release", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX,
                "default": LIMIT_DEFAULT}},
    {"name": "prefix", "in": "query", "required": False,
     "schema": {"type": "boolean", "default": False},
     "description": "treat the last word as a prefix (search-as-you-type)"}]}
def _json_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_json_bytes: Callable[[Any], bytes] = _json_dumps
try:  # the same bytes as json's form above, ~5x faster
    from orjson import dumps as _json_bytes
except ImportError:  # pragma: no cover - orjson is a dependency, but not a required one
    pass
_SEARCH_PARAMS = ("q", "system", "billable", "on", "release", "limit", "prefix")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


@lru_cache(maxsize=1)
def _search_params() -> Any:
    """The validator of /v1/search's query parameters (FastAPI's rules and messages)."""
    from pydantic import Field, TypeAdapter
    from typing_extensions import NotRequired, TypedDict  # noqa: UP035 (pydantic needs these before 3.12)

    class Params(TypedDict):
        q: Annotated[str, Field(min_length=1, max_length=Q_MAX)]
        system: NotRequired[str]
        billable: NotRequired[bool]
        on: NotRequired[str]
        release: NotRequired[str]
        limit: NotRequired[Annotated[int, Field(ge=1, le=LIMIT_MAX)]]
        prefix: NotRequired[bool]

    return TypeAdapter(Params)


def plain_search_params(query: Mapping[str, str]) -> dict[str, Any] | None:
    """The query parameters of /v1/search when each is in its plain form (what a client
    sends), as FastAPI would read them (the last of repeated ones); else None."""
    got = {n: v for n in _SEARCH_PARAMS if (v := query.get(n)) is not None}
    q, limit = got.get("q"), got.get("limit", str(LIMIT_DEFAULT))
    plain = (q is not None and 1 <= len(q) <= Q_MAX and limit.isascii() and limit.isdigit()
             and 1 <= int(limit) <= LIMIT_MAX
             and all(got.get(n, "false") in _TRUE or got.get(n, "false") in _FALSE
                     for n in ("billable", "prefix")))
    if not plain:
        return None
    out: dict[str, Any] = dict(got)
    out["limit"] = int(limit)
    for n in ("billable", "prefix"):
        if n in got:
            out[n] = got[n] in _TRUE
    return out


def _read_search_params(request: Request) -> dict[str, Any]:
    """The query parameters as FastAPI would validate them (a bad one is a 422 naming
    it), read without FastAPI's per-request parameter machinery: the plain forms
    directly, anything else through the same pydantic rules."""
    plain = plain_search_params(request.query_params)
    if plain is not None:
        return plain
    got = {n: v for n in _SEARCH_PARAMS if (v := request.query_params.get(n)) is not None}
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError
    try:
        return _search_params().validate_python(got)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def search_body(state: Any, func: Any, p: dict[str, Any]) -> bytes:
    """The JSON of a search with checked parameters ``p``; answers are cached per process
    in ``state.search_cache`` (the store is immutable; search-as-you-type repeats the
    same prefixes). Also answers GETs before FastAPI's routing (medcode.api.quick)."""
    q, billable, release = p["q"], p.get("billable"), p.get("release")
    limit, prefix = p.get("limit", LIMIT_DEFAULT), p.get("prefix", False)
    sysname, day = lib.parse_system(p.get("system")), lib.parse_date(p.get("on"))
    key = (" ".join(q.split()).casefold(), sysname, billable, day, release, limit, prefix)
    cache: lib.LRU = state.search_cache
    body = cache.get(key)
    if body is None:
        result = lib.call(func, q, system=sysname, billable=billable, on=day, release=release,
                          limit=limit, prefix=prefix or None, store=state.store)
        if isinstance(result, list) and all(hasattr(h, "as_dict") for h in result):
            body = _json_bytes([h.as_dict() for h in result])
        else:
            body = JSONResponse(lib.jsonable(result)).body
        cache.put(key, body)
    return body  # type: ignore[no-any-return]


@router.get("/search", summary="Search codes by words or code prefix",
            responses={400: _ERR, 422: _ERR, 501: _ERR}, openapi_extra=_SEARCH_DOC)
async def search(request: Request) -> Response:
    """Best first: `code`, `system`, `title`, `billable`, `score`. Answers are cached per
    process (the store is immutable; search-as-you-type repeats the same prefixes)."""
    func = lib.feature("search")
    if func is None:
        raise lib.not_yet("search", "medcode.search")
    body = search_body(request.app.state, func, _read_search_params(request))
    return Response(body, media_type="application/json")


@router.post("/claims/check", summary="Check claims (JSON, JSON Lines, CSV, X12 837P, FHIR)",
             responses={400: _ERR, 413: _ERR, 415: _ERR, 501: _ERR},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}, "example": {
                     "id": "C1", "patient": {"birth_date": "1960-04-02", "sex": "F"},
                     "diagnoses": ["E11.9", "I10"],
                     "lines": [{"code": "99213", "units": 1, "date": "2026-05-04",
                                "pointers": [1, 2]}]}},
                 "application/fhir+json": {"schema": {"type": "object"}},
                 "application/edi-x12": {"schema": {"type": "string"}},
                 "text/csv": {"schema": {"type": "string"}}}}})
async def check_claims(request: Request,
                       format: str | None = Query(None, description="json, jsonl, csv, x12, "
                                                  "fhir; detected from Content-Type and content "
                                                  "when absent")) -> JSONResponse:
    """Per claim: `claim` (its id), `status` (pass/warn/fail) and `findings` (edit, severity,
    line, codes, message, reference, fix). Claim content is never logged."""
    from starlette.concurrency import run_in_threadpool
    body = await request.body()
    result = await run_in_threadpool(check_body, _store(request), body,
                                     request.headers.get("content-type"), format)
    return JSONResponse(lib.jsonable(result))
