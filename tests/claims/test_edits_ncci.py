"""NCCI-PTP and NCCI-MUE on a copy of the store with the real CMS excerpts imported
(../shared/data/cms); PX-INVALID and MOD-INVALID tests reuse that store (``full_store``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from medcode.claims.engine import check_claim
from medcode.claims.formats import claim_from_dict

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
HCPCS = SHARED / "cms" / "hcpcs" / "2020-Alpha-Numeric-HCPCS-File.zip"
PTP = SHARED / "cms" / "ncci" / "ccipra-v322r0-f1.excerpt.txt"
MUE = SHARED / "cms" / "ncci" / "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"
_BUILT: dict[str, Any] = {}


def build_full_store(store_path: Path, tmp_root: Path) -> Any:
    """The session store copied, with the CMS HCPCS 2020 file and the NCCI PTP/MUE excerpts
    imported (built once per session, shared by every module that asks)."""
    import medcode
    from medcode.store.imports import import_files
    if "store" not in _BUILT:
        for f in (HCPCS, PTP, MUE):
            if not f.is_file():
                pytest.skip(f"{f.name} is absent (not redistributable: "
                            "CMS NCCI/MUE files carry CPT codes (c) AMA; read from ../shared/data)")
        path = tmp_root / "full.sqlite"
        shutil.copy(store_path, path)
        import_files(path, "hcpcs", [HCPCS])
        import_files(path, "ncci-ptp", [PTP])
        import_files(path, "mue", [MUE])
        _BUILT["store"] = medcode.open_store(path)
    return _BUILT["store"]


@pytest.fixture(scope="module")
def full_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_full_store(store_path, tmp_path_factory.mktemp("full-store"))


def check(store: Any, lines: list[dict[str, Any]], dx: list[str] | None = None,
          edits: set[str] | None = None) -> Any:
    claim = claim_from_dict({"id": "T", "patient": {"birth_date": "1970-01-01", "sex": "F"},
                             "diagnoses": dx or ["J45.909"], "lines": lines})
    return check_claim(claim, store, edits=edits)


def found(result: Any, edit: str) -> list[Any]:
    return [f for f in result.findings if f.edit == edit]


def line(code: str, date: str = "2024-07-15", mods: tuple[str, ...] = (), units: float = 1,
         ) -> dict[str, Any]:
    return {"code": code, "modifiers": list(mods), "units": units, "date": date,
            "pointers": [1]}


# --- NCCI-PTP --------------------------------------------------------------------------------

def test_ptp_indicator_1_without_a_modifier(full_store: Any) -> None:
    # 0001U / 0030U: practitioner edit effective 2018-07-01, no deletion, indicator 1
    r = check(full_store, [line("0001U"), line("0030U")], edits={"NCCI-PTP"})
    (f,) = found(r, "NCCI-PTP")
    assert f.severity == "error" and f.line == 2 and f.codes == ("0001U", "0030U")
    assert "modifier indicator 1" in f.message and "XS" in (f.fix or "")
    assert "v322r0" in f.reference and r.status == "fail"


@pytest.mark.parametrize("mods_1, mods_2", [((), ("59",)), ((), ("XS",)), (("LT",), ()),
                                            (("91",), ())])
def test_ptp_indicator_1_with_a_ptp_modifier_on_either_line(full_store: Any, mods_1: tuple,
                                                           mods_2: tuple) -> None:
    r = check(full_store, [line("0001U", mods=mods_1), line("0030U", mods=mods_2)],
              edits={"NCCI-PTP"})
    assert not found(r, "NCCI-PTP")


def test_ptp_modifier_that_is_not_ptp_associated_does_not_bypass(full_store: Any) -> None:
    r = check(full_store, [line("0001U", mods=("26",)), line("0030U", mods=("52",))],
              edits={"NCCI-PTP"})
    assert found(r, "NCCI-PTP")


def test_ptp_indicator_0_ignores_modifiers(full_store: Any) -> None:
    # 0001A / 36591: effective 2022-01-01, deleted 2023-12-31, indicator 0
    r = check(full_store, [line("0001A", "2023-06-01"), line("36591", "2023-06-01", ("59",))],
              edits={"NCCI-PTP"})
    (f,) = found(r, "NCCI-PTP")
    assert "indicator 0" in f.message and f.line == 2


def test_ptp_not_active_outside_its_dates(full_store: Any) -> None:
    after = check(full_store, [line("0001A", "2024-02-01"), line("36591", "2024-02-01")],
                  edits={"NCCI-PTP"})
    before = check(full_store, [line("0001A", "2021-06-01"), line("36591", "2021-06-01")],
                   edits={"NCCI-PTP"})
    assert not found(after, "NCCI-PTP") and not found(before, "NCCI-PTP")


def test_ptp_only_on_the_same_date(full_store: Any) -> None:
    r = check(full_store, [line("0001U", "2024-07-15"), line("0030U", "2024-07-16")],
              edits={"NCCI-PTP"})
    assert not found(r, "NCCI-PTP")


def test_ptp_indicator_9_never(full_store: Any) -> None:
    # 0001A / 90473: indicator 9 (and deleted the day it began)
    r = check(full_store, [line("0001A", "2022-01-01"), line("90473", "2022-01-01")],
              edits={"NCCI-PTP"})
    assert not found(r, "NCCI-PTP")


# --- NCCI-MUE --------------------------------------------------------------------------------

def test_mue_summed_per_day_for_mai_2(full_store: Any) -> None:
    # 0001U: MUE 1, MAI 2 (per day, policy), effective 2026-07-01
    r = check(full_store, [line("0001U", "2026-07-15"), line("0001U", "2026-07-15")],
              edits={"NCCI-MUE"})
    (f,) = found(r, "NCCI-MUE")
    assert f.codes == ("0001U",) and "2 units" in f.message and "lines 1, 2" in f.message
    assert "MAI 2" in f.reference
    ok = check(full_store, [line("0001U", "2026-07-15"), line("0001U", "2026-07-16")],
               edits={"NCCI-MUE"})
    assert not found(ok, "NCCI-MUE")


def test_mue_mai_3_and_units_on_one_line(full_store: Any) -> None:
    # 0009U: MUE 2, MAI 3
    over = check(full_store, [line("0009U", "2026-07-15", units=3)], edits={"NCCI-MUE"})
    at = check(full_store, [line("0009U", "2026-07-15", units=2)], edits={"NCCI-MUE"})
    assert found(over, "NCCI-MUE") and not found(at, "NCCI-MUE")


def test_mue_not_in_force_before_its_effective_date(full_store: Any) -> None:
    r = check(full_store, [line("0009U", "2026-06-30", units=5)], edits={"NCCI-MUE"})
    assert not found(r, "NCCI-MUE")


def test_mue_per_line_for_mai_1(store_path: Path, tmp_path: Path) -> None:
    """The excerpt has no MAI 1 row: a copy of its header with one MAI 1 row of ours."""
    import medcode
    from medcode.store.imports import import_files
    if not MUE.is_file():
        pytest.skip(f"{MUE.name} is absent (not redistributable: "
                    "CMS NCCI/MUE files carry CPT codes (c) AMA; read from ../shared/data)")
    text = MUE.read_text(encoding="utf-8-sig")
    head = text[:text.index("\n0001U,") + 1]           # the notices and the quoted header
    f = tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
    f.write_text(head + "20610,1,1 Line Edit,Anatomic Consideration\n", encoding="utf-8")
    path = tmp_path / "s.sqlite"
    shutil.copy(store_path, path)
    import_files(path, "mue", [f])
    s = medcode.open_store(path)
    try:
        two = check(s, [line("20610", "2026-07-15", units=2)], edits={"NCCI-MUE"})
        split = check(s, [line("20610", "2026-07-15"), line("20610", "2026-07-15")],
                      edits={"NCCI-MUE"})
    finally:
        s.close()
    (f1,) = found(two, "NCCI-MUE")
    assert f1.line == 1 and "per line" in f1.message
    assert not found(split, "NCCI-MUE")          # per line: two lines of 1 unit pass


def test_without_ncci_data_no_ncci_findings(store: Any) -> None:
    r = check(store, [line("0001U", "2026-07-15", units=9), line("0030U", "2026-07-15")],
              edits={"NCCI-PTP", "NCCI-MUE"})
    assert r.findings == ()


# --- NCCI-RELEASE: lines dated outside the quarter of the loaded files -----------------------
# the excerpts are PTP v32.2 and MUE effective 2026-07-01: both for 2026-07-01 to 2026-09-30

def test_release_quiet_inside_the_quarter(full_store: Any) -> None:
    r = check(full_store, [line("0001U", "2026-08-03"), line("0030U", "2026-08-03")],
              edits={"NCCI-RELEASE"})
    assert not found(r, "NCCI-RELEASE")


def test_release_ptp_after_the_quarter_names_the_fetch(full_store: Any) -> None:
    r = check(full_store, [line("0001U", "2026-11-16"), line("0030U", "2026-11-16")],
              edits={"NCCI-RELEASE", "NCCI-PTP"})
    (rel,) = [f for f in found(r, "NCCI-RELEASE") if "PTP" in f.message]
    assert rel.severity == "warning" and rel.line == 1
    assert "version 32.2" in rel.message and "2026-07-01 to 2026-09-30" in rel.message
    assert "medcode data fetch ncci-ptp --quarter 2026Q4" in (rel.fix or "")
    assert found(r, "NCCI-PTP")          # still checked against what is loaded


def test_release_ptp_not_said_for_a_single_code_or_earlier_dates(full_store: Any) -> None:
    one = check(full_store, [line("0001U", "2026-11-16")], edits={"NCCI-RELEASE"})
    assert not [f for f in found(one, "NCCI-RELEASE") if "PTP" in f.message]
    early = check(full_store, [line("0001U", "2025-03-03"), line("0030U", "2025-03-03")],
                  edits={"NCCI-RELEASE"})
    assert not [f for f in found(early, "NCCI-RELEASE") if "PTP" in f.message]


def test_release_mue_before_the_file_says_units_were_not_checked(full_store: Any) -> None:
    r = check(full_store, [line("0001U", "2024-07-15", units=99)],
              edits={"NCCI-RELEASE", "NCCI-MUE"})
    (rel,) = found(r, "NCCI-RELEASE")
    assert "not checked" in rel.message and "effective 2026-07-01" in rel.message
    assert "--quarter 2024Q3" in (rel.fix or "")
    assert not found(r, "NCCI-MUE")


def test_release_mue_after_the_quarter(full_store: Any) -> None:
    r = check(full_store, [line("0001U", "2027-01-05")], edits={"NCCI-RELEASE"})
    (rel,) = found(r, "NCCI-RELEASE")
    assert "after the NCCI MUEs loaded" in rel.message and "--quarter 2027Q1" in (rel.fix or "")


def test_status_coverage_names_the_ncci_quarter(full_store: Any) -> None:
    import datetime as dt

    from medcode.store.freshness import coverage
    inside = {c["system"]: c for c in coverage(full_store, dt.date(2026, 8, 1))}
    assert inside["NCCI-PTP"]["covers_today"] and not inside["NCCI-PTP"]["stale"]
    assert inside["MUE"]["effective_from"] == "2026-07-01"
    later = {c["system"]: c for c in coverage(full_store, dt.date(2026, 12, 2))}
    assert later["NCCI-PTP"]["stale"] and later["NCCI-PTP"]["effective_to"] == "2026-09-30"
    assert "medcode data fetch mue --quarter 2026Q4" in later["MUE"]["advice"]
