"""The build stores each term line's marked stems (search_doc.tmark/imark) so ranking never
stems at query time; a store built before those columns must rank exactly the same."""

from __future__ import annotations

import shutil
import sqlite3

import medcode
from medcode.textsearch import search
from medcode.textsearch.tokens import marked_stems

QUERIES = ["heart attack", "prostatitis", "acetaminophen poisoning", "fracture of femur",
           "neoplasm of breast", "type 2 diabetes with neuropathy", "cataract extraction"]


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def test_stored_marks_are_the_stems_of_each_term_line(search_store):
    checked = 0
    for terms, iterms, tmark, imark in search_store.conn.execute(
            "SELECT terms, iterms, tmark, imark FROM search_doc "
            "WHERE system = 'ICD-10-CM' AND code IN ('N41', 'N419', 'I219', 'T391X1A', 'C50')"):
        for text, marks in ((terms, tmark), (iterms, imark)):
            assert len(_lines(marks)) == len(_lines(text))
            for line, mark in zip(_lines(text), _lines(marks)):
                assert mark.split() == marked_stems(line.partition("\t")[2])
                checked += 1
    assert checked >= 5  # N41.9 has an inclusion term; T39.1X1A index paths


def test_a_store_without_stored_marks_ranks_the_same(search_store, tmp_path):
    old = tmp_path / "old.sqlite"
    shutil.copyfile(search_store.path, old)
    with sqlite3.connect(old) as conn:
        conn.execute("ALTER TABLE search_doc DROP COLUMN tmark")
        conn.execute("ALTER TABLE search_doc DROP COLUMN imark")
    older = medcode.open_store(old)
    try:
        for q in QUERIES:
            want = [h.as_dict() for h in search(search_store, q, limit=20)]
            got = [h.as_dict() for h in search(older, q, limit=20)]
            assert want and got == want, q
    finally:
        older.close()
