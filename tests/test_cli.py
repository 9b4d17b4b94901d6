"""The CLI, in process, with exact outputs and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcode.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def run(store_path):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--store", str(store_path), *args], input=input)
    return invoke


def test_lookup_json_one_object_per_code(run):
    r = run("lookup", "E11.9", "s72001a", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [d["code"] for d in data] == ["E11.9", "S72.001A"]
    assert data[1]["ancestors"][-1]["code"] == "S72.001"


def test_lookup_human_output(run):
    r = run("lookup", "E11.9")
    assert r.exit_code == 0
    first = r.output.splitlines()[0]
    assert first == "E11.9  Type 2 diabetes mellitus without complications"
    assert "Excludes1:" in r.output and "[from E11]" in r.output


def test_lookup_on_date_and_release(run):
    r = run("lookup", "G35", "--on", "2026-05-01", "--json")
    d = json.loads(r.output)[0]
    assert d["kind"] == "category" and d["billable"] is False
    assert "became a category on 2025-10-01: use G35.A-G35.D" in d["message"]
    r = run("lookup", "G35", "--release", "FY2025", "--json")
    assert json.loads(r.output)[0]["billable"] is True


def test_validate_exit_codes_and_reasons(run):
    ok = run("validate", "E11.9", "W21.89XA")
    assert ok.exit_code == 0
    bad = run("validate", "E11.9", "W21.89A", "E11")
    assert bad.exit_code == 1
    assert "missing placeholder X: W21.89XA" in bad.output
    assert "category, not billable" in bad.output


def test_validate_reads_stdin(run):
    r = run("validate", "-", "--json", input="E11.9\nS06.1X7D\n")
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert [d["valid"] for d in data] == [True, False]
    assert data[1]["status"] == "bad_7th"


@pytest.mark.parametrize("bad", ["", "   ", "E" * 300, "Е11.9", "E11\x07"])
def test_bad_input_exit_2_without_traceback(run, bad):
    r = run("lookup", bad)
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    r = run("validate", bad)
    assert r.exit_code == 2


def test_bad_date_is_a_usage_error(run):
    r = run("lookup", "E11.9", "--on", "2026-13-45")
    assert r.exit_code == 2 and "not a date" in r.output


def test_date_without_release_is_exit_3(run):
    r = run("lookup", "E11.9", "--on", "2028-01-15")
    assert r.exit_code == 3 and "no ICD-10-CM release loaded for 2028-01-15" in r.output


def test_diff(run):
    r = run("diff", "FY2025", "FY2026", "--json")
    d = json.loads(r.output)
    assert {"G35", "R10.2", "Z91.011"} <= {i["code"] for i in d["became_header"]}
    text = run("diff", "FY2025", "FY2026").output
    assert text.startswith("ICD-10-CM FY2025 -> FY2026:")


def test_data_status_json_contract(run):
    r = run("data", "status", "--json")
    d = json.loads(r.output)
    rel = {x["release"]: x for x in d["releases"] if x["system"] == "ICD-10-CM"}
    assert rel["FY2026"]["billable"] == 74_719
    assert rel["FY2026"]["effective_from"] == "2025-10-01"
    for key in ("system", "release", "effective_from", "effective_to", "codes", "billable"):
        assert key in rel["FY2025"]
    files = {s["file"]: s for s in d["sources"]}
    assert files["icd10c-tabular-April-1-2026.xml"]["sha256"].startswith("f161f818")
    assert files["icd10c-tabular-April-1-2026.xml"]["sha256"].endswith("2935")
    assert "simple-icd-10-cm==1.5.0" in files["code-list-April-2026.txt"]["origin"]


def _commands(group, prefix=""):
    import click
    for name, cmd in group.commands.items():
        yield prefix + name, cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + name + " ")


def test_every_command_has_help_and_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    for name, cmd in _commands(cli):
        assert (cmd.help or "").strip(), f"{name} has no help text"
        assert re.search(rf"medcode {re.escape(name)}\b", readme), f"README lacks `medcode {name}`"
