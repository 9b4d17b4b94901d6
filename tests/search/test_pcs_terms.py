"""pcs_terms.tsv: common procedure names -> their ICD-10-PCS table, checked against the
FY2026 PCS tables, and read by search as synonyms."""

from __future__ import annotations

import pytest

from medcode.textsearch import pcs_words, search, synonyms
from medcode.textsearch.tokens import stems


def test_every_term_names_a_real_table_that_carries_its_wording(search_store):
    terms = synonyms.pcs_terms()
    assert len(terms) >= 50
    wrong = []
    for t in terms:
        assert 3 <= len(t.table) <= 4, t
        want = set(stems(t.wording))
        rows = search_store.conn.execute(
            "SELECT code, title FROM codes WHERE system = 'ICD-10-PCS' AND code > ? AND "
            "code < ? AND billable_mask != 0", (t.table, t.table + "\x7f")).fetchall()
        if not any(want <= set(stems(title)) for _code, title in rows):
            wrong.append(f"line {t.line}: {t.term} -> {t.table} {t.wording!r} "
                         f"({len(rows)} codes, none with that wording)")
    assert not wrong, wrong


def test_a_bad_line_is_refused_with_its_number():
    from medcode.errors import SourceError
    with pytest.raises(SourceError, match="line 2"):
        synonyms.pcs_terms("# comment\nappendectomy\t0DTJ\n")


@pytest.mark.parametrize("query, first", [
    ("laparoscopic appendectomy", "0DTJ4ZZ"),   # percutaneous endoscopic approach
    ("colonoscopy", "0DJD8ZZ"),                 # inspection, via natural opening endoscopic
    ("upper gi endoscopy", "0DJ08ZZ"),
    ("endotracheal intubation", "0BH17EZ"),
])
def test_common_procedure_names_find_their_pcs_code(search_store, query, first):
    hit = search(search_store, query, limit=1)[0]
    assert hit.code == first
    assert any(m.startswith("synonym ") for m in hit.matched)


@pytest.mark.parametrize("query, table", [
    ("total knee replacement", "0SR"), ("thoracentesis", "0W9"), ("lumbar puncture", "009U"),
    ("hemodialysis", "5A1D"), ("cesarean section", "10D0"), ("removal of gallbladder", "0FT4"),
])
def test_procedure_names_land_in_their_table(search_store, query, table):
    assert search(search_store, query, limit=1)[0].code.startswith(table)


@pytest.mark.parametrize("word, wording", [
    ("oophorectomy", "resection of ovary"), ("gastrostomy", "bypass stomach"),
    ("laryngoscopy", "inspection of larynx"), ("arthrocentesis", "drainage of joint"),
    ("orchiopexy", "reposition testis"), ("septoplasty", "repair nasal septum")])
def test_operation_names_read_as_pcs_words(word, wording):
    assert wording in [w for w, _weight in pcs_words.wordings(word)]


def test_not_an_operation_name():
    assert pcs_words.wordings("ectomy") == [] and pcs_words.wordings("pneumonia") == []
    assert pcs_words.wordings("fooectomy") == []


@pytest.mark.parametrize("query, table", [
    ("oophorectomy", "0UT"), ("salpingectomy", "0UT"), ("adenoidectomy", "0CT"),
    ("orchiectomy", "0VT"), ("gastrectomy", "0DT")])
def test_an_operation_not_listed_finds_its_pcs_table(search_store, query, table):
    hit = search(search_store, query, limit=1)[0]
    assert hit.system == "ICD-10-PCS" and hit.code.startswith(table), hit


def test_pcs_keys_load_and_name_pcs_values():
    table = synonyms.load_procedure()
    assert table[tuple(stems("hallux"))].expansions == ("1st toe",)
    assert "knee joint" in table[tuple(stems("medial meniscus"))].expansions
    assert len(table) > len(synonyms.load()) + 1000


def test_pcs_keys_are_used_for_a_procedure_query(search_store):
    hit = search(search_store, "excision of medial meniscus", limit=1)[0]
    assert hit.code.startswith("0SB") and "synonym medial meniscus -> knee joint" in hit.matched
    # and only then: a diagnosis query does not read the keys
    assert not any("knee joint" in m for h in search(search_store, "medial meniscus tear",
                                                        limit=5) for m in h.matched)


def test_an_amputation_is_a_detachment(search_store):
    hit = search(search_store, "amputation of hallux", limit=1)[0]
    assert hit.code.startswith("0Y6"), hit
