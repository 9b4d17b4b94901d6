"""An in-process client over the real store (built once per session by tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def app(store):
    pytest.importorskip("fastapi", reason="the [api] extra (fastapi) is not installed")
    from medcode.api import create_app
    return create_app(store)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def features(client) -> dict[str, bool]:
    return client.get("/v1/about").json()["features"]
