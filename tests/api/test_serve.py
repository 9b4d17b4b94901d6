"""serve(): a real uvicorn with 2 worker processes over one store file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("uvicorn", reason="the [api] extra (uvicorn) is not installed")
httpx = pytest.importorskip("httpx")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TOKEN = "token-for-the-two-worker-test-42"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_serve_with_two_workers(store_path, tmp_path):
    """Two workers share the token (passed to them by the environment) and log requests
    (asked for with access_log) without query strings."""
    port = _free_port()
    code = ("import medcode.api as a; "
            f"a.serve('127.0.0.1', {port}, store_path={str(store_path)!r}, workers=2, "
            f"token={TOKEN!r}, access_log=True)")
    env = dict(os.environ, MEDCODE_HOME=str(tmp_path), MEDCODE_NO_AUTOBUILD="1")
    out = tmp_path / "server.log"
    with open(out, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT,
                                env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, "server did not start: " + out.read_text()
            time.sleep(0.2)
        for _ in range(40):
            assert httpx.get(f"{base}/v1/codes/E11.9").status_code == 401
            r = httpx.get(f"{base}/v1/codes/E11.9", headers=AUTH)
            assert r.status_code == 200 and r.json()["title"].startswith("Type 2 diabetes")
        assert "server" not in r.headers  # no server banner
        r = httpx.post(f"{base}/v1/claims/check?dob=1960-04-02", content=b"{}",
                       headers={"Content-Type": "application/json", **AUTH})
        assert r.status_code in (400, 501)  # {} is no claim; 501 without check_claims
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log_text = out.read_text()
    assert "/v1/codes/E11.9" in log_text  # the access log, asked for, works...
    assert TOKEN not in log_text
    assert "/v1/claims/check?[redacted]" in log_text and "1960-04-02" not in log_text
    assert log_text.count("Started server process") >= 2  # two workers
