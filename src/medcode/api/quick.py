"""GET /v1/search answered before FastAPI's routing: the route's own code, minus the
framework's per-request work (matching a path against every route, solving the route's
dependencies, building a Request), which is most of what an answer costs besides the
search itself.

It answers only what it can answer exactly as the route would: a GET of ``/v1/search``
whose parameters need no checking beyond the quick one. Anything else (another path or
method, a parameter the pydantic rules must judge, any error) goes on to the app, whose
route answers it as before (an error's JSON, status and logging unchanged).
"""

from __future__ import annotations

from starlette.datastructures import QueryParams, State
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from medcode.api import lib, rest

PATH = "/v1/search"


class QuickSearch:
    """Pure ASGI middleware, innermost: runs after the body limit, token and rate checks."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET"
                and not scope.get("root_path")):
            body = _answer(self.state, scope.get("query_string", b""))
            if body is not None:
                await Response(body, media_type="application/json")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _answer(state: State, query_string: bytes) -> bytes | None:
    func = lib.feature("search")
    if func is None:
        return None                 # the route answers 501
    params = rest.plain_search_params(QueryParams(query_string))
    if params is None:
        return None                 # the route checks them (a 422 names the bad one)
    try:
        return rest.search_body(state, func, params)
    except Exception:  # noqa: BLE001 - not hidden: the route meets it again and answers it
        return None
