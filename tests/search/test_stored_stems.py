"""The build stores each term line's marked stems (search_doc.tmark/imark) and their bit sets
per stem (tmask/jmask) so ranking never stems nor walks lines at query time; a store built
before those columns must rank exactly the same."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

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


@pytest.mark.parametrize("columns, extra", [
    (("tmark", "imark"), []),
    (("tmask", "jmask"), ["without complication", "poisoning by aspirin"]),
])
def test_a_store_without_the_stored_columns_ranks_the_same(search_store, tmp_path, columns,
                                                          extra):
    # an older store (built before the marks, or before the line masks) answers the same
    old = tmp_path / "old.sqlite"
    shutil.copyfile(search_store.path, old)
    with sqlite3.connect(old) as conn:
        for column in columns:
            conn.execute(f"ALTER TABLE search_doc DROP COLUMN {column}")
    older = medcode.open_store(old)
    try:
        for q in QUERIES + extra:
            want = [h.as_dict() for h in search(search_store, q, limit=20)]
            got = [h.as_dict() for h in search(older, q, limit=20)]
            assert want and got == want, q
    finally:
        older.close()


def test_stored_line_masks_are_the_bit_sets_of_the_stored_marks(search_store):
    from medcode.textsearch.rank import _read_masks
    checked = 0
    for terms, iterms, tmark, imark, tmask, jmask in search_store.conn.execute(
            "SELECT terms, iterms, tmark, imark, tmask, jmask FROM search_doc "
            "WHERE system = 'ICD-10-CM' AND code IN ('N41', 'N419', 'I219', 'T391X1', 'C50')"):
        for marks, blob in ((tmark if terms else None, tmask),
                            (_joined_marks(terms, tmark, iterms, imark) if iterms else None,
                             jmask)):
            if marks is None:
                assert blob is None
                continue
            lines = marks.split("\n")
            for negated in (False, True):
                masks = _read_masks(blob, len(lines), negated)
                want: dict[str, int] = {}
                for n, line in enumerate(lines):
                    for m in line.split():
                        if negated or not m.startswith("!"):
                            want[m.lstrip("~!")] = want.get(m.lstrip("~!"), 0) | 1 << n
                assert masks == want
                checked += 1
    assert checked >= 6


def _joined_marks(terms: str, tmark: str, iterms: str, imark: str) -> str:
    return tmark + "\n" + imark if terms else imark
