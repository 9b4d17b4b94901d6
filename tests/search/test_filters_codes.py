"""Code queries, and the system / billable / date-of-service filters."""

from __future__ import annotations

import datetime as dt

import pytest

from medcode.errors import InvalidCode
from medcode.textsearch import format_hits_text, search


def has_system(store, system: str) -> bool:
    return store.conn.execute("SELECT 1 FROM search_doc WHERE system = ? LIMIT 1",
                              (system,)).fetchone() is not None


@pytest.mark.parametrize("query, first", [
    ("E11.9", "E11.9"), ("e119", "E11.9"), ("  E11.9  ", "E11.9"), ("I10", "I10"),
    ("s72001a", "S72.001A"), ("N39.0", "N39.0"), ("E11.A", "E11.A"),
])
def test_a_code_as_query_comes_first(search_store, query, first):
    hits = search(search_store, query, limit=5)
    assert hits[0].code == first
    assert hits[0].matched == ("code",)


def test_a_header_code_is_followed_by_its_billable_codes(search_store):
    hits = search(search_store, "E11", limit=10)
    assert hits[0].code == "E11" and not hits[0].billable
    assert all(h.code.startswith("E11.") and h.billable for h in hits[1:])


def test_code_and_words_together(search_store):
    hits = search(search_store, "I10 hypertension", limit=5)
    assert hits[0].code == "I10" and hits[0].matched == ("code",)
    assert len({h.code for h in hits}) == len(hits)  # I10 is not listed twice


def test_a_typed_dot_stays_where_it_was_typed(hcpcs_store):
    """401.9 is the ICD-9-CM diagnosis (hypertension), not the ICD-9-CM procedure 40.19;
    J11.00 is the ICD-10-CM code, never the HCPCS code J1100 (a dotted code is never HCPCS)."""
    got = [(h.system, h.code) for h in search(hcpcs_store, "401.9 hypertension", limit=10)]
    assert got[0] == ("ICD-9-CM", "401.9") and ("ICD-9-CM", "40.19") not in got
    assert [(h.system, h.code) for h in search(hcpcs_store, "J11.00", limit=5)] == [
        ("ICD-10-CM", "J11.00")]
    # typed without the dot, both readings stay
    assert {h.code for h in search(hcpcs_store, "4019", limit=2)} == {"401.9", "40.19"}
    assert {h.code for h in search(hcpcs_store, "J1100", limit=2)} == {"J1100", "J11.00"}


@pytest.mark.parametrize("query, first", [
    ("normal saline infusion 1000 cc", "J7030"),
    ("amoxicillin 500 mg", None),
])
def test_a_quantity_among_words_is_not_an_icd9_code(hcpcs_store, query, first):
    """1000 is not ICD-9-CM 100.0 (leptospirosis) nor 500 the code 500 (pneumoconiosis) when
    typed with words: they are quantities."""
    hits = search(hcpcs_store, query, limit=10)
    assert not any(h.system == "ICD-9-CM" for h in hits), hits
    if first:
        assert hits[0].code == first


def test_icd9_and_pcs_codes(search_store):
    if has_system(search_store, "ICD-9-CM"):
        assert search(search_store, "250.00", limit=1)[0].code == "250.00"
        # both readings, CPT first as identify says (issue 10: one policy everywhere)
        assert [(h.system, h.code) for h in search(search_store, "25000", limit=2)] == [
            ("CPT", "25000"), ("ICD-9-CM", "250.00")]
    if has_system(search_store, "ICD-10-PCS"):
        hit = search(search_store, "0dtj4zz", limit=1)[0]
        assert (hit.code, hit.system) == ("0DTJ4ZZ", "ICD-10-PCS")


def test_on_filters_to_the_release_in_force(search_store):
    """E11.A (type 2 diabetes in remission) was added in FY2026 (2025-10-01)."""
    query = "type 2 diabetes without complications in remission"
    now = search(search_store, query, on=dt.date(2025, 12, 1), limit=5)
    assert now[0].code == "E11.A" and now[0].release == "FY2026"
    later = search(search_store, query, on=dt.date(2026, 12, 1), limit=5)
    assert later[0].code == "E11.A" and later[0].release == "FY2027"
    before = search(search_store, query, on=dt.date(2025, 6, 1), limit=50)
    assert before and "E11.A" not in [h.code for h in before]
    assert all(h.release == "FY2025" for h in before if h.system == "ICD-10-CM")
    assert search(search_store, "E11.A", on=dt.date(2025, 6, 1)) == []
    assert search(search_store, "E11.A", on=dt.date(2025, 12, 1))[0].code == "E11.A"
    # a date given as text works too
    assert search(search_store, "E11.A", on="2025-12-01")[0].code == "E11.A"  # type: ignore


def test_on_reports_billable_in_that_release(search_store):
    # E11.9 is billable in every loaded release; the header E11 never is
    for day in (dt.date(2023, 12, 1), dt.date(2025, 12, 1)):
        assert not search(search_store, "E11", on=day, limit=1)[0].billable
        assert search(search_store, "E11.9", on=day, limit=1)[0].billable


def test_on_before_icd10_leaves_icd9_only(search_store):
    if not has_system(search_store, "ICD-9-CM"):
        pytest.skip("no ICD-9-CM in this store")
    hits = search(search_store, "diabetes", on=dt.date(2015, 6, 1), limit=10)
    assert hits and all(h.system == "ICD-9-CM" for h in hits)


def test_system_filter(search_store):
    hits = search(search_store, "diabetes", system="icd-10-cm", limit=20)
    assert hits and all(h.system == "ICD-10-CM" for h in hits)
    for system, query in (("ICD-10-PCS", "appendectomy"), ("ICD-9-CM", "appendectomy")):
        if has_system(search_store, system):
            got = search(search_store, query, system=system, limit=5)
            assert got and all(h.system == system for h in got)
    assert search(search_store, "E11.9", system="ICD-10-PCS") == []


def test_unknown_system_is_a_clear_error(search_store):
    with pytest.raises(InvalidCode, match="unknown code system 'nope'"):
        search(search_store, "diabetes", system="nope")


def test_bad_date_is_a_clear_error(search_store):
    with pytest.raises(InvalidCode, match="not a date"):
        search(search_store, "diabetes", on="01/02/2025")  # type: ignore[arg-type]


def test_billable_filter(search_store):
    yes = search(search_store, "fracture femur", billable=True, limit=10)
    assert yes and all(h.billable for h in yes)
    assert yes[0].code.startswith("S72") and len(yes[0].code.replace(".", "")) == 7
    no = search(search_store, "fracture femur", billable=False, limit=10)
    assert no and not any(h.billable for h in no)


def test_hit_as_dict_and_text(search_store):
    hits = search(search_store, "urinary tract infection", limit=3)
    d = hits[0].as_dict()
    assert {"code", "system", "title", "billable", "score", "matched"} <= set(d)
    assert d["code"] == "N39.0" and d["system"] == "ICD-10-CM" and d["billable"] is True
    assert isinstance(d["matched"], list) and isinstance(d["score"], float)
    text = format_hits_text(hits)
    assert text.splitlines()[0].startswith("N39.0")
    assert "Urinary tract infection, site not specified" in text
    assert format_hits_text([]) == "no matching codes\n"


def test_scores_are_best_first(search_store):
    hits = search(search_store, "chronic kidney disease", limit=20)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
