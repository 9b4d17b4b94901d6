"""FHIR R4 Claim reader: fixtures checked as valid FHIR first, then read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from medcode.claims.formats import Format, claim_to_dict, read_claims
from medcode.errors import ClaimFormatError
from medcode.models import Claim

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


def _items(source) -> list:
    with read_claims(source) as reader:
        assert reader.format is Format.fhir
        return list(reader)


def test_fixtures_are_valid_fhir_r4() -> None:
    # fhir.resources 8.x is R5 by default; its R4B package carries the R4-compatible Claim
    claim_model = pytest.importorskip("fhir.resources.R4B.claim").Claim
    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle").Bundle
    claim_model.model_validate(json.loads((DATA / "fhir_claim.json").read_text()))
    bundle_model.model_validate(json.loads((DATA / "fhir_bundle.json").read_text()))
    for line in (DATA / "fhir_claims.ndjson").read_text().splitlines():
        resource = json.loads(line)
        if resource["resourceType"] == "Claim":
            claim_model.model_validate(resource)
    with pytest.raises(ValueError):       # the check can fail: a Claim needs its status
        claim_model.model_validate({"resourceType": "Claim", "id": "x"})


def test_single_claim_with_contained_patient() -> None:
    (claim,) = _items(DATA / "fhir_claim.json")
    assert claim.id == "F1"
    assert claim.patient.birth_date == dt.date(1960, 4, 2) and claim.patient.sex == "F"
    assert claim.diagnoses == ("E11.9", "I10")          # ordered by sequence, not as listed
    assert claim.diagnosis_qualifiers == ("ABK", "ABF")
    first, second = claim.lines
    assert (first.code, first.modifiers, first.units, first.charge, first.date,
            first.pointers) == ("99213", ("25",), 1, 120.0, dt.date(2026, 5, 4), (1, 2))
    # HCPCS item: servicedPeriod.start, charge = unitPrice x quantity when net is absent
    assert (second.code, second.units, second.charge, second.date) == (
        "J1815", 4, 12.0, dt.date(2026, 5, 4))
    assert claim.extra == {"total_charge": 132.0, "claim_type": "professional"}


def test_bundle_resolves_patients_and_icd9() -> None:
    f2, f3 = _items(DATA / "fhir_bundle.json")
    assert f2.id == "F2" and f2.patient.birth_date == dt.date(1944, 9, 30)
    assert f2.patient.sex == "M"
    assert f2.diagnoses == ("250.00", "401.9") and f2.diagnosis_qualifiers == ("BK", "BF")
    assert f2.lines[0].pointers == (2, 1)
    assert f2.source.endswith("fhir_bundle.json: entry 2")
    # urn:uuid reference; gender "other" -> U; a dateTime period start; a pointer to a
    # diagnosis sequence that does not exist is kept as given
    assert f3.patient.birth_date == dt.date(1999, 2, 28) and f3.patient.sex == "U"
    line = f3.lines[0]
    assert line.date == dt.date(2026, 6, 2) and line.modifiers == ("GP", "KX")
    assert line.pointers == (1,) and line.raw_pointers == ("1", "sequence 3")


def test_ndjson_streams_resources() -> None:
    items = _items(DATA / "fhir_claims.ndjson")
    n1, n2, bad = items
    assert n1.id == "N1" and n1.patient.sex == "M"         # Patient line before it
    assert n2.patient.birth_date is None
    assert n2.extra["patient_reference"] == "Patient/missing"
    assert isinstance(bad, ClaimFormatError)
    assert str(bad) == (f"{DATA / 'fhir_claims.ndjson'}: line 4: claim N3: item 1 has no "
                        "productOrService code")


def test_fhir_inputs_that_hold_no_claim_raise() -> None:
    with pytest.raises(ClaimFormatError, match="holds no FHIR Claim"):
        read_claims(b'{"resourceType": "Bundle", "type": "collection", "entry": []}')
    with pytest.raises(ClaimFormatError, match="is a FHIR Patient, not a Claim"):
        read_claims(b'{"resourceType": "Patient",\n "id": "p"}', "fhir")
    # a Claim without id is one bad record: yielded, not raised
    (err,) = list(read_claims(b'{"resourceType": "Claim", "status": "active"}'))
    assert isinstance(err, ClaimFormatError)
    assert err.reason == "the FHIR Claim has neither an id nor an identifier"


def test_unresolved_diagnosis_reference_is_refused_with_a_reason() -> None:
    doc = {"resourceType": "Claim", "id": "R", "diagnosis": [
        {"sequence": 1, "diagnosisReference": {"reference": "Condition/1"}}]}
    (err,) = list(read_claims(json.dumps(doc).encode()))
    assert isinstance(err, ClaimFormatError)
    assert "diagnosis 1 refers to Condition/1, which is not a Condition in the same Bundle" \
        in str(err)


def test_fhir_to_json_to_claim_round_trip() -> None:
    for path in ("fhir_claim.json", "fhir_bundle.json"):
        for claim in _items(DATA / path):
            assert isinstance(claim, Claim)
            (again,) = list(read_claims(json.dumps(claim_to_dict(claim)).encode()))
            assert dataclasses.replace(again, source=None) == \
                dataclasses.replace(claim, source=None)


def test_wrong_structure_is_one_bad_record() -> None:
    doc = {"resourceType": "Claim", "id": "W", "item": ["99213"]}
    (err,) = list(read_claims(json.dumps(doc).encode()))
    assert isinstance(err, ClaimFormatError)
    assert err.reason.startswith("claim W: not the structure of a FHIR R4 Claim")


def test_bundle_resolves_conditions_patient_and_billable_period() -> None:
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:p-1", "resource": {"resourceType": "Patient", "id": "p-1",
                                                 "birthDate": "1951-02-03", "gender": "female"}},
        {"fullUrl": "urn:uuid:c-1", "resource": {
            "resourceType": "Condition", "id": "c-1", "code": {"coding": [
                {"system": "http://snomed.info/sct", "code": "195662009"},
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J02.9"}]}}},
        {"fullUrl": "urn:uuid:k-1", "resource": {
            "resourceType": "Claim", "id": "k-1", "patient": {"reference": "urn:uuid:p-1"},
            "billablePeriod": {"start": "2026-03-02T09:00:00-05:00",
                               "end": "2026-03-02T09:30:00-05:00"},
            "diagnosis": [{"sequence": 1, "diagnosisReference": {"reference": "urn:uuid:c-1"}},
                          {"sequence": 2, "diagnosisReference": {"reference": "Condition/c-1"}}],
            "item": [{"sequence": 1, "diagnosisSequence": [1], "productOrService": {
                "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]}}]}},
        {"fullUrl": "urn:uuid:k-2", "resource": {
            "resourceType": "Claim", "id": "k-2", "patient": {"reference": "Patient/p-1"},
            "diagnosis": [{"sequence": 1, "diagnosisReference": {"reference": "urn:uuid:gone"}}],
            "item": [{"sequence": 1, "productOrService": {"coding": [{"code": "99213"}]}}]}}]}
    with read_claims(json.dumps(bundle).encode(), name="b.json") as reader:
        k1, k2 = list(reader)
    assert k1.diagnoses == ("J02.9", "J02.9")           # ICD-10-CM coding preferred
    assert k1.lines[0].date == dt.date(2026, 3, 2)     # from Claim.billablePeriod
    assert k1.patient.birth_date == dt.date(1951, 2, 3) and k1.patient.sex == "F"
    assert isinstance(k2, ClaimFormatError)
    assert "refers to urn:uuid:gone, which is not a Condition in the same Bundle" in str(k2)
