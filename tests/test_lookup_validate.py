"""lookup and validate on real codes of the three releases."""

from __future__ import annotations

import datetime as dt

import pytest

import medcode
from medcode.errors import InvalidCode, NoRelease, UnknownCode


def test_release_billable_counts(store):
    counts = {r.name: r.billable for r in store.releases("ICD-10-CM")}
    assert counts == {"FY2024": 74_044, "FY2025": 74_260, "FY2026": 74_719, "FY2027": 74_879}


def test_fiscal_year_periods(store):
    fy = {r.name: r for r in store.releases("ICD-10-CM")}
    assert fy["FY2026"].effective_from == dt.date(2025, 10, 1)
    assert fy["FY2026"].effective_to == dt.date(2026, 9, 30)
    assert store.resolve("ICD-10-CM", on=dt.date(2024, 9, 30)).name == "FY2024"
    assert store.resolve("ICD-10-CM", on=dt.date(2024, 10, 1)).name == "FY2025"


@pytest.mark.parametrize("code", ["S72.001A", "W21.89XA", "H40.40X2", "R40.2112", "E11.9",
                                  "e11.9", " E119 ", "I10", "QA0.011"])
def test_valid_codes(store, code):
    v = medcode.validate(code, store=store)
    assert v.valid, v.message


def test_missing_placeholder(store):
    v = medcode.validate("W21.89A", store=store)
    assert (v.valid, v.status) == (False, "placeholder")
    assert "missing placeholder X: W21.89XA" in v.message
    assert v.suggestions == ("W21.89XA",)


def test_category_lists_billable_descendants(store):
    v = medcode.validate("E11", store=store)
    assert v.status == "header" and "category, not billable" in v.message
    assert "E11.00" in v.suggestions and "E11.29" in v.suggestions
    assert "87 billable codes" in v.message


def test_needs_seventh_character_with_meanings(store):
    v = medcode.validate("S72.001", store=store)
    assert v.status == "needs_7th"
    assert v.extra["seventh_characters"]["A"] == "initial encounter for closed fracture"
    assert "S" in v.extra["seventh_characters"]


def test_seventh_character_not_allowed_by_the_code_list(store):
    for code in ("S06.1X7D", "S06.1X7S", "S06.1X8D"):
        v = medcode.validate(code, store=store)
        assert (v.valid, v.status) == (False, "bad_7th"), code
    assert medcode.validate("S06.1X7A", store=store).valid


def test_g35_became_a_category(store):
    v = medcode.validate("G35", on="2026-05-01", store=store)
    assert not v.valid
    assert "became a category on 2025-10-01: use G35.A-G35.D" in v.message
    assert medcode.validate("G35", on="2025-06-01", store=store).valid
    # on a FY2027 date the message still gives the day of the change (was "until 2025-09-30
    # but became a category on 2026-10-01", the start of the release asked about)
    v = medcode.validate("G35", on="2026-12-01", store=store)
    assert "was billable until 2025-09-30 but became a category on 2025-10-01" in v.message
    v = medcode.validate("M72.2", on="2026-12-01", store=store)
    assert "was billable until 2026-09-30 but became a subcategory on 2026-10-01" in v.message


def test_e11a_only_from_fy2026(store):
    assert not medcode.validate("E11.A", on="2025-06-01", store=store).valid
    assert "added in FY2026" in medcode.validate("E11.A", on="2025-06-01", store=store).message
    assert medcode.validate("E11.A", on="2026-05-01", store=store).valid


def test_procedure_code_is_called_a_procedure_code(store):
    v = medcode.validate("99213", on="2025-06-01", store=store, system="ICD-10-CM")
    assert v.status == "wrong_system" and "procedure code" in v.message
    assert "not ICD-10-CM" in medcode.validate("0001U", on="2025-06-01", store=store,
                                               system="ICD-10-CM").message
    # without --system, 99213 is read as what it is: a CPT code, judged by its section
    v = medcode.validate("99213", on="2025-06-01", store=store)
    assert (v.system, v.valid) == ("CPT", True) and "format and section only" in v.message


@pytest.mark.parametrize("raw,where", [("", "empty"), ("E" * 500, "too long"),
                                       ("Е11.9", "U+0415"), ("E１1.9", "U+FF11"),
                                       ("E11\x00", "control"), (b"\xff\xfe", "binary")])
def test_bad_input_is_malformed_not_a_crash(store, raw, where):
    v = medcode.validate(raw, store=store)
    assert v.status == "malformed" and where in v.message


def test_date_outside_loaded_releases(store):
    with pytest.raises(NoRelease, match="2014-01-01"):
        medcode.validate("E11.9", on="2014-01-01", store=store)
    with pytest.raises(NoRelease, match="FY2024, FY2025, FY2026, FY2027"):
        medcode.validate("E11.9", on="2027-10-01", store=store)


def test_lookup_json_contract(store):
    d = medcode.lookup("E11.9", store=store).to_dict()
    for key in ("code", "system", "release", "title", "kind", "billable", "parent",
                "ancestors", "children", "notes"):
        assert key in d
    assert d["code"] == "E11.9" and d["parent"] == "E11" and d["billable"] is True
    assert [a["code"] for a in d["ancestors"]] == ["4", "E08-E13", "E11"]
    assert set(d["notes"]) >= {"includes", "inclusion_terms", "excludes1", "excludes2",
                               "code_first", "use_additional", "code_also", "notes",
                               "seven_chr_note", "seven_chr_def"}


def test_e11_notes_own_and_inherited(store):
    notes = medcode.lookup("E11", store=store).notes
    own = lambda k: [n["text"] for n in notes[k] if not n["inherited"]]  # noqa: E731
    assert own("includes") == ["diabetes (mellitus) due to insulin secretory defect",
                               "diabetes NOS", "insulin resistant diabetes (mellitus)"]
    assert "type 1 diabetes mellitus (E10.-)" in own("excludes1")
    assert len(own("excludes1")) == 8
    assert "insulin (Z79.4)" in own("use_additional")
    inherited = [n for n in notes["excludes1"] if n["inherited"]]
    assert inherited and inherited[0]["from"] == "4"
    # a child inherits E11's notes
    child = medcode.lookup("E11.9", store=store).notes
    assert any(n["from"] == "E11" and n["inherited"] for n in child["excludes1"])


def test_g63_is_a_manifestation_with_code_first(store):
    info = medcode.lookup("G63", store=store)
    assert "in diseases classified elsewhere" in info.title
    texts = [n["text"] for n in info.notes["code_first"]]
    assert any("amyloidosis (E85.-)" in t for t in texts)
    assert info.billable


def test_s72_seventh_character_definitions_and_notes(store):
    info = medcode.lookup("S72", store=store)
    defs = {d["char"]: d["meaning"] for d in info.notes["seven_chr_def"]}
    assert len(defs) == 16 and defs["A"] == "initial encounter for closed fracture"
    assert info.notes["seven_chr_note"]
    leaf = medcode.lookup("S72.001A", store=store).to_dict()
    assert leaf["kind"] == "extension"
    assert leaf["seventh_character"] == {"char": "A",
                                         "meaning": "initial encounter for closed fracture"}
    assert leaf["notes"]["seven_chr_def"][0]["from"] == "S72"


def test_m84_3_stress_fracture_notes(store):
    info = medcode.lookup("M84.3", store=store)
    assert info.title.lower().startswith("stress fracture")
    notes = info.notes
    defs = notes["seven_chr_def"]
    assert [d["char"] for d in defs] == ["A", "D", "G", "K", "P", "S"]
    assert defs[0]["from"] == "M84.3" and not defs[0]["inherited"]
    assert [n["text"] for n in notes["inclusion_terms"]][:2] == ["Fatigue fracture",
                                                                "March fracture"]
    assert any("external cause code" in n["text"] and not n["inherited"]
               for n in notes["use_additional"])
    # the official text carries a malformed reference "(M84.4.-)": kept verbatim
    assert "pathological fracture NOS (M84.4.-)" in [n["text"] for n in notes["excludes1"]]
    assert any(n["from"] == "M84" for n in notes["excludes2"])


def test_lookup_unknown_and_malformed(store):
    with pytest.raises(UnknownCode, match="closest billable code is E11.9"):
        medcode.lookup("E11.99", store=store)
    with pytest.raises(InvalidCode):
        medcode.lookup("", store=store)


def test_lookup_in_older_release_uses_its_title(store):
    info = medcode.lookup("G35", release="FY2025", store=store)
    assert info.billable and info.title == "Multiple sclerosis"
    assert medcode.lookup("G35", release="FY2026", store=store).kind == "category"


def test_validate_many_matches_validate(store):
    codes = ["E11.9", "e119", " E11.9 ", "E11", "S72.001A", "S72001A", "W21.89A", "99213",
             "", "G35", "G35.A", "Z99.89", "E11.A"]
    fast = medcode.validate_many(codes, store=store)
    slow = [medcode.validate(c, store=store).valid for c in codes]
    assert fast == slow
    assert medcode.validate_many(["G35", "E11.A"], on="2025-06-01", store=store) == [True, False]


def test_diff_fy2025_fy2026(store):
    from medcode.codes.releases import diff_releases
    d = diff_releases(store, "ICD-10-CM", "FY2025", "FY2026")
    became = {i["code"] for i in d["became_header"]}
    assert {"G35", "R10.2", "Z91.011"} <= became
    assert "E11.A" in {i["code"] for i in d["added"]}
    c = d["counts"]
    # the billable count moves by exactly what was added, deleted and turned into headers
    assert 74_719 - 74_260 == (c["added"] - c["deleted"] - c["became_header"]
                               + c["header_became_code"])
