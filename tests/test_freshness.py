"""Nothing answers outside its period: validate defaults to today, status --check, lookup note.

Tests pass dates explicitly; where the command itself takes today's date, MEDCODE_TODAY fixes
it (read at call time by medcode.store.freshness.today)."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from medcode.cli import cli
from medcode.store.freshness import advice, fiscal_year


def _run(store, *args: str, today: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MEDCODE_TODAY", today)
    return CliRunner().invoke(cli, ["--store", str(store), *args])


def test_validate_without_on_uses_today(store_path, monkeypatch):
    r = _run(store_path, "validate", "D69.1", today="2026-12-02", monkeypatch=monkeypatch)
    assert r.exit_code == 1 and "2026-10-01" in r.stdout and "D69.11" in r.stdout
    r = _run(store_path, "validate", "D69.1", today="2026-05-01", monkeypatch=monkeypatch)
    assert r.exit_code == 0 and "on 2026-05-01" in r.stdout
    r = _run(store_path, "validate", "E11.9", today="2027-10-02", monkeypatch=monkeypatch)
    assert r.exit_code == 3 and advice("ICD-10-CM", dt.date(2027, 10, 2)) in r.stderr


def test_lookup_without_on_says_when_the_newest_does_not_cover_today(store_path,
                                                                       monkeypatch):
    r = _run(store_path, "lookup", "E11.9", today="2027-11-01", monkeypatch=monkeypatch)
    assert r.exit_code == 0 and "ICD-10-CM FY2027" in r.stdout
    assert "does not cover today (2027-11-01)" in r.stderr and "--year 2028" in r.stderr
    r = _run(store_path, "lookup", "E11.9", today="2026-12-02", monkeypatch=monkeypatch)
    assert r.exit_code == 0 and "does not cover" not in r.stderr


def test_status_check(store_path, monkeypatch):
    r = _run(store_path, "data", "status", "--check", today="2026-05-01",
             monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.stderr
    r = _run(store_path, "data", "status", "--check", today="2026-12-02",
             monkeypatch=monkeypatch)
    # no ICD-10-PCS FY2027 file exists in this package: honestly stale for PCS only
    assert r.exit_code == 1 and "ICD-10-PCS" in r.stderr and "ICD-10-CM (" not in r.stderr
    assert "ICD-10-CM   2026-12-02: covered by FY2027" in r.stdout


def test_hcpcs_2020_file_refuses_2026(hcpcs_store_path, monkeypatch):
    r = _run(hcpcs_store_path, "validate", "J1100", "--system", "HCPCS", "--on", "2026-03-01",
             today="2026-12-02", monkeypatch=monkeypatch)
    assert r.exit_code == 3 and "2020-01-01 to 2020-12-31" in r.stderr
    assert "medcode data fetch hcpcs --quarter 2026Q1" in r.stderr
    r = _run(hcpcs_store_path, "validate", "J1100", "--system", "HCPCS", "--on", "2020-03-01",
             today="2026-12-02", monkeypatch=monkeypatch)
    assert r.exit_code == 0
    r = _run(hcpcs_store_path, "lookup", "J1100", "--system", "HCPCS", "--on", "2026-03-01",
             today="2026-12-02", monkeypatch=monkeypatch)
    assert r.exit_code == 3


def test_fiscal_year():
    assert fiscal_year(dt.date(2026, 9, 30)) == 2026 and fiscal_year(dt.date(2026, 10, 1)) == 2027
