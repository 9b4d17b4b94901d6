"""LINE-DATE, DEMO, DX-AGE, DX-SEX on real codes, and the generated age/sex list."""

from __future__ import annotations

from pathlib import Path
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

@pytest.mark.parametrize("code, wrong", [("N40.0", "F"),      # MS-DRG MDC 12
                                         ("N95.2", "M"),      # MDC 13
                                         ("O80", "M"),        # chapter 15
                                         ("C50.911", "M"),    # title: "female breast"
                                         ("C50.921", "F")])   # title: "male breast"
def test_sex_conflict(store: Any, code: str, wrong: str) -> None:
    (f,) = of(run(store, [code], sex=wrong, birth="1990-01-01"), "DX-SEX")
    assert f.severity == "warning" and f.codes == (code,)
    assert not of(run(store, [code], sex="M" if wrong == "F" else "F", birth="1990-01-01"),
                  "DX-SEX")


def test_no_sex_conflict_when_sex_unknown_or_code_shared(store: Any) -> None:
    assert not of(run(store, ["N40.0"], sex="U"), "DX-SEX")
    assert not of(run(store, ["Z30.2"], sex="M"), "DX-SEX")     # sterilization: both MDCs
    assert not of(run(store, ["Y07.01"], sex="F"), "DX-SEX")    # perpetrator "husband"


# --- DX-AGE ----------------------------------------------------------------------------------

def test_newborn_code_on_an_adult(store: Any) -> None:
    (f,) = of(run(store, ["P07.00"], birth="1980-01-01"), "DX-AGE")
    assert "newborn" in f.message and "is 46 on 2026-05-04" in f.message
    assert not of(run(store, ["P07.00"], birth="2026-04-20"), "DX-AGE")   # age 0


def test_birth_episode_code_on_an_adult_is_an_error(store: Any) -> None:
    # Z38 is coded once, on the newborn's record at birth: no later-in-life exception
    (f,) = of(run(store, ["Z38.00"], birth="1960-04-02"), "DX-AGE")
    assert f.severity == "error" and f.codes == ("Z38.00",)
    assert "I.C.16.a.2" in f.message and "later in life" not in f.message
    assert of(run(store, ["P07.00"], birth="1980-01-01"), "DX-AGE")[0].severity == "warning"
    assert not of(run(store, ["Z38.00"], birth="2026-05-04"), "DX-AGE")


def test_maternity_code_outside_9_to_64(store: Any) -> None:
    (f,) = of(run(store, ["O80"], birth="1950-01-01"), "DX-AGE")
    assert "aged 9 to 64" in f.message
    assert not of(run(store, ["O80"], birth="1990-01-01"), "DX-AGE")
    assert of(run(store, ["Z34.00"], birth="2020-01-01"), "DX-AGE")     # guideline Z code


def test_age_is_counted_on_the_date_of_service(store: Any) -> None:
    # 64 on the day before the 65th birthday, 65 on it
    assert not of(run(store, ["O80"], birth="1961-05-05", date="2026-05-04"), "DX-AGE")
    assert of(run(store, ["O80"], birth="1961-05-04", date="2026-05-04"), "DX-AGE")


def test_congenital_codes_of_mdc_15_are_not_age_limited(store: Any) -> None:
    assert not of(run(store, ["Q86.0"], birth="2010-01-01"), "DX-AGE")


# --- the generated list ----------------------------------------------------------------------

def test_age_sex_list_is_what_the_generator_makes(store_path: Path) -> None:
    """The committed CSV is exactly what ``gen_agesex`` derives from drgpy v43.1 and the
    FY2026 tabular of the store, and its header names those sources."""
    from importlib import resources

    from medcode.claims.edits.gen_agesex import generate
    committed = resources.files("medcode").joinpath("data", "claims_age_sex.csv").read_text(
        encoding="utf-8")
    assert generate(str(store_path)) == committed
    assert "drgpy==0.2.1" in committed and "v43.1.json.xz sha256 " in committed
    assert "icd10c-tabular-April-1-2026.xml" in committed


def test_age_sex_lookup() -> None:
    from medcode.claims.edits.data import lookup_age_sex
    assert lookup_age_sex("N400", "sex") == ("M", "MS-DRG v43.1 MDC 12")
    assert lookup_age_sex("O80", "age")[0] == "maternity"                # type: ignore[index]
    assert lookup_age_sex("P0700", "age")[0] == "newborn"                # type: ignore[index]
    assert lookup_age_sex("I10", "sex") is None and lookup_age_sex("I10", "age") is None
