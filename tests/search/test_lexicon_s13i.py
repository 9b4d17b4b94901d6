"""Issue 13 (s13i): spine regions, a third batch of abbreviations, tumour morphology with its
tissue, everyday and external-cause wording, and HCPCS Level II wording -- on the real store,
with queries that are in no relevance file."""

from __future__ import annotations

import pytest

from medcode.textsearch import search


def codes(store, query: str, n: int = 5) -> list[str]:
    return [h.code for h in search(store, query, limit=n)]


def test_spine_region_reads_as_the_dorsopathy_region(search_store):
    # "spine" is in no M40-M54 title: without the reading the query found nothing
    assert codes(search_store, "lumbar spine stenosis", 2)[0].startswith("M48.06")


@pytest.mark.parametrize("query, code", [("cvi", "I87.2"), ("itching", "L29.9"),
                                         ("prickly heat", "L74.0"), ("hot flushes", "N95.1")])
def test_abbreviations_and_everyday_words(search_store, query, code):
    assert code in codes(search_store, query, 2)


def test_morphology_names_its_tissue(search_store):
    # a sarcoma of soft tissue is coded in C49 (connective and soft tissue), not C76
    assert any(c.startswith("C49.1") for c in codes(search_store, "rhabdomyosarcoma of arm", 3))


@pytest.mark.parametrize("query, prefix", [("building fire", "X00"),
                                           ("scalded by hot coffee", "X1")])
def test_external_causes_as_people_tell_them(search_store, query, prefix):
    assert codes(search_store, query, 1)[0].startswith(prefix)
