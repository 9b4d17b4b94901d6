"""`medcode data import icd10cm|icd10pcs`: later official releases, with their periods."""

from __future__ import annotations

import datetime as dt
import gzip
import sqlite3
import zipfile
from pathlib import Path

from click.testing import CliRunner

import medcode
from medcode.cli import cli
from medcode.codes.validity import validate


def _run(store: Path, *args: str):
    return CliRunner().invoke(cli, ["--store", str(store), *args])


def write_order_file(store: Path, release: str, path: Path, drop: str, add: tuple[str, str],
                     system: str = "ICD-10-CM") -> Path:
    """An order file in the CMS layout made from a loaded release, one code dropped and one
    added (a made-up next release)."""
    con = sqlite3.connect(store)
    bit = con.execute("SELECT bit FROM releases WHERE system = ? AND name = ?",
                      (system, release)).fetchone()[0]
    rows = con.execute("SELECT code, title, billable_mask FROM codes WHERE system = ? AND "
                       "node_mask & ? AND kind NOT IN ('chapter', 'block') ORDER BY code",
                       (system, bit)).fetchall()
    con.close()
    lines = [(c, t, 1 if b & bit else 0) for c, t, b in rows if c != drop] + [(*add, 1)]
    with path.open("w", encoding="utf-8", newline="\r\n") as fh:
        for n, (code, title, flag) in enumerate(lines, 1):
            fh.write(f"{n:05d} {code:<7} {flag} {title[:60]:<60} {title}\n")
    return path


def test_fy2028_order_file_answers_from_2027_10_01(own_store, tmp_path):
    order = write_order_file(own_store, "FY2027", tmp_path / "icd10cm_order_2028.txt",
                             drop="Z87893", add=("Z87895", "Made-up FY2028 code"))
    day = dt.date(2027, 10, 1)
    r = _run(own_store, "validate", "E11.9", "--on", day.isoformat())
    assert r.exit_code == 3 and "medcode data fetch icd10cm --year 2028" in r.output
    assert "medcode data import icd10cm icd10cm_order_2028.txt" in r.output
    r = _run(own_store, "data", "import", "icd10cm", str(order))
    assert r.exit_code == 0, r.output
    assert "release FY2028" in r.output
    s = medcode.open_store(own_store)
    rel = s.resolve("ICD-10-CM", on=day)
    assert (rel.name, rel.billable) == ("FY2028", 74_879)
    assert validate(s, "Z87.895", on=day, system="ICD-10-CM").valid
    assert not validate(s, "Z87.895", on=day - dt.timedelta(days=1), system="ICD-10-CM").valid
    gone = validate(s, "Z87.893", on=day, system="ICD-10-CM")
    assert not gone.valid and "deleted after FY2027" in gone.message
    assert medcode.lookup("Z87.895", on=day, store=s).parent == "Z87.89"
    s.close()


def test_import_survives_rebuild_and_zip(own_store, tmp_path):
    order = write_order_file(own_store, "FY2027", tmp_path / "icd10cm_order_2028.txt",
                             drop="Z87893", add=("Z87895", "Made-up FY2028 code"))
    zpath = tmp_path / "2028-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(order, "Code Descriptions/icd10cm_order_2028.txt")
    assert _run(own_store, "data", "import", "icd10cm", str(zpath)).exit_code == 0
    r = _run(own_store, "data", "build")
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    assert [r.name for r in s.releases("ICD-10-CM")][-1] == "FY2028"
    s.close()


def test_april_update_with_release_and_effective_from(own_store, tmp_path):
    order = write_order_file(own_store, "FY2027", tmp_path / "icd10cm_order_2027.txt",
                             drop="Z87893", add=("Z87895", "Made-up April code"))
    r = _run(own_store, "data", "import", "icd10cm", str(order), "--release", "FY2027-APR",
             "--effective-from", "2027-04-01")
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    assert s.resolve("ICD-10-CM", on=dt.date(2027, 3, 31)).name == "FY2027"
    assert s.resolve("ICD-10-CM", on=dt.date(2027, 4, 1)).name == "FY2027-APR"
    assert s.resolve("ICD-10-CM", release="FY2027").effective_to == dt.date(2027, 3, 31)
    s.close()


def test_broken_order_file_refused_with_line(own_store, tmp_path):
    before = own_store.read_bytes()
    bad = tmp_path / "icd10cm_order_2028.txt"
    bad.write_text("00001 A00     0 Cholera" + " " * 53 + "Cholera\nthis line is broken\n",
                   encoding="utf-8")
    r = _run(own_store, "data", "import", "icd10cm", str(bad))
    assert r.exit_code == 3 and "icd10cm_order_2028.txt, line 2" in r.output
    assert "Traceback" not in r.output and own_store.read_bytes() == before


def test_addenda_import_applies_to_previous_release(own_store, shared_data):
    """Importing the official FY2027 addenda by hand gives what the embedded default has."""
    src = shared_data / "cms/icd10cm/icd10cm_codes_addenda_2027.txt"
    r = _run(own_store, "data", "import", "icd10cm", str(src))
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    rel = s.resolve("ICD-10-CM", release="FY2027")
    assert rel.billable == 74_879 and rel.effective_from == dt.date(2026, 10, 1)
    assert validate(s, "D69.1", on=dt.date(2026, 11, 15), system="ICD-10-CM").status == "header"
    s.close()
    # the same addenda cannot apply to FY2027 itself
    r = _run(own_store, "data", "import", "icd10cm", str(src), "--release", "FY2028",
             "--effective-from", "2027-10-01")
    assert r.exit_code == 3 and "does not apply to ICD-10-CM FY2027" in r.output


def test_pcs_tables_and_order_file(own_store, tmp_path, shared_data):
    tables = tmp_path / "icd10pcs_tables_2027.xml.gz"
    tables.write_bytes(gzip.compress(
        (shared_data / "cms/icd10pcs/icd10pcs_tables_2026.xml").read_bytes()))
    day = dt.date(2026, 12, 2)
    r = _run(own_store, "validate", "0SG604Z", "--system", "ICD-10-PCS", "--on", str(day))
    assert r.exit_code == 3 and "medcode data fetch icd10pcs --year 2027" in r.output
    r = _run(own_store, "data", "import", "icd10pcs", str(tables))
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    assert s.resolve("ICD-10-PCS", on=day).billable == 79_115
    s.close()
    order = write_order_file(own_store, "FY2027", tmp_path / "icd10pcs_order_2028.txt",
                             drop="0SG604Z", add=("0SG604Y", "Made-up"), system="ICD-10-PCS")
    r = _run(own_store, "data", "import", "icd10pcs", str(order))
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    assert validate(s, "0SG604Y", on=dt.date(2027, 10, 1), system="ICD-10-PCS").valid
    assert not validate(s, "0SG604Z", on=dt.date(2027, 10, 1), system="ICD-10-PCS").valid
    s.close()


_SYNTHETIC_INDEX = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
 <version>2028</version>
 <title>ICD-10-CM INDEX TO DISEASES and INJURIES</title>
 <letter><title>S</title>
  <mainTerm><title>Singultus <nemod>(persistent)</nemod></title><code>R06.6</code>
   <term level="1"><title>psychogenic</title><code>F45.8</code></term>
  </mainTerm>
 </letter>
</ICD10CM.index>
"""


def test_the_alphabetic_index_in_the_code_tables_zip_is_searched(own_store, tmp_path):
    """`data import icd10cm` with the order file and the CMS "Code Tables, Tabular and Index"
    zip (here a small synthetic Alphabetic Index in the CMS XML layout) loads the index:
    search finds a code through an index path no title or inclusion term has, and says so."""
    from medcode.textsearch import search
    from medcode.textsearch.index_view import index_lookup
    s = medcode.open_store(own_store)
    assert "R06.6" not in [h.code for h in search(s, "singultus", limit=5)]
    s.close()
    order = write_order_file(own_store, "FY2027", tmp_path / "icd10cm_order_2028.txt",
                             drop="Z87893", add=("Z87895", "Made-up FY2028 code"))
    descriptions = tmp_path / "2028-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(descriptions, "w") as zf:
        zf.write(order, "icd10cm_order_2028.txt")
    tables = tmp_path / "2028-code-tables-tabular-and-index.zip"
    with zipfile.ZipFile(tables, "w") as zf:
        zf.writestr("icd10cm_index_2028.xml", _SYNTHETIC_INDEX)
    r = _run(own_store, "data", "import", "icd10cm", str(descriptions), str(tables))
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    hit = search(s, "singultus", limit=5)[0]
    assert hit.code == "R06.6"
    assert any(m.startswith("index: Singultus") for m in hit.matched), hit.matched
    psych = search(s, "psychogenic singultus", limit=3)[0]
    assert psych.code == "F45.8"
    assert [h.code for h in index_lookup(s, "singultus", table="index")][:1] == ["R06.6"]
    # the bundled Drug table is still there beside the imported index
    assert index_lookup(s, "acetaminophen", table="drug")
    s.close()
