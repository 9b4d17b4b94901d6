"""Diagnosis edits on real ICD-10-CM codes: each edit triggered, and a near miss that is not.
SYS-MIXUP, DX-FORMAT, DX-INVALID, DX-HEADER, DX-7TH, DX-RELEASE, DX-ICD9-AFTER-2015,
DX-DUP, DX-MAX, DX-EXTCAUSE-FIRST, DX-Z-FIRST-ONLY."""

from __future__ import annotations

from typing import Any

import pytest

from medcode.claims.engine import check_claim
from medcode.claims.formats import claim_from_dict


def run(store: Any, dx: list[str], date: str = "2026-05-04", *, edits: set[str] | None = None,
        lines: list[dict[str, Any]] | None = None, quals: list[str] | None = None) -> Any:
    obj: dict[str, Any] = {
        "id": "T", "patient": {"birth_date": "1970-01-01", "sex": "F"}, "diagnoses": dx,
        "lines": lines if lines is not None else
        [{"code": "99213", "date": date, "pointers": list(range(1, min(len(dx), 4) + 1))}]}
    if quals:
        obj["diagnosis_qualifiers"] = quals
    return check_claim(claim_from_dict(obj), store, edits=edits)


def of(result: Any, edit: str) -> list[Any]:
    return [f for f in result.findings if f.edit == edit]


# --- SYS-MIXUP -------------------------------------------------------------------------------

@pytest.mark.parametrize("code, system", [("99213", "CPT"), ("G0008", "HCPCS"),
                                          ("0DTJ4ZZ", "ICD-10-PCS")])
def test_procedure_code_in_a_diagnosis_slot(store: Any, code: str, system: str) -> None:
    r = run(store, ["E11.9", code])
    (f,) = of(r, "SYS-MIXUP")
    assert f.severity == "error" and f.codes == (code,) and f"{system} code" in f.message
    assert not of(r, "DX-INVALID") and not of(r, "DX-FORMAT")


def test_diagnosis_code_on_a_service_line(store: Any) -> None:
    r = run(store, ["E11.9"], lines=[{"code": "E11.9", "date": "2026-05-04", "pointers": [1]}])
    (f,) = of(r, "SYS-MIXUP")
    assert f.line == 1 and "ICD-10-CM diagnosis code" in f.message
    assert "Type 2 diabetes mellitus without complications" in f.message
    assert not of(r, "PX-FORMAT")


def test_near_miss_hcpcs_code_that_is_also_a_diagnosis_shape(store: Any) -> None:
    # J1100 is a HCPCS drug code on a line and a valid ICD-10-CM code (J11.00) in a dx slot
    r = run(store, ["J11.00"], lines=[{"code": "J1100", "date": "2026-05-04", "pointers": [1]}])
    assert not of(r, "SYS-MIXUP") and not of(r, "PX-FORMAT") and not of(r, "DX-INVALID")


# --- DX-FORMAT / DX-INVALID ------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["E1", "S72.001AA", "E11.9!", "12"])
def test_malformed_diagnosis(store: Any, raw: str) -> None:
    r = run(store, ["I10", raw], edits={"DX-FORMAT", "DX-INVALID", "SYS-MIXUP"})
    (f,) = r.findings
    assert f.edit == "DX-FORMAT" and f.severity == "error" and "Diagnosis 2" in f.message


def test_never_existed(store: Any) -> None:
    (f,) = of(run(store, ["E11.99"]), "DX-INVALID")
    assert "not an ICD-10-CM code" in f.message and f.fix == "use E11.9"


def test_deleted_after_a_release(store: Any) -> None:
    # S30.1XXA: valid FY2024-FY2025, gone in FY2026
    (f,) = of(run(store, ["S30.1XXA"], "2026-05-04"), "DX-INVALID")
    assert "deleted after FY2025" in f.message
    assert not of(run(store, ["S30.1XXA"], "2025-06-01"), "DX-INVALID")


def test_added_only_in_a_later_release(store: Any) -> None:
    # C50.A0: new in FY2026
    (f,) = of(run(store, ["C50.A0"], "2025-06-01"), "DX-INVALID")
    assert "added in FY2026" in f.message and "2025-10-01" in f.message
    assert not of(run(store, ["C50.A0"], "2025-10-01"), "DX-INVALID")


# --- DX-HEADER / DX-7TH ----------------------------------------------------------------------

def test_header_lists_billable_children(store: Any) -> None:
    (f,) = of(run(store, ["E11"]), "DX-HEADER")
    assert "not billable" in f.message and "E11.00" in (f.fix or "")
    assert not of(run(store, ["E11.9"]), "DX-HEADER")


def test_code_that_became_a_header(store: Any) -> None:
    # B88.0 was billable until FY2025; FY2026 split it into B88.01 / B88.09
    (f,) = of(run(store, ["B88.0"]), "DX-HEADER")
    assert "B88.01" in f.message
    assert "was billable until 2025-09-30 but became a subcategory on 2025-10-01" in f.message
    # a year later the dates are still the dates of the change, not of the claim's release
    (f,) = of(run(store, ["B88.0"], "2026-12-01"), "DX-HEADER")
    assert "until 2025-09-30 but became a subcategory on 2025-10-01" in f.message
    assert not run(store, ["B88.0"], "2025-06-01", edits={"DX-HEADER", "DX-INVALID"}).findings


def test_seventh_character_needed(store: Any) -> None:
    (f,) = of(run(store, ["S72.001"]), "DX-7TH")
    assert "needs a 7th character" in f.message and "S72.001A" in f.message


def test_placeholder_missing(store: Any) -> None:
    (f,) = of(run(store, ["W21.89A", "S02.0XXA"]), "DX-7TH")
    assert f.fix == "use W21.89XA" and "placeholder" in f.message
    assert not of(run(store, ["S02.0XXA", "W21.89XA"]), "DX-7TH")


def test_seventh_character_not_allowed(store: Any) -> None:
    # a note under S06 says D and S do not apply to 6th characters 7 and 8
    (f,) = of(run(store, ["S06.1X7D"]), "DX-7TH")
    assert "does not apply" in f.message and "S06.1X7A" in (f.fix or "")
    assert not of(run(store, ["S06.1X7A"]), "DX-7TH")


# --- DX-RELEASE / DX-ICD9-AFTER-2015 ---------------------------------------------------------

def test_no_release_for_the_date_is_a_warning_with_the_command(store: Any) -> None:
    r = run(store, ["E11.9"], "2027-10-15", edits={"DX-RELEASE", "DX-INVALID"})
    (f,) = r.findings
    assert f.edit == "DX-RELEASE" and f.severity == "warning" and "FY2027" in f.message
    assert "medcode data fetch icd10cm --year 2028" in (f.fix or "")
    assert r.status == "warn"
    assert not run(store, ["E11.9"], "2026-10-15", edits={"DX-RELEASE"}).findings
    assert not run(store, ["E11.9"], "2026-09-30", edits={"DX-RELEASE"}).findings


def test_a_claim_dated_today_is_checked_against_fy2027(store: Any) -> None:
    """D69.1 became a header on 2026-10-01: a claim of 2026-12-02 is refused, one of
    2026-05-04 is not."""
    late = run(store, ["D69.1"], "2026-12-02")
    assert [f.edit for f in late.findings if f.severity == "error"] == ["DX-HEADER"]
    assert not [f for f in run(store, ["D69.1"], "2026-05-04").findings
                if f.severity == "error"]
    assert not [f for f in run(store, ["M67.A01"], "2026-12-02").findings
                if f.severity == "error"]


def test_icd9_after_2015(store: Any) -> None:
    r = run(store, ["250.00"], "2026-03-01", quals=["BK"])
    (f,) = of(r, "DX-ICD9-AFTER-2015")
    assert f.codes == ("250.00",) and "2015-10-01" in f.message
    assert not of(r, "DX-INVALID") and not of(r, "DX-FORMAT")
    ok = run(store, ["250.00"], "2015-09-30", quals=["BK"])
    assert not of(ok, "DX-ICD9-AFTER-2015") and not of(ok, "DX-INVALID")


@pytest.mark.parametrize("dx", ["250.00", "25000", "401.9", "V58.67"])
def test_icd9_without_qualifier_after_2015_is_read_as_icd9(store: Any, dx: str) -> None:
    r = run(store, [dx], "2024-09-15")
    (f,) = of(r, "DX-ICD9-AFTER-2015")
    assert f.severity == "error" and "ICD-9-CM" in f.message and "2015-10-01" in f.message
    assert not of(r, "SYS-MIXUP") and not of(r, "DX-INVALID") and not of(r, "DX-FORMAT")
    assert "CPT" not in f.message and "service line" not in f.message


def test_icd9_without_any_date_is_flagged_not_claimed_checked(store: Any) -> None:
    r = run(store, ["250.00", "E11.9"], lines=[{"code": "99213", "pointers": [1, 2]}],
            quals=["BK", "ABF"])
    (f,) = of(r, "DX-ICD9-AFTER-2015")
    assert f.severity == "warning" and "could not be checked" in f.message
    for note in of(r, "DX-RELEASE"):
        assert "not the ICD-9-CM 250.00" in note.message


def test_icd9_checked_against_the_other_lines_dates(store: Any) -> None:
    lines = [{"code": "99213", "pointers": [1]},
             {"code": "99214", "date": "2024-09-15", "pointers": [1]}]
    (f,) = of(run(store, ["250.00"], lines=lines), "DX-ICD9-AFTER-2015")
    assert f.severity == "error" and "2024-09-15" in f.message


def test_icd10_before_2015(store: Any) -> None:
    (f,) = of(run(store, ["E11.9"], "2014-03-01"), "DX-ICD9-AFTER-2015")
    assert "before 2015-10-01" in f.message
    assert not of(run(store, ["E11.9"], "2015-10-01"), "DX-ICD9-AFTER-2015")


def test_invalid_icd9_code_in_the_icd9_era(store: Any) -> None:
    if not store.releases("ICD-9-CM"):
        pytest.skip("this store has no ICD-9-CM release")
    r = run(store, ["413.4", "413.9"], "2005-03-14", quals=["BK", "BF"])
    (f,) = of(r, "DX-INVALID")
    assert f.codes == ("413.4",) and "ICD-9-CM" in f.message


# --- the diagnosis list ----------------------------------------------------------------------

def test_duplicate_diagnosis(store: Any) -> None:
    (f,) = of(run(store, ["E11.9", "I10", "e119"]), "DX-DUP")
    assert f.severity == "warning" and "1 and 3" in f.message
    assert not of(run(store, ["E11.9", "E11.8"]), "DX-DUP")


def test_more_than_twelve_diagnoses(store: Any) -> None:
    dx = ["E11.9", "I10", "E78.5", "J45.909", "K21.9", "M54.50", "F41.1", "G47.33", "N39.0",
          "R51.9", "Z79.4", "E66.9", "R05.9"]
    (f,) = of(run(store, dx), "DX-MAX")
    assert f.codes == ("R05.9",) and "13 diagnoses" in f.message
    assert not of(run(store, dx[:12]), "DX-MAX")


def test_external_cause_first(store: Any) -> None:
    (f,) = of(run(store, ["W19.XXXA", "S72.001A"]), "DX-EXTCAUSE-FIRST")
    assert f.severity == "error" and f.codes == ("W19.XXXA",)
    assert not of(run(store, ["S72.001A", "W19.XXXA"]), "DX-EXTCAUSE-FIRST")


def test_first_listed_only_z_code_in_second_place(store: Any) -> None:
    (f,) = of(run(store, ["I10", "Z00.00"]), "DX-Z-FIRST-ONLY")
    assert f.severity == "warning" and "diagnosis 2" in f.message
    assert not of(run(store, ["Z00.00", "I10"]), "DX-Z-FIRST-ONLY")


@pytest.mark.parametrize("code", ["Z00.6", "Z52.9", "Z51.81"])
def test_z_codes_excepted_or_not_listed(store: Any, code: str) -> None:
    # Z00.6 and Z52.9 are the guideline's exceptions; Z51.81 is not Z51.0/Z51.1-
    assert not of(run(store, ["I10", code]), "DX-Z-FIRST-ONLY")


def test_z_first_only_list_matches_the_guideline() -> None:
    from medcode.claims.edits import data
    prefixes = {z.prefix for z in data.z_first_only()}
    assert prefixes == {"Z00", "Z01", "Z02", "Z04", "Z332", "Z3181", "Z3183", "Z3184", "Z34",
                        "Z39", "Z38", "Z40", "Z42", "Z510", "Z511", "Z52", "Z761", "Z762",
                        "Z9912"}
    excepted = {z.prefix: z.excepted for z in data.z_first_only() if z.excepted}
    assert excepted == {"Z00": ("Z006",), "Z52": ("Z529",)}
