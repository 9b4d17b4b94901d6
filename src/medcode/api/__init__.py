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

    from medcode.api.security import Security
    from medcode.store.db import Store

__all__ = ["app_from_env", "create_app", "serve"]

#: environment variable naming the store file for worker processes
STORE_ENV = "MEDCODE_API_STORE"


def create_app(store: Store, security: Security | None = None) -> FastAPI:
    """The ASGI app over ``store`` (shared by every request of this process); ``security``
    adds a bearer token and per-client rate limits (see medcode.api.security)."""
    from medcode.api.app import build_app
    return build_app(store, security=security)


def app_from_env() -> FastAPI:
    """App factory for uvicorn workers: opens the store named by ``MEDCODE_API_STORE``
    (or the default store) read-only."""
    import medcode
    from medcode.api.security import Security
    path = os.environ.get(STORE_ENV)
    store = medcode.open_store(Path(path) if path else None)
    app = create_app(store, Security.from_env())
    _warm_search(store)
    return _settled(app)


#: one search of each kind whose first use in a process loads something (the store's
#: systems, synonyms and patterns; the code reader behind a one-word query, the code
#: prefix probes of typing; the status and procedure synonym tables)
WARM_SEARCHES = (("heart attack", False), ("diab", True), ("E11.9", False),
                 ("history of appendectomy", False), ("knee replacement", False))


def _warm_search(store: object) -> None:
    """Do search's once-per-process work before the first request rather than inside it
    (each worker's first one-word query imported the code reader: ~80 ms)."""
    import medcode
    try:
        for query, prefix in WARM_SEARCHES:
            medcode.search(query, limit=1, prefix=prefix, store=store)
    except medcode.MedcodeError:
        pass  # a store without a search index: /v1/search says so per request


#: a young-generation collection every this many allocations (Python's default is 700):
#: a search allocates thousands of short-lived objects, freed by reference counting anyway
GC_YOUNG = 10000


def _settled(app: FastAPI) -> FastAPI:
    """Move what start-up allocated out of the garbage collector's way (fewer long pauses
    under load: the app, store caches and imported modules live for the whole process).

    Collections also run less often than Python's default: a search allocates thousands
    of short-lived objects (freed by reference counting anyway), and each collection
    walks the young ones, each full one the growing search caches too (rows, stem sets):
    about a tenth of a search's CPU time at the default thresholds."""
    import gc
    gc.collect()
    gc.freeze()
    _, mid, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, mid, old)
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, store_path: Path | str | None = None,
          workers: int = 1, log_level: str = "info", token: str | None = None,
          no_auth: bool = False, rate_limit: float | None = None,
          access_log: bool = False) -> None:
    """Serve the API, FHIR operations and web page with uvicorn until interrupted.

    Beyond localhost a bearer ``token`` is required (else ValueError) unless ``no_auth``;
    ``rate_limit`` is requests/second per client (default: 100 beyond localhost, none on
    it; 0 turns it off). The access log is off unless ``access_log``.

    The store is opened (and built on first use, when it is the default one) before the
    server starts, so a missing or broken store is reported at once, not per request.
    """
    import uvicorn

    import medcode
    from medcode.api.logs import log_config
    from medcode.api.security import RATE_ENV, TOKEN_ENV, Security, is_loopback

    local = is_loopback(host)
    if token is None and not local and not no_auth:
        raise ValueError(f"serving on {host} (beyond this machine) needs a bearer token: "
                         "`medcode serve --host " + host + " --token-file token.txt` (or set "
                         "MEDCODE_TOKEN), or `--no-auth` to share it without one on purpose")
    rate = (0.0 if local else 100.0) if rate_limit is None else rate_limit
    security = Security(None if no_auth else token, rate, int(max(rate * 10, 1)))
    store = medcode.open_store(Path(store_path) if store_path else None)
    common = {"host": host, "port": port, "log_level": log_level,
              "log_config": log_config(log_level, access_log), "access_log": access_log,
              "server_header": False, "proxy_headers": False}
    if workers <= 1:
        app = create_app(store, security)
        _warm_search(store)
        uvicorn.run(_settled(app), **common)  # type: ignore[arg-type]
        return
    if security.token:
        os.environ[TOKEN_ENV] = security.token
    else:
        os.environ.pop(TOKEN_ENV, None)
    os.environ[RATE_ENV] = f"{security.rate}:{security.burst}"
    os.environ[STORE_ENV] = str(store.path)
    store.close()
    uvicorn.run("medcode.api:app_from_env", factory=True, workers=workers,
                **common)  # type: ignore[arg-type]
