"""`medcode data import` / `fetch` end to end on the real CMS files, and atomicity."""

from __future__ import annotations

import http.server
import shutil
import sqlite3
import threading
from pathlib import Path

from click.testing import CliRunner

import medcode
from medcode.cli import cli


def _run(store: Path, *args: str):
    return CliRunner().invoke(cli, ["--store", str(store), *args])


def test_import_hcpcs_zip_then_lookup_tables(own_store, hcpcs_2020):
    r = _run(own_store, "data", "import", "hcpcs",
             str(hcpcs_2020))
    assert r.exit_code == 0, r.output
    assert "codes 6710, modifiers 369" in r.output
    s = medcode.open_store(own_store)
    assert s.conn.execute("SELECT count(*) FROM codes WHERE system='HCPCS'").fetchone()[0] == 6710
    assert [r.name for r in s.releases("HCPCS")] == ["2020"]
    files = {x["file"] for x in s.sources()}
    assert "2020-Alpha-Numeric-HCPCS-File.zip" in files
    s.close()


def test_failed_import_leaves_the_store_unchanged(own_store, tmp_path):
    before = own_store.read_bytes()
    bad = tmp_path / "HCPC2026_JAN_ANWEB.txt"
    bad.write_text("this is not a HCPCS file\n" * 3, encoding="utf-8")
    r = _run(own_store, "data", "import", "hcpcs", str(bad))
    assert r.exit_code == 3
    assert "HCPC2026_JAN_ANWEB.txt" in r.output and "Traceback" not in r.output
    assert own_store.read_bytes() == before
    assert not list(own_store.parent.glob(".*.import"))


def test_imports_survive_a_rebuild(own_store, shared_data):
    r = _run(own_store, "data", "import", "ncci-ptp",
             str(shared_data / "cms/ncci/ccipra-v322r0-f1.excerpt.txt"))
    assert r.exit_code == 0, r.output
    r = _run(own_store, "data", "import", "mue",
             str(shared_data / "cms/ncci/MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"))
    assert r.exit_code == 0, r.output
    medcode.build(own_store)
    conn = sqlite3.connect(own_store)
    assert conn.execute("SELECT count(*) FROM ncci_ptp").fetchone()[0] == 154
    assert conn.execute("SELECT count(*) FROM ncci_mue").fetchone()[0] == 44
    conn.close()


def test_failed_rebuild_keeps_the_previous_store(own_store, hcpcs_2020):
    r = _run(own_store, "data", "import", "hcpcs", str(hcpcs_2020))
    assert r.exit_code == 0
    before = own_store.read_bytes()
    for kept in (own_store.parent / "imports" / "hcpcs").iterdir():
        kept.write_text("broken\n", encoding="utf-8")  # the kept copy got corrupted
    r = _run(own_store, "data", "build")
    assert r.exit_code == 3 and "Traceback" not in r.output
    assert own_store.read_bytes() == before
    assert not list(own_store.parent.glob(".*.tmp"))


def test_fetch_hcpcs_from_a_local_server(own_store, hcpcs_2020, tmp_path):
    served = tmp_path / "www"
    served.mkdir(parents=True)
    shutil.copyfile(hcpcs_2020,
                    served / "january-2020-alpha-numeric-hcpcs-file.zip")
    root = str(tmp_path / "www")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=root, **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        r = _run(own_store, "data", "fetch", "hcpcs", "--quarter", "2020Q1", "--base-url", base)
        assert r.exit_code == 0, r.output
        assert "codes 6710" in r.output
        r = _run(own_store, "data", "fetch", "hcpcs", "--quarter", "2031Q2", "--base-url", base)
        assert r.exit_code == 3 and "not found at" in r.output
    finally:
        server.shutdown()
