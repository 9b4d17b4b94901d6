"""ICD-9-CM v32: the CMS description files, counts, formats and display forms."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from medcode.errors import SourceError
from medcode.systems import icd9cm


@pytest.fixture(scope="module")
def dx() -> dict[str, tuple[str, str]]:
    return {c: (s, lg) for c, s, lg in icd9cm.iter_icd9("diagnosis")}


@pytest.fixture(scope="module")
def proc() -> dict[str, tuple[str, str]]:
    return {c: (s, lg) for c, s, lg in icd9cm.iter_icd9("procedure")}


def test_v32_counts(dx: dict[str, tuple[str, str]], proc: dict[str, tuple[str, str]]) -> None:
    assert len(dx) == icd9cm.V32_COUNTS["diagnosis"] == 14_567
    assert len(proc) == icd9cm.V32_COUNTS["procedure"] == 3_882
    kinds = collections.Counter(icd9cm.dx_kind(c) for c in dx)
    assert kinds == {"numeric": 12_167, "E code": 1_291, "V code": 1_109}
    assert collections.Counter(len(c) for c in proc) == {4: 3_661, 3: 221}


def test_titles_and_latin1(dx: dict[str, tuple[str, str]], proc: dict[str, tuple[str, str]]
                           ) -> None:
    assert dx["25000"][1].startswith("Diabetes mellitus without mention of complication")
    assert dx["V4581"] == ("Aortocoronary bypass", "Aortocoronary bypass status")
    assert dx["E8809"][1] == "Accidental fall on or from other stairs or steps"
    assert dx["38600"] == ("Meniere's disease NOS", "Ménière's disease, unspecified")
    assert proc["3606"][1] == "Insertion of non-drug-eluting coronary artery stent(s)"


@pytest.mark.parametrize("code,kind", [
    ("250.00", "numeric"), ("25000", "numeric"), ("001", "numeric"), ("V45.81", "V code"),
    ("v4581", "V code"), ("E880.9", "E code"), ("E8809", "E code"), ("E880", "E code"),
])
def test_dx_shapes(code: str, kind: str) -> None:
    assert icd9cm.dx_kind(code) == kind


@pytest.mark.parametrize("code", ["25.000", "2500.0", "250.000", "V4.581", "E88.09", "E880.91",
                                  "V123456", "12", "A250", "E11.9"])
def test_not_dx_shapes(code: str) -> None:
    assert icd9cm.dx_kind(code) is None


@pytest.mark.parametrize("code,ok", [("36.06", True), ("3606", True), ("36.0", True),
                                     ("36", True), ("360.6", False), ("36.066", False),
                                     ("3A06", False)])
def test_procedure_shapes(code: str, ok: bool) -> None:
    assert icd9cm.is_procedure_format(code) is ok


@pytest.mark.parametrize("code,kind,shown", [
    ("25000", "diagnosis", "250.00"), ("V4581", "diagnosis", "V45.81"),
    ("E8809", "diagnosis", "E880.9"), ("0019", "diagnosis", "001.9"), ("496", "diagnosis", "496"),
    ("3606", "procedure", "36.06"), ("001", "procedure", "00.1"), ("250.00", "diagnosis", "250.00"),
])
def test_display_forms(code: str, kind: str, shown: str) -> None:
    assert icd9cm.display(code, kind) == shown


def test_broken_files(tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    long = tmp_path / "long.txt"
    short.write_text("0010  Cholera d/t vib cholerae\n0011  Cholera d/t vib el tor\n")
    long.write_text("0010  Cholera due to vibrio cholerae\n")
    with pytest.raises(SourceError, match="different codes"):
        list(icd9cm.iter_icd9("diagnosis", short, long))
    long.write_text("0010  Cholera due to vibrio cholerae\nABCDE junk\n")
    with pytest.raises(SourceError, match="line 2"):
        list(icd9cm.iter_icd9("diagnosis", short, long))
    long.write_text("0010  Cholera\n0010  Cholera again\n")
    with pytest.raises(SourceError, match="listed twice"):
        list(icd9cm.iter_icd9("diagnosis", short, long))
    with pytest.raises(SourceError, match="cannot read"):
        list(icd9cm.iter_icd9("procedure", tmp_path / "none.txt", long))
    with pytest.raises(ValueError):
        list(icd9cm.iter_icd9("drugs"))
