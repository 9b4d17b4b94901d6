"""An in-process client over the session store (tests/conftest.py builds it)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(store):
    pytest.importorskip("fastapi", reason="the [api] extra (fastapi) is not installed")
    from fastapi.testclient import TestClient

    from medcode.api import create_app
    with TestClient(create_app(store)) as c:
        yield c
