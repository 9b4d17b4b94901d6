"""The terminology-server answers of issue 18: issues, exact FHIR code forms, versions,
billability through implicit value sets, inline value sets (compose and filters), paging,
CodeSystem resources, TerminologyCapabilities and batch Bundles. Dates and versions are
always given (the newest release changes as releases are added)."""

from __future__ import annotations

import pytest

CM = "http://hl7.org/fhir/sid/icd-10-cm"
V26 = {"name": "system-version", "valueUri": f"{CM}|FY2026"}


def par(resource: dict, name: str):
    return next((p for p in resource["parameter"] if p["name"] == name), None)


def val(resource: dict, name: str):
    p = par(resource, name)
    if p is None:
        return None
    return next(v for k, v in p.items() if k.startswith("value"))


def tx_types(resource: dict) -> list[str]:
    issues = par(resource, "issues")
    return [i["details"]["coding"][0]["code"] for i in issues["resource"]["issue"]
            if i["details"].get("coding")] if issues else []


def cs_validate(client, **params) -> dict:
    r = client.get("/fhir/CodeSystem/$validate-code", params={"url": CM, **params})
    assert r.status_code == 200, r.text
    return r.json()


def expand(client, *params: dict) -> dict:
    r = client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters",
                                                    "parameter": list(params)})
    assert r.status_code == 200, r.text
    return r.json()


def inline(*include: dict, exclude: list | None = None) -> dict:
    compose: dict = {"include": list(include)}
    if exclude:
        compose["exclude"] = exclude
    return {"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active",
                                             "url": "http://example.org/vs", "compose": compose}}


def codes(vs: dict) -> list[str]:
    return [c["code"] for c in vs["expansion"].get("contains", [])]


# -- $validate-code: issues ------------------------------------------------------------------
def test_dotless_code_is_not_a_code_and_names_the_one_meant(client):
    p = cs_validate(client, code="E119", version="FY2026")
    assert val(p, "result") is False and tx_types(p) == ["invalid-code", "code-comment"]
    assert "did you mean 'E11.9'" in str(par(p, "issues"))


def test_wrong_display_and_lenient_display(client):
    p = cs_validate(client, code="E11.9", display="Asthma", version="FY2026")
    assert val(p, "result") is False and tx_types(p) == ["invalid-display"]
    p = cs_validate(client, code="E11.9", display="Asthma", version="FY2026",
                    **{"lenient-display-validation": "true"})
    assert val(p, "result") is True
    assert par(p, "issues")["resource"]["issue"][0]["severity"] == "warning"


def test_unknown_system_and_unknown_version(client):
    r = client.get("/fhir/CodeSystem/$validate-code", params={
        "url": "http://example.org/cs", "code": "1"})
    p = r.json()
    assert val(p, "result") is False and tx_types(p) == ["not-found"]
    assert val(p, "x-caused-by-unknown-system") == "http://example.org/cs"
    p = cs_validate(client, code="E11.9", version="1999")
    assert val(p, "result") is False and val(p, "x-caused-by-unknown-system") == f"{CM}|1999"


def test_header_is_in_the_code_system_but_not_billable(client):
    p = cs_validate(client, code="E11", version="FY2026")
    assert val(p, "result") is True and val(p, "display") == "Type 2 diabetes mellitus"
    note = par(p, "issues")["resource"]["issue"][0]
    assert note["severity"] == "information" and "not billable" in note["details"]["text"]
    r = client.get("/fhir/ValueSet/$validate-code", params={
        "url": f"{CM}?fhir_vs=billable", "system": CM, "code": "E11", "systemVersion": "FY2026"})
    assert val(r.json(), "result") is False and tx_types(r.json())[0] == "not-in-vs"
    r = client.get("/fhir/ValueSet/$validate-code", params={
        "url": f"{CM}?fhir_vs=billable", "system": CM, "code": "E11.9", "date": "2026-01-15"})
    assert val(r.json(), "result") is True


# -- versions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("version,release", [
    ("FY2026", "FY2026"), ("2026", "FY2026"), ("fy2025", "FY2025"), ("2025-10-01", "FY2026"),
    ("20250101", "FY2025"), ("2024-10", "FY2025")])
def test_version_forms(client, version, release):
    p = cs_validate(client, code="E11.9", version=version)
    assert val(p, "version") == release


def test_release_by_date_and_billable_in_older_releases(client):
    # B88.0 was billable until FY2025, a header in FY2026
    old = client.get("/fhir/ValueSet/$validate-code", params={
        "url": f"{CM}?fhir_vs=billable", "code": "B88.0", "date": "2025-03-01"}).json()
    new = client.get("/fhir/ValueSet/$validate-code", params={
        "url": f"{CM}?fhir_vs=billable", "code": "B88.0", "date": "2026-03-01"}).json()
    assert (val(old, "result"), val(old, "version")) == (True, "FY2025")
    assert (val(new, "result"), val(new, "version")) == (False, "FY2026")


# -- value sets ------------------------------------------------------------------------------
def test_billable_isa_expansion_has_no_headers(client):
    vs = expand(client, {"name": "url", "valueUri": f"{CM}?fhir_vs=billable-isa/E11"},
                {"name": "count", "valueInteger": 1000}, V26)
    assert vs["expansion"]["total"] == 87 and "E11" not in codes(vs)
    assert not any(c.get("abstract") for c in vs["expansion"]["contains"])


def test_filters(client):
    def run(*filters, exclude=None):
        inc = {"system": CM, "version": "FY2026", "filter": [
            {"property": p, "op": o, "value": v} for p, o, v in filters]}
        return codes(expand(client, inline(inc, exclude=exclude)))
    assert run(("concept", "is-a", "E11.2")) == ["E11.2", "E11.21", "E11.22", "E11.29"]
    assert run(("concept", "descendent-of", "E11.2")) == ["E11.21", "E11.22", "E11.29"]
    assert run(("concept", "child-of", "E11.3")) == run(("parent", "=", "E11.3"))
    assert run(("concept", "is-a", "E11.6"), ("billable", "=", "false")) == \
        ["E11.6", "E11.61", "E11.62", "E11.63", "E11.64"]
    assert run(("concept", "is-a", "E11.2"), ("concept", "is-not-a", "E11.21")) == \
        ["E11.2", "E11.22", "E11.29"]
    assert run(("concept", "in", "I10,E11.9,Q99.99")) == ["E11.9", "I10"]
    assert run(("concept", "is-a", "E11.2"), ("kind", "=", "subcategory")) == ["E11.2"]
    assert run(("concept", "is-a", "E11.2"),
               exclude=[{"system": CM, "concept": [{"code": "E11.22"}]}]) == \
        ["E11.2", "E11.21", "E11.29"]


def test_inline_value_set_validate_and_bad_filters(client):
    body = {"resourceType": "Parameters", "parameter": [
        inline({"system": CM, "filter": [{"property": "concept", "op": "is-a",
                                          "value": "E11"}]}),
        {"name": "coding", "valueCoding": {"system": CM, "code": "I10"}}, V26]}
    p = client.post("/fhir/ValueSet/$validate-code", json=body).json()
    assert val(p, "result") is False and tx_types(p) == ["not-in-vs"]
    bad = {"resourceType": "Parameters", "parameter": [inline(
        {"system": CM, "filter": [{"property": "concept", "op": "regex", "value": ".*"}]})]}
    r = client.post("/fhir/ValueSet/$expand", json=bad)
    assert r.status_code == 400 and "regex" in r.text


def test_paging_and_expansion_parameters(client):
    first = expand(client, {"name": "url", "valueUri": f"{CM}?fhir_vs=isa/E11"},
                   {"name": "count", "valueInteger": 5}, {"name": "offset", "valueInteger": 0},
                   {"name": "displayLanguage", "valueCode": "en"},
                   {"name": "activeOnly", "valueBoolean": True},
                   {"name": "includeDesignations", "valueBoolean": True}, V26)
    second = expand(client, {"name": "url", "valueUri": f"{CM}?fhir_vs=isa/E11"},
                    {"name": "count", "valueInteger": 5}, {"name": "offset", "valueInteger": 3},
                    V26)
    assert codes(first)[3:] == codes(second)[:2] and first["expansion"]["total"] > 100
    used = {p["name"] for p in first["expansion"]["parameter"]}
    assert {"displayLanguage", "activeOnly", "used-codesystem", "count"} <= used
    assert first["expansion"]["contains"][0]["designation"][0]["language"] == "en"
    no_headers = expand(client, {"name": "url", "valueUri": f"{CM}?fhir_vs=isa/E11.2"},
                        {"name": "excludeNotForUI", "valueBoolean": True}, V26)
    assert codes(no_headers) == ["E11.21", "E11.22", "E11.29"]


def test_too_costly_without_count(client):
    r = client.get("/fhir/ValueSet/$expand", params={"url": f"{CM}?fhir_vs=billable"})
    assert r.status_code == 422 and r.json()["issue"][0]["code"] == "too-costly"


# -- resources -------------------------------------------------------------------------------
def test_code_system_search_read_and_summary(client):
    found = client.get("/fhir/CodeSystem", params={"url": CM, "version": "2025"}).json()
    assert [e["resource"]["version"] for e in found["entry"]] == ["FY2025"]
    rid = found["entry"][0]["resource"]["id"]
    full = client.get(f"/fhir/CodeSystem/{rid}").json()
    assert full["content"] == "not-present" and full["property"]
    summary = client.get(f"/fhir/CodeSystem/{rid}", params={"_summary": "true"}).json()
    assert "property" not in summary and summary["meta"]["tag"][0]["code"] == "SUBSETTED"
    assert client.get("/fhir/CodeSystem", params={"url": "http://example.org/x"}).json()[
        "total"] == 0


def test_terminology_capabilities_lists_every_release(client, store):
    tc = client.get("/fhir/metadata", params={"mode": "terminology"}).json()
    listed = {(c["uri"], v["code"]) for c in tc["codeSystem"] for v in c["version"]}
    from medcode.api.fhir_systems import BY_NAME
    assert listed == {(BY_NAME[r.system].uri, r.name) for r in store.releases()}


# -- batch ------------------------------------------------------------------------------------
def test_batch_bundle(client):
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"request": {"method": "GET",
                     "url": f"CodeSystem/$validate-code?url={CM}&code=E11.9&version=FY2026"}},
        {"request": {"method": "POST", "url": "CodeSystem/$lookup"},
         "resource": {"resourceType": "Parameters", "parameter": [
             {"name": "system", "valueUri": CM}, {"name": "code", "valueCode": "I10"},
             {"name": "version", "valueString": "FY2026"}]}},
        {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={CM}&code=Q99.99"}},
        {"request": {"method": "DELETE", "url": "CodeSystem/icd-10-cm"}}]}
    r = client.post("/fhir", json=bundle, headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 200 and r.json()["type"] == "batch-response"
    entries = r.json()["entry"]
    assert [e["response"]["status"][:3] for e in entries] == ["200", "200", "404", "400"]
    assert val(entries[0]["resource"], "result") is True
    assert val(entries[1]["resource"], "display") == "Essential (primary) hypertension"
    assert entries[2]["resource"]["resourceType"] == "OperationOutcome"
    r = client.post("/fhir", json={"resourceType": "Bundle", "type": "transaction"})
    assert r.status_code == 400


def test_canonical_with_version_and_coding_without_system(client):
    p = client.get("/fhir/CodeSystem/$validate-code", params={
        "url": f"{CM}|FY2025", "code": "B88.0"}).json()
    assert (val(p, "result"), val(p, "version")) == (True, "FY2025")
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": CM}, {"name": "version", "valueString": "FY2026"},
        {"name": "coding", "valueCoding": {"code": "I10"}}]}
    p = client.post("/fhir/CodeSystem/$validate-code", json=body).json()
    assert (val(p, "result"), val(p, "system")) == (True, CM)
