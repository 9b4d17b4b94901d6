"""Limits, malformed input and failures: clear JSON, right status, nothing leaked."""

from __future__ import annotations

import logging

import pytest

from medcode.api import lib
from medcode.api.guard import MAX_BODY
from medcode.api.logs import RedactQueries, log_config, redact_path


def test_huge_body_with_content_length_is_413(client):
    body = b"x" * (MAX_BODY + 1)
    r = client.post("/v1/claims/check", content=body,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "body_too_large" and "5 MB" in r.json()["message"]


def test_huge_streamed_body_is_413(client):
    chunk = b"y" * (1024 * 1024)

    def gen():
        for _ in range(6):
            yield chunk

    r = client.post("/fhir/CodeSystem/$lookup", content=gen(),
                    headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 413
    assert r.json()["resourceType"] == "OperationOutcome"
    assert r.json()["issue"][0]["code"] == "too-costly"


def test_unknown_route_and_method(client):
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["message"] == "no such resource: /v1/nothing-here"
    r = client.delete("/v1/codes/E11.9")
    assert r.status_code == 405 and "DELETE" in r.json()["message"]
    r = client.get("/fhir/Patient/1")
    assert r.status_code == 404 and r.json()["resourceType"] == "OperationOutcome"


def test_bad_query_types_are_422_with_a_message(client):
    r = client.get("/v1/search", params={"q": "x", "limit": "many"})
    assert r.status_code == 422
    assert r.json()["message"].startswith("limit:")


def test_unexpected_failure_is_500_without_trace_or_content(client, monkeypatch, caplog):
    def boom(store, code, *args, **kwargs):
        raise RuntimeError(f"secret patient detail {code}")

    monkeypatch.setattr(lib, "lookup_dict", boom)
    with caplog.at_level(logging.ERROR, logger="medcode.api"):
        r = client.get("/v1/codes/E11.9")
    assert r.status_code == 500
    assert r.json()["error"] == "internal_error"
    assert "secret" not in r.text and "Traceback" not in r.text
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "RuntimeError" in logged and "patient detail E11" not in logged


def test_store_error_is_503(client, monkeypatch):
    from medcode.errors import StoreError

    def broken(*args, **kwargs):
        raise StoreError("the store at /x is corrupt; rebuild it")

    monkeypatch.setattr(lib, "lookup_dict", broken)
    r = client.get("/v1/codes/E11.9")
    assert r.status_code == 503 and "rebuild" in r.json()["message"]


def test_query_strings_never_reach_the_access_log():
    assert redact_path("/v1/claims/check?patient=Jane") == "/v1/claims/check?[redacted]"
    assert redact_path("/v1/codes/E11.9?on=2025-01-01") == "/v1/codes/E11.9?[redacted]"
    assert redact_path("/v1/codes/E11.9") == "/v1/codes/E11.9"
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "POST", "/v1/claims/check?dob=1960-04-02", "1.1",
                                200), None)
    RedactQueries().filter(record)
    assert "1960" not in record.getMessage() and "/v1/claims/check" in record.getMessage()


def test_log_config_installs_the_filter():
    pytest.importorskip("uvicorn")
    cfg = log_config("warning")
    assert "medcode_redact" in cfg["handlers"]["access"]["filters"]
    assert cfg["loggers"]["uvicorn.access"]["level"] == "WARNING"
    assert cfg["filters"]["medcode_redact"]["()"] == "medcode.api.logs.RedactQueries"
    on = log_config("info", access_log=True)  # buffered: written from a background thread
    assert on["handlers"]["access"]["()"] == "medcode.api.logs.BufferedStderr"
    assert "medcode_redact" in on["handlers"]["access"]["filters"]
