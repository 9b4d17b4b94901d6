"""NCCI PTP and MUE importers on the real CMS excerpts, synthetic files and broken inputs."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest

from medcode.errors import SourceError
from medcode.systems import ncci
from medcode.systems.ncci import (
    load_mue,
    load_ptp,
    mue_get,
    parse_mue,
    parse_ptp,
    ptp_edits,
    ptp_for_codes,
)

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "cms"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cms" / "ncci"
PTP = SHARED / "ccipra-v322r0-f1.excerpt.txt"
MUE = SHARED / "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"

SYNTHETIC_PTP = (
    "Synthetic header line for medcode tests\t\t\t\t\t\t\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\n"
    "99901\t99902\t*\t19960101\t*\t0\tSynthetic rationale\n"
    "99901\t99903\t\t20200101\t20201231\t1\tSynthetic rationale\n"
)


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.name} is absent (not redistributable: "
                    "CMS NCCI/MUE files carry CPT codes (c) AMA; read from ../shared/data)")
    return path


@pytest.fixture()
def store() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    load_ptp(conn, need(PTP))
    load_mue(conn, need(MUE))
    return conn


# ---------------------------------------------------------------- PTP

def test_ptp_excerpt_rows() -> None:
    edits = list(parse_ptp(need(PTP)))
    assert len(edits) == 154
    first = edits[0]
    assert (first.column1, first.column2, first.effective, first.deletion,
            first.modifier_indicator, first.prior_1996) == (
        "0001A", "0591T", "2022-01-01", "2023-12-31", 1, False)
    assert first.rationale == "CPT Manual or CMS manual coding instruction"
    assert first.setting == "practitioner"
    last = edits[-1]
    assert (last.column1, last.column2, last.deletion) == ("0001U", "81166", None)
    assert sum(e.deletion is None for e in edits) == 66           # '*': still in force
    assert sum(e.modifier_indicator == 0 for e in edits) == 9
    assert sum(e.modifier_indicator == 9 for e in edits) == 6
    assert {e.rationale for e in edits} == {
        "CPT Manual or CMS manual coding instruction",
        "Misuse of Column Two code with Column One code", "Mutually exclusive procedures",
        "Standards of medical/surgical practice"}


def test_ptp_version_from_name() -> None:
    facts = ncci.ptp_release(PTP)
    assert facts["version"] == "v322r0" and facts["ncci_version"] == "32.2"
    assert facts["revision"] == "0"


def test_ptp_active_dates(store: sqlite3.Connection) -> None:
    # 0001A/0591T: effective 2022-01-01, deleted 2023-12-31
    assert ptp_edits(store, "0001A", "0591T", date(2021, 12, 31)) == []
    [edit] = ptp_edits(store, "0001a", "0591t", date(2022, 1, 1))
    assert edit["modifier_indicator"] == 1 and edit["version"] == "v322r0"
    assert edit["deletion"] == "2023-12-31" and edit["setting"] == "practitioner"
    assert edit["modifier_meaning"].startswith("Allowed with a PTP-associated modifier")
    assert len(ptp_edits(store, "0001A", "0591T", date(2023, 12, 30))) == 1
    assert ptp_edits(store, "0001A", "0591T", date(2023, 12, 31)) == []   # deletion > day
    # 0001U/0029U deleted 2026-06-30; 0001U/81164 open ('*')
    assert len(ptp_edits(store, "0001U", "0029U", date(2026, 6, 29))) == 1
    assert ptp_edits(store, "0001U", "0029U", date(2026, 7, 1)) == []
    assert ptp_edits(store, "0001U", "81164", date(2030, 1, 1))[0]["deletion"] is None
    # indicator 9 with deletion == effective: never active
    assert ptp_edits(store, "0001A", "90473", date(2022, 1, 1)) == []
    # order matters: 0591T is never a column 1 code here
    assert ptp_edits(store, "0591T", "0001A", date(2022, 6, 1)) == []
    assert ptp_edits(store, "0001A", "0591T", date(2022, 6, 1), setting="outpatient") == []


def test_ptp_for_codes(store: sqlite3.Connection) -> None:
    found = ptp_for_codes(store, ["81165", "0001U", "81164", "99213", "0029U", "81164"],
                          date(2026, 7, 1))
    assert [(e["column1"], e["column2"]) for e in found] == [("0001U", "81164"),
                                                            ("0001U", "81165")]
    earlier = ptp_for_codes(store, ["0001U", "0029U", "81164"], date(2026, 6, 1))
    assert [(e["column1"], e["column2"]) for e in earlier] == [("0001U", "0029U"),
                                                              ("0001U", "81164")]
    assert ptp_for_codes(store, ["0001U"], date(2026, 7, 1)) == []
    zero = ptp_for_codes(store, ["0001A", "36591", "36592"], date(2023, 1, 1))
    assert {e["modifier_indicator"] for e in zero} == {0} and len(zero) == 2


def test_ptp_several_files_and_zip(tmp_path: Path) -> None:
    f1 = tmp_path / "ccipra-v322r0-f1.txt"
    shutil.copy(need(PTP), f1)
    f2 = tmp_path / "ccipra-v322r0-f2.txt"
    f2.write_text(SYNTHETIC_PTP)
    conn = sqlite3.connect(":memory:")
    counts = load_ptp(conn, [f1, f2])
    assert counts["edits"] == 156 and counts["version"] == "v322r0"
    assert counts["release"] == "v322r0" and counts["duplicates"] == "0"
    assert [k for k, v in counts.items() if isinstance(v, int)] == ["edits"]
    assert ptp_edits(conn, "99901", "99902", date(2026, 1, 1))[0]["prior_1996"] is True
    zpath = tmp_path / "ccipra-v322r0.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(f1, f1.name)
        zf.write(f2, f2.name)
        zf.writestr("readme.pdf", b"%PDF synthetic")
        zf.writestr("Readme.txt", "Synthetic readme: not an edit file")
    assert load_ptp(conn, zpath)["edits"] == 156
    # a load replaces all PTP rows
    assert load_ptp(conn, f2)["edits"] == 2
    assert conn.execute("SELECT count(*) FROM ncci_ptp").fetchone() == (2,)


def test_ptp_outpatient_setting(tmp_path: Path) -> None:
    path = tmp_path / "ccioph-v322r0-f1.txt"
    path.write_text(SYNTHETIC_PTP)
    assert {e.setting for e in parse_ptp(path)} == {"outpatient"}
    conn = sqlite3.connect(":memory:")
    load_ptp(conn, path)
    assert ptp_edits(conn, "99901", "99902", date(2026, 1, 1), setting="practitioner") == []
    assert len(ptp_edits(conn, "99901", "99902", date(2026, 1, 1), setting="outpatient")) == 1


def _ptp_error(path: Path, *words: str) -> None:
    with pytest.raises(SourceError) as info:
        list(parse_ptp(path))
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_ptp_broken_inputs(tmp_path: Path) -> None:
    _ptp_error(FIXTURES / "ptp_bad_indicator.txt", "line 5", "bad modifier indicator '5'")
    _ptp_error(FIXTURES / "empty.txt", "no PTP edits found")
    cut = tmp_path / "ccipra-cut.txt"
    cut.write_text(SYNTHETIC_PTP + "99901\t9990")
    _ptp_error(cut, "line 6", "truncated record")
    bad_date = tmp_path / "ccipra-date.txt"
    bad_date.write_text(SYNTHETIC_PTP + "99901\t99904\t\t20201301\t*\t1\tx\n")
    _ptp_error(bad_date, "line 6", "bad effective date '20201301'")
    bad_code = tmp_path / "ccipra-code.txt"
    bad_code.write_text(SYNTHETIC_PTP + "99901\t9990#\t\t20200101\t*\t1\tx\n")
    _ptp_error(bad_code, "line 6", "bad code '9990#'")
    empty_zip = tmp_path / "ccipra.zip"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("readme.pdf", b"%PDF")
    _ptp_error(empty_zip, "holds no .txt file")


def test_load_ptp_failure_keeps_rows(store: sqlite3.Connection, tmp_path: Path) -> None:
    good = tmp_path / "ccipra-v999r0-f2.txt"
    good.write_text(SYNTHETIC_PTP)
    with pytest.raises(SourceError):       # the second file is broken: nothing is replaced
        load_ptp(store, [good, FIXTURES / "ptp_bad_indicator.txt"])
    assert store.execute("SELECT count(*) FROM ncci_ptp").fetchone() == (154,)
    assert ptp_edits(store, "99901", "99902", date(2026, 1, 1)) == []


# ---------------------------------------------------------------- MUE

def test_mue_excerpt_rows() -> None:
    recs = {r.code: r for r in parse_mue(need(MUE))}
    assert len(recs) == 44
    assert (recs["0001U"].value, recs["0001U"].mai) == (1, 2)
    assert recs["0001U"].rationale == "Code Descriptor / CPT Instruction"
    assert (recs["0002M"].value, recs["0002M"].mai, recs["0002M"].rationale) == (
        1, 3, "Nature of Analyte")
    assert (recs["0009U"].value, recs["0009U"].mai) == (2, 3)
    assert recs["0022U"].rationale == "Clinical: CMS Workgroup"
    assert {r.effective for r in recs.values()} == {"2026-07-01"}
    assert {r.setting for r in recs.values()} == {"practitioner"}
    assert sum(r.mai == 2 for r in recs.values()) == 30
    assert sum(r.mai == 3 for r in recs.values()) == 14


def test_mue_get(store: sqlite3.Connection) -> None:
    m = mue_get(store, "0009u", date(2026, 8, 1))
    assert m["value"] == 2 and m["mai"] == 3 and m["in_force"] is True
    assert m["mai_meaning"].startswith("Date of service edit, clinical")
    assert m["effective"] == "2026-07-01" and m["setting"] == "practitioner"
    before = mue_get(store, "0009U", date(2026, 6, 30))
    assert before["value"] == 2 and before["in_force"] is False
    assert mue_get(store, "0001U", date(2026, 8, 1))["mai_meaning"].startswith(
        "Date of service edit, policy")
    assert mue_get(store, "99213", date(2026, 8, 1)) is None
    assert mue_get(store, "0009U", date(2026, 8, 1), setting="dme") is None


def test_mue_loaded_counts(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    counts = load_mue(conn, need(MUE))
    assert counts == {"mues": 44, "release": "2026-07-01", "files": MUE.name,
                      "effective": "2026-07-01", "settings": "practitioner"}
    assert conn.execute("SELECT count(*) FROM ncci_mue").fetchone() == (44,)


def test_mue_broken_inputs(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no header row with 'HCPCS' and 'MUE'"):
        list(parse_mue(FIXTURES / "mue_no_header.csv"))
    text = need(MUE).read_text(encoding="utf-8")
    bad = tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
    bad.write_text(text.rstrip("\n") + "\n0042U,1,7 Unknown indicator,x\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"line \d+: bad MUE adjudication indicator"):
        list(parse_mue(bad))
    bad.write_text(text.rstrip("\n") + "\n0042U,one,2 Date of Service Edit: Policy,x\n",
                   encoding="utf-8")
    with pytest.raises(SourceError, match="bad MUE value 'one' for 0042U"):
        list(parse_mue(bad))
    nodate = tmp_path / "mue.csv"
    nodate.write_text(text, encoding="utf-8")
    conn = sqlite3.connect(":memory:")
    with pytest.raises(SourceError, match="cannot tell the effective date"):
        load_mue(conn, nodate)
    assert load_mue(conn, nodate, effective=date(2026, 7, 1))["effective"] == "2026-07-01"
    header_only = tmp_path / "MCR_MUE_Eff_01-01-2026.csv"
    header_only.write_text(text.split("\n0001U")[0] + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no MUE records after the header"):
        list(parse_mue(header_only))


def test_load_mue_failure_keeps_rows(store: sqlite3.Connection) -> None:
    with pytest.raises(SourceError):
        load_mue(store, FIXTURES / "mue_no_header.csv")
    assert store.execute("SELECT count(*) FROM ncci_mue").fetchone() == (44,)
    assert mue_get(store, "0002M", date(2026, 8, 1))["value"] == 1


def test_queries_on_a_store_without_ncci() -> None:
    conn = sqlite3.connect(":memory:")
    assert ptp_edits(conn, "0001U", "81164") == []
    assert ptp_for_codes(conn, ["0001U", "81164"]) == []
    assert mue_get(conn, "0001U") is None
