"""/v1/map: take codes to another system with the official maps (issue 12)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.rest import _ERR, _codes
from medcode.store.db import Store

router = APIRouter(prefix="/v1")
_Codes = Annotated[list[str], Query(description="repeat, or comma-separated")]


def _run(store: Store, codes: list[str], to: str | None, frm: str | None,
         on: str | None) -> list[dict[str, Any]]:
    from medcode.codes.crosswalk import map_codes
    target = lib.parse_system(to)
    if not target:
        raise ApiError(400, "to: give the target system, e.g. ?to=ICD-10-CM", kind="missing_to")
    return map_codes(store, codes, target, lib.parse_system(frm), lib.parse_date(on))


@router.get("/map", summary="Map codes to another system (GEMs, WHO ICD-10/ICD-11 maps)",
            responses={400: _ERR, 413: _ERR})
async def map_get(request: Request, code: _Codes, to: str, from_: Annotated[
        str | None, Query(alias="from")] = None, on: str | None = None) -> JSONResponse:
    """One object per input (the `medcode map --json` contract): `input`, `from`, `to`,
    `targets` (each `code`, `title`, `valid` on the date and the map's flags: GEM
    `approximate`, `no_map`, `combination`, `scenario`, `choice_list`; WHO table `kind`),
    `combinations` (scenarios of choice lists) and `message` when nothing maps."""
    store: Store = request.app.state.store
    out = await run_in_threadpool(_run, store, _codes(code), to, from_, on)
    return JSONResponse(out)


@router.post("/map", summary="Map many codes (JSON body)", responses={400: _ERR, 413: _ERR})
async def map_post(request: Request) -> JSONResponse:
    """Body: `{"codes": [...], "to": "ICD-10-CM", "from": null, "on": "2026-01-15"}`."""
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "the body is not JSON", kind="bad_json") from None
    if not isinstance(body, dict) or not isinstance(body.get("codes"), list):
        raise ApiError(400, 'the body must be {"codes": [...], "to": SYSTEM}', kind="bad_body")
    store: Store = request.app.state.store
    codes = _codes([str(c) for c in body["codes"]])
    out = await run_in_threadpool(_run, store, codes, body.get("to"), body.get("from"),
                                  body.get("on"))
    return JSONResponse(out)
