"""The engine: streaming, statuses, unreadable records, edit selection, the catalog."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medcode.claims.engine import ClaimResult, check_claim, check_claims, edit_catalog
from medcode.errors import ClaimFormatError
from medcode.models import Claim, ClaimLine, Finding, Patient

RULES = Path(__file__).resolve().parents[2] / ".." / "shared" / "RULES.md"
_DX = ["E11.9", "I10", "E78.5", "J45.909", "M17.11", "K21.9", "E11", "Z00.00", "F02.80",
       "S72.001", "N40.0", "E10.9"]
_PX = ["99213", "99214", "20610", "36415", "85025", "J1100", "11042"]


def claims(n: int, start: int = 0) -> Iterator[Claim]:
    """A generator of claims, made on the fly (nothing kept)."""
    day = dt.date(2026, 3, 2)
    for i in range(start, start + n):
        dx = tuple(_DX[(i * k) % len(_DX)] for k in (1, 3, 7))
        lines = tuple(ClaimLine(_PX[(i + k) % len(_PX)], ("25",) if k == 0 else (), 1, 50.0,
                                day + dt.timedelta(days=i % 90), (1, 2, 3), k + 1)
                      for k in range(3))
        yield Claim(f"C{i}", Patient(dt.date(1950 + i % 50, 1 + i % 12, 1), "FM"[i % 2]), dx,
                    lines)


def test_results_follow_the_input_one_by_one(store: Any) -> None:
    results = check_claims(claims(5), store)
    assert iter(results) is results                   # a generator, not a list
    assert [r.claim for r in results] == [f"C{i}" for i in range(5)]


def test_streaming_memory_stays_flat(store: Any) -> None:
    """tracemalloc peaks while checking 10,000 and 50,000 generated claims: the second is
    not larger than the first by more than a small margin (caches are bounded, results are
    not kept)."""
    def peak(n: int, start: int) -> int:
        tracemalloc.reset_peak()
        count = sum(1 for _ in check_claims(claims(n, start), store))
        assert count == n
        return tracemalloc.get_traced_memory()[1]

    for _ in check_claims(claims(2000), store):   # warm the bounded caches
        pass
    tracemalloc.start()
    try:
        p10 = peak(10_000, 2000)
        p50 = peak(50_000, 12_000)
    finally:
        tracemalloc.stop()
    print(f"\ntracemalloc peak: 10k claims {p10 / 1e6:.2f} MB, 50k claims {p50 / 1e6:.2f} MB")
    assert p50 < p10 * 1.25 + 2_000_000


def test_unreadable_records_become_failed_results(store: Any) -> None:
    good = next(claims(1))
    items: list[Claim | ClaimFormatError] = [
        good, ClaimFormatError("is not valid JSON: Expecting value at column 1",
                               "claims.jsonl: line 2"), good]
    results = list(check_claims(items, store))
    assert [r.status for r in results][1] == "fail"
    bad = results[1]
    (f,) = bad.findings
    assert f.edit == "CLAIM-FORMAT" and f.severity == "error"
    assert "claims.jsonl: line 2" in f.message and "not valid JSON" in f.message
    assert bad.claim == "#2" and bad.source == "claims.jsonl: line 2"
    assert results[0].claim == results[2].claim == "C0"


def test_a_reader_that_fails_part_way_keeps_the_results_before(store: Any) -> None:
    def items() -> Iterator[Claim]:
        yield from claims(3)
        raise ClaimFormatError("broken ISA header", "x.edi: segment 40")
    seen = []
    with pytest.raises(ClaimFormatError):
        for r in check_claims(items(), store):
            seen.append(r.claim)
    assert seen == ["C0", "C1", "C2"]


def test_status_from_the_worst_finding() -> None:
    def f(sev: str) -> Finding:
        return Finding("X", sev, "c", None, (), "m", "r")
    assert ClaimResult("c", ()).status == "pass"
    assert ClaimResult("c", (f("info"),)).status == "pass"
    assert ClaimResult("c", (f("info"), f("warning"))).status == "warn"
    assert ClaimResult("c", (f("warning"), f("error"))).status == "fail"


def test_as_dict_is_the_contract(store: Any) -> None:
    claim = Claim("K1", Patient(dt.date(1960, 4, 2), "F"), ("E11", "I10"),
                  (ClaimLine("99213", ("25",), 1, 120.0, dt.date(2026, 5, 4), (1, 2), 1),))
    d = check_claim(claim, store).as_dict()
    assert set(d) == {"claim", "status", "findings"} and d["claim"] == "K1"
    assert d["status"] == "fail"
    f = d["findings"][0]
    assert set(f) == {"edit", "severity", "claim", "line", "codes", "message", "reference",
                      "fix"}
    assert f["edit"] == "DX-HEADER" and f["codes"] == ["E11"] and f["claim"] == "K1"


def test_findings_are_sorted_errors_first(store: Any) -> None:
    r = check_claim(next(claims(1, 6)), store)
    ranks = [{"error": 0, "warning": 1, "info": 2}[f.severity] for f in r.findings]
    assert ranks == sorted(ranks) and r.findings


def test_selected_edits_only(store: Any) -> None:
    claim = Claim("S", Patient(), ("E11", "E11"), (ClaimLine("99213", (), 1, None,
                                                             dt.date(2026, 5, 4), (1,), 1),))
    only = check_claim(claim, store, edits={"dx-dup"})
    assert [f.edit for f in only.findings] == ["DX-DUP"]
    with pytest.raises(ValueError, match="unknown edit ID"):
        check_claims([claim], store, edits={"NOPE"})


def test_the_default_store_is_used_when_none_is_given(store_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCODE_HOME", str(store_path.parent))
    r = check_claim(Claim("D", Patient(), ("E11.9",), ()), None, edits={"DX-INVALID"})
    assert r.status == "pass"


def test_every_catalog_edit_is_implemented_or_said_not_to_be() -> None:
    """The edit IDs of RULES.md's catalog: each runs, except those listed as not
    implemented (with the reason)."""
    if not RULES.is_file():
        pytest.skip(f"{RULES} (the design's edit catalog, beside the repository) is absent")
    table = RULES.read_text(encoding="utf-8").split("## Catalog", 1)[1]
    ids = set(itertools.chain.from_iterable(
        re.findall(r"[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)+", row.split("|")[1])
        for row in table.splitlines() if row.startswith("| ") and "---" not in row))
    catalog = {e["id"]: e for e in edit_catalog()}
    assert ids and ids <= set(catalog), ids - set(catalog)
    missing = {i for i in ids if catalog[i]["implemented"] == "no"}
    assert missing == {"ADDON-NO-PRIMARY"}
    severities = {"SYS-MIXUP": "error", "DX-DUP": "warning", "DX-EXCL1": "warning",
                  "DX-USE-ADDITIONAL": "info", "PTR-UNUSED": "info", "MOD-25": "warning",
                  "NCCI-PTP": "error", "DX-AGE": "warning", "DX-SEX": "warning",
                  "LINE-UNITS": "error", "LINE-CHARGE": "error", "CLAIM-TOTAL": "warning",
                  "PX-OTHER-SYSTEM": "info", "DX-SUPPLEMENTARY-FIRST": "error"}
    assert {k: catalog[k]["severity"] for k in severities} == severities


def test_references_name_the_typical_denial(store: Any) -> None:
    claim = Claim("R", Patient(dt.date(1990, 1, 1), "M"), ("N95.2", "E11"),
                  (ClaimLine("99213", (), 1, None, dt.date(2026, 5, 4), (1, 2), 1),))
    refs = {f.edit: f.reference for f in check_claim(claim, store).findings}
    assert refs["DX-HEADER"].endswith("payers deny with CARC 16")
    assert refs["DX-SEX"].endswith("payers deny with CARC 10")
