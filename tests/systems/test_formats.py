"""format_candidates / normalize_input: every system a string can belong to by shape."""

from __future__ import annotations

import pytest

from medcode.errors import InvalidCode
from medcode.systems import icd11
from medcode.systems.formats import FormatCandidate, format_candidates, normalize_input


def readings(raw: str) -> list[tuple[str, str, str]]:
    return [(c.system, c.kind, c.normalized) for c in format_candidates(raw)]


@pytest.mark.parametrize("raw,expected", [
    ("99213", [("CPT", "Category I", "99213")]),
    ("250.00", [("ICD-9-CM", "diagnosis", "250.00")]),
    ("25000", [("CPT", "Category I", "25000"), ("ICD-9-CM", "diagnosis", "250.00")]),
    ("0001U", [("CPT", "PLA", "0001U")]),
    ("0001T", [("CPT", "Category III", "0001T")]),
    ("1036F", [("CPT", "Category II", "1036F")]),
    ("0001A", [("CPT", "Category I", "0001A")]),
    ("0002M", [("CPT", "MAAA administrative", "0002M")]),
    ("J1100", [("HCPCS", "Level II", "J1100"), ("ICD-10-CM", "diagnosis", "J11.00")]),
    ("V20.2", [("ICD-10-CM", "diagnosis", "V20.2"), ("ICD-9-CM", "diagnosis", "V20.2"),
               ("ICD-10", "diagnosis", "V20.2")]),
    ("E880.9", [("ICD-9-CM", "diagnosis", "E880.9")]),
    ("E8809", [("HCPCS", "Level II", "E8809"), ("ICD-10-CM", "diagnosis", "E88.09"),
               ("ICD-9-CM", "diagnosis", "E880.9")]),
    ("E11.9", [("ICD-10-CM", "diagnosis", "E11.9"), ("ICD-10", "diagnosis", "E11.9")]),
    ("e119", [("ICD-10-CM", "diagnosis", "E11.9"), ("ICD-10", "diagnosis", "E11.9")]),
    ("S72001A", [("ICD-10-CM", "diagnosis", "S72.001A")]),
    ("0DTJ4ZZ", [("ICD-10-PCS", "procedure", "0DTJ4ZZ")]),
    ("B2140ZZ", [("ICD-10-PCS", "procedure", "B2140ZZ"), ("ICD-10-CM", "diagnosis", "B21.40ZZ")]),
    ("36.06", [("ICD-9-CM", "procedure", "36.06")]),
    ("3606", [("ICD-9-CM", "diagnosis", "360.6"), ("ICD-9-CM", "procedure", "36.06")]),
    ("25", [("CPT", "modifier", "25")]),
    ("-59", [("CPT", "modifier", "59")]),
    ("LT", [("HCPCS", "modifier", "LT")]),
    ("XE", [("HCPCS", "modifier", "XE")]),
    ("1A00", [("ICD-11", "stem code", "1A00")]),
    ("BA00.0", [("ICD-11", "stem code", "BA00.0")]),
    ("XK8G", [("ICD-11", "extension code", "XK8G")]),
])
def test_readings(raw: str, expected: list[tuple[str, str, str]]) -> None:
    assert readings(raw) == expected


@pytest.mark.parametrize("raw", ["E11.9.1", "250.0.0", "123456789", "0DTI4ZZ", "Z", "99-213"])
def test_no_reading(raw: str) -> None:
    assert format_candidates(raw) == []


def test_candidates_are_frozen_ordered_and_explained() -> None:
    got = format_candidates("J1100")
    assert all(isinstance(c, FormatCandidate) and c.reason for c in got)
    assert [c.score for c in got] == sorted((c.score for c in got), reverse=True)
    assert "J = drugs" in got[0].reason
    with pytest.raises(AttributeError):
        got[0].score = 1.0  # type: ignore[misc]
    cpt = format_candidates("27447")[0]
    assert "Surgery, Musculoskeletal System" in cpt.reason
    icd9 = format_candidates("25000")[1]
    assert "v32" in icd9.reason and icd9.score < 0.5


def test_icd9_list_is_pluggable() -> None:
    everything = format_candidates("99213", icd9_listed=lambda kind, code: True)
    assert [(c.system, c.normalized) for c in everything] == [("CPT", "99213"),
                                                             ("ICD-9-CM", "992.13")]
    nothing = format_candidates("25000", icd9_listed=lambda kind, code: False)
    assert [c.system for c in nothing] == ["CPT"]


@pytest.mark.parametrize("raw,out", [(" e11.9 ", "E11.9"), ("0dtj4zz", "0DTJ4ZZ"),
                                     ("\t99213\n", "99213"), ("v45.81", "V45.81")])
def test_normalize_input(raw: str, out: str) -> None:
    assert normalize_input(raw) == out


@pytest.mark.parametrize("raw,message", [
    ("", "empty"),
    ("   ", "empty"),
    ("9" * 41, "too long"),
    ("\u0415" + "11.9", "character 1"),            # Cyrillic capital IE
    ("E11.\u0669", "character 5"),                 # Arabic-Indic digit nine
    ("\uff19\uff19\uff12\uff11\uff13", "character 1"),  # fullwidth 99213
    ("E11\x009", "character 4"),
    ("E11 9", "character 4"),
    ("E11;9", "character 4"),
    (b"\xff\xfe", "binary"),
])
def test_normalize_rejects(raw: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        normalize_input(raw)  # type: ignore[arg-type]
    with pytest.raises(InvalidCode):
        format_candidates(raw)  # type: ignore[arg-type]


def test_lookalike_message_says_what_it_looks_like() -> None:
    with pytest.raises(InvalidCode) as info:
        normalize_input("\u0415" + "11.9")
    assert "CYRILLIC" in str(info.value) and "'E'" in str(info.value)


@pytest.mark.parametrize("code,kind", [
    ("1A00", "stem code"), ("BA00.0", "stem code"), ("5A11", "stem code"),
    ("2C82.0", "stem code"), ("BA000", "stem code"), ("XK8G", "extension code"),
    ("XA0060", "extension code"), ("2C82.0&XK8G", "cluster"), ("NA02.0/XA1234", None),
    ("1A00/BA00", "cluster"),
])
def test_icd11_shapes(code: str, kind: str | None) -> None:
    assert icd11.kind_of(code) == kind


@pytest.mark.parametrize("code", ["E11.9", "1I00", "1A0O", "10A0", "1A00.000", "X1234", "A"])
def test_icd11_rejects(code: str) -> None:
    assert icd11.kind_of(code) is None
    assert not icd11.looks_like_icd11(code)


def test_icd11_display() -> None:
    assert icd11.stem_display("ba000") == "BA00.0"
    assert icd11.stem_display("1A00") == "1A00"
