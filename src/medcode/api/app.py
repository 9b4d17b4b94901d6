"""Assemble the FastAPI app: routers, error handlers, limits and the static web page."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

import medcode
from medcode.api import docs, errors, fhir, lib, rest
from medcode.api.guard import MAX_BODY, Guard
from medcode.api.logs import install_filter
from medcode.api.security import Guard as SecurityGuard
from medcode.api.security import Security
from medcode.store.db import Store

DESCRIPTION = """\
The codes on a US medical bill, offline: ICD-10-CM (and, when loaded, ICD-10-PCS, CPT,
HCPCS Level II, ICD-9-CM).

* `/v1/...` plain JSON: lookup, validate, releases, about, identify, search, claim checks.
* `/fhir/...` FHIR R4 terminology operations: `CodeSystem/$lookup`,
  `CodeSystem/$validate-code`, `CodeSystem/$subsumes`, `ValueSet/$expand`, `metadata`.
* `/` a web page over the same API.

Errors are JSON objects with `error`, `status` and `message` (an OperationOutcome under
`/fhir`). Dates are YYYY-MM-DD; every query takes a date of service (`on`) or a release.
"""


def static_dir() -> Path:
    return Path(str(resources.files("medcode.api") / "static"))


def build_app(store: Store, max_body: int = MAX_BODY,
              security: Security | None = None) -> FastAPI:
    app = FastAPI(title="medcode", version=medcode.__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.store = store
    app.state.search_cache = lib.LRU(4096)
    errors.install(app)
    app.include_router(rest.router, tags=["codes"])
    app.include_router(fhir.router, tags=["FHIR R4 terminology"])
    from medcode.api import rest_map
    app.include_router(rest_map.router, tags=["crosswalks"])
    from medcode.api import index_routes
    app.include_router(index_routes.router, tags=["codes"])
    from medcode.api import suggest
    app.include_router(suggest.router, tags=["notes"])
    from medcode.api.quick import QuickSearch
    app.add_middleware(QuickSearch, state=app.state)  # innermost: after the checks
    app.add_middleware(Guard, max_body=max_body)
    if security is not None and (security.token or security.rate > 0):
        app.add_middleware(SecurityGuard, security=security)  # outermost: runs first
    install_filter()

    docs.install(app)  # offline Swagger UI at /docs (before /static: its assets live under it)
    static = static_dir()
    app.mount("/static", StaticFiles(directory=static), name="static")
    index = static / "index.html"

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(index, media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    return app
