"""`medcode data fetch` for every kind, against a local HTTP server laid out like cms.gov."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_import_releases import write_order_file

import medcode
from medcode.cli import cli


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves files under /files/zip/ with HTTP Range support; counts requests."""

    root: Path
    seen: list[tuple[str, str | None]]

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Range")))
        path = self.root / self.path.lstrip("/")
        if not path.is_file():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = path.read_bytes()
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            body = body[start:]
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path, list]]:
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    root = tmp_path / "www"
    (root / "files/zip").mkdir(parents=True)
    seen: list = []
    handler = type("H", (_Handler,), {"root": root, "seen": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/files/zip", root / "files/zip", seen
    finally:
        httpd.shutdown()


def _run(store: Path, *args: str):
    return CliRunner().invoke(cli, ["--store", str(store), *args])


def _zip(path: Path, members: dict[str, Path]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, src in members.items():
            zf.write(src, name)
    return path


def test_fetch_icd10cm_year(own_store, cms, tmp_path):
    base, served, _ = cms
    order = write_order_file(own_store, "FY2027", tmp_path / "icd10cm_order_2028.txt",
                             drop="Z87893", add=("Z87895", "Made-up FY2028 code"))
    _zip(served / "2028-code-descriptions-tabular-order.zip",
         {"icd10cm_order_2028.txt": order})
    r = _run(own_store, "data", "fetch", "icd10cm", "--year", "2028", "--base-url", base)
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    assert s.resolve("ICD-10-CM", release="FY2028").billable == 74_879
    src = [x for x in s.sources() if x["file"] == "2028-code-descriptions-tabular-order.zip"]
    assert src and len(src[0]["sha256"]) == 64
    s.close()
    book = json.loads((own_store.parent / "downloads/checksums.json").read_text())
    assert book["2028-code-descriptions-tabular-order.zip"]["sha256"] == src[0]["sha256"]


def test_fetch_icd10pcs_year(own_store, cms, shared_data):
    base, served, _ = cms
    tables = shared_data / "cms/icd10pcs/icd10pcs_tables_2026.xml"
    _zip(served / "2027-icd-10-pcs-code-tables-and-index.zip",
         {"icd10pcs_tables_2027.xml": tables})
    r = _run(own_store, "data", "fetch", "icd10pcs", "--year", "2027", "--base-url", base)
    assert r.exit_code == 0, r.output
    s = medcode.open_store(own_store)
    assert s.resolve("ICD-10-PCS", release="FY2027").billable == 79_115
    s.close()


def test_fetch_hcpcs_ncci_mue_quarters(own_store, cms, shared_data, tmp_path):
    base, served, _ = cms
    shutil.copyfile(shared_data / "cms/hcpcs/2020-Alpha-Numeric-HCPCS-File.zip",
                    served / "january-2020-alpha-numeric-hcpcs-file.zip")
    _zip(served / "medicare-ncci-2026q3-practitioner-ptp-edits.zip",
         {"ccipra-v322r0-f1.txt": shared_data / "cms/ncci/ccipra-v322r0-f1.excerpt.txt"})
    mue = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
    _zip(served / "medicare-ncci-2026-q3-practitioner-services-mue-table.zip",
         {mue: shared_data / "cms/ncci/MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"})
    r = _run(own_store, "data", "fetch", "hcpcs", "--quarter", "2020Q1", "--base-url", base)
    assert r.exit_code == 0 and "codes 6710" in r.output, r.output
    r = _run(own_store, "data", "fetch", "ncci-ptp", "--quarter", "2026Q3", "--base-url", base)
    assert r.exit_code == 0, r.output
    r = _run(own_store, "data", "fetch", "mue", "--quarter", "2026Q3", "--base-url", base)
    assert r.exit_code == 0, r.output
    r = _run(own_store, "data", "fetch", "mue", "--quarter", "2031Q2", "--base-url", base)
    assert r.exit_code == 3 and "not found at" in r.output and "Traceback" not in r.output


def test_fetch_resumes_a_partial_download(own_store, cms, shared_data):
    base, served, seen = cms
    name = "january-2020-alpha-numeric-hcpcs-file.zip"
    data = (shared_data / "cms/hcpcs/2020-Alpha-Numeric-HCPCS-File.zip").read_bytes()
    (served / name).write_bytes(data)
    downloads = own_store.parent / "downloads"
    downloads.mkdir()
    (downloads / (name + ".part")).write_bytes(data[:100_000])
    r = _run(own_store, "data", "fetch", "hcpcs", "--quarter", "2020Q1", "--base-url", base)
    assert r.exit_code == 0, r.output
    assert ("/files/zip/" + name, "bytes=100000-") in seen
    assert (downloads / name).read_bytes() == data


def test_fetch_without_network_is_one_line_exit_3(own_store):
    r = _run(own_store, "data", "fetch", "icd10cm", "--year", "2028", "--base-url",
             "http://127.0.0.1:9/files/zip")
    assert r.exit_code == 3
    assert r.output.count("\n") == 1 and "cannot reach 127.0.0.1:9" in r.output
