"""The README's examples work as written: every Python block runs, every `medcode` command
of a shell block runs against a real store (in a folder holding the repository's `examples/`),
and ends with an exit code the README allows, never a traceback."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# Commands the suite runs elsewhere against local stand-ins, because here they would need a
# network, a licensed or unpublished file, or would not return (a server).
ELSEWHERE = {
    "serve": "starts a server that does not return (tests/api/test_serve.py starts one)",
    "data fetch": "downloads from CMS (tests run it against a local HTTP server)",
    "data import": "needs the official file named in the example (tests import the real ones)",
    "spark-check": "starts Spark on Java (tests/batch/test_spark.py runs it)",
}
PYTHON_ELSEWHERE = {
    "from medcode.spark": "needs a Spark session (tests/batch/test_spark.py runs check_claims)",
}


def _blocks(lang: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.M | re.S)


def _commands() -> list[str]:
    """Each `medcode ...` command of the shell blocks, without its comment; a pipe from
    `echo` stays (it feeds stdin)."""
    out = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].split(" # ", 1)[0].strip()
            if re.match(r"^(echo .*\| *)?medcode ", line):
                out.append(line)
    return out


def _env(store_path: Path) -> dict[str, str]:
    return {**os.environ, "MEDCODE_STORE": str(store_path),
            "MEDCODE_HOME": str(store_path.parent), "NO_COLOR": "1"}


def test_the_readme_has_examples_to_run():
    assert len(_commands()) >= 15
    assert _blocks("python")


@pytest.mark.parametrize("command", _commands())
def test_readme_command(command: str, store_path: Path, tmp_path: Path):
    words = shlex.split(command.split("|")[-1])
    sub = " ".join(words[1:3])
    for prefix, why in ELSEWHERE.items():
        if sub.startswith(prefix) or words[1] == prefix:
            pytest.skip(f"{prefix}: {why}")
    stdin = None
    if "|" in command:
        stdin = shlex.split(command.split("|")[0])[1] + "\n"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    medcode = [sys.executable, "-m", "medcode"]
    r = subprocess.run(medcode + words[1:], input=stdin, capture_output=True, text=True,
                       cwd=tmp_path, env=_env(store_path), timeout=300)
    assert "Traceback" not in r.stderr, r.stderr
    # 0 ok, 1 checked and found invalid (the README shows invalid codes on purpose)
    assert r.returncode in (0, 1), (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    written = [tmp_path / w for w in words if w.endswith((".html", ".parquet"))
               and not w.startswith("examples/")]
    assert r.stdout.strip() or (written and all(p.is_file() for p in written))


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_readme_python_block(index: int, store_path: Path):
    code = _blocks("python")[index]
    for marker, why in PYTHON_ELSEWHERE.items():
        if marker in code:
            pytest.skip(why)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, env=_env(store_path), timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]


def test_the_readme_stands_alone():
    text = README.read_text(encoding="utf-8")
    assert "../shared" not in text
    for link in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (ROOT / link).exists(), link
    first = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[0:2] for line in first[:2]] == [["make", "run"], ["make", "test"]]
