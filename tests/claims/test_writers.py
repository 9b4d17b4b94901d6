"""run_check and the four report writers (text, json, csv, html) on a small claim file."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from medcode.claims.report import run_check
from medcode.claims.writers import make_writer

CLAIMS = [
    {"id": "OK1", "patient": {"birth_date": "1960-04-02", "sex": "F"},
     "diagnoses": ["M17.11"], "lines": [{"code": "20610", "modifiers": ["RT"], "units": 1,
                                         "charge": 120.0, "date": "2026-05-04",
                                         "pointers": [1]}]},
    {"id": "BAD2", "patient": {"birth_date": "1960-04-02", "sex": "M"},
     "diagnoses": ["E11", "<script>alert(1)</script>", "N95.2"],
     "lines": [{"code": "99213", "units": 1, "date": "2026-05-04", "pointers": [1, 3]},
               {"code": "20610", "date": "2026-05-04", "pointers": [9]}]},
    {"id": "=WARN3", "patient": {"birth_date": "1960-04-02", "sex": "M"},
     "diagnoses": ["I10", "Z00.00"], "lines": [{"code": "99214", "date": "2026-05-04",
                                                  "pointers": [1, 2]}]},
]


@pytest.fixture
def claim_file(tmp_path: Path) -> Path:
    p = tmp_path / "claims.jsonl"
    lines = [json.dumps(c) for c in CLAIMS]
    lines.insert(2, "{not json")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def report(store: Any, path: Path, fmt: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_check(path, None, fmt, out, store, err=err)
    return code, out.getvalue(), err.getvalue()


def test_json_report(store: Any, claim_file: Path) -> None:
    code, out, _ = report(store, claim_file, "json")
    doc = json.loads(out)
    assert code == 1
    assert [c["claim"] for c in doc["claims"]] == ["OK1", "BAD2", "#3", "=WARN3"]
    assert [c["status"] for c in doc["claims"]] == ["pass", "fail", "fail", "warn"]
    s = doc["summary"]
    assert s["claims"] == 4 and s["status"] == {"pass": 1, "warn": 1, "fail": 2}
    assert s["unreadable_records"] == 1 and s["format"] == "jsonl"
    assert s["by_edit"]["DX-HEADER"] == 1 and s["by_edit"]["CLAIM-FORMAT"] == 1
    assert sum(s["findings"].values()) == sum(len(c["findings"]) for c in doc["claims"])


def test_csv_report(store: Any, claim_file: Path) -> None:
    code, out, _ = report(store, claim_file, "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1 and rows[0]["claim"] == "OK1"
    assert {r["claim"] for r in rows} == {"OK1", "BAD2", "#3", "'=WARN3"}   # no formula
    header = next(r for r in rows if r["edit"] == "DX-HEADER")
    assert header["severity"] == "error" and header["codes"] == "E11" and header["line"] == ""
    ptr = next(r for r in rows if r["edit"] == "PTR-RANGE")
    assert ptr["line"] == "2" and ptr["fix"]
    n_findings = sum(1 for r in rows if r["edit"])
    assert n_findings == len(rows) - sum(1 for r in rows if not r["edit"])


def test_text_report(store: Any, claim_file: Path) -> None:
    code, out, _ = report(store, claim_file, "text")
    assert code == 1
    assert "OK1  PASS" in out and "BAD2  FAIL" in out and "=WARN3  WARN" in out
    assert "DX-HEADER" in out and "fix: " in out
    assert "Summary: 4 claims checked: 1 pass, 1 warn, 2 fail" in out
    assert "\x1b[" not in out                        # no colour into a non-terminal


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.seen.append(tag)
        self.scripts += tag == "script"
        if tag not in ("meta", "br", "rect", "i", "col"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("rect", "i"):
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_one_balanced_page(store: Any, claim_file: Path) -> None:
    code, out, _ = report(store, claim_file, "html")
    assert code == 1 and out.startswith("<!DOCTYPE html>")
    p = _Tags()
    p.feed(out)
    p.close()
    assert p.stack == [] and p.scripts == 0           # balanced, no script at all
    assert "style" in p.seen and "svg" in p.seen and "http" not in out.split("<svg")[0]
    text = " ".join(p.text)
    assert "Claim BAD2" in text and "Claim OK1" not in text   # clean claims only counted
    assert "<script>alert(1)</script>" not in out and "&lt;script&gt;" in out
    assert "Errors and warnings by edit" in text and "DX-HEADER" in text


def test_html_caps_the_detailed_claims(store: Any, tmp_path: Path) -> None:
    from medcode.claims.engine import check_claims
    from medcode.claims.formats import claim_from_dict
    from medcode.claims.report import Summary
    out = io.StringIO()
    w = make_writer("html", out)
    w.max = 2                                          # type: ignore[attr-defined]
    summary = Summary("x", "jsonl")
    w.start({"source": "x"})
    bad = claim_from_dict(CLAIMS[1])
    for r in check_claims([bad] * 5, store):
        summary.add(r)
        w.claim(r)
    summary.done()
    w.finish(summary)
    assert out.getvalue().count("<article") == 2 and "3 more claims with problems" in \
        out.getvalue()


def test_exit_codes(store: Any, tmp_path: Path) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps(CLAIMS[0]) + "\n", encoding="utf-8")
    assert report(store, clean, "json")[0] == 0
    code, out, err = report(store, tmp_path / "missing.jsonl", "text")
    assert code == 2 and out == "" and "missing.jsonl" in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert report(store, empty, "json")[0] == 2


def test_output_to_a_path_and_progress(store: Any, claim_file: Path, tmp_path: Path) -> None:
    seen: list[int] = []
    target = tmp_path / "out.csv"
    code = run_check(claim_file, "jsonl", "csv", target, store, progress=seen.append,
                     err=io.StringIO())
    assert code == 1 and seen == [4]
    text = target.read_bytes()
    assert text.startswith(b"claim,status,severity") and b"\r\n" in text


def test_unknown_output_format() -> None:
    with pytest.raises(ValueError, match="unknown output format"):
        make_writer("pdf", io.StringIO())


def test_x12_many_claims_file(store: Any) -> None:
    path = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "x12" / \
        "imsweb" / "x12_many_claims.txt"
    if not path.is_file():
        pytest.skip(f"{path.name} is absent (not redistributable: "
                    "other projects' X12 samples are read from ../shared/data)")
    code, out, _ = report(store, path, "json")
    doc = json.loads(out)
    assert doc["summary"]["claims"] == 820 and doc["summary"]["format"] == "x12"
    # dates of 2005 with ICD-9-CM (BK/BF): no ICD-10 or DX-ICD9-AFTER-2015 finding
    edits = set(doc["summary"]["by_edit"])
    assert "DX-ICD9-AFTER-2015" not in edits and "DX-RELEASE" not in edits
    assert code == 1          # 478331 is not a procedure code (PX-FORMAT)


def test_bad_output_format_or_target(store: Any, claim_file: Path, tmp_path: Path) -> None:
    err = io.StringIO()
    assert run_check(claim_file, None, "pdf", io.StringIO(), store, err=err) == 2
    assert "unknown output format 'pdf'" in err.getvalue()
    err = io.StringIO()
    target = tmp_path / "no-such-dir" / "out.json"
    assert run_check(claim_file, None, "json", target, store, err=err) == 2
    assert "cannot write" in err.getvalue() and not target.exists()
