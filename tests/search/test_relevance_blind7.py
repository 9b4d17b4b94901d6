"""The seventh blind relevance set loads, with every category, and its plain answers stay billable.

Only the answer key is checked here; that every answer exists and that no query is in another
set is tested with the other sets (test_relevance.py); it has no floor yet (the lead measures
it)."""

from __future__ import annotations

import relevance  # tests/search/relevance.py (pytest puts this folder on sys.path)

CASES = relevance.load(relevance.BLIND7)
CATEGORIES = {"abbreviation", "lay", "eponym", "misspelling", "laterality", "history", "drug",
              "neoplasm", "external", "hcpcs", "pcs"}


def test_blind7_loads_with_a_category_on_every_line():
    assert len(CASES) >= 350
    assert {c.category for c in CASES} == CATEGORIES
    per = {k: sum(c.category == k for c in CASES) for k in CATEGORIES}
    assert min(per.values()) >= 25, per


def test_blind7_billable_answers_stay_billable_in_fy2027(search_store):
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


def test_blind7_heads_are_nodes_in_fy2026_and_fy2027(search_store):
    """An ICD-10-CM answer written as a "-" head is a node of both FY2026 and FY2027 (placeholder
    X's are not written: W11- rather than W11.XXX-)."""
    fy = [search_store.resolve("ICD-10-CM", release=r).bit for r in ("FY2026", "FY2027")]
    bad = []
    for case in CASES:
        for system, code in case.systems():
            if system != "ICD-10-CM" or not code.endswith("-"):
                continue
            row = search_store.row("ICD-10-CM", code.rstrip("-").replace(".", "").upper())
            if row is None or not all(row[6] & b for b in fy):
                bad.append(f"line {case.line}: {code} ({case.query!r})")
    assert not bad, bad


def test_blind7_queries_are_unique_within_the_set():
    queries = [c.query.lower() for c in CASES]
    assert len(set(queries)) == len(queries)
