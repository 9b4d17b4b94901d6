"""The synonym file: it loads, every expansion finds codes, the coders' shorthands work."""

from __future__ import annotations

from importlib import resources

import pytest

from medcode.errors import SourceError
from medcode.textsearch import search, synonyms
from medcode.textsearch.tokens import quote


def test_the_packaged_file_loads_and_is_substantial():
    table = synonyms.load()
    assert len(table) >= 150
    text = resources.files("medcode").joinpath("data", "synonyms.tsv").read_text("utf-8")
    assert "htn\thypertension" in text.lower()


def test_every_expansion_finds_something(hcpcs_store):
    """Each expansion's words occur together in at least one indexed code (the store with
    the official HCPCS file imported: "welcome to medicare" is an HCPCS service); the
    status lexicon's wordings too."""
    dead = []
    for syn in synonyms.load_status().values():
        for expansion, stems in zip(syn.expansions, syn.stems):
            match = " AND ".join(quote(s) for s in stems)
            n = hcpcs_store.conn.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()[0]
            if n == 0:
                dead.append(f"line {syn.line}: {syn.phrase} -> {expansion}")
    assert not dead, dead


def test_parse_rejects_a_line_without_tab_naming_the_line():
    with pytest.raises(SourceError, match="line 2"):
        synonyms.parse("# comment\nhtn hypertension\n")
    with pytest.raises(SourceError, match="line 1"):
        synonyms.parse("of\tthe\n")  # stopwords only: nothing to search
    assert synonyms.parse("a fib\tatrial fibrillation|af\n")[0].expansions == (
        "atrial fibrillation", "af")


@pytest.mark.parametrize("query, prefix", [
    ("HTN", "I10"), ("high blood pressure", "I10"), ("DM", "E11"), ("T2DM", "E11.9"),
    ("T1DM", "E10.9"), ("CHF", "I50"), ("COPD", "J44.9"), ("MI", "I21"), ("heart attack", "I21"),
    ("UTI", "N39.0"), ("CKD", "N18"), ("AFib", "I48"), ("AF", "I48"), ("GERD", "K21"),
    ("URI", "J06.9"), ("BPH", "N40"), ("OSA", "G47.33"), ("ADHD", "F90"),
    ("strep throat", "J02.0"), ("sugar", "E11"), ("CAD", "I25.1"), ("DVT", "I82"),
    ("PE", "I26"), ("TIA", "G45"), ("CVA", "I63"), ("broken femur", "S72"),
    ("kidney stone", "N20"), ("kidney stones", "N20"),
])
def test_coder_shorthand(search_store, query, prefix):
    hit = search(search_store, query, limit=1)[0]
    assert hit.code.startswith(prefix), (query, hit)


def test_synonym_is_reported_in_matched(search_store):
    hit = search(search_store, "htn", limit=1)[0]
    assert "synonym htn -> hypertension" in hit.matched


def test_the_typed_words_are_searched_too(search_store):
    # "cold" expands to the common cold, but "cold" as written still finds cold injuries
    got = [h.code for h in search(search_store, "cold", limit=50)]
    assert "J00" in got[:3]
    assert any(c.startswith(("T69", "T33", "T34")) or c == "X31" for c in got) or len(got) == 50
