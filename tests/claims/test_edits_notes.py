"""Edits that read the tabular's notes, on real codes: DX-EXCL1, DX-MANIF-FIRST, DX-ETIOLOGY,
DX-USE-ADDITIONAL."""

from __future__ import annotations

from typing import Any

import pytest

from medcode.claims.engine import check_claim
from medcode.claims.formats import claim_from_dict


def run(store: Any, dx: list[str], edits: set[str] | None = None) -> Any:
    claim = claim_from_dict({"id": "N", "patient": {"birth_date": "1950-02-03", "sex": "M"},
                             "diagnoses": dx, "lines": [{"code": "99214", "date": "2026-03-10",
                                                         "pointers": [1]}]})
    return check_claim(claim, store, edits=edits)


def of(result: Any, edit: str) -> list[Any]:
    return [f for f in result.findings if f.edit == edit]


# --- DX-EXCL1 --------------------------------------------------------------------------------

def test_excludes1_own_note(store: Any) -> None:
    (f,) = of(run(store, ["E11.9", "E10.9"]), "DX-EXCL1")
    assert f.severity == "warning" and f.codes == ("E11.9", "E10.9")
    assert "E10.-" in f.message and "unrelated" in (f.fix or "")
    assert not of(run(store, ["E11.9", "I10"]), "DX-EXCL1")


def test_excludes1_reported_once_for_a_pair_naming_each_other(store: Any) -> None:
    # E10 excludes E11 and E11 excludes E10: one finding, not two
    assert len(of(run(store, ["E10.9", "E11.9"]), "DX-EXCL1")) == 1


def test_excludes1_inherited_from_the_category(store: Any) -> None:
    (f,) = of(run(store, ["J45.909", "J69.8"]), "DX-EXCL1")   # J45: detergent asthma (J69.8)
    assert "J45" in f.reference
    assert not of(run(store, ["J45.909", "J44.9"]), "DX-EXCL1")  # J44 is only Excludes2


def test_excludes1_with_a_qualifier_in_words(store: Any) -> None:
    # E87.2: "diabetic acidosis - see categories E08-E10, E11, E13 with ketoacidosis"
    assert of(run(store, ["E87.20", "E11.10"]), "DX-EXCL1")
    assert not of(run(store, ["E87.20", "E11.9"]), "DX-EXCL1")


# --- DX-MANIF-FIRST / DX-ETIOLOGY ------------------------------------------------------------

def test_manifestation_first(store: Any) -> None:
    r = run(store, ["F02.80", "G30.9"])
    (f,) = of(r, "DX-MANIF-FIRST")
    assert f.severity == "error" and f.fix == "list G30.9 first and F02.80 after it"
    assert not of(r, "DX-ETIOLOGY")           # one finding for one mistake
    ok = run(store, ["G30.9", "F02.80"])
    assert not of(ok, "DX-MANIF-FIRST") and not of(ok, "DX-ETIOLOGY")


def test_manifestation_by_its_category_title(store: Any) -> None:
    # D63.1 "Anemia in chronic kidney disease" sits under D63 "... in chronic diseases
    # classified elsewhere"
    assert of(run(store, ["D63.1", "N18.4"]), "DX-MANIF-FIRST")
    assert not of(run(store, ["N18.4", "D63.1"]), "DX-MANIF-FIRST")


def test_code_first_note_alone_does_not_make_a_manifestation(store: Any) -> None:
    # J12.82 (pneumonia due to COVID-19) carries "code first COVID-19 (U07.1)" but may be
    # first-listed: no DX-MANIF-FIRST, only the sequence warning when U07.1 comes after it
    r = run(store, ["J12.82", "U07.1"])
    assert not of(r, "DX-MANIF-FIRST")
    (f,) = of(r, "DX-ETIOLOGY")
    assert f.fix == "list U07.1 before J12.82"
    assert not of(run(store, ["U07.1", "J12.82"]), "DX-ETIOLOGY")
    assert not of(run(store, ["J12.82"]), "DX-ETIOLOGY")


def test_manifestation_without_its_underlying_condition(store: Any) -> None:
    # D63.1's code-first list is exhaustive (N18.-): I10 alone does not supply it
    (f,) = of(run(store, ["I10", "D63.1"]), "DX-ETIOLOGY")
    assert "N18.-" in f.message
    assert not of(run(store, ["N18.4", "D63.1"]), "DX-ETIOLOGY")


def test_manifestation_with_an_open_list_and_another_condition_first(store: Any) -> None:
    # F02's list says "such as": an earlier diagnosis may be the cause, so no warning
    assert not of(run(store, ["I10", "F02.80"]), "DX-ETIOLOGY")
    assert of(run(store, ["F02.80"]), "DX-ETIOLOGY")       # nothing that could be the cause


# --- DX-USE-ADDITIONAL -----------------------------------------------------------------------

def test_use_additional_code(store: Any) -> None:
    # E11.22 (type 2 diabetes with diabetic CKD): "code to identify stage of chronic kidney
    # disease (N18.1-N18.6)"
    (f,) = of(run(store, ["E11.22"]), "DX-USE-ADDITIONAL")
    assert f.severity == "info" and "N18.1-N18.6" in f.message and f.codes == ("E11.22",)
    assert not of(run(store, ["E11.22", "N18.30"]), "DX-USE-ADDITIONAL")


def test_info_findings_leave_a_claim_passing(store: Any) -> None:
    r = run(store, ["E11.22"])
    assert r.findings and {f.severity for f in r.findings} == {"info"}
    assert r.status == "pass"


@pytest.mark.parametrize("code", [
    "S72.001A",  # chapter 19: "code to identify any retained foreign body, if applicable"
    "I10",       # I10-I1A: "code to identify: exposure to environmental tobacco smoke ..."
    "E11.9",     # E11: "code to identify control using: insulin (Z79.4) ..." (diet alone: none)
    "J44.9",     # J44: "code to identify: ... tobacco dependence (F17.-) ..."
    "A41.9",     # chapter 1: "code to identify resistance to antimicrobial drugs (Z16.-)"
])
def test_conditional_use_additional_notes_are_not_reported(store: Any, code: str) -> None:
    assert not of(run(store, [code]), "DX-USE-ADDITIONAL")


def test_use_additional_catalog_is_data() -> None:
    """The catalog of notes that fire, with the note text each matched, is pinned."""
    from medcode.claims.edits.data import _rows, use_additional_nodes
    rows = {r["node"]: r["note"] for r in _rows("claims_use_additional.csv")}
    assert len(rows) == len(use_additional_nodes()) == 248
    assert rows["E1122"] == "code to identify stage of chronic kidney disease (N18.1-N18.6)"
    assert rows["C50"].startswith("code to identify estrogen")
    for node in ("I10-I1A", "E11", "J44", "19", "1"):
        assert node not in rows
