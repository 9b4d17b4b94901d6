"""What a stranger meets first: --help, --version, a missing extra, the first-use build."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from medcode.cli import cli
from medcode.errors import MissingExtra, require_extra


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medcode", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=600)


def test_help_shows_whole_descriptions():
    for args in ([], ["data"]):
        out = CliRunner().invoke(cli, [*args, "--help"]).output
        listing = out.split("Commands:")[1]
        assert "..." not in listing and "…" not in listing, out
    out = CliRunner().invoke(cli, ["--help"]).output
    assert "neuropathy\", \"CHF\")" in " ".join(out.split())


def test_version_names_the_releases_of_the_store(store_path):
    r = CliRunner().invoke(cli, ["--store", str(store_path), "--version"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].startswith("medcode ")
    assert any(line.split()[:1] == ["ICD-10-CM"] for line in lines[2:]), r.output


def test_version_without_a_store_does_not_build_one(tmp_path):
    missing = tmp_path / "none.sqlite"
    r = CliRunner().invoke(cli, ["--store", str(missing), "--version"])
    assert r.exit_code == 0 and "medcode data build" in r.output
    assert not missing.exists()


def test_require_extra_names_the_pip_command():
    require_extra("api", "json")  # present: nothing happens
    with pytest.raises(MissingExtra) as err:
        require_extra("spark", "no_such_module_for_medcode", feature="Spark checks")
    assert 'pip install "medcode[spark]"' in str(err.value)
    assert err.value.exit_code == 2


def test_serve_without_the_api_extra_says_what_to_install(store_path):
    # the [api] extra is installed here, so block its modules the way a missing install would
    code = ("import sys; sys.modules['uvicorn'] = None; sys.modules['fastapi'] = None;"
            "from medcode.cli.app import main; sys.argv = ['medcode', 'serve']; main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "MEDCODE_STORE": str(store_path)}, timeout=120)
    assert r.returncode == 2, r.stderr
    assert 'pip install "medcode[api]"' in r.stderr
    assert "Traceback" not in r.stderr


def test_first_use_build_says_each_stage_on_stderr_without_a_terminal(tmp_path):
    r = _run("lookup", "E11.9", env={"MEDCODE_HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("E11.9")
    stages = [line for line in r.stderr.splitlines()
              if line.startswith("medcode: building the code store: ")]
    assert len(stages) >= 4 and stages[-1].endswith("(100%)"), r.stderr
    assert "\r" not in r.stderr
    # built now: a second use says nothing, and --quiet keeps a first build silent
    again = _run("-q", "lookup", "E11.9", env={"MEDCODE_HOME": str(tmp_path)})
    assert again.returncode == 0 and again.stderr == ""


def test_quiet_build_prints_nothing(capsys):
    from medcode.store import open as store_open
    store_open.set_quiet(True)
    try:
        store_open._stderr_progress()("search index", 0.8)
    finally:
        store_open.set_quiet(False)
    assert capsys.readouterr().err == ""
    store_open._stderr_progress()("search index", 0.8)  # pytest's stderr is not a terminal
    assert capsys.readouterr().err == "medcode: building the code store: search index (80%)\n"
