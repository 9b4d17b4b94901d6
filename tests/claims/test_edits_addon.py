"""ADDON-NO-PRIMARY with the real CMS add-on code file (2026 Q2, ../shared/data/cms/ncci),
imported with ``medcode data import aoc`` into a copy of the session store; and the import
refusing broken files while leaving the store as it was."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medcode.claims.engine import check_claim
from medcode.claims.formats import claim_from_dict
from medcode.errors import SourceError
from medcode.store.load_aoc import parse_aoc_date

AOC = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cms" / "ncci" / \
    "AOC_V2026Q2-MCR.xlsx"


@pytest.fixture(scope="module")
def aoc_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    import medcode
    from medcode.store.imports import import_files
    if not AOC.is_file():
        pytest.skip(f"{AOC} is absent: the CMS add-on code file is not here")
    path = tmp_path_factory.mktemp("aoc") / "aoc.sqlite"
    shutil.copy(store_path, path)
    counts = import_files(path, "aoc", [AOC])
    # the file's own counts: 9,000 edit rows (8,293 type 1, 47 type 2, 660 type 3)
    assert counts["edits"] == 9000 and counts["release"] == "2026Q2"
    assert (counts["type1"], counts["type2"], counts["type3"]) == (8293, 47, 660)
    assert counts["addon_codes"] == 830
    s = medcode.open_store(path)
    yield s
    s.close()


def run(store: Any, *codes: str, date: str = "2026-05-04") -> list[Any]:
    claim = claim_from_dict({
        "id": "A", "patient": {"birth_date": "1960-01-01", "sex": "M"}, "diagnoses": ["I10"],
        "lines": [{"code": c, "date": date, "pointers": [1]} for c in codes]})
    return [f for f in check_claim(claim, store, edits={"ADDON-NO-PRIMARY"}).findings]


def test_type1_addon_alone_is_an_error(aoc_store: Any) -> None:
    # 99292 critical care, each additional 30 minutes: its only primary is 99291
    (f,) = run(aoc_store, "99292")
    assert f.severity == "error" and f.line == 1 and f.codes == ("99292",)
    assert "no primary code is on the claim on 2026-05-04 (primaries: 99291)" in f.message
    assert "(e.g. 99291)" in (f.fix or "")
    assert "2026Q2" in f.reference and "edit type 1" in f.reference
    assert f.reference.endswith("payers deny with CARC 107")
    assert not run(aoc_store, "99291", "99292")


def test_primary_on_another_date_does_not_count(aoc_store: Any) -> None:
    claim = claim_from_dict({"id": "D", "diagnoses": ["I10"], "lines": [
        {"code": "99291", "date": "2026-05-03", "pointers": [1]},
        {"code": "99292", "date": "2026-05-04", "pointers": [1]}]})
    (f,) = check_claim(claim, aoc_store, edits={"ADDON-NO-PRIMARY"}).findings
    assert f.line == 2


def test_edit_dates_decide(aoc_store: Any) -> None:
    # 99417 (prolonged office visit) has primary 99245 only from 2025-04-01; 99205 since 2021
    assert run(aoc_store, "99245", "99417", date="2025-03-31")[0].severity == "error"
    assert not run(aoc_store, "99245", "99417", date="2025-04-01")
    assert not run(aoc_store, "99205", "99417", date="2021-01-01")
    # before 2021 the 99417 edit did not exist
    assert not run(aoc_store, "99417", date="2020-06-01")


def test_type3_is_a_warning_and_type2_an_info(aoc_store: Any) -> None:
    (w,) = run(aoc_store, "20701")          # type 3: listed primaries and contractor ones
    assert w.severity == "warning" and "the Medicare contractor may accept other" in w.message
    assert "and 34 more" in w.message       # 42 primaries, 8 shown
    assert not run(aoc_store, "11010", "20701")
    (i,) = run(aoc_store, "0054T")          # type 2: contractor-defined primaries only
    assert i.severity == "info" and "defined by the Medicare contractor" in i.message


def test_no_aoc_file_no_finding(store: Any) -> None:
    assert not run(store, "99292")


def test_aoc_dates() -> None:
    assert parse_aoc_date("2013091") == "2013-04-01"
    assert parse_aoc_date("2016366") == "2016-12-31"       # leap year
    assert parse_aoc_date(None) is None and parse_aoc_date("") is None
    with pytest.raises(ValueError, match="day 366 of 2015 does not exist"):
        parse_aoc_date("2015366")


def test_broken_file_is_refused_and_store_kept(store_path: Path, tmp_path: Path) -> None:
    from medcode.cli.app import cli
    from medcode.store.imports import import_files
    path = tmp_path / "s.sqlite"
    shutil.copy(store_path, path)
    before = path.read_bytes()
    bad = tmp_path / "aoc.csv"
    bad.write_text("AOC_Edit_Type,Add-On_Code,AOC_DelDT,Primary_Code,Primary_Code_DelDT,"
                   "AOC_Edit_EffDT,AOC_Edit_DelDT\n1,99292,,99291,,2013091,\n"
                   "4,22552,,22551,,2013091,\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"row 3: AOC_Edit_Type '4' is not 1, 2 or 3"):
        import_files(path, "aoc", [bad])
    assert path.read_bytes() == before
    result = CliRunner().invoke(cli, ["--store", str(path), "data", "import", "aoc", str(bad)])
    assert result.exit_code != 0 and "is not 1, 2 or 3" in result.output
    assert "Traceback" not in result.output
    good = tmp_path / "AOC_V2026Q3.csv"
    good.write_text(bad.read_text().replace("4,22552", "1,22552"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", str(path), "data", "import", "aoc", str(good)])
    assert result.exit_code == 0, result.output
    assert "edits 2" in result.output and "release 2026Q3" in result.output
