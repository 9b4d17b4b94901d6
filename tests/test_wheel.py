"""The wheel a stranger installs: built with `python -m build`, installed in a fresh venv with
no network, it carries every bundled official file and answers lookup, check and serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("build", reason="the `build` package (dev extra) is not installed")
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                        "--outdir", str(out), str(ROOT)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    (found,) = out.glob("medcode-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed offline; its dependencies come from the test
    environment's site-packages through a .pth line (no index, no network)."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(subprocess.run([str(root / "bin/python"), "-c", ask], capture_output=True,
                                  text=True, check=True).stdout.strip())
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([str(root / "bin/python"), "-m", "pip", "install", "--no-index",
                        "--no-deps", "--no-cache-dir", str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return root


def test_wheel_carries_every_bundled_file(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    src = ROOT / "src"
    for folder in ("medcode/data", "medcode/api/static"):
        for path in (src / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path.relative_to(src).as_posix() in names, path
    assert "medcode/py.typed" in names


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDCODE_")}
    return {**env, "MEDCODE_HOME": str(home), "PYTHONNOUSERSITE": "1"}


def test_installed_wheel_works_offline(venv: Path, tmp_path: Path):
    env = _env(tmp_path / "home")
    medcode = str(venv / "bin/medcode")
    where = subprocess.run([str(venv / "bin/python"), "-c",
                            "import medcode; print(medcode.__file__)"],
                           capture_output=True, text=True, env=env, check=True).stdout
    assert where.startswith(str(venv)), where  # the wheel's copy, not the source tree
    r = subprocess.run([medcode, "-q", "lookup", "E11.9", "--json"], capture_output=True,
                       text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["title"] == "Type 2 diabetes mellitus without complications"

    claim = {"id": "W1", "patient": {"birth_date": "1960-04-02", "sex": "F"},
             "diagnoses": ["E11.9"],
             "lines": [{"code": "99213", "units": 1, "charge": 100.0,
                        "date": "2026-05-04", "pointers": [1]}]}
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))
    r = subprocess.run([medcode, "check", str(path), "--format", "json"], capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(r.stdout)["claims"][0]["claim"] == "W1"

    port = _free_port()
    server = subprocess.Popen([medcode, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        body = None
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/codes/E11.9",
                                            timeout=2) as resp:
                    body = json.load(resp)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert body is not None, server.stderr.read().decode() if server.stderr else ""
        assert "E11.9" in json.dumps(body)
    finally:
        server.terminate()
        server.wait(timeout=30)
