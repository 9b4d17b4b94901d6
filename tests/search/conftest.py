"""Fixtures for the search tests: the real store (once per session) and a tiny synthetic one."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest


@pytest.fixture(scope="session")
def search_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The session's real store: tests/conftest.py's ``store`` when there is one, else one
    built here into a temporary MEDCODE_HOME (about 5-10 s)."""
    try:
        return request.getfixturevalue("store")
    except pytest.FixtureLookupError:
        pass
    import medcode
    home = tmp_path_factory.mktemp("medcode-search-home")
    old = os.environ.get("MEDCODE_HOME")
    os.environ["MEDCODE_HOME"] = str(home)
    try:
        medcode.build(home / "medcode.sqlite")
    finally:
        if old is None:
            os.environ.pop("MEDCODE_HOME", None)
        else:
            os.environ["MEDCODE_HOME"] = old
    return medcode.open_store(home / "medcode.sqlite")


# A hand-made store: two ICD-10-CM releases, CPT rows with synthetic descriptors (never AMA
# text), HCPCS codes whose long descriptions live in their own table, as importers write them.
_CODES = [
    # system, code, title, kind, parent, depth, billable_mask, node_mask
    ("ICD-10-CM", "J45", "Asthma", "category", None, 2, 0, 3),
    ("ICD-10-CM", "J459", "Other and unspecified asthma", "subcategory", "J45", 3, 0, 3),
    ("ICD-10-CM", "J4590", "Unspecified asthma", "subcategory", "J459", 4, 0, 3),
    ("ICD-10-CM", "J45909", "Unspecified asthma, uncomplicated", "code", "J4590", 5, 3, 3),
    ("ICD-10-CM", "J45991", "Cough variant asthma", "code", "J459", 4, 3, 3),
    ("ICD-10-CM", "U099", "Post COVID-19 condition, unspecified", "code", None, 3, 2, 2),
    ("ICD-10-CM", "S6290", "Unspecified fracture of unspecified wrist and hand", "subcategory",
     None, 4, 0, 3),
    ("ICD-10-CM", "S6290XA", ("Unspecified fracture of unspecified wrist and hand, initial "
                              "encounter for closed fracture"), "extension", "S6290", 5, 3, 3),
    ("ICD-10-CM", "S6290XS", "Unspecified fracture of unspecified wrist and hand, sequela",
     "extension", "S6290", 5, 3, 3),
    ("CPT", "99213", "Synthetic descriptor for 99213 office visit", "code", None, 0, 1, 1),
    ("CPT", "99214", "Synthetic descriptor for 99214 office visit", "code", None, 0, 1, 1),
    ("HCPCS", "E0114", "Crutch underarm pair", "code", None, 0, 1, 1),
]


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory):
    from medcode.store.db import Store
    from medcode.store.schema import CORE_SQL, SCHEMA_VERSION
    from medcode.textsearch import build_index
    path = tmp_path_factory.mktemp("synthetic") / "medcode.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(CORE_SQL)
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (json.dumps(SCHEMA_VERSION),))
    conn.executemany("INSERT INTO releases (system, name, bit, effective_from, effective_to, "
                     "source, codes, billable, tabular) VALUES (?,?,?,?,?,?,?,?,?)", [
                         ("ICD-10-CM", "FY2024", 1, "2023-10-01", "2024-09-30", "test", 0, 0, 0),
                         ("ICD-10-CM", "FY2025", 2, "2024-10-01", "2025-09-30", "test", 0, 0, 1),
                         ("CPT", "2025", 1, "2025-01-01", None, "test", 0, 0, 0),
                         ("HCPCS", "2025", 1, "2025-01-01", None, "test", 0, 0, 0)])
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", _CODES)
    conn.execute("INSERT INTO notes VALUES ('ICD-10-CM', 'J45909', 'inclusion_terms', 0, "
                 "'Asthma NOS')")
    conn.execute("CREATE TABLE hcpcs_code (code TEXT PRIMARY KEY, long_description TEXT, "
                 "short_description TEXT)")
    conn.execute("INSERT INTO hcpcs_code VALUES ('E0114', 'Synthetic long description: "
                 "underarm crutches with padded handgrips, one pair', 'Crutch underarm pair')")
    conn.execute("CREATE TABLE IF NOT EXISTS cpt_descriptor (code TEXT PRIMARY KEY, short TEXT, "
                 "medium TEXT, long TEXT)")
    conn.execute("INSERT INTO cpt_descriptor VALUES ('99213', 'SYNTH OFFICE VISIT', "
                 "'Synthetic medium wording zebrafish', "
                 "'Synthetic descriptor for 99213 office visit')")
    build_index(conn)
    conn.commit()
    conn.close()
    return Store(path)
