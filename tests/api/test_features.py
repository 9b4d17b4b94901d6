"""identify, search and claim checking: real answers when the library has them, a clear
501 naming the missing function while it does not."""

from __future__ import annotations

import json

import pytest

CLAIM = {"id": "C1", "patient": {"birth_date": "1960-04-02", "sex": "F"},
         "diagnoses": ["E11.9", "I10"],
         "lines": [{"code": "99213", "units": 1, "charge": 120.0, "date": "2026-05-04",
                    "pointers": [1, 2]}]}


def _assert_501(r, name):
    assert r.status_code == 501
    assert r.json()["error"] == "not_implemented" and name in r.json()["message"]


def test_identify(client, features):
    r = client.get("/v1/identify", params=[("code", "99213"), ("code", "E11.9")])
    if not features["identify"]:
        _assert_501(r, "medcode.identify")
        return
    assert r.status_code == 200
    rows = r.json()
    assert [row["input"] for row in rows] == ["99213", "E11.9"]
    assert rows[0]["candidates"][0]["system"] == "CPT"
    assert rows[1]["candidates"][0]["system"] == "ICD-10-CM"
    assert rows[1]["candidates"][0]["valid"] is True


def test_search(client, features):
    r = client.get("/v1/search", params={"q": "type 2 diabetes without complications",
                                         "limit": 5})
    if not features["search"]:
        _assert_501(r, "medcode.search")
        return
    assert r.status_code == 200
    hits = r.json()
    assert 0 < len(hits) <= 5
    assert hits[0]["code"] == "E11.9"
    assert {"code", "system", "title", "billable", "score"} <= set(hits[0])


def test_search_prefix_and_filters(client, features):
    if not features["search"]:
        pytest.skip("medcode.search is not in the library yet (the route answers 501)")
    hits = client.get("/v1/search", params={"q": "diabet", "prefix": "true",
                                            "billable": "true", "limit": 10}).json()
    assert hits and all(h["billable"] for h in hits)


def test_search_validates_its_parameters(client):
    assert client.get("/v1/search", params={"q": "x", "limit": 0}).status_code == 422
    assert client.get("/v1/search").status_code == 422


def test_check_claim_json(client, features):
    r = client.post("/v1/claims/check", json=CLAIM)
    if not features["claims"]:
        _assert_501(r, "medcode.")
        return
    assert r.status_code == 200
    body = r.json()
    assert body["summary"]["claims"] == 1 and body["summary"]["lines"] == 1
    result = body["results"][0]
    assert result["claim"] == "C1" and result["status"] in ("pass", "warn", "fail")


def test_check_claim_finds_a_mixup(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    bad = dict(CLAIM, diagnoses=["99213"])
    body = client.post("/v1/claims/check", json=bad).json()
    edits = {f["edit"] for f in body["results"][0]["findings"]}
    assert "SYS-MIXUP" in edits and body["results"][0]["status"] == "fail"


def test_check_claim_bad_json_is_400(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    r = client.post("/v1/claims/check", content=b'{"id": "C1", "lines": [',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["message"]


def test_check_claim_empty_or_wrong_type(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    r = client.post("/v1/claims/check", content=b"  ", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "empty" in r.json()["message"]
    r = client.post("/v1/claims/check", content=b"x", headers={"Content-Type": "image/png"})
    assert r.status_code == 415


def test_too_many_claim_lines_is_413(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    from medcode.api.claims import MAX_LINES
    line = CLAIM["lines"][0]
    claims = [dict(CLAIM, id=f"C{i}", lines=[line] * 50) for i in range(MAX_LINES // 50 + 1)]
    body = "\n".join(json.dumps(c) for c in claims).encode()
    r = client.post("/v1/claims/check", content=body,
                    headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 413 and str(MAX_LINES) in r.json()["message"]


def test_search_answers_are_cached_per_process(client, features, app):
    if not features["search"]:
        pytest.skip("medcode.search is not in the library yet (the route answers 501)")
    params = {"q": "Fracture  of FEMUR", "limit": 3}
    first = client.get("/v1/search", params=params).json()
    size = len(app.state.search_cache)
    again = client.get("/v1/search", params={"q": "fracture of femur", "limit": 3}).json()
    assert again == first and len(app.state.search_cache) == size
    other = client.get("/v1/search", params={"q": "fracture of femur", "limit": 4}).json()
    assert len(other) == 4 and len(app.state.search_cache) == size + 1


X12 = ("ISA*00*          *00*          *ZZ*MEDCODETEST    *ZZ*PAYERTEST      *260501*0900*^*"
       "00501*000000007*0*T*:~GS*HC*MEDCODETEST*PAYERTEST*20260501*0900*7*X*005010X222A1~"
       "ST*837*0007*005010X222A1~BHT*0019*00*T7*20260501*0900*CH~"
       "NM1*41*2*CLINIC*****46*S7~NM1*40*2*PAYER*****46*P7~HL*1**20*1~"
       "NM1*85*2*CLINIC*****XX*1234567893~HL*2*1*22*0~SBR*P*18*******CI~"
       "NM1*IL*1*TEST*PAT****MI*M7~DMG*D8*19600402*F~NM1*PR*2*PAYER*****PI*P7~"
       "CLM*X-1*120***11:B:1*Y*A*Y*Y~HI*ABK:E11.9*ABF:I10~LX*1~"
       "SV1*HC:99213*120*UN*1*11**1:2~DTP*472*D8*20260504~SE*19*0007~GE*1*7~IEA*1*000000007~")

FHIR_CLAIM = {
    "resourceType": "Claim", "id": "F-1", "status": "active", "use": "claim",
    "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                         "code": "professional"}]},
    "contained": [{"resourceType": "Patient", "id": "p", "birthDate": "1960-04-02",
                   "gender": "female"}],
    "patient": {"reference": "#p"}, "created": "2026-05-04",
    "provider": {"display": "clinic"}, "priority": {"coding": [{"code": "normal"}]},
    "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "plan"}}],
    "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "99213"}]}}],
    "item": [{"sequence": 1, "diagnosisSequence": [1], "servicedDate": "2026-05-04",
              "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt",
                                               "code": "99213"}]}}]}


def test_check_claim_x12_837p(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    r = client.post("/v1/claims/check", content=X12.encode(),
                    headers={"Content-Type": "application/edi-x12"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"] == {"claims": 1, "lines": 1,
        body["results"][0]["status"]: 1}
    assert body["results"][0]["claim"] == "X-1"
    # detected from the content too
    r2 = client.post("/v1/claims/check", content=X12.encode(),
                     headers={"Content-Type": "text/plain"})
    assert r2.json()["results"] == body["results"]


def test_check_fhir_claim(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    r = client.post("/v1/claims/check", json=FHIR_CLAIM,
                    headers={"Content-Type": "application/fhir+json"})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["claim"] == "F-1" and result["status"] == "fail"
    assert "SYS-MIXUP" in {f["edit"] for f in result["findings"]}


def test_unreadable_claims_are_400_but_a_bad_record_among_good_ones_is_a_finding(client,
                                                                                 features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    r = client.post("/v1/claims/check", json={"lines": [{"code": "99213"}]})
    assert r.status_code == 400
    assert r.json()["error"] == "ClaimFormatError" and "'id'" in r.json()["message"]
    good = json.dumps(CLAIM)
    bad = '{"id": "B", "lines": [{"units": 1}]}'  # a line without a code
    r = client.post("/v1/claims/check", content=f"{good}\n{bad}\n".encode(),
                    headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0]["claim"] == "C1"
    assert results[1]["status"] == "fail"
    assert results[1]["findings"][0]["edit"] == "CLAIM-FORMAT"


def test_check_x12_file_problems_are_not_claims(client, features):
    if not features["claims"]:
        pytest.skip("claim checking is not in the library yet (the route answers 501)")
    # one CLM; the IEA control number does not match ISA13
    one = X12.rsplit("IEA*", 1)[0] + "IEA*1*000000999~"
    r = client.post("/v1/claims/check", content=one.encode(),
                    headers={"Content-Type": "application/edi-x12"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"]["claims"] == 1 and len(body["results"]) == 1
    (problem,) = body["file_problems"]
    assert "IEA02 control number '000000999' does not match ISA13" in problem
    assert client.post("/v1/claims/check", content=X12.encode(), headers={
        "Content-Type": "application/edi-x12"}).json().get("file_problems") is None
