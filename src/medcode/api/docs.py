"""Interactive API docs at ``/docs`` that work offline: Swagger UI from the
``swagger-ui-bundle-v2`` package (in the [api] extra), served by this server, never a CDN.

The page keeps the web page's Content-Security-Policy (``'self'`` only): no inline script,
the start-up code is ``/static/docs.js``. Without the package ``/docs`` says which pip
command adds it and points to ``/static/api.html`` (the plain reference, always there).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

#: where the Swagger UI files are served from (under /static: open without a token)
ASSETS = "/static/swagger-ui"
CSP = ("default-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>medcode API: interactive docs</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="stylesheet" href="/static/docs.css">
<script src="/static/auth.js"></script>
<script src="{assets}/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body>
<header class="docs-top"><a href="/">medcode</a> · interactive API docs ·
<a href="/static/api.html">plain API reference with examples</a></header>
<main id="swagger-ui" aria-label="Interactive API documentation"></main>
</body>
</html>
"""

MISSING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>medcode API docs</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main id="main"><h1>Interactive API docs are not installed</h1>
<p>This server has no Swagger UI files: <code>pip install "medcode[api]"</code> adds them
(package <code>swagger-ui-bundle-v2</code>). Every route, with request and response examples,
is on the <a href="/static/api.html">plain API reference</a>; the machine-readable
description is <a href="/openapi.json">/openapi.json</a>.</p></main></body></html>
"""


def swagger_dir() -> Path | None:
    """The folder holding swagger-ui-bundle.js, or None when the package is absent."""
    try:
        import swagger_ui_bundle  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(str(swagger_ui_bundle.swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def install(app: FastAPI) -> None:
    """Add ``/docs`` (and its assets) to ``app``; call before mounting ``/static``."""
    folder = swagger_dir()
    if folder is not None:
        app.mount(ASSETS, StaticFiles(directory=folder), name="swagger-ui")
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        if folder is None:
            return HTMLResponse(MISSING, status_code=200, headers=headers)
        return HTMLResponse(PAGE.format(assets=ASSETS), headers=headers)
