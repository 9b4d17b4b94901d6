"""Search over whatever systems a store holds: a hand-made store with CPT and HCPCS rows.

CPT text here is synthetic (never AMA descriptors)."""

from __future__ import annotations

import datetime as dt

from medcode.textsearch import search


def test_every_system_in_codes_is_indexed(synthetic_store):
    systems = {s for (s,) in synthetic_store.conn.execute("SELECT DISTINCT system FROM search_doc")}
    assert systems == {"ICD-10-CM", "CPT", "HCPCS"}


def test_cpt_rows_are_found_by_text_and_by_code(synthetic_store):
    hits = search(synthetic_store, "synthetic descriptor office visit", limit=5)
    assert {h.code for h in hits[:2]} == {"99213", "99214"}
    assert all(h.system == "CPT" for h in hits[:2])
    assert search(synthetic_store, "99213", limit=1)[0].code == "99213"


def test_hcpcs_long_description_is_searched(synthetic_store):
    hit = search(synthetic_store, "padded handgrips", limit=1)[0]
    assert (hit.code, hit.system) == ("E0114", "HCPCS")
    assert any(m.startswith("long description: ") for m in hit.matched)


def test_cpt_descriptors_of_an_import_are_searched(synthetic_store):
    hit = search(synthetic_store, "zebrafish", limit=1)[0]
    assert (hit.code, hit.system) == ("99213", "CPT")
    assert hit.matched == ("medium descriptor: Synthetic medium wording zebrafish",)


def test_system_filter_on_a_small_store(synthetic_store):
    assert search(synthetic_store, "asthma", system="CPT") == []
    assert search(synthetic_store, "asthma", system="ICD-10-CM")[0].code == "J45.909"


def test_inclusion_term_nos_and_default_code(synthetic_store):
    hit = search(synthetic_store, "asthma", limit=1)[0]
    assert hit.code == "J45.909" and hit.billable


def test_extensions_collapse_and_expand(synthetic_store):
    hit = search(synthetic_store, "fracture wrist", limit=1)[0]
    assert hit.code == "S62.90" and hit.seventh_characters == ("A", "S")
    hit = search(synthetic_store, "fracture wrist sequela", limit=1)[0]
    assert hit.code == "S62.90XS" and hit.billable


def test_on_filter_uses_each_releases_bit(synthetic_store):
    # U09.9 exists only in FY2025 (bit 2) of this store
    hits = search(synthetic_store, "post covid condition", on=dt.date(2025, 1, 1))
    assert hits[0].code == "U09.9"
    assert search(synthetic_store, "post covid condition", on=dt.date(2024, 1, 1)) == []
    # CPT/HCPCS releases here start in 2025: nothing of theirs on 2024-01-01
    assert search(synthetic_store, "99213", on=dt.date(2024, 1, 1)) == []


def test_build_index_is_repeatable(synthetic_store, tmp_path):
    import shutil
    import sqlite3

    from medcode.textsearch import build_index
    copy = tmp_path / "again.sqlite"
    shutil.copy(synthetic_store.path, copy)
    conn = sqlite3.connect(copy)
    first = conn.execute("SELECT count(*) FROM search_doc").fetchone()[0]
    summary = build_index(conn)  # drops and rebuilds its own tables
    assert summary["search"]["docs"] == first
    conn.close()


def test_build_index_stays_inside_the_callers_transaction(synthetic_store, tmp_path):
    """The store build and imports call build_index inside their transaction: it must not
    commit it (a failed build or import then leaves nothing behind)."""
    import shutil
    import sqlite3

    from medcode.textsearch import build_index
    copy = tmp_path / "tx.sqlite"
    shutil.copy(synthetic_store.path, copy)
    conn = sqlite3.connect(copy)
    conn.execute("INSERT INTO codes VALUES ('CPT', '99215', 'Synthetic descriptor for 99215', "
                 "'code', NULL, 0, 1, 1)")
    assert conn.in_transaction
    build_index(conn)
    assert conn.in_transaction
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM codes WHERE code = '99215'").fetchone()[0] == 0
    conn.close()
