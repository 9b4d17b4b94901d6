"""A real FHIR client library from PyPI (fhirpy) calls a real medcode server (uvicorn on a
free port, with a bearer token): lookup, validate-code, expand and a CodeSystem read."""

from __future__ import annotations

import socket
import threading
import time

import pytest

fhirpy = pytest.importorskip("fhirpy", reason="fhirpy (the [dev] extra) is not installed")
uvicorn = pytest.importorskip("uvicorn")

CM = "http://hl7.org/fhir/sid/icd-10-cm"
TOKEN = "fhirpy-test-token-0123456789abcdef"


@pytest.fixture(scope="module")
def base_url(store):
    from medcode.api import create_app
    from medcode.api.security import Security
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(store, Security(token=TOKEN)), host="127.0.0.1",
                            port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/fhir"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def fhir(base_url):
    return fhirpy.SyncFHIRClient(base_url, authorization=f"Bearer {TOKEN}")


def _value(params: dict, name: str):
    p = next(p for p in params["parameter"] if p["name"] == name)
    return next(v for k, v in p.items() if k.startswith("value"))


def test_lookup_and_validate(fhir):
    found = fhir.execute("CodeSystem/$lookup", method="get",
                         params={"system": CM, "code": "E11.9", "version": "FY2026"})
    assert _value(found, "display") == "Type 2 diabetes mellitus without complications"
    checked = fhir.execute("ValueSet/$validate-code", method="post", data={
        "resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": f"{CM}?fhir_vs=billable"},
            {"name": "coding", "valueCoding": {"system": CM, "code": "E11"}},
            {"name": "system-version", "valueUri": f"{CM}|FY2026"}]})
    assert _value(checked, "result") is False


def test_expand_and_read(fhir):
    vs = fhir.execute("ValueSet/$expand", method="get",
                      params={"url": f"{CM}?fhir_vs=isa/E11.2", "date": "2026-03-01"})
    assert vs["expansion"]["total"] == 4
    cs = fhir.reference("CodeSystem", "icd-10-cm").to_resource()
    assert cs["url"] == CM and cs["content"] == "not-present"


def test_wrong_token_is_refused(base_url):
    bad = fhirpy.SyncFHIRClient(base_url, authorization="Bearer nope-nope-nope-nope")
    with pytest.raises(fhirpy.base.exceptions.AuthorizationError, match="not valid"):
        bad.execute("CodeSystem/$lookup", method="get", params={"system": CM, "code": "I10"})
