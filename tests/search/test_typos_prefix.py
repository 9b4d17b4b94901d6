"""Typo tolerance and search-as-you-type."""

from __future__ import annotations

import pytest

from medcode.textsearch import search
from medcode.textsearch.query import corrections, edit_distance


@pytest.mark.parametrize("typo, expected", [
    ("diabetis", ("E11.9", "E11")), ("pnuemonia", ("J18.9",)), ("hypertenshun", ("I10",)),
    ("asthama", ("J45.909", "J45")), ("migrane", ("G43.909",)), ("osteoporsis", ("M81.0",)),
])
def test_typos_find_the_intended_code(search_store, typo, expected):
    hits = search(search_store, typo, limit=5)
    assert hits and hits[0].code in expected, [h.code for h in hits]
    assert any(m.startswith(f"typo {typo} -> ") for m in hits[0].matched)


def test_correct_words_are_not_corrected(search_store):
    hit = search(search_store, "asthma", limit=1)[0]
    assert not any(m.startswith("typo") for m in hit.matched)


def test_edit_distance_counts_transpositions_as_one():
    assert edit_distance("pnuemonia", "pneumonia") == 1
    assert edit_distance("diabetis", "diabetes") == 1
    assert edit_distance("abc", "abc") == 0
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("a", "abcdefgh", cap=2) == 3  # capped


def test_corrections_come_from_the_index(search_store):
    assert corrections(search_store.conn, "pnuemonia") == ["pneumonia"]
    assert corrections(search_store.conn, "zzzzqqqq") == []
    assert corrections(search_store.conn, "ab") == []  # too short to guess


@pytest.mark.parametrize("typed, prefix", [
    ("diab", "E1"), ("type 2 diab", "E11"), ("fracture fem", "S72"), ("heart att", "I21"),
    ("high blood pre", "I10"), ("pneumon", "J18.9"),
])
def test_prefix_mode_completes_the_last_word(search_store, typed, prefix):
    hits = search(search_store, typed, prefix=True, limit=5)
    assert hits and hits[0].code.startswith(prefix), [h.code for h in hits]


def test_prefix_mode_completes_codes(search_store):
    got = [h.code for h in search(search_store, "E11.6", prefix=True, limit=10)]
    assert got[0] == "E11.6"
    assert all(c.startswith("E11.6") for c in got)
    assert "E11.65" in [h.code for h in search(search_store, "E11.6", prefix=True, limit=50)]


def test_without_prefix_mode_a_fragment_is_not_completed(search_store):
    typed = [h.matched for h in search(search_store, "fracture fem", prefix=True, limit=3)]
    plain = [h.matched for h in search(search_store, "fracture fem", limit=3)]
    assert all(any(m == "prefix fem -> femur" for m in ms) for ms in typed)
    assert not any(m.startswith("prefix") for ms in plain for m in ms)
