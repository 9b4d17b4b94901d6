"""/v1/map and FHIR ConceptMap/$translate over the real store; every FHIR answer parsed with
fhir.resources (R4B)."""

from __future__ import annotations

import pytest

fhir_resources = pytest.importorskip("fhir.resources", reason="the [dev] extra is not installed")
from fhir.resources.R4B.bundle import Bundle  # noqa: E402
from fhir.resources.R4B.conceptmap import ConceptMap  # noqa: E402
from fhir.resources.R4B.operationoutcome import OperationOutcome  # noqa: E402
from fhir.resources.R4B.parameters import Parameters  # noqa: E402

ICD9 = "http://hl7.org/fhir/sid/icd-9-cm"
CM = "http://hl7.org/fhir/sid/icd-10-cm"
WHO10 = "http://hl7.org/fhir/sid/icd-10"
ICD11 = "http://id.who.int/icd/release/11/mms"
JSON = {"content-type": "application/fhir+json"}


@pytest.fixture(scope="module")
def client(store):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from medcode.api import create_app
    with TestClient(create_app(store)) as c:
        yield c


def _matches(p: Parameters) -> list[dict[str, object]]:
    out = []
    for par in p.parameter:
        if par.name == "match":
            parts = {x.name: x for x in par.part}
            out.append({"equivalence": parts["equivalence"].valueCode,
                        "relationship": parts["relationship"].valueCode,
                        "code": parts["concept"].valueCoding.code,
                        "system": parts["concept"].valueCoding.system,
                        "map": parts["originMap"].valueCanonical})
    return out


def _value(p: Parameters, name: str):
    for par in p.parameter:
        if par.name == name:
            return par.valueBoolean if par.valueBoolean is not None else par.valueString
    return None


def _ok(r) -> Parameters:
    assert r.status_code == 200, r.text
    return Parameters.model_validate(r.json())


def test_translate_r4_get_approximate_is_inexact(client):
    p = _ok(client.get("/fhir/ConceptMap/$translate", params={
        "system": ICD9, "code": "250.00", "targetsystem": CM}))
    assert _value(p, "result") is True
    assert _matches(p) == [{"equivalence": "inexact", "relationship": "related-to",
                            "code": "E11.9", "system": CM,
                            "map": "urn:medcode:fhir:ConceptMap:gem-dx-9-10"}]


def test_translate_r5_post_and_who_tables(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "sourceCoding", "valueCoding": {"system": WHO10, "code": "E11"}},
        {"name": "targetScope", "valueUri": ICD11 + "?fhir_vs"}]}
    p = _ok(client.post("/fhir/ConceptMap/$translate", json=body, headers=JSON))
    got = {(m["code"], m["map"].rsplit(":", 1)[-1]) for m in _matches(p)}
    assert got == {("5A11", "who-10-11-one"), ("5A11", "who-10-11-multi")}


def test_translate_combination_message_and_exact(client):
    p = _ok(client.get("/fhir/ConceptMap/$translate", params={
        "system": ICD9, "code": "806.00", "targetsystem": CM}))
    assert len(_matches(p)) == 12
    assert "scenario 1: S14.101A + one of (S12.000A, S12.001A)" in _value(p, "message")
    exact = _ok(client.get("/fhir/ConceptMap/$translate", params={
        "system": ICD9, "code": "001.0", "targetsystem": CM}))
    assert _matches(exact)[0]["equivalence"] == "equivalent"


def test_translate_nearest_code_above_is_wider(client):
    p = _ok(client.get("/fhir/ConceptMap/$translate", params={
        "system": CM, "code": "E11.65", "targetsystem": WHO10}))
    assert _matches(p)[0] == {"equivalence": "wider",
                              "relationship": "source-is-narrower-than-target",
                              "code": "E11.6", "system": WHO10,
                              "map": "urn:medcode:fhir:ConceptMap:same-code"}


def test_translate_errors_are_outcomes(client):
    r = client.get("/fhir/ConceptMap/$translate", params={"system": ICD9, "code": "250.00"})
    assert r.status_code == 400
    OperationOutcome.model_validate(r.json())
    r = client.get("/fhir/ConceptMap/$translate", params={
        "system": ICD9, "code": "999.99", "targetsystem": CM})
    p = _ok(r)
    assert _value(p, "result") is False and "999.99" in _value(p, "message")


def test_conceptmaps_readable(client):
    b = Bundle.model_validate(client.get("/fhir/ConceptMap").json())
    assert {e.resource.id for e in b.entry} >= {"gem-dx-9-10", "who-10-11-one"}
    cm = ConceptMap.model_validate(client.get("/fhir/ConceptMap/gem-dx-9-10").json())
    elements = cm.group[0].element
    assert sum(len(e.target) for e in elements) == 23_912
    e = next(e for e in elements if e.code == "250.00")
    assert [(t.code, t.equivalence) for t in e.target] == [("E11.9", "inexact")]
    assert client.get("/fhir/ConceptMap/nope").status_code == 404


def test_v1_map(client):
    r = client.get("/v1/map", params={"code": "250.00,47.01", "to": "ICD-10-CM"})
    assert r.status_code == 200
    a, b = r.json()
    assert a["targets"][0]["code"] == "E11.9"
    assert b["message"]          # a procedure has no ICD-10-CM target
    r = client.post("/v1/map", json={"codes": ["E11"], "to": "icd-11", "from": "ICD-10"})
    assert {t["code"] for t in r.json()[0]["targets"]} == {"5A11"}
    assert client.get("/v1/map", params={"code": "E11", "to": "nope"}).status_code == 400


def test_who_systems_in_lookup_validate_expand(client):
    p = _ok(client.get("/fhir/CodeSystem/$lookup", params={"system": ICD11, "code": "BA00.Z"}))
    assert _value(p, "display") == "Essential hypertension, unspecified"
    v = _ok(client.get("/fhir/CodeSystem/$validate-code", params={"system": WHO10,
                                                                  "code": "B20.0"}))
    assert _value(v, "result") is True
    v = _ok(client.get("/fhir/CodeSystem/$validate-code", params={"system": WHO10,
                                                                  "code": "E11.65"}))
    assert _value(v, "result") is False
    r = client.get("/fhir/ValueSet/$expand", params={"url": ICD11 + "?fhir_vs=isa/BA00"})
    assert r.status_code == 200
    assert "BA00.Z" in {c["code"] for c in r.json()["expansion"]["contains"]}
