"""Issue 13: general lexicon mechanisms (standard abbreviations, adjectives of body sites,
tumour morphology words, common procedure names) on the real store. Queries here are chosen
apart from the relevance files' where possible."""

from __future__ import annotations

import pytest

from medcode.textsearch import search


def codes(store, query: str, n: int = 5) -> list[str]:
    return [h.code for h in search(store, query, limit=n)]


@pytest.mark.parametrize("query, code", [
    ("ovarian cancer", "C56.9"), ("gastric cancer", "C16.9"), ("pancreatic cancer", "C25.9"),
    ("testicular cancer", "C62.90"), ("hepatic adenoma", "D13.4")])
def test_adjective_of_a_site_is_the_neoplasm_table_site(search_store, query, code):
    assert code in codes(search_store, query, 3)


def test_adjective_reading_is_broader_than_the_word_typed(search_store):
    # the title with "ovarian" itself stays ahead of one that only says "ovary"
    assert codes(search_store, "right ovarian cyst", 1) == ["N83.201"]


@pytest.mark.parametrize("query, code", [
    ("adenocarcinoma of stomach", "C16.9"), ("meningioma", "D32.9")])
def test_morphology_word_gives_the_behaviour(search_store, query, code):
    assert codes(search_store, query, 1) == [code]


@pytest.mark.parametrize("query, code", [
    ("hocm", "I42.1"), ("dic", "D65"), ("rbbb", "I45.10"), ("ftt", "R62.51")])
def test_standard_abbreviations(search_store, query, code):
    assert code in codes(search_store, query, 3)


@pytest.mark.parametrize("query, prefix", [
    ("ileostomy", "0D1B"), ("ivc filter insertion", "06H0"), ("meniscectomy right knee", "0SBC")])
def test_procedure_names_reach_their_pcs_table(search_store, query, prefix):
    assert codes(search_store, query, 1)[0].startswith(prefix)
