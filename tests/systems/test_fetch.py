"""The HCPCS download of medcode.store.publishers against a real HTTP server on 127.0.0.1
serving the real 2020 zip."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from medcode.errors import SourceError
from medcode.store.publishers import DATASETS, ENV_BASE_URL, base_url, fetch, parse_quarter
from medcode.systems.hcpcs import parse_hcpcs

ZIP2020 = (Path(__file__).resolve().parents[1] / "data" / "cms" / "hcpcs"
           / "2020-Alpha-Numeric-HCPCS-File.zip")


def _handler(files: dict[str, tuple[int, bytes, str]], seen: list[str]) -> type:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            status, body, ctype = files.get(self.path, (404, b"<html>Not Found</html>",
                                                        "text/html"))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[str, dict[str, tuple[int, bytes, str]], list[str]]]:
    for var in ("no_proxy", "NO_PROXY"):          # never send loopback traffic to a proxy
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    files: dict[str, tuple[int, bytes, str]] = {}
    seen: list[str] = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(files, seen))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/files/zip", files, seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def fetch_hcpcs(quarter: str, dest: Path, base: str | None = None, timeout: float = 60.0
                ) -> Path:
    (got,) = fetch("hcpcs", *parse_quarter(quarter), dest, base, timeout=timeout)
    return got


def test_parse_quarter() -> None:
    assert parse_quarter("2026Q4") == (2026, 4)
    assert parse_quarter("2024q3") == (2024, 3)
    assert parse_quarter(None, today=date(2026, 5, 4)) == (2026, 2)
    assert parse_quarter(None, today=date(2026, 12, 31)) == (2026, 4)
    for bad in ("2026Q5", "2026", "Q4 2026", "26Q1", "2026-10", ""):
        with pytest.raises(ValueError, match="expected YYYYQn"):
            parse_quarter(bad)


def test_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_BASE_URL, raising=False)
    groups = DATASETS["hcpcs"].groups
    assert base_url(None) == "https://www.cms.gov/files/zip"
    assert groups(2024, 3)[0] == ["july-2024-alpha-numeric-hcpcs-file.zip"]
    assert groups(2026, 1) == [["january-2026-alpha-numeric-hcpcs-file.zip"],
                               ["january-2026-alpha-numeric-hcpcs-files.zip"],
                               ["2026-alpha-numeric-hcpcs-file.zip"]]
    assert base_url("http://mirror/x/") == "http://mirror/x"
    monkeypatch.setenv(ENV_BASE_URL, "http://env-mirror")
    assert base_url(None) == "http://env-mirror"
    assert len(groups(2022, 4)) == 2


def test_fetch_real_zip(server, tmp_path: Path) -> None:
    base, files, seen = server
    if not ZIP2020.exists():
        pytest.skip(f"official CMS file not present: {ZIP2020}")
    body = ZIP2020.read_bytes()
    # the January file of 2020 sits under the old annual name: the third address tried
    files["/files/zip/2020-alpha-numeric-hcpcs-file.zip"] = (200, body, "application/zip")
    got = fetch_hcpcs("2020Q1", tmp_path / "dl", base)
    assert got == tmp_path / "dl" / "2020-alpha-numeric-hcpcs-file.zip"
    assert got.read_bytes() == body
    assert seen == ["/files/zip/january-2020-alpha-numeric-hcpcs-file.zip",
                    "/files/zip/january-2020-alpha-numeric-hcpcs-files.zip",
                    "/files/zip/2020-alpha-numeric-hcpcs-file.zip"]
    assert sum(not r.is_modifier for r in parse_hcpcs(got)) == 6710
    # no partial file left; the checksum book beside it
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == [got.name, "checksums.json"]


def test_fetch_via_env(server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, files, _ = server
    if not ZIP2020.exists():
        pytest.skip(f"official CMS file not present: {ZIP2020}")
    files["/files/zip/october-2026-alpha-numeric-hcpcs-file.zip"] = (
        200, ZIP2020.read_bytes(), "application/zip")
    monkeypatch.setenv(ENV_BASE_URL, base)
    assert fetch_hcpcs("2026Q4", tmp_path).name == "october-2026-alpha-numeric-hcpcs-file.zip"


def test_fetch_404(server, tmp_path: Path) -> None:
    base, _, seen = server
    with pytest.raises(SourceError) as info:
        fetch_hcpcs("2026Q4", tmp_path, base)
    message = str(info.value)
    assert "not found" in message and "october-2026-alpha-numeric-hcpcs-file.zip" in message
    assert "--base-url" in message and len(seen) == 2
    assert list(tmp_path.iterdir()) == []


def test_fetch_not_a_zip(server, tmp_path: Path) -> None:
    base, files, _ = server
    files["/files/zip/july-2026-alpha-numeric-hcpcs-file.zip"] = (
        200, b"<!DOCTYPE html><html>Page moved</html>", "text/html")
    with pytest.raises(SourceError, match=r"july-2026-alpha-numeric-hcpcs-file.zip: not a zip "
                                          r"file \(got an HTML page\)"):
        fetch_hcpcs("2026Q3", tmp_path, base)
    assert list(tmp_path.iterdir()) == []


def test_fetch_zip_without_hcpcs(server, tmp_path: Path) -> None:
    base, files, _ = server
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    files["/files/zip/april-2026-alpha-numeric-hcpcs-file.zip"] = (
        200, other.read_bytes(), "application/zip")
    dest = tmp_path / "dl"
    with pytest.raises(SourceError, match="holds no HCPCS file"):
        fetch_hcpcs("2026Q2", dest, base)
    assert list(dest.iterdir()) == []


def test_fetch_server_error_and_offline(server, tmp_path: Path) -> None:
    base, files, _ = server
    files["/files/zip/april-2026-alpha-numeric-hcpcs-file.zip"] = (500, b"oops", "text/plain")
    with pytest.raises(SourceError, match="HTTP 500"):
        fetch_hcpcs("2026Q2", tmp_path, base)
    # a port nothing listens on (bound then closed): connection refused
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="no network"):
        fetch_hcpcs("2026Q2", tmp_path, f"http://127.0.0.1:{port}", timeout=5)
