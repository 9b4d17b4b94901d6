"""ICD-10-CM FY2027 (2026-10-01 to 2027-09-30) from the official addenda, in the default store."""

from __future__ import annotations

import datetime as dt

import medcode
from medcode.codes.validity import validate


def test_fy2027_count_and_period(store):
    rel = store.resolve("ICD-10-CM", on=dt.date(2026, 12, 2))
    assert rel.name == "FY2027" and rel.billable == 74_879
    assert (rel.effective_from, rel.effective_to) == (dt.date(2026, 10, 1), dt.date(2027, 9, 30))
    assert store.resolve("ICD-10-CM", on=dt.date(2026, 9, 30)).name == "FY2026"


def test_deleted_codes_that_gained_children_become_headers(store):
    before = validate(store, "D69.1", on=dt.date(2026, 5, 1), system="ICD-10-CM")
    after = validate(store, "D69.1", on=dt.date(2026, 11, 15), system="ICD-10-CM")
    assert before.valid and before.release == "FY2026"
    assert not after.valid and after.status == "header" and after.release == "FY2027"
    assert {"D69.11", "D69.19"} <= set(after.suggestions)
    for code in ("I42.0", "M72.2", "Z68.1", "Z87.890", "M86.8X1"):
        v = validate(store, code, on=dt.date(2026, 11, 15), system="ICD-10-CM")
        assert v.status == "header", (code, v.message)


def test_added_codes_only_from_fy2027(store):
    assert not validate(store, "M67.A01", on=dt.date(2026, 5, 1), system="ICD-10-CM").valid
    v = validate(store, "M67.A01", on=dt.date(2026, 11, 15), system="ICD-10-CM")
    assert v.valid and "Plantar fasciitis, right foot" in v.message
    assert validate(store, "I42.00", on=dt.date(2026, 10, 1), system="ICD-10-CM").valid
    info = medcode.lookup("I42.00", on="2026-10-01", store=store)
    assert info.parent == "I42.0" and info.to_dict()["notes"]  # inherited notes (I42, chapter)
    assert "addenda" in info.to_dict()["note"] and "April 1, 2026 tabular" in info.to_dict()["note"]


def test_deleted_codes_are_gone(store):
    v = validate(store, "S23.420A", on=dt.date(2026, 11, 15), system="ICD-10-CM")
    assert not v.valid and "deleted after FY2026" in v.message
    assert validate(store, "T52.811A", on=dt.date(2026, 11, 15), system="ICD-10-CM").valid
    assert not validate(store, "T52.8X1A", on=dt.date(2026, 11, 15), system="ICD-10-CM").valid


def test_revised_title_only_from_fy2027(store):
    old = medcode.lookup("L02.232", on="2026-05-01", store=store)
    new = medcode.lookup("L02.232", on="2026-11-15", store=store)
    assert old.title == "Carbuncle of back [any part, except buttock]"
    assert new.title == "Carbuncle of back [any part, except buttock and flank]"
    assert medcode.lookup("L02.232", release="FY2024", store=store).title == old.title


def test_addenda_bundled_unchanged_with_provenance(store, shared_data):
    from medcode.store.sources import ICD10CM_ADDENDA_2027, sha256_of
    bundled = ICD10CM_ADDENDA_2027.locate()
    official = shared_data / "cms/icd10cm/icd10cm_codes_addenda_2027.txt"
    assert bundled.read_bytes() == official.read_bytes()
    assert (bundled.parent / "PROVENANCE.md").read_text().count(sha256_of(official)) == 1
    assert any(s["file"] == bundled.name and s["sha256"] == sha256_of(official)
               for s in store.sources())


def test_diff_fy2026_fy2027(store):
    from medcode.codes.releases import diff_releases
    d = diff_releases(store, "ICD-10-CM", "FY2026", "FY2027")
    assert d["counts"]["added"] == 190
    assert d["counts"]["became_header"] + d["counts"]["deleted"] == 30
    assert "D69.1" in {i["code"] for i in d["became_header"]}
