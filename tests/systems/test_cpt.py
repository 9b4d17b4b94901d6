"""CPT format rules, sections, modifiers and the licensed-descriptor reader (synthetic text)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from medcode.errors import SourceError
from medcode.systems import cpt


@pytest.mark.parametrize("code,category", [
    ("99213", "Category I"), ("00100", "Category I"), ("1036F", "Category II"),
    ("0042T", "Category III"), ("0001U", "PLA"), ("0001A", "Category I"),
    ("0002M", "MAAA administrative"), (" 0001t ", "Category III"),
])
def test_category_by_shape(code: str, category: str) -> None:
    assert cpt.cpt_category(code) == category


@pytest.mark.parametrize("code", ["9921", "992134", "J1100", "0001X", "A001T", "99.213", ""])
def test_not_cpt_shapes(code: str) -> None:
    assert cpt.cpt_category(code) is None
    assert cpt.form_note(code) is None


def test_form_notes_name_the_category() -> None:
    assert "Category III" in (cpt.form_note("0042T") or "")
    assert "Proprietary Laboratory" in (cpt.form_note("0001U") or "")
    assert "MAAA" in (cpt.form_note("0002M") or "")
    assert "COVID-19" in (cpt.form_note("0001A") or "")


@pytest.mark.parametrize("code,expected", [
    ("99213", ("Evaluation and Management", None)),
    ("99202", ("Evaluation and Management", None)),
    ("99499", ("Evaluation and Management", None)),
    ("00100", ("Anesthesia", None)),
    ("01999", ("Anesthesia", None)),
    ("99135", ("Anesthesia", "Qualifying Circumstances")),   # inside Medicine's span
    ("99199", ("Medicine", None)),
    ("90281", ("Medicine", None)),
    ("99605", ("Medicine", None)),
    ("10021", ("Surgery", "General")),
    ("11042", ("Surgery", "Integumentary System")),
    ("27447", ("Surgery", "Musculoskeletal System")),
    ("31500", ("Surgery", "Respiratory System")),
    ("33533", ("Surgery", "Cardiovascular System")),
    ("38220", ("Surgery", "Hemic and Lymphatic Systems")),
    ("39501", ("Surgery", "Mediastinum and Diaphragm")),
    ("44970", ("Surgery", "Digestive System")),
    ("52000", ("Surgery", "Urinary System")),
    ("55700", ("Surgery", "Male Genital System")),
    ("55970", ("Surgery", "Reproductive System Procedures and Intersex Surgery")),
    ("58150", ("Surgery", "Female Genital System")),
    ("59400", ("Surgery", "Maternity Care and Delivery")),
    ("60240", ("Surgery", "Endocrine System")),
    ("63030", ("Surgery", "Nervous System")),
    ("66984", ("Surgery", "Eye and Ocular Adnexa")),
    ("69436", ("Surgery", "Auditory System")),
    ("69990", ("Surgery", "Operating Microscope")),
    ("71046", ("Radiology", None)),
    ("80053", ("Pathology and Laboratory", None)),
    ("89398", ("Pathology and Laboratory", None)),
])
def test_sections(code: str, expected: tuple[str, str | None]) -> None:
    assert cpt.cpt_section(code) == expected


@pytest.mark.parametrize("code", ["00099", "99200", "99620", "0042T", "9921", "ABCDE"])
def test_outside_every_section(code: str) -> None:
    assert cpt.cpt_section(code) is None


def test_section_data_is_well_formed() -> None:
    ranges = cpt.section_ranges()
    undated = [r for r in ranges if r.effective_from is None and r.effective_to is None]
    assert len(undated) == 26
    assert {r.section for r in ranges} == {
        "Evaluation and Management", "Anesthesia", "Surgery", "Radiology",
        "Pathology and Laboratory", "Medicine"}
    surgery = sorted((r for r in undated if r.subsection and r.section == "Surgery"),
                     key=lambda r: r.start)
    assert all(a.end < b.start for a, b in pairwise(surgery))  # no overlaps
    # every dated range says where its dates come from
    assert all(r.source for r in ranges if r not in undated)


@pytest.mark.parametrize("code,day,section", [
    ("99201", "2005-06-01", "Evaluation and Management"),   # valid until 2020-12-31
    ("99201", "2020-12-31", "Evaluation and Management"),
    ("99201", "2021-01-01", None),
    ("99218", "2022-06-01", "Evaluation and Management"),   # observation care, deleted 2023
    ("99218", "2023-01-01", None),
    ("99221", "2023-01-01", "Evaluation and Management"),   # the range around it goes on
    ("99144", "2016-06-01", "Medicine"),                    # moderate sedation until 2016
    ("99144", "2017-01-01", None),
    ("99152", "2016-06-01", None),                          # its replacement, from 2017
    ("99152", "2017-01-01", "Medicine"),
    ("10022", "2018-06-01", "Surgery"),
    ("10022", "2019-01-01", None),
    ("10005", "2018-06-01", None),
    ("10021", "2018-06-01", "Surgery"),
])
def test_sections_by_date(code: str, day: str, section: str | None) -> None:
    import datetime as dt
    on = dt.date.fromisoformat(day)
    got = cpt.cpt_section(code, on)
    assert (got[0] if got else None) == section
    assert (cpt.section_history(code, on) is None) == (section is not None)
    assert cpt.cpt_section(code) is not None          # without a date: its section


def test_section_history_explains() -> None:
    import datetime as dt
    assert cpt.section_history("99201", dt.date(2024, 1, 1)) == \
        "deleted: it was a CPT code until 2020-12-31"
    assert "added on 2017-01-01" in cpt.section_history("99151", dt.date(2010, 1, 1))


@pytest.mark.parametrize("mod", ["22", "25", "26", "50", "51", "52", "53", "57", "58", "59",
                                 "76", "77", "78", "79", "91", "95", "P1", "P6"])
def test_common_modifiers_known(mod: str) -> None:
    info = cpt.cpt_modifier(mod)
    assert info is not None and info["modifier"] == mod and info["name"]


def test_modifier_lookup_forms_and_flags() -> None:
    assert cpt.cpt_modifier("-25") == cpt.cpt_modifier("25")
    assert cpt.cpt_modifier("p1") is not None
    assert cpt.cpt_modifier("LT") is None          # a HCPCS Level II modifier
    assert cpt.cpt_modifier("36") is None
    ptp = {m for m, v in cpt.modifiers().items() if v["ncci_ptp"]}
    assert ptp == {"24", "25", "27", "57", "58", "59", "78", "79", "91"}


def _write(tmp_path: Path, text: str, name: str = "cpt.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tab_file_without_header_one_descriptor(tmp_path: Path) -> None:
    path = _write(tmp_path, "99213\tSynthetic descriptor for 99213\n"
                            "0042T\tSynthetic descriptor for 0042T\n\n")
    rows = list(cpt.parse_cpt_descriptors(path))
    assert rows == [
        cpt.Descriptor("99213", None, None, "Synthetic descriptor for 99213"),
        cpt.Descriptor("0042T", None, None, "Synthetic descriptor for 0042T"),
    ]
    short = list(cpt.parse_cpt_descriptors(path, single="short"))
    assert short[0].short == "Synthetic descriptor for 99213" and short[0].long is None


def test_csv_with_header_three_descriptors(tmp_path: Path) -> None:
    path = _write(tmp_path, "Long Descriptor,CPT Code,Short,Medium\n"
                            '"Synthetic long, with a comma",99213,Syn short,Syn medium\n')
    (row,) = cpt.parse_cpt_descriptors(path)
    assert row == cpt.Descriptor("99213", "Syn short", "Syn medium",
                                 "Synthetic long, with a comma")


def test_four_columns_without_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "1036F\tSyn S\tSyn M\tSynthetic descriptor for 1036F\n")
    assert list(cpt.parse_cpt_descriptors(path)) == [
        cpt.Descriptor("1036F", "Syn S", "Syn M", "Synthetic descriptor for 1036F")]


def test_utf8_bom_and_lower_case_codes(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffcode,description\n0001u,Synthetic descriptor\n".encode())
    assert [r.code for r in cpt.parse_cpt_descriptors(path)] == ["0001U"]


@pytest.mark.parametrize("text,where", [
    ("99213\tSynthetic\nhello\tworld\n", "line 2"),
    ("foo,bar\n99213,Synthetic\n", "line 1"),
    ("99213\t\n", "line 1"),
    ("99213\ta\tb\tc\td\n", "line 1"),
])
def test_junk_names_the_line(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(SourceError, match=where):
        list(cpt.parse_cpt_descriptors(_write(tmp_path, text)))


def test_empty_binary_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="empty"):
        list(cpt.parse_cpt_descriptors(_write(tmp_path, "\n\n")))
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02PK")
    with pytest.raises(SourceError, match="binary"):
        list(cpt.parse_cpt_descriptors(binary))
    with pytest.raises(SourceError, match="cannot read"):
        list(cpt.parse_cpt_descriptors(tmp_path / "absent.txt"))
    with pytest.raises(ValueError):
        list(cpt.parse_cpt_descriptors(binary, single="tiny"))
