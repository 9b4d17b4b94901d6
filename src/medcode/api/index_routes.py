"""GET /v1/index: the ICD-10-CM Alphabetic Index and its tables, as `medcode index` shows."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.errors import InvalidCode

router = APIRouter(prefix="/v1")


@router.get("/index", summary="Look a term up in the ICD-10-CM index and its tables",
            responses={400: {"description": "bad table or date"}})
async def index_lookup(request: Request,
                       term: str = Query(..., min_length=1, max_length=200,
                                         description="words of the index term"),
                       table: str | None = Query(None, description="drug, neoplasm, external "
                                                 "or index"),
                       on: str | None = Query(None, description="date of service, YYYY-MM-DD"),
                       limit: int = Query(30, ge=1, le=500)) -> JSONResponse:
    """Entries whose path has every word (the last may be unfinished), each with `line` (the
    path as a coder reads it, e.g. "Poisoning > Acetaminophen > accidental (unintentional):
    T39.1X1-"), the code, its title, billable flag, 7th characters and "see" targets."""
    from medcode.textsearch.index_view import index_lookup as lookup
    try:
        hits = lookup(request.app.state.store, term, table=table or None,
                      on=lib.parse_date(on), limit=limit)
    except InvalidCode as exc:
        raise ApiError(400, str(exc), kind="bad_table") from None
    return JSONResponse([h.as_dict() for h in hits])
