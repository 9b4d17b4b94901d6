"""The ICD-10-CM index tables (Drug, Neoplasm, External Cause): parsing, `medcode index`,
and search through index paths -- on the bundled April 2026 files and the real store."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from medcode.systems.icd10cm_index import BUNDLED, bundled_path, read_index
from medcode.textsearch import search
from medcode.textsearch.index_view import index_lookup

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cms" / "icd10cm"


@pytest.mark.parametrize("table", sorted(BUNDLED))
def test_bundled_files_are_the_official_files_unchanged(table):
    name = BUNDLED[table].removesuffix(".gz")
    if not (SHARED / name).is_file():
        pytest.skip(f"{SHARED / name} not available")
    ours = hashlib.sha256(gzip.decompress(bundled_path(table).read_bytes())).hexdigest()
    assert ours == hashlib.sha256((SHARED / name).read_bytes()).hexdigest()


@pytest.mark.parametrize("table", sorted(BUNDLED))
def test_every_main_term_is_read(table):
    root = ET.fromstring(gzip.decompress(bundled_path(table).read_bytes()))
    titles = {"".join(m.find("title").itertext()).split("(")[0].strip(" ,")
              for m in root.iter("mainTerm")}
    read = {e.path[0] for e in read_index(bundled_path(table), table)}
    # a main term with neither a code, a cell, a reference nor sub-terms leads nowhere
    assert len(read) >= len(titles) - 1
    assert {"drug": 5176, "neoplasm": 1, "external": 313}[table] == len(read)


def test_drug_table_row_has_its_six_columns():
    rows = [e for e in read_index(bundled_path("drug"), "drug") if e.path == ("Acetaminophen",)]
    assert [(e.column, e.code) for e in rows] == [
        ("poisoning, accidental (unintentional)", "T39.1X1"),
        ("poisoning, intentional self-harm", "T39.1X2"), ("poisoning, assault", "T39.1X3"),
        ("poisoning, undetermined", "T39.1X4"), ("adverse effect", "T39.1X5"),
        ("underdosing", "T39.1X6")]


def test_nonessential_modifiers_are_kept_apart_from_the_title():
    e = next(e for e in read_index(bundled_path("external"), "external")
             if e.path == ("Abandonment NEC",))
    assert e.code == "X58" and "with intent to injure or kill" in e.nemod[0]


def test_index_lookup_reads_like_a_coder(search_store):
    hits = index_lookup(search_store, "acetaminophen", table="drug")
    first = hits[0]
    assert first.line == "Poisoning > Acetaminophen > accidental (unintentional): T39.1X1-"
    assert first.seventh_characters == ("A", "D", "S") and not first.billable
    assert any(h.line == "Adverse effect > Acetaminophen: T39.1X5-" for h in hits)


def test_index_lookup_neoplasm_columns_and_incomplete_codes(search_store):
    hits = {h.column: h for h in index_lookup(search_store, "breast", table="neoplasm")
            if h.path == ("Neoplasm, neoplastic", "breast")}
    assert hits["malignant secondary"].code == "C79.81" and hits["malignant secondary"].billable
    assert hits["malignant primary"].shown == "C50.9-" and not hits["malignant primary"].billable
    assert hits["unspecified behavior"].code == "D49.3"


def test_see_references_are_followed(search_store):
    car = next(h for h in index_lookup(search_store, "accident car", table="external")
               if h.path == ("Accident", "car"))
    assert car.code is None and car.see == "Accident, transport, car occupant"
    assert car.leads_to and car.leads_to[0].endswith(": V49.9")


def test_codes_are_checked_against_the_date(search_store):
    import datetime as dt
    hit = index_lookup(search_store, "acetaminophen", table="drug", on=dt.date(2025, 12, 1))[0]
    assert hit.exists and hit.release == "FY2026"


def test_search_finds_drug_table_codes_and_says_why(search_store):
    hit = search(search_store, "acetaminophen poisoning", limit=3)[0]
    assert hit.code == "T39.1X1" and set("ADS") <= set(hit.seventh_characters)
    assert any(m.startswith("drug table: Acetaminophen") for m in hit.matched)
    hit = search(search_store, "adverse effect of warfarin", limit=3)[0]
    assert hit.code == "T45.515"


def test_search_finds_neoplasm_table_codes(search_store):
    got = [h.code for h in search(search_store, "benign neoplasm of parotid gland", limit=3)]
    assert got[0] == "D11.0"
    hit = search(search_store, "malignant neoplasm of appendix", limit=1)[0]
    assert hit.code == "C18.1"


def test_cli_index_command(search_store):
    exe = [sys.executable, "-m", "medcode", "--store", str(search_store.path)]
    res = subprocess.run(exe + ["index", "acetaminophen", "--table", "drug", "--json"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows[0]["code"] == "T39.1X1" and rows[0]["seventh_characters"] == ["A", "D", "S"]
    res = subprocess.run(exe + ["index", "qqqzzz"], capture_output=True, text=True,
                         timeout=120, check=False)
    assert res.returncode == 1 and "no index entry" in res.stdout


def test_import_the_index_from_the_official_file(search_store, tmp_path):
    src = SHARED / "icd10cm-eindex-April-1-2026-XML.xml"
    if not src.is_file():
        pytest.skip(f"{src} not available")
    import shutil
    import sqlite3

    from medcode.store.imports import apply
    db = tmp_path / "s.sqlite"
    shutil.copyfile(search_store.path, db)
    conn = sqlite3.connect(db)
    counts = apply(conn, "icd10cm-index", [src], "test")
    assert counts["external"] == 7515 and counts["release"] == "FY2026"
    bad = tmp_path / "bad.xml"
    bad.write_text("<ICD10CM.index><letter>", encoding="utf-8")
    from medcode.errors import SourceError
    with pytest.raises(SourceError, match="bad.xml"):
        apply(conn, "icd10cm-index", [bad], "test")
    conn.close()


def test_http_index_route_and_search_reasons(search_store):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from medcode.api.app import build_app
    client = TestClient(build_app(search_store))
    r = client.get("/v1/index", params={"term": "acetaminophen", "table": "drug", "limit": 2})
    assert r.status_code == 200
    first = r.json()[0]
    assert first["line"] == "Poisoning > Acetaminophen > accidental (unintentional): T39.1X1-"
    assert first["table_name"] == "Table of Drugs and Chemicals"
    bad = client.get("/v1/index", params={"term": "acetaminophen", "table": "bogus"})
    assert bad.status_code == 400 and "drug" in bad.json()["message"]
    hit = client.get("/v1/search", params={"q": "acetaminophen poisoning", "limit": 1}).json()[0]
    assert hit["code"] == "T39.1X1"
    assert any(m.startswith("drug table: Acetaminophen") for m in hit["matched"])
    page = client.get("/static/app.js").text
    assert "/v1/index?" in page and "matched:" in page


def test_a_store_built_before_the_index_tables_still_searches(search_store, tmp_path):
    import shutil
    import sqlite3

    from medcode.errors import StoreError
    from medcode.store.db import Store
    old = tmp_path / "old.sqlite"
    shutil.copyfile(search_store.path, old)
    conn = sqlite3.connect(old)
    conn.execute("ALTER TABLE search_doc DROP COLUMN iterms")
    conn.execute("DROP TABLE index_entries")
    conn.commit()
    conn.close()
    store = Store(old)
    assert search(store, "heart attack", limit=1)[0].code == "I21.9"
    with pytest.raises(StoreError, match="rebuild"):
        index_lookup(store, "aspirin")
