"""The sixth blind relevance set loads, and every accepted answer is a real code.

Only the answer key is checked here: nothing in this file runs a search (the set is measured by
the lead, apart from the ranking tests)."""

from __future__ import annotations

import relevance  # tests/search/relevance.py (pytest puts this folder on sys.path)

CASES = relevance.load(relevance.BLIND6)
CATEGORIES = {"abbreviation", "lay", "eponym", "misspelling", "laterality", "history", "drug",
              "neoplasm", "external", "hcpcs", "pcs"}


def test_blind6_loads_with_a_category_on_every_line():
    assert len(CASES) >= 300
    assert {c.category for c in CASES} == CATEGORIES
    per = {k: sum(c.category == k for c in CASES) for k in CATEGORIES}
    assert min(per.values()) >= 25, per


def test_blind6_queries_are_new():
    """No query twice, and none already in another relevance file (case-insensitive)."""
    mine = [c.query.lower() for c in CASES]
    assert len(set(mine)) == len(mine)
    others = {c.query.lower() for c in relevance.load_all()}
    assert not others & set(mine), sorted(others & set(mine))


def _exists(store, system: str, code: str) -> bool:
    key = code.rstrip("-").replace(".", "").upper()
    if system == "ICD-10-CM":
        row = store.row("ICD-10-CM", key)
        fy2026 = store.resolve("ICD-10-CM", release="FY2026")
        return row is not None and bool(row[6] & fy2026.bit)
    if code.endswith("-"):
        return store.conn.execute("SELECT 1 FROM codes WHERE system = ? AND code >= ? AND "
                                  "code < ? LIMIT 1", (system, key, key + "\x7f")).fetchone() \
            is not None
    return store.row(system, key) is not None


def test_every_answer_of_blind6_exists(search_store, hcpcs_store):
    """ICD-10-CM codes (or heads) in FY2026, PCS codes (or heads) in the PCS tables, HCPCS codes
    in the official 2020 HCPCS file."""
    missing = []
    for case in CASES:
        for system, code in case.systems():
            store = hcpcs_store if system == "HCPCS" else search_store
            if not _exists(store, system, code):
                missing.append(f"line {case.line}: {system} {code} ({case.query!r})")
    assert not missing, missing


def test_blind6_billable_answers_stay_billable_in_fy2027(search_store):
    """An answer written without a trailing "-" is a billable code in FY2026 and FY2027 (codes
    split in FY2027 are written as heads)."""
    fy = [search_store.resolve("ICD-10-CM", release=r).bit for r in ("FY2026", "FY2027")]
    bad = []
    for case in CASES:
        for system, code in case.systems():
            if system != "ICD-10-CM" or code.endswith("-"):
                continue
            row = search_store.row("ICD-10-CM", code.replace(".", "").upper())
            if row is None or not all(row[5] & b for b in fy):
                bad.append(f"line {case.line}: {code} ({case.query!r})")
    assert not bad, bad
