"""Whatever is typed, search returns a list and never raises, and never runs FTS syntax."""

from __future__ import annotations

import pytest

from medcode.textsearch import Hit, search

HOSTILE = [
    "", "   ", "\t\n", "x" * 10_240, "diabetes " * 1200, "!!!", "@#$%^&*()", "-", "*", '"',
    "((((", "))", '"a" OR b*', "NEAR(x y)", "NEAR(diabetes mellitus, 2)", "col:term",
    "title:diabetes", "{title}: diabetes", "^diabetes", "diabetes*", "a AND", "AND OR NOT NEAR",
    "NOT diabetes", "' OR 1=1 --", "'; DROP TABLE codes; --", "日本語", "é", "\u0000",
    "\x00abc", "diabetes\u200b", "🦴 fracture", "Ｅ１１．９", "ＤＩＡＢＥＴＥＳ",
    "E11.9.9.9", "..........", "9" * 100, "\ud800", "%", "_", "\\", "$$", "+diabetes -type",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("prefix", [False, True])
def test_hostile_queries_return_a_list(search_store, query, prefix):
    hits = search(search_store, query, prefix=prefix, limit=10)
    assert isinstance(hits, list)
    assert all(isinstance(h, Hit) for h in hits)
    assert len(hits) <= 10


@pytest.mark.parametrize("query", [None, 123, b"diabetes", ["diabetes"]])
def test_non_text_queries_return_nothing(search_store, query):
    assert search(search_store, query) == []  # type: ignore[arg-type]


def test_fts_operators_are_searched_as_words(search_store):
    # "NOT" is a word here, not an operator: "NOT diabetes" still finds diabetes
    assert search(search_store, "NOT diabetes", limit=1)
    # a column filter is two words, not a filter on a column named "title"
    assert search(search_store, "title:diabetes", limit=1)[0].code == \
        search(search_store, "title diabetes", limit=1)[0].code


def test_full_width_and_dotted_forms_are_understood(search_store):
    assert search(search_store, "Ｅ１１．９", limit=1)[0].code == "E11.9"
    assert search(search_store, "ＤＩＡＢＥＴＥＳ", limit=1)[0].code == \
        search(search_store, "diabetes", limit=1)[0].code


@pytest.mark.parametrize("limit", [0, -5])
def test_no_limit_no_hits(search_store, limit):
    assert search(search_store, "diabetes", limit=limit) == []


def test_a_huge_limit_is_capped(search_store):
    assert len(search(search_store, "fracture", limit=10**9)) <= 1000
