"""HCPCS Level II importer: the official 2020 zip (TXT and XLS forms), the Oct 2026 CSV excerpt,
small fixtures written here, broken inputs, and the store queries."""

from __future__ import annotations

import csv
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest

from medcode.errors import SourceError
from medcode.systems import hcpcs
from medcode.systems.hcpcs import hcpcs_get, hcpcs_modifier, load_hcpcs, parse_hcpcs

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "data" / "cms"
SHARED = HERE.parent / "data" / "cms" / "hcpcs"   # unchanged CMS files, see SOURCES.md
ZIP2020 = SHARED / "2020-Alpha-Numeric-HCPCS-File.zip"
CSV2026 = SHARED / "HCPC2026_OCT_ANWEB.excerpt.csv"
TXT_MEMBER = "HCPC2020_ANWEB_w_disclaimer.txt"
XLS_MEMBER = "HCPC2020_ANWEB_w_disclaimer.xls"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"official CMS file not present: {path}")
    return path


@pytest.fixture(scope="module")
def records2020() -> list[hcpcs.HcpcsRecord]:
    return list(parse_hcpcs(need(ZIP2020)))


@pytest.fixture(scope="module")
def by_code(records2020: list[hcpcs.HcpcsRecord]) -> dict[str, hcpcs.HcpcsRecord]:
    return {r.code: r for r in records2020}


@pytest.fixture(scope="module")
def store2020() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    load_hcpcs(conn, need(ZIP2020))
    return conn


# ---------------------------------------------------------------- the official 2020 release

def test_2020_zip_counts(records2020: list[hcpcs.HcpcsRecord]) -> None:
    codes = [r for r in records2020 if not r.is_modifier]
    mods = [r for r in records2020 if r.is_modifier]
    assert len(codes) == 6710          # record id 3
    assert len(mods) == 369            # record id 7
    assert sum(r.continuations for r in records2020) == 5280   # record ids 4 and 8
    assert len({r.code for r in records2020}) == 7079


def test_2020_codes_by_hand(by_code: dict[str, hcpcs.HcpcsRecord]) -> None:
    j = by_code["J1100"]
    assert j.long_description == "Injection, dexamethasone sodium phosphate, 1 mg"
    assert j.short_description == "Dexamethasone sodium phos"
    assert (j.pricing, j.multiple_pricing, j.coverage, j.betos) == (("51",), "A", "D", "O1E")
    assert j.tos == ("1", "P") and j.mcm == ("2049",)
    assert (j.add_date, j.effective_date, j.termination_date) == ("1982-01-01", "2001-01-01", None)
    assert j.action_code == "N" and not j.is_modifier

    a = by_code["A0021"]
    assert a.long_description == ("Ambulance service, outside state per mile, transport "
                                  "(medicaid only)")
    assert a.short_description == "Outside state ambulance serv"
    assert (a.pricing, a.coverage, a.xref, a.betos, a.tos) == (("00",), "I", ("A0030",), "O1A",
                                                              ("D",))
    assert (a.add_date, a.effective_date) == ("1985-01-01", "1996-09-10")

    g = by_code["G0008"]
    assert g.long_description == "Administration of influenza virus vaccine"
    assert (g.pricing, g.coverage, g.betos, g.tos) == (("54",), "C", "O1G", ("V",))


def test_2020_multi_line_long_descriptions(by_code: dict[str, hcpcs.HcpcsRecord]) -> None:
    g = by_code["G0117"]               # TXT: one first record + one continuation
    assert g.long_description == ("Glaucoma screening for high risk patients furnished by an "
                                  "optometrist or ophthalmologist")
    assert g.continuations == 1
    g503 = by_code["G0503"]            # a long one: ends in its last continuation record
    assert g503.long_description.startswith("Subsequent psychiatric collaborative care "
                                            "management, first 60 minutes")
    assert g503.long_description.endswith("prepared for discharge from active treatment")
    assert g503.continuations > 5
    assert "  " not in g503.long_description
    assert g503.termination_date == "2017-12-31"


def test_2020_modifiers(by_code: dict[str, hcpcs.HcpcsRecord]) -> None:
    lt, rt, ga, xe = (by_code[m] for m in ("LT", "RT", "GA", "XE"))
    assert all(m.is_modifier for m in (lt, rt, ga, xe))
    assert lt.long_description == ("Left side (used to identify procedures performed on the "
                                   "left side of the body)")
    assert rt.short_description == "Right side"
    assert ga.long_description == ("Waiver of liability statement issued as required by payer "
                                   "policy, individual case")
    assert xe.long_description == ("Separate encounter, a service that is distinct because it "
                                   "occurred during a separate encounter")
    assert (xe.add_date, xe.coverage) == ("2015-01-01", "C")
    assert "25" not in by_code      # CPT modifiers are not in the HCPCS file


def test_2020_txt_and_xls_forms_agree(tmp_path: Path,
                                      records2020: list[hcpcs.HcpcsRecord]) -> None:
    with zipfile.ZipFile(need(ZIP2020)) as zf:
        zf.extract(TXT_MEMBER, tmp_path)
        zf.extract(XLS_MEMBER, tmp_path)
    txt = list(parse_hcpcs(tmp_path / TXT_MEMBER))
    xls = list(parse_hcpcs(tmp_path / XLS_MEMBER))
    assert txt == records2020           # the zip is read through its TXT member
    assert len(xls) == 7079
    # every field of every record, not only code and description
    assert xls == txt
    assert {r.code: r.long_description for r in xls}["G0503"] == \
        {r.code: r.long_description for r in txt}["G0503"]


def test_2020_release_facts() -> None:
    facts = hcpcs.hcpcs_release(need(ZIP2020))
    assert facts["year"] == "2020" and facts["release"] == "2020"
    assert "quarter" not in facts       # the annual 2020 file names no month


def test_load_and_query_2020(store2020: sqlite3.Connection) -> None:
    j = hcpcs_get(store2020, " j1100 ", date(2020, 3, 1))
    assert j is not None
    assert j["kind"] == "code" and j["system"] == "HCPCS" and j["family"] == "J"
    assert j["coverage"] == "D" and j["coverage_meaning"] == "Special coverage instructions apply"
    assert j["pricing"] == ["51"] and j["tos"] == ["1", "P"] and j["betos"] == "O1E"
    assert j["active"] is True and j["release"] == "2020" and j["action_meaning"] == "No change"
    assert hcpcs_get(store2020, "J1100", date(1981, 12, 31))["active"] is False  # before added

    g = hcpcs_get(store2020, "G0503", date(2020, 1, 1))
    assert g["active"] is False and g["termination_date"] == "2017-12-31"
    assert hcpcs_get(store2020, "G0503", date(2017, 6, 1))["active"] is True
    assert hcpcs_get(store2020, "G0503", date(2017, 12, 31))["active"] is True   # inclusive

    xe = hcpcs_modifier(store2020, "xe", date(2020, 1, 1))
    assert xe["kind"] == "modifier" and xe["active"] is True and "family" not in xe
    assert hcpcs_modifier(store2020, "XE", date(2014, 12, 31))["active"] is False
    assert hcpcs_get(store2020, "LT")["long_description"].startswith("Left side")
    assert hcpcs_get(store2020, "J9999X") is None
    assert hcpcs_get(store2020, "Z9999") is None
    assert hcpcs_modifier(store2020, "25") is None


def test_load_counts_and_schema(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db")
    counts = load_hcpcs(conn, need(ZIP2020))
    assert counts["codes"] == 6710 and counts["modifiers"] == 369
    assert counts["continuations"] == "5280" and counts["year"] == "2020"
    assert [k for k, v in counts.items() if isinstance(v, int)] == ["codes", "modifiers"]
    assert conn.execute("SELECT count(*) FROM hcpcs_code").fetchone() == (6710,)
    assert conn.execute("SELECT count(*) FROM hcpcs_modifier").fetchone() == (369,)
    # codes upper case without spaces, dates ISO
    assert conn.execute("SELECT count(*) FROM hcpcs_modifier WHERE code != upper(trim(code)) "
                        "OR length(code) != 2").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM hcpcs_code WHERE add_date NOT GLOB "
                        "'[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'").fetchone() == (0,)


# ---------------------------------------------------------------- the Oct 2026 CSV excerpt

def test_2026_csv_excerpt() -> None:
    recs = {r.code: r for r in parse_hcpcs(need(CSV2026))}
    assert len(recs) == 35 and all(r.is_modifier for r in recs.values())
    ac = recs["AC"]
    assert ac.add_date == "2026-07-01" and ac.effective_date == "2026-07-01"
    assert ac.termination_date is None and ac.short_description == "Co-mgmt mod - onboarding"
    jf = recs["JF"]
    assert (jf.add_date, jf.effective_date, jf.termination_date) == (
        "2015-04-01", "2015-07-01", "2015-06-30")
    assert recs["JG"].termination_date == "2024-12-31"
    assert recs["AB"].long_description.endswith("once every 12 months, per beneficiary")
    assert recs["AA"].mcm == ("3350.5",) and recs["AA"].coverage == "D"
    assert hcpcs.hcpcs_release(CSV2026) == {"file": CSV2026.name, "year": "2026",
                                           "quarter": "Q4", "release": "2026Q4"}


def test_csv_header_names_vary(tmp_path: Path) -> None:
    """Another year's spelling of the headers (case, spaces, underscores) maps the same."""
    with need(CSV2026).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    renamed = {"HCPC": "hcpcs code", "LONG DESCRIPTION": "Long_Description",
               "SHORT DESCRIPTION": "short description", "ADD DT": "Add Date",
               "ACT EFF DT": "Action Effective Date", "TERM DT": "Termination Date",
               "ACTION CD": "Action Code"}
    rows[0] = [renamed.get(h, h.lower()) for h in rows[0]]
    other = tmp_path / "HCPC2026_OCT_ANWEB_renamed.csv"
    with other.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert list(parse_hcpcs(other)) == list(parse_hcpcs(CSV2026))


def test_xlsx_form(tmp_path: Path) -> None:
    import openpyxl

    with need(CSV2026).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Synthetic disclaimer row above the header"])
    sheet.append([])
    for row in rows:                    # dates as numbers, as a spreadsheet may hold them
        sheet.append([int(c) if c.isdigit() and len(c) == 8 else c for c in row])
    path = tmp_path / "HCPC2026_OCT_ANWEB.xlsx"
    book.save(path)
    assert list(parse_hcpcs(path)) == list(parse_hcpcs(CSV2026))
    zpath = tmp_path / "october-2026-alpha-numeric-hcpcs-file.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(path, "HCPC2026_OCT_ANWEB.xlsx")
        zf.writestr("HCPC2026_OCT_TRANS.xlsx", b"not read")
    assert list(parse_hcpcs(zpath)) == list(parse_hcpcs(CSV2026))
    assert hcpcs.hcpcs_release(zpath)["release"] == "2026Q4"


# ---------------------------------------------------------------- fixtures written here

def test_small_fixed_width_fixture() -> None:
    recs = list(parse_hcpcs(FIXTURES / "hcpcs_small.txt"))
    assert [r.code for r in recs] == ["A9901", "J9902", "X9"]
    assert recs[0].long_description == ("Synthetic supply item for medcode tests, first part of "
                                        "a long description that goes on in a continuation "
                                        "record")
    assert recs[0].xref == ("A9902",) and recs[0].tos == ("P", "R")
    assert recs[1].termination_date == "2019-12-31" and recs[1].action_code == "D"
    assert recs[2].is_modifier and recs[2].code == "X9"


def _expect_error(path: Path, *words: str) -> str:
    with pytest.raises(SourceError) as info:
        list(parse_hcpcs(path))
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


def test_truncated_record() -> None:
    _expect_error(FIXTURES / "hcpcs_truncated.txt", "line 6", "truncated record")


def test_csv_with_wrong_header() -> None:
    _expect_error(FIXTURES / "hcpcs_wrong_header.csv", "no header row", "HCPC")


def test_empty_file() -> None:
    _expect_error(FIXTURES / "empty.txt", "empty file")


def test_missing_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "nope.txt", "cannot read")


def test_zip_without_hcpcs_file(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2020_README.txt", "read me")
        zf.writestr("proc_notes_2020.txt", "notes")
    message = _expect_error(path, "holds no HCPCS file")
    assert "HCPC2020_README.txt" in message


def test_broken_zip_and_header_only_csv(tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(need(ZIP2020).read_bytes()[:100_000])     # an interrupted download
    _expect_error(cut, "broken zip file")
    header_only = tmp_path / "HCPC2026_OCT_ANWEB.csv"
    header_only.write_text(need(CSV2026).read_text(encoding="utf-8").splitlines()[0] + "\n")
    _expect_error(header_only, "no HCPCS records")


def test_records_without_line_ends(tmp_path: Path) -> None:
    lines = (FIXTURES / "hcpcs_small.txt").read_text().splitlines()
    path = tmp_path / "packed.txt"
    path.write_text("".join(line.ljust(320) for line in lines[2:]))
    assert list(parse_hcpcs(path)) == list(parse_hcpcs(FIXTURES / "hcpcs_small.txt"))


def test_load_refuses_a_file_without_codes(tmp_path: Path) -> None:
    """The Oct 2026 excerpt holds modifiers only: loading it would wipe every code."""
    conn = sqlite3.connect(tmp_path / "s.db")
    load_hcpcs(conn, FIXTURES / "hcpcs_small.txt")
    with pytest.raises(SourceError, match="no HCPCS code records"):
        load_hcpcs(conn, need(CSV2026))
    assert conn.execute("SELECT count(*) FROM hcpcs_modifier").fetchone() == (1,)


def test_bad_record_id_and_orphan_continuation(tmp_path: Path) -> None:
    lines = (FIXTURES / "hcpcs_small.txt").read_text().splitlines()
    bad = tmp_path / "bad_recid.txt"
    bad.write_text("\n".join(lines[:4] + [lines[4][:10] + "5" + lines[4][11:]]) + "\n")
    _expect_error(bad, "line 5", "bad record id '5'")
    orphan = tmp_path / "orphan.txt"
    orphan.write_text("\n".join([lines[2], lines[4], lines[3]]) + "\n")
    _expect_error(orphan, "line 3", "continuation record", "A9901")


def test_bad_date_and_wrong_layout(tmp_path: Path) -> None:
    lines = (FIXTURES / "hcpcs_small.txt").read_text().splitlines()
    first = lines[2]
    bad = tmp_path / "bad_date.txt"
    bad.write_text(first[:268] + "20201399" + first[276:] + "\n")
    _expect_error(bad, "line 1", "bad add date '20201399'")
    wide = tmp_path / "wide.txt"
    wide.write_text(first + "EXTRA\n")
    _expect_error(wide, "325 characters", "expected 320")
    prose = tmp_path / "prose.txt"
    prose.write_text("This is a letter, not an HCPCS file.\n" * 3)
    _expect_error(prose, "no header row")
    plain = tmp_path / "plain.txt"
    plain.write_text("This is a letter\nnot an HCPCS file\n")
    _expect_error(plain, "no HCPCS records found")


def test_load_failure_keeps_existing_rows(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db")
    assert load_hcpcs(conn, FIXTURES / "hcpcs_small.txt") == {
        "codes": 2, "modifiers": 1, "continuations": "1", "file": "hcpcs_small.txt",
        "year": "", "release": ""}
    conn.commit()
    for broken in ("hcpcs_truncated.txt", "hcpcs_wrong_header.csv", "empty.txt"):
        with pytest.raises(SourceError):
            load_hcpcs(conn, FIXTURES / broken)
        assert conn.execute("SELECT count(*) FROM hcpcs_code").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM hcpcs_modifier").fetchone() == (1,)
    assert hcpcs_get(conn, "A9901")["long_description"].startswith("Synthetic supply item")


def test_load_keeps_callers_transaction(tmp_path: Path) -> None:
    """The loader must not commit: the integrator rolls back on failure."""
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.execute("INSERT INTO t VALUES (1)")
    load_hcpcs(conn, FIXTURES / "hcpcs_small.txt")
    assert conn.in_transaction
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_queries_on_a_store_without_hcpcs() -> None:
    conn = sqlite3.connect(":memory:")
    assert hcpcs_get(conn, "J1100") is None
    assert hcpcs_modifier(conn, "LT") is None
