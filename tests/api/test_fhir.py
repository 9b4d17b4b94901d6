"""FHIR R4 terminology operations, every response parsed with fhir.resources (R4B models,
whose Parameters, ValueSet, CodeSystem and OperationOutcome match R4 for these uses)."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.parameters import Parameters
from fhir.resources.R4B.terminologycapabilities import TerminologyCapabilities
from fhir.resources.R4B.valueset import ValueSet

CM = "http://hl7.org/fhir/sid/icd-10-cm"
FHIR_JSON = "application/fhir+json"


def params_of(r) -> Parameters:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(FHIR_JSON)
    return Parameters.model_validate(r.json())


def value(p: Parameters, name: str):
    for par in p.parameter:
        if par.name == name:
            for attr in ("valueBoolean", "valueString", "valueCode", "valueUri"):
                v = getattr(par, attr)
                if v is not None:
                    return v
    return None


def properties(p: Parameters) -> list[tuple[str, object, dict]]:
    out = []
    for par in p.parameter:
        if par.name != "property":
            continue
        parts = {x.name: x for x in par.part}
        val = parts["value"]
        v = next(getattr(val, a) for a in ("valueCode", "valueString", "valueBoolean")
                 if getattr(val, a) is not None)
        subs = {}
        for x in par.part:
            if x.name == "subproperty":
                sp = {y.name: y for y in x.part}
                subs[sp["code"].valueCode] = sp["value"].valueCode
        out.append((parts["code"].valueCode, v, subs))
    return out


def outcome(r, status: int) -> OperationOutcome:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(FHIR_JSON)
    oo = OperationOutcome.model_validate(r.json())
    assert oo.issue[0].severity == "error" and text_of(oo)
    return oo


def text_of(oo: OperationOutcome) -> str:
    """All the issue texts (details.text, or diagnostics) of an OperationOutcome."""
    return " | ".join((i.details.text if i.details and i.details.text else i.diagnostics or "")
                      for i in oo.issue)


# -- $lookup -------------------------------------------------------------------------------
def test_lookup_get(client):
    p = params_of(client.get("/fhir/CodeSystem/$lookup", params={"system": CM, "code": "E11.9",
                                                                 "date": "2026-06-01"}))
    assert value(p, "name") == "ICD-10-CM"
    assert value(p, "version") == "FY2026"
    assert value(p, "display") == "Type 2 diabetes mellitus without complications"
    props = properties(p)
    assert ("parent", "E11", {}) in props
    assert ("billable", True, {}) in props and ("kind", "code", {}) in props
    # the includes note of E11 is inherited
    assert any(c == "includes" and subs.get("inherited-from") == "E11" for c, _, subs in props)


def test_lookup_post_parameters_with_coding(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "coding", "valueCoding": {"system": CM, "code": "E11.2"}},
        {"name": "property", "valueCode": "child"}]}
    r = client.post("/fhir/CodeSystem/$lookup", json=body,
                    headers={"Content-Type": FHIR_JSON})
    props = properties(params_of(r))
    assert [v for c, v, _ in props] == ["E11.21", "E11.22", "E11.29"]
    assert {c for c, _, _ in props} == {"child"}


def test_lookup_designations_and_seventh_characters(client):
    p = params_of(client.get("/fhir/CodeSystem/$lookup",
                             params={"system": CM, "code": "S72.001"}))
    designations = [par for par in p.parameter if par.name == "designation"]
    assert designations and designations[0].part[-1].valueString.startswith("Fracture")
    sevens = [v for c, v, _ in properties(p) if c == "seventh-character"]
    assert any(v.startswith("A: initial encounter") for v in sevens)


def test_lookup_date_selects_the_release(client):
    p = params_of(client.get("/fhir/CodeSystem/$lookup",
                             params={"system": CM, "code": "B88.0", "date": "2025-03-01"}))
    assert value(p, "version") == "FY2025"
    assert ("billable", True, {}) in properties(p)


def test_lookup_errors(client):
    oo = outcome(client.get("/fhir/CodeSystem/$lookup",
                            params={"system": CM, "code": "E11.99"}), 404)
    assert oo.issue[0].code == "code-invalid" and "E11.9" in text_of(oo)
    outcome(client.get("/fhir/CodeSystem/$lookup", params={"code": "E11.9"}), 400)
    oo = outcome(client.get("/fhir/CodeSystem/$lookup",
                            params={"system": "http://loinc.org", "code": "1-8"}), 404)
    assert "not known" in text_of(oo)
    outcome(client.get("/fhir/CodeSystem/$lookup",
                       params={"system": CM, "code": "E11.9", "date": "yesterday"}), 400)


def test_lookup_accepts_the_oid(client):
    p = params_of(client.get("/fhir/CodeSystem/$lookup", params={
        "system": "urn:oid:2.16.840.1.113883.6.90", "code": "I10"}))
    assert value(p, "display") == "Essential (primary) hypertension"


def test_post_errors(client):
    outcome(client.post("/fhir/CodeSystem/$lookup", content=b"{not json",
                        headers={"Content-Type": FHIR_JSON}), 400)
    oo = outcome(client.post("/fhir/CodeSystem/$lookup", json={"resourceType": "Patient"},
                             headers={"Content-Type": FHIR_JSON}), 400)
    assert "Parameters" in text_of(oo)
    outcome(client.post("/fhir/CodeSystem/$lookup", content=b"<Parameters/>",
                        headers={"Content-Type": "application/fhir+xml"}), 415)


# -- $validate-code ------------------------------------------------------------------------
def test_validate_code(client):
    p = params_of(client.get("/fhir/CodeSystem/$validate-code",
                             params={"url": CM, "code": "E11.9"}))
    assert value(p, "result") is True
    assert value(p, "display") == "Type 2 diabetes mellitus without complications"


def test_validate_code_header_is_abstract(client):
    # E11 is in the code system (an abstract concept), with a note that it is not billable
    p = params_of(client.get("/fhir/CodeSystem/$validate-code",
                             params={"system": CM, "code": "E11", "date": "2026-06-01"}))
    assert value(p, "result") is True and value(p, "message") is None
    note = next(par.resource for par in p.parameter if par.name == "issues").issue[0]
    assert note.severity == "information" and "not billable" in note.details.text
    p = params_of(client.get("/fhir/CodeSystem/$validate-code",
                             params={"system": CM, "code": "E11", "abstract": "false"}))
    assert value(p, "result") is False and "abstract" in value(p, "message")


def test_validate_code_wrong_display_and_unknown(client):
    p = params_of(client.get("/fhir/CodeSystem/$validate-code",
                             params={"system": CM, "code": "E11.9", "display": "Asthma"}))
    assert value(p, "result") is False and "display" in value(p, "message")
    p = params_of(client.get("/fhir/CodeSystem/$validate-code",
                             params={"system": CM, "code": "E11.99"}))
    assert value(p, "result") is False and "E11.9" in value(p, "message")
    p = params_of(client.get("/fhir/CodeSystem/$validate-code",
                             params={"system": "http://example.org/x", "code": "1"}))
    assert value(p, "result") is False


def test_validate_code_date_and_codeable_concept(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "codeableConcept", "valueCodeableConcept": {"coding": [
            {"system": "http://example.org/local", "code": "x"},
            {"system": CM, "code": "B88.01"}]}},
        {"name": "date", "valueDateTime": "2024-02-01T10:00:00Z"}]}
    p = params_of(client.post("/fhir/CodeSystem/$validate-code", json=body))
    assert value(p, "result") is False and value(p, "version") == "FY2024"
    body["parameter"][1] = {"name": "date", "valueDate": "2026-02-01"}
    assert value(params_of(client.post("/fhir/CodeSystem/$validate-code", json=body)),
                 "result") is True


def test_valueset_validate_code_isa(client):
    url = f"{CM}?fhir_vs=isa/E11"
    p = params_of(client.get("/fhir/ValueSet/$validate-code", params={"url": url,
                                                                       "code": "E11.9"}))
    assert value(p, "result") is True
    p = params_of(client.get("/fhir/ValueSet/$validate-code", params={"url": url,
                                                                       "code": "I10"}))
    assert value(p, "result") is False and "not found in the value set" in value(p, "message")


# -- $subsumes -----------------------------------------------------------------------------
@pytest.mark.parametrize("a,b,expected", [
    ("E11", "E11.9", "subsumes"), ("E11.9", "E11", "subsumed-by"), ("E11.9", "e11.9", "equivalent"),
    ("E11.9", "I10", "not-subsumed"), ("E08-E13", "E11.21", "subsumes")])
def test_subsumes(client, a, b, expected):
    p = params_of(client.get("/fhir/CodeSystem/$subsumes",
                             params={"system": CM, "codeA": a, "codeB": b}))
    assert value(p, "outcome") == expected


def test_subsumes_codings_and_errors(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "codingA", "valueCoding": {"system": CM, "code": "S72"}},
        {"name": "codingB", "valueCoding": {"system": CM, "code": "S72.001A"}}]}
    assert value(params_of(client.post("/fhir/CodeSystem/$subsumes", json=body)),
                 "outcome") == "subsumes"
    outcome(client.get("/fhir/CodeSystem/$subsumes",
                       params={"system": CM, "codeA": "E11"}), 400)
    # an unknown code is a bad request (as HAPI answers), naming the closest code
    oo = outcome(client.get("/fhir/CodeSystem/$subsumes",
                            params={"system": CM, "codeA": "E11", "codeB": "Q99.99"}), 400)
    assert oo.issue[0].code == "code-invalid" and "Q99.9 " in text_of(oo)


# -- $expand -------------------------------------------------------------------------------
def test_expand_isa(client):
    r = client.get("/fhir/ValueSet/$expand", params={"url": f"{CM}?fhir_vs=isa/E11.2"})
    assert r.status_code == 200
    vs = ValueSet.model_validate(r.json())
    assert vs.expansion.total == 4
    codes = [(c.code, bool(c.abstract)) for c in vs.expansion.contains]
    assert codes == [("E11.2", True), ("E11.21", False), ("E11.22", False), ("E11.29", False)]


def test_expand_all_with_paging(client):
    url = f"{CM}?fhir_vs"
    first = ValueSet.model_validate(client.get("/fhir/ValueSet/$expand", params={
        "url": url, "count": 10}).json())
    # every FY2026 node except chapters and blocks
    assert first.expansion.total > 90000 and len(first.expansion.contains) == 10
    second = ValueSet.model_validate(client.get("/fhir/ValueSet/$expand", params={
        "url": url, "count": 10, "offset": 5}).json())
    assert [c.code for c in second.expansion.contains[:5]] == \
        [c.code for c in first.expansion.contains[5:]]


def test_expand_filter_and_date(client):
    vs = ValueSet.model_validate(client.get("/fhir/ValueSet/$expand", params={
        "url": f"{CM}?fhir_vs=isa/E11", "filter": "kidney"}).json())
    # E11.21 is "with diabetic nephropathy": no "kidney" in its title
    assert {c.code for c in vs.expansion.contains} == {"E11.2", "E11.22", "E11.29"}
    old = ValueSet.model_validate(client.get("/fhir/ValueSet/$expand", params={
        "url": f"{CM}?fhir_vs", "filter": "B88.0", "date": "2024-05-01"}).json())
    assert old.version == "FY2024"
    assert {c.code for c in old.expansion.contains} == {"B88.0"}


def test_expand_post_and_errors(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "url", "valueUri": f"{CM}?fhir_vs=isa/I10"}]}
    vs = ValueSet.model_validate(client.post("/fhir/ValueSet/$expand", json=body).json())
    assert [c.code for c in vs.expansion.contains] == ["I10"]
    outcome(client.get("/fhir/ValueSet/$expand", params={"url": f"{CM}?fhir_vs",
                                                         "count": 5000}), 400)
    outcome(client.get("/fhir/ValueSet/$expand", params={"url": "http://example.org/vs"}), 404)
    outcome(client.get("/fhir/ValueSet/$expand"), 400)
    outcome(client.get("/fhir/ValueSet/$expand", params={"url": f"{CM}?fhir_vs=refset/1"}), 400)


# -- conformance ---------------------------------------------------------------------------
def test_metadata(client):
    r = client.get("/fhir/metadata")
    cs = CapabilityStatement.model_validate(r.json())
    assert cs.fhirVersion == "4.0.1" and cs.kind == "instance"
    ops = {o.name for res in cs.rest[0].resource for o in res.operation}
    assert ops == {"lookup", "validate-code", "subsumes", "expand"}
    tc = TerminologyCapabilities.model_validate(
        client.get("/fhir/metadata", params={"mode": "terminology"}).json())
    assert any(c.uri == CM for c in tc.codeSystem)


def test_code_system_listing_and_read(client):
    bundle = Bundle.model_validate(client.get("/fhir/CodeSystem").json())
    systems = [CodeSystem.model_validate(e.resource.model_dump()) for e in bundle.entry]
    newest = next(s for s in systems if s.id == "icd-10-cm")
    last = client.get("/v1/releases", params={"system": "ICD-10-CM"}).json()[-1]
    assert newest.url == CM and newest.version == last["release"]
    assert newest.content == "not-present"
    assert {s.version for s in systems if s.url == CM} >= {"FY2024", "FY2025", "FY2026"}
    read = CodeSystem.model_validate(client.get("/fhir/CodeSystem/icd-10-cm-fy2025").json())
    assert read.version == "FY2025"
    outcome(client.get("/fhir/CodeSystem/nope"), 404)
    found = client.get("/fhir/CodeSystem", params={"url": CM}).json()
    assert found["total"] == len([s for s in systems if s.url == CM])


# -- the other systems in the store (ICD-10-PCS, ICD-9-CM) -------------------------------
PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
ICD9 = "http://hl7.org/fhir/sid/icd-9-cm"


def _need(client, system: str) -> None:
    if system not in client.get("/v1/about").json()["systems"]:
        pytest.skip(f"{system} is not in this store")


def test_pcs_lookup_subsumes_expand(client):
    _need(client, "ICD-10-PCS")
    p = params_of(client.get("/fhir/CodeSystem/$lookup", params={"system": PCS,
                                                                 "code": "0DTJ4ZZ"}))
    assert value(p, "name") == "ICD-10-PCS"
    assert value(p, "display") == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert ("parent", "0DT", {}) in properties(p)
    out = params_of(client.get("/fhir/CodeSystem/$subsumes", params={
        "system": PCS, "codeA": "0D", "codeB": "0DTJ4ZZ"}))
    assert value(out, "outcome") == "subsumes"
    vs = ValueSet.model_validate(client.get("/fhir/ValueSet/$expand", params={
        "url": f"{PCS}?fhir_vs=isa/0DT", "count": 0, "system-version": f"{PCS}|FY2024"}).json())
    assert vs.expansion.total == 101  # the table and its 100 codes


def test_icd9_lookup_dotted_or_not_and_validate_by_date(client):
    _need(client, "ICD-9-CM")
    p = params_of(client.get("/fhir/CodeSystem/$lookup", params={"system": ICD9,
                                                                 "code": "250.00"}))
    assert value(p, "display").startswith("Diabetes mellitus without mention of complication")
    # in FHIR, ICD-9-CM codes carry their dot: 25000 is not one (the answer names 250.00)
    oo = outcome(client.get("/fhir/CodeSystem/$lookup", params={"system": ICD9,
                                                                "code": "25000"}), 404)
    assert "'250.00'" in text_of(oo)
    ok = params_of(client.get("/fhir/CodeSystem/$validate-code", params={
        "system": ICD9, "code": "250.00", "date": "2015-06-01"}))
    assert value(ok, "result") is True
    late = params_of(client.get("/fhir/CodeSystem/$validate-code", params={
        "system": ICD9, "code": "250.00", "date": "2016-06-01"}))
    assert value(late, "result") is False and "2015-10-01" in value(late, "message")
