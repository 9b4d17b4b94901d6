"""HL7 tx-ecosystem test cases adapted to ICD-10-CM (cases.json, responses/), run against the
real app over the session store, compared the way the suite's runner compares (tx_compare.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the [api] extra (fastapi) is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tx_compare import diff  # noqa: E402
from tx_runner import check, load_cases  # noqa: E402

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(client, case):
    problem = check(client, case)
    assert problem is None, f"{case['name']} (from {case['source']}): {problem}"


# -- the comparison itself --------------------------------------------------------------------
def test_compare_objects_are_strict_both_ways():
    assert diff({"a": 1}, {"a": 1}) is None
    assert "unexpected property 'b'" in diff({"a": 1}, {"a": 1, "b": 2})
    assert "missing property 'b'" in diff({"a": 1, "b": 2}, {"a": 1})
    assert diff({"$optional-properties$": ["b"], "a": 1, "b": 2}, {"a": 1}) is None
    assert diff({"a": 1}, {"a": 1, "b": 2}, pattern=True) is None


def test_compare_arrays_ignore_order_and_honour_optional():
    expected = [{"name": "x"}, {"name": "y", "$optional$": True}, {"name": "z"}]
    assert diff(expected, [{"name": "z"}, {"name": "x"}]) is None
    assert diff(expected, [{"name": "z"}, {"name": "y"}, {"name": "x"}]) is None
    assert "missing" in diff(expected, [{"name": "y"}, {"name": "x"}])
    assert "no expected item" in diff(expected, [{"name": "x"}, {"name": "z"}, {"name": "w"}])


def test_compare_templates():
    assert diff("$uuid$", "urn:uuid:0b0a6f38-9b57-4b64-9d8b-3a9a7e5d4c21") is None
    assert diff("$uuid$", "0b0a6f38") is not None
    assert diff("$instant$", "2026-06-01T10:00:00+00:00") is None
    assert diff("$instant$", "2026-06-01") is not None
    assert diff("$choice:invalid|not-found$", "not-found") is None
    assert diff("$external:1:E11.9|FY2026$", "Unknown code 'E11.9' ... 'FY2026'") is None
    assert diff("$external:1:E11.9|FY2026$", "Unknown code 'E11.9'") is not None
    assert diff("$version$", "4.0.1") is None
