"""LINE-UNITS, LINE-CHARGE, CLAIM-TOTAL, PX-OTHER-SYSTEM and DX-SUPPLEMENTARY-FIRST, on real
codes, read through the real readers (JSON, X12 837P, FHIR)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from medcode.claims.engine import check_claim, check_claims
from medcode.claims.formats import claim_from_dict, read_claims

EDITS = {"LINE-UNITS", "LINE-CHARGE", "CLAIM-TOTAL", "PX-OTHER-SYSTEM",
         "DX-SUPPLEMENTARY-FIRST"}


def run(store: Any, lines: list[dict[str, Any]], dx: tuple[str, ...] = ("M17.11",),
        **claim: Any) -> Any:
    obj = {"id": "A", "patient": {"birth_date": "1970-01-01", "sex": "F"},
           "diagnoses": list(dx), "lines": lines, **claim}
    return check_claim(claim_from_dict(obj), store, edits=EDITS)


def ln(code: str = "99213", units: Any = 1, charge: Any = 100.0) -> dict[str, Any]:
    return {"code": code, "units": units, "charge": charge, "date": "2026-05-04",
            "pointers": [1]}


def of(result: Any, edit: str) -> list[Any]:
    return [f for f in result.findings if f.edit == edit]


# --- LINE-UNITS ------------------------------------------------------------------------------

@pytest.mark.parametrize(("units", "words"), [(0, "bills 0 units: a line bills at least 1"),
                                              (-2, "bills -2 units: cannot be negative"),
                                              ("two", "the units 'two' are not a number")])
def test_units_that_cannot_be_billed(store: Any, units: Any, words: str) -> None:
    result = run(store, [ln("97110", units=units)])
    (f,) = of(result, "LINE-UNITS")
    assert f.severity == "error" and f.line == 1 and f.codes == ("97110",)
    assert words in f.message and "1 or more" in (f.fix or "")
    assert result.status == "fail"


@pytest.mark.parametrize("units", [1, 4, 1.5, "3"])
def test_positive_units_pass(store: Any, units: Any) -> None:
    assert not of(run(store, [ln("97110", units=units)]), "LINE-UNITS")


# --- LINE-CHARGE -----------------------------------------------------------------------------

def test_negative_charge(store: Any) -> None:
    (f,) = of(run(store, [ln(charge=-75.5)]), "LINE-CHARGE")
    assert f.severity == "error" and "negative charge (-75.50)" in f.message
    assert "corrected claim" in (f.fix or "")


def test_charge_that_is_not_an_amount(store: Any) -> None:
    (f,) = of(run(store, [ln(charge="ten dollars")]), "LINE-CHARGE")
    assert "the charge 'ten dollars' is not an amount" in f.message


@pytest.mark.parametrize("charge", [0, 0.0, 125, "$1,200.50", None])
def test_zero_positive_or_absent_charge_passes(store: Any, charge: Any) -> None:
    assert not of(run(store, [ln(charge=charge)]), "LINE-CHARGE")


# --- CLAIM-TOTAL -----------------------------------------------------------------------------

def test_total_that_is_not_the_sum(store: Any) -> None:
    result = run(store, [ln("99213", charge=100), ln("36415", charge=15.25)],
                 total_charge=125)
    (f,) = of(result, "CLAIM-TOTAL")
    assert f.severity == "warning" and f.line is None
    assert "total charge is 125.00, but its 2 lines add to 115.25 (a difference of 9.75)" \
        in f.message
    assert "make the total 115.25" in (f.fix or "")


def test_total_that_matches_passes(store: Any) -> None:
    assert not of(run(store, [ln(charge=100), ln("36415", charge=15.25)],
                      total_charge="115.25"), "CLAIM-TOTAL")
    assert not of(run(store, [ln(charge=100)]), "CLAIM-TOTAL")          # no total given
    assert not of(run(store, [ln(charge=None)], total_charge=80), "CLAIM-TOTAL")


X12 = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260504*1200*^*"
       "00501*000000001*0*T*:~GS*HC*S*R*20260504*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~"
       "BHT*0019*00*1*20260504*1200*CH~NM1*41*2*SUBMITTER*****46*1~NM1*40*2*RECEIVER*****46*2~"
       "HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*TOWN*NY*10001~"
       "REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*X1~"
       "DMG*D8*19700101*F~NM1*PR*2*PAYER*****PI*P1~CLM*C1*{total}***11:B:1*Y*A*Y*Y~"
       "HI*ABK:N390*ABF:B9620~LX*1~SV1*HC:99213*{charge}*UN*{units}***1:2~DTP*472*D8*20260504~"
       "LX*2~SV1*HC:81001*20*UN*1***1~DTP*472*D8*20260504~SE*20*0001~GE*1*1~IEA*1*000000001~")


def test_x12_amounts_and_units(store: Any) -> None:
    text = X12.format(total="150", charge="-120", units="X")
    (result,) = check_claims(read_claims(io.BytesIO(text.encode()), name="t.837"), store,
                             edits=EDITS)
    assert result.claim == "C1"
    assert [f.message for f in of(result, "LINE-UNITS")] == [
        "Line 1 (99213): the units 'X' are not a number."]
    assert [f.line for f in of(result, "LINE-CHARGE")] == [1]
    (total,) = of(result, "CLAIM-TOTAL")
    assert "total charge is 150.00, but its 2 lines add to -100.00" in total.message
    good = X12.format(total="140", charge="120", units="1")
    (ok,) = check_claims(read_claims(io.BytesIO(good.encode()), name="t.837"), store,
                         edits=EDITS)
    assert ok.findings == ()


# --- DX-SUPPLEMENTARY-FIRST ------------------------------------------------------------------

def test_infectious_agent_listed_first(store: Any) -> None:
    # B96.20: Unspecified Escherichia coli [E. coli] as the cause of diseases classified elsewhere
    (f,) = of(run(store, [ln()], dx=("B96.20", "N39.0")), "DX-SUPPLEMENTARY-FIRST")
    assert f.severity == "error" and f.codes == ("B96.20",)
    assert "Escherichia coli" in f.message and "supplementary" in f.message
    assert "list the infection first" in (f.fix or "")
    assert not of(run(store, [ln()], dx=("N39.0", "B96.20")), "DX-SUPPLEMENTARY-FIRST")
    # B99.9 (unspecified infectious disease) is not in B95-B97
    assert not of(run(store, [ln()], dx=("B99.9",)), "DX-SUPPLEMENTARY-FIRST")


# --- PX-OTHER-SYSTEM -------------------------------------------------------------------------

def _fhir(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({
        "resourceType": "Claim", "id": "F1", "total": {"value": 30},
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z23"}]}}],
        "item": items}).encode()


def _item(seq: int, system: str, code: str) -> dict[str, Any]:
    return {"sequence": seq, "productOrService": {"coding": [{"system": system, "code": code}]},
            "servicedDate": "2026-05-04", "diagnosisSequence": [1], "net": {"value": 15}}


def test_codes_of_other_systems_are_named_not_refused(store: Any) -> None:
    doc = _fhir([_item(1, "http://hl7.org/fhir/sid/cvx", "140"),
                 _item(2, "http://www.ama-assn.org/go/cpt", "90471")])
    (result,) = check_claims(read_claims(io.BytesIO(doc), name="c.json"), store)
    assert not [f for f in result.findings if f.edit.startswith("PX-") and
                f.edit != "PX-OTHER-SYSTEM"]
    (f,) = of(result, "PX-OTHER-SYSTEM")
    assert f.severity == "info" and f.line == 1 and f.codes == ("140",)
    assert "140 is a code of CVX (CDC vaccine codes), which medcode does not check" \
        in f.message
    assert result.status == "pass"


def test_local_system_is_named_by_its_uri(store: Any) -> None:
    doc = _fhir([_item(1, "https://example.org/fhir/local-codes", "A-12")])
    (result,) = check_claims(read_claims(io.BytesIO(doc), name="c.json"), store, edits=EDITS)
    (f,) = of(result, "PX-OTHER-SYSTEM")
    assert "code system https://example.org/fhir/local-codes" in f.message
