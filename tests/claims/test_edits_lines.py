"""Service lines: PX-FORMAT, PX-INVALID, PTR-MISSING, PTR-RANGE, PTR-UNUSED, MOD-FORMAT,
MOD-INVALID, MOD-59X, MOD-25. HCPCS checks use the CMS 2020 HCPCS file (``full_store``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.claims.engine import check_claim
from medcode.claims.formats import claim_from_dict

from .test_edits_ncci import build_full_store


@pytest.fixture(scope="module")
def full_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_full_store(store_path, tmp_path_factory.mktemp("full-store"))


def ln(code: str, *, mods: tuple[str, ...] = (), date: str = "2026-05-04",
       ptr: Any = (1,), units: float = 1) -> dict[str, Any]:
    return {"code": code, "modifiers": list(mods), "date": date, "units": units,
            "pointers": list(ptr) if isinstance(ptr, (list, tuple)) else ptr}


def run(store: Any, lines: list[dict[str, Any]], dx: list[str] | None = None,
        edits: set[str] | None = None) -> Any:
    claim = claim_from_dict({"id": "L", "patient": {"birth_date": "1970-01-01", "sex": "F"},
                             "diagnoses": ["M17.11"] if dx is None else dx, "lines": lines})
    return check_claim(claim, store, edits=edits)


def of(result: Any, edit: str) -> list[Any]:
    return [f for f in result.findings if f.edit == edit]


# --- PX-FORMAT / PX-INVALID ------------------------------------------------------------------

@pytest.mark.parametrize("code", ["ABC", "478331", "9921", "99213-25"])
def test_not_a_procedure_code(store: Any, code: str) -> None:
    (f,) = of(run(store, [ln(code)]), "PX-FORMAT")
    assert f.line == 1 and f.severity == "error"


@pytest.mark.parametrize("code", ["99213", "0591T", "3288F", "0001U", "J1100"])
def test_procedure_shapes(store: Any, code: str) -> None:
    assert not of(run(store, [ln(code)]), "PX-FORMAT")


def test_cpt_structure_without_a_cpt_file(store: Any) -> None:
    (f,) = of(run(store, [ln("99999")]), "PX-INVALID")       # no Category I section
    assert "no CPT Category I section" in f.message
    assert not of(run(store, [ln("99499")]), "PX-INVALID")


def test_cpt_judged_by_the_date_of_service(store: Any) -> None:
    # 99201 was an office visit code until 2020-12-31 (deleted in CPT 2021)
    assert not of(run(store, [ln("99201", date="2005-03-01")], dx=["E11.9"]), "PX-INVALID")
    (f,) = of(run(store, [ln("99201", date="2024-03-01")]), "PX-INVALID")
    assert "not a CPT code on 2024-03-01: it was deleted after 2020-12-31" in f.message
    (f,) = of(run(store, [ln("99152", date="2016-05-01")], dx=["E11.9"]), "PX-INVALID")
    assert "added on 2017-01-01" in f.message
    assert not of(run(store, [ln("99152", date="2017-05-01")]), "PX-INVALID")


def test_report_says_once_cpt_was_judged_by_format(store_path: Path) -> None:
    import io
    import json

    import medcode
    from medcode.claims.report import CPT_FORMAT_ONLY, run_check
    store = medcode.open_store(store_path)
    claims = "\n".join(json.dumps({"id": f"C{i}", "diagnoses": ["M17.11"],
                                   "lines": [ln("99213", date="2024-03-01")]})
                        for i in range(3))
    text, doc = io.StringIO(), io.StringIO()
    run_check(claims.encode(), "jsonl", "text", text, store)
    run_check(claims.encode(), "jsonl", "json", doc, store)
    assert text.getvalue().count(CPT_FORMAT_ONLY) == 1
    assert json.loads(doc.getvalue())["summary"]["notes"] == [CPT_FORMAT_ONLY]


def test_hcpcs_terminated(full_store: Any) -> None:
    (f,) = of(run(full_store, [ln("A4466")]), "PX-INVALID")   # terminated 2016-12-31
    assert "terminated on 2016-12-31" in f.message and f.severity == "error"
    assert not of(run(full_store, [ln("A4466", date="2016-06-01")]), "PX-INVALID")


def test_hcpcs_added_after_the_date_of_service(full_store: Any) -> None:
    (f,) = of(run(full_store, [ln("A4226", date="2019-06-01")]), "PX-INVALID")
    assert "added on 2020-01-01" in f.message
    assert not of(run(full_store, [ln("A4226", date="2020-06-01")]), "PX-INVALID")


def test_hcpcs_missing_from_the_file(full_store: Any) -> None:
    same_year = of(run(full_store, [ln("A9998", date="2020-06-01")]), "PX-INVALID")
    newer = of(run(full_store, [ln("A9998", date="2026-05-04")]), "PX-INVALID")
    assert same_year[0].severity == "error"
    assert newer[0].severity == "warning" and "may have been added after 2020" in \
        newer[0].message


def test_without_a_hcpcs_file_no_hcpcs_check(store: Any) -> None:
    assert not of(run(store, [ln("A4466")]), "PX-INVALID")


# --- pointers --------------------------------------------------------------------------------

def test_pointer_missing(store: Any) -> None:
    (f,) = of(run(store, [ln("99213", ptr=())]), "PTR-MISSING")
    assert f.line == 1 and "M17.11" in (f.fix or "")
    assert not of(run(store, [ln("99213")]), "PTR-MISSING")


def test_pointer_past_the_list_repeated_unreadable_or_too_many(store: Any) -> None:
    dx = ["M17.11", "I10", "E11.9", "E78.5", "K21.9"]
    r = run(store, [ln("99213", ptr=(1, 7)), ln("20610", ptr=(2, 2)), ln("36415", ptr="Z"),
                    ln("80053", ptr=(1, 2, 3, 4, 5))], dx)
    msgs = {f.line: f.message for f in of(r, "PTR-RANGE")}
    assert "diagnosis 7 (G)" in msgs[1] and "lists 5 diagnoses" in msgs[1]
    assert "more than once" in msgs[2]
    assert "'Z'" in msgs[3]
    assert "5 diagnosis pointers" in msgs[4]
    assert not of(run(store, [ln("99213", ptr="ABCD")], dx[:4]), "PTR-RANGE")


def test_diagnosis_no_line_points_to(store: Any) -> None:
    (f,) = of(run(store, [ln("99213", ptr=(1,))], ["M17.11", "I10"]), "PTR-UNUSED")
    assert f.severity == "info" and f.codes == ("I10",)
    assert not of(run(store, [ln("99213", ptr=(1, 2))], ["M17.11", "I10"]), "PTR-UNUSED")


# --- modifiers -------------------------------------------------------------------------------

def test_modifier_format(store: Any) -> None:
    r = run(store, [ln("20610", mods=("2", "RT", "RT")), ln("20611", mods=("50", "51", "59",
                                                                         "76", "LT"))])
    msgs = [(f.line, f.message) for f in of(r, "MOD-FORMAT")]
    assert any(n == 1 and "'2'" in m for n, m in msgs)
    assert any(n == 1 and "RT more than once" in m for n, m in msgs)
    assert any(n == 2 and "5 modifiers" in m for n, m in msgs)
    assert not of(run(store, [ln("20610", mods=("RT", "59"))]), "MOD-FORMAT")


def test_unknown_numeric_modifier(store: Any) -> None:
    (f,) = of(run(store, [ln("20610", mods=("44",))]), "MOD-INVALID")
    assert "not a CPT modifier" in f.message
    assert not of(run(store, [ln("20610", mods=("25", "59", "-76"))]), "MOD-INVALID")


def test_hcpcs_modifiers(full_store: Any) -> None:
    # GD was terminated on 2019-12-31 in the 2020 file; RT is active
    (f,) = of(run(full_store, [ln("20610", mods=("GD",), date="2020-06-01")]), "MOD-INVALID")
    assert "terminated on 2019-12-31" in f.message
    assert not of(run(full_store, [ln("20610", mods=("GD",), date="2019-06-01")]),
                  "MOD-INVALID")
    assert not of(run(full_store, [ln("20610", mods=("RT", "XS"))]), "MOD-INVALID")
    old = of(run(full_store, [ln("20610", mods=("ZZ",), date="2020-06-01")]), "MOD-INVALID")
    new = of(run(full_store, [ln("20610", mods=("ZZ",), date="2026-05-04")]), "MOD-INVALID")
    assert old[0].severity == "error" and new[0].severity == "warning"


def test_59_with_an_x_modifier_or_on_an_em(store: Any) -> None:
    r = run(store, [ln("99213", mods=("59",)), ln("20610", mods=("59", "XS"))])
    lines = sorted(f.line for f in of(r, "MOD-59X"))
    assert lines == [1, 2]
    assert not of(run(store, [ln("99213", mods=("25",)), ln("20610", mods=("XS",))]),
                  "MOD-59X")


def test_em_with_a_procedure_the_same_day_needs_25(store: Any) -> None:
    (f,) = of(run(store, [ln("99213"), ln("20610")]), "MOD-25")
    assert f.line == 1 and f.fix and "modifier 25 to line 1" in f.fix
    assert not of(run(store, [ln("99213", mods=("25",)), ln("20610")]), "MOD-25")
    assert not of(run(store, [ln("99223", mods=("57",)), ln("27447")]), "MOD-25")
    assert not of(run(store, [ln("99213"), ln("20610", date="2026-05-05")]), "MOD-25")
    assert not of(run(store, [ln("99213"), ln("85025")]), "MOD-25")   # lab test: no global


def test_mixup_names_the_hcpcs_code_when_the_file_is_loaded(full_store: Any) -> None:
    r = run(full_store, [ln("99213")], ["G0008"])
    (f,) = of(r, "SYS-MIXUP")
    assert "HCPCS code: Admin influenza virus vac" in f.message
