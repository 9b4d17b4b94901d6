"""medcode as a service: a JSON API under ``/v1``, FHIR R4 terminology operations under
``/fhir`` and a web page at ``/``, all over one read-only store.

    >>> from medcode.api import create_app
    >>> app = create_app(medcode.open_store())          # doctest: +SKIP

``serve()`` runs it with uvicorn; with ``workers > 1`` every worker process imports
:func:`app_from_env` (an app factory) and opens its own read-only connection to the store
named by ``MEDCODE_API_STORE``. Nothing here runs at import time; fastapi is imported
only when an app is made.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

    from medcode.store.db import Store

__all__ = ["app_from_env", "create_app", "serve"]

#: environment variable naming the store file for worker processes
STORE_ENV = "MEDCODE_API_STORE"


def create_app(store: Store) -> FastAPI:
    """The ASGI app over ``store`` (shared by every request of this process)."""
    from medcode.api.app import build_app
    return build_app(store)


def app_from_env() -> FastAPI:
    """App factory for uvicorn workers: opens the store named by ``MEDCODE_API_STORE``
    (or the default store) read-only."""
    import medcode
    path = os.environ.get(STORE_ENV)
    store = medcode.open_store(Path(path) if path else None)
    return _settled(create_app(store))


def _settled(app: FastAPI) -> FastAPI:
    """Move what start-up allocated out of the garbage collector's way (fewer long pauses
    under load: the app, store caches and imported modules live for the whole process)."""
    import gc
    gc.collect()
    gc.freeze()
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, store_path: Path | str | None = None,
          workers: int = 1, log_level: str = "info") -> None:
    """Serve the API, FHIR operations and web page with uvicorn until interrupted.

    The store is opened (and built on first use, when it is the default one) before the
    server starts, so a missing or broken store is reported at once, not per request.
    """
    import uvicorn

    import medcode
    from medcode.api.logs import log_config

    store = medcode.open_store(Path(store_path) if store_path else None)
    common = {"host": host, "port": port, "log_level": log_level,
              "log_config": log_config(log_level), "server_header": False,
              "proxy_headers": False}
    if workers <= 1:
        uvicorn.run(_settled(create_app(store)), **common)  # type: ignore[arg-type]
        return
    os.environ[STORE_ENV] = str(store.path)
    store.close()
    uvicorn.run("medcode.api:app_from_env", factory=True, workers=workers,
                **common)  # type: ignore[arg-type]
