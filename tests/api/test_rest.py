"""The /v1 JSON API on the real store."""

from __future__ import annotations

import pytest


def test_lookup_returns_the_codeinfo_contract(client):
    r = client.get("/v1/codes/E11.9")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "E11.9" and body["system"] == "ICD-10-CM"
    assert body["title"] == "Type 2 diabetes mellitus without complications"
    assert body["billable"] is True and body["kind"] == "code" and body["parent"] == "E11"
    assert [a["code"] for a in body["ancestors"]] == ["4", "E08-E13", "E11"]
    assert {"includes", "excludes1", "seven_chr_def"} <= set(body["notes"])
    assert "FY2026" in body["valid_in"]


def test_lookup_normalises_case_and_dots(client):
    assert client.get("/v1/codes/e119").json()["code"] == "E11.9"


def test_lookup_seventh_character_and_inherited_notes(client):
    body = client.get("/v1/codes/S72.001A").json()
    assert body["seventh_character"]["char"] == "A"
    assert "initial encounter" in body["seventh_character"]["meaning"]
    excl = body["notes"]["excludes1"]
    assert any(n["from"] == "S72" and n["inherited"] for n in excl)


def test_lookup_header_lists_children(client):
    body = client.get("/v1/codes/E11.2").json()
    assert body["billable"] is False
    assert [c["code"] for c in body["children"]] == ["E11.21", "E11.22", "E11.29"]


def test_lookup_by_date_and_release(client):
    # B88.0 was billable through FY2025 and became a category in FY2026
    old = client.get("/v1/codes/B88.0", params={"on": "2025-06-01"}).json()
    assert old["release"] == "FY2025" and old["billable"] is True
    new = client.get("/v1/codes/B88.0", params={"release": "FY2026"}).json()
    assert new["release"] == "FY2026" and new["billable"] is False


def test_unknown_code_is_404_with_the_closest_code(client):
    r = client.get("/v1/codes/E11.99")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "UnknownCode" and body["status"] == 404
    assert "E11.9" in body["message"] and body["code"] == "E11.99"


def test_bad_date_is_400(client):
    r = client.get("/v1/codes/E11.9", params={"on": "2025-13-01"})
    assert r.status_code == 400
    assert "YYYY-MM-DD" in r.json()["message"]


def test_date_before_icd10_is_404_no_release(client):
    r = client.get("/v1/codes/E11.9", params={"on": "2010-01-01"})
    assert r.status_code == 404
    assert r.json()["error"] == "NoRelease" and "ICD-9-CM" in r.json()["message"]


def test_unknown_release_is_404(client):
    r = client.get("/v1/codes/E11.9", params={"release": "FY1999"})
    assert r.status_code == 404 and "FY2026" in r.json()["message"]


def test_malformed_code_is_400(client):
    r = client.get("/v1/codes/E11%3B9")
    assert r.status_code == 400
    assert r.json()["error"] == "InvalidCode" and "';'" in r.json()["message"]


def test_unknown_system_is_400(client):
    r = client.get("/v1/codes/E11.9", params={"system": "LOINC"})
    assert r.status_code == 400 and "ICD-10-CM" in r.json()["message"]


def test_validate_many_with_reasons(client):
    r = client.get("/v1/validate", params=[("code", "E11.9,E11"), ("code", "W21.89A"),
                                           ("code", "99213")])
    assert r.status_code == 200
    got = {v["input"]: v for v in r.json()}
    assert got["E11.9"]["valid"] is True and got["E11.9"]["status"] == "valid"
    assert got["E11"]["status"] == "header" and got["E11"]["suggestions"][0] == "E11.00"
    assert got["W21.89A"]["status"] == "placeholder"
    assert got["W21.89A"]["suggestions"] == ["W21.89XA"]
    assert got["99213"]["status"] == "valid" and got["99213"]["system"] == "CPT"
    r = client.get("/v1/validate", params={"code": "99213", "system": "ICD-10-CM"})
    assert r.json()[0]["status"] == "wrong_system"


def test_validate_on_a_date(client):
    r = client.get("/v1/validate", params={"code": "B88.01", "on": "2024-01-15"})
    assert r.json()[0]["valid"] is False and r.json()[0]["status"] == "not_in_release"
    r = client.get("/v1/validate", params={"code": "B88.01", "on": "2026-01-15"})
    assert r.json()[0]["valid"] is True


def test_validate_needs_a_code(client):
    r = client.get("/v1/validate")
    assert r.status_code == 422 and "code" in r.json()["message"]
    r = client.get("/v1/validate", params={"code": " , "})
    assert r.status_code == 400


def test_validate_too_many_codes_is_413(client):
    r = client.get("/v1/validate", params={"code": ",".join(["E11.9"] * 1001)})
    assert r.status_code == 413 and "1000" in r.json()["message"]


def test_releases(client):
    rels = client.get("/v1/releases").json()
    cm = [r for r in rels if r["system"] == "ICD-10-CM"]
    assert [r["release"] for r in cm][-1] == "FY2026"
    newest = cm[-1]
    assert newest["billable"] == 74719 and newest["effective_from"] == "2025-10-01"
    only = client.get("/v1/releases", params={"system": "icd10cm"}).json()
    assert {r["system"] for r in only} == {"ICD-10-CM"}


def test_about(client):
    import medcode
    body = client.get("/v1/about").json()
    assert body["version"] == medcode.__version__
    assert body["store"]["schema_version"] == body["meta"]["schema_version"]
    assert any(s["kind"] == "icd10cm-tabular" and len(s["sha256"]) == 64 for s in body["sources"])
    assert "ICD-10-CM" in body["systems"]
    assert set(body["features"]) >= {"search", "identify", "claims"}
    cover = {c["system"]: c for c in body["coverage"]}
    cm = cover["ICD-10-CM"]
    assert (cm["newest"], cm["effective_from"], cm["effective_to"]) == (
        "FY2027", "2026-10-01", "2027-09-30")
    assert cm["covers_today"] == (cm["effective_from"] <= cm["today"] <= cm["effective_to"])


def test_coverage_on_a_given_day(store):
    import datetime as dt

    from medcode.store.freshness import coverage
    got = {c["system"]: c for c in coverage(store, dt.date(2026, 12, 2))}
    assert got["ICD-10-CM"]["in_force_today"] == "FY2027" and not got["ICD-10-CM"]["stale"]
    assert got["ICD-10-PCS"]["stale"] and "--year 2027" in got["ICD-10-PCS"]["advice"]
    assert not got["ICD-9-CM"]["stale"]


def test_health(client):
    assert client.get("/v1/health").json() == {"status": "ok"}


def test_openapi_documents_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/v1/codes/{code}", "/v1/validate", "/v1/releases", "/v1/about", "/v1/identify",
              "/v1/search", "/v1/claims/check", "/fhir/CodeSystem/$lookup",
              "/fhir/ValueSet/$expand", "/fhir/metadata"):
        assert p in paths, p
    assert client.get("/docs").status_code == 200


def test_lookup_finds_the_system_of_a_procedure_code(client):
    if "ICD-10-PCS" not in client.get("/v1/about").json()["systems"]:
        pytest.skip("ICD-10-PCS is not in this store")
    body = client.get("/v1/codes/0DTJ4ZZ").json()
    assert body["system"] == "ICD-10-PCS" and body["parent"] == "0DT"
    assert body["title"] == "Resection of Appendix, Percutaneous Endoscopic Approach"
    v = client.get("/v1/validate", params={"code": "0DTJ4ZZ", "system": "ICD-10-PCS"}).json()
    assert v[0]["valid"] is True and v[0]["system"] == "ICD-10-PCS"
