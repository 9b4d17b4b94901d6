"""Every piece of advice medcode prints for a date no release covers names commands that
work as written: this test runs each one (the network is a local server laid out like
cms.gov, reached through MEDCODE_CMS_BASE_URL)."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_fetch_releases import _zip, cms  # noqa: F401  (the server fixture)
from test_import_releases import write_order_file

import medcode
from medcode.cli import cli
from medcode.errors import NoRelease
from medcode.store.freshness import advice

COMMAND = re.compile(r"`(medcode [^`]+)`")


@pytest.fixture
def home(tmp_path: Path, store_path: Path) -> Path:
    target = tmp_path / "home" / "medcode.sqlite"
    target.parent.mkdir()
    shutil.copyfile(store_path, target)
    return target


def _advised(store: Path, system: str, day: dt.date, code: str) -> list[str]:
    """The commands in the message validate prints for ``day``, checked to be the advice."""
    r = CliRunner().invoke(cli, ["--store", str(store), "validate", code, "--system", system,
                                 "--on", day.isoformat()])
    assert r.exit_code == 3, r.output
    assert advice(system, day) in r.output
    return COMMAND.findall(r.output)


def _run_all(store: Path, commands: list[str], base: str, cwd: Path,
             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCODE_CMS_BASE_URL", base)
    monkeypatch.chdir(cwd)
    for command in commands:
        args = shlex.split(command)[1:]
        r = CliRunner().invoke(cli, ["--store", str(store), *args])
        assert r.exit_code == 0, (command, r.output)


def test_icd10cm_advice_runs(home, cms, tmp_path, monkeypatch):  # noqa: F811
    base, served, _ = cms
    day = dt.date(2027, 10, 1)
    commands = _advised(home, "ICD-10-CM", day, "E11.9")
    assert commands == ["medcode data fetch icd10cm --year 2028",
                        "medcode data import icd10cm icd10cm_order_2028.txt"]
    work = tmp_path / "work"
    work.mkdir()
    order = write_order_file(home, "FY2027", work / "icd10cm_order_2028.txt",
                             drop="Z87893", add=("Z87895", "Made-up FY2028 code"))
    _zip(served / "2028-code-descriptions-tabular-order.zip", {order.name: order})
    _run_all(home, commands, base, work, monkeypatch)
    s = medcode.open_store(home)
    assert s.resolve("ICD-10-CM", on=day).name == "FY2028"
    s.close()


def test_icd10pcs_advice_runs(home, cms, tmp_path, monkeypatch, shared_data):  # noqa: F811
    base, served, _ = cms
    day = dt.date(2026, 12, 2)
    commands = _advised(home, "ICD-10-PCS", day, "0SG604Z")
    assert commands[0] == "medcode data fetch icd10pcs --year 2027"
    work = tmp_path / "work"
    work.mkdir()
    _zip(served / "2027-icd-10-pcs-code-tables-and-index.zip",
         {"icd10pcs_tables_2027.xml": shared_data / "cms/icd10pcs/icd10pcs_tables_2026.xml"})
    write_order_file(home, "FY2026", work / "icd10pcs_order_2027.txt", drop="0SG604Z",
                     add=("0SG604Y", "Made-up"), system="ICD-10-PCS")
    _run_all(home, commands, base, work, monkeypatch)
    s = medcode.open_store(home)
    assert s.resolve("ICD-10-PCS", on=day).name == "FY2027"
    s.close()


def test_hcpcs_advice_runs(hcpcs_store_path, cms, tmp_path, monkeypatch, shared_data):  # noqa: F811
    base, served, _ = cms
    store = tmp_path / "h" / "medcode.sqlite"
    store.parent.mkdir()
    shutil.copyfile(hcpcs_store_path, store)
    day = dt.date(2026, 8, 3)
    commands = _advised(store, "HCPCS", day, "J1100")
    assert commands == ["medcode data fetch hcpcs --quarter 2026Q3",
                        "medcode data import hcpcs HCPC2026_JUL_ANWEB.txt"]
    src = shared_data / "cms/hcpcs/2020-Alpha-Numeric-HCPCS-File.zip"
    shutil.copyfile(src, served / "july-2026-alpha-numeric-hcpcs-file.zip")
    work = tmp_path / "work"
    work.mkdir()
    with zipfile.ZipFile(src) as zf:
        member = next(n for n in zf.namelist() if n.upper().endswith(".TXT") and "ANWEB" in
                      n.upper())
        (work / "HCPC2026_JUL_ANWEB.txt").write_bytes(zf.read(member))
    _run_all(store, commands, base, work, monkeypatch)
    s = medcode.open_store(store)
    assert s.resolve("HCPCS", on=day).name == "2026Q3"
    s.close()


def test_library_raises_the_same_advice(store):
    with pytest.raises(NoRelease, match=re.escape(advice("ICD-10-CM", dt.date(2028, 1, 2)))):
        medcode.validate("E11.9", on="2028-01-02", store=store)
