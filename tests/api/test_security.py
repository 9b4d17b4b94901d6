"""Sharing the server: bearer token (none, wrong, good), rate limits, and serve's refusal to
listen beyond localhost without a token."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the [api] extra (fastapi) is not installed")
from fastapi.testclient import TestClient  # noqa: E402

from medcode.api import create_app  # noqa: E402
from medcode.api.security import Security, read_token  # noqa: E402

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def locked(store):
    with TestClient(create_app(store, Security(token=TOKEN))) as c:
        yield c


def test_no_token_is_401_with_a_challenge(locked):
    r = locked.get("/v1/codes/E11.9")
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "bearer token" in r.json()["message"]
    oo = locked.get("/fhir/CodeSystem/$lookup", params={
        "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"})
    assert oo.status_code == 401 and oo.json()["resourceType"] == "OperationOutcome"
    assert oo.json()["issue"][0]["code"] == "login"


def test_wrong_token_is_401(locked):
    r = locked.get("/v1/codes/E11.9", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert r.status_code == 401 and "not valid" in r.json()["message"]
    r = locked.get("/v1/codes/E11.9", headers={"Authorization": f"Basic {TOKEN}"})
    assert r.status_code == 401


def test_good_token_answers(locked):
    r = locked.get("/v1/codes/E11.9", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["code"] == "E11.9"


def test_the_page_and_health_need_no_token(locked):
    assert locked.get("/").status_code == 200          # the page asks for the token itself
    js = locked.get("/static/auth.js")
    assert js.status_code == 200 and "Authorization" in js.text
    assert "/static/auth.js" in locked.get("/").text
    assert locked.get("/v1/health").status_code == 200
    assert locked.get("/openapi.json").status_code == 401


def test_rate_limit_answers_429(store):
    with TestClient(create_app(store, Security(rate=0.5, burst=3))) as c:
        codes = [c.get("/v1/health").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    with TestClient(create_app(store, Security(rate=0.5, burst=1))) as c:
        c.get("/v1/health")
        r = c.get("/v1/health")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_serve_refuses_the_network_without_a_token(store_path):
    from medcode.api import serve
    with pytest.raises(ValueError, match="--token-file"):
        serve("0.0.0.0", 1, store_path=store_path)


def test_cli_serve_without_token_beyond_localhost(store_path, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from medcode.cli.app import cli
    monkeypatch.delenv("MEDCODE_TOKEN", raising=False)
    r = CliRunner().invoke(cli, ["--store", str(store_path), "serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "--no-auth" in r.output
    short = tmp_path / "token.txt"
    short.write_text("abc\n")
    r = CliRunner().invoke(cli, ["--store", str(store_path), "serve", "--host", "0.0.0.0",
                                 "--token-file", str(short)])
    assert r.exit_code == 2 and "at least 16" in r.output


def test_read_token(tmp_path):
    f = tmp_path / "t"
    f.write_text(TOKEN + "\n")
    assert read_token(f) == TOKEN
    with pytest.raises(ValueError, match="cannot read"):
        read_token(tmp_path / "missing")
