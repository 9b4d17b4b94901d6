"""The readers' fast paths give the claims their general paths give (issue 14: claim reading
was made fast; no claim may change): the JSON line of the common shape, the remembered
dates, and Arrow batches whose values need no conversion."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from medcode.claims.formats import jsonfmt, values
from medcode.claims.formats.arrowfmt import batch_items, nested_items


def _all(line: object) -> tuple:
    """Every field of a line, those left out of == (extra) too."""
    return tuple(getattr(line, f.name) for f in dataclasses.fields(line))  # type: ignore[arg-type]


CODES = ["99213", " 99213 ", "J1100", "", "  ", 99213, None]
MODS = [None, [], ["25"], [" XS ", ""], ["25", 59], "25", ("25",)]
UNITS = [None, 1, 2.5, 0, -1, True, "2", float("nan")]
CHARGES = [None, 80.0, 0, -5, "12.50", False]
POINTERS = [None, [], [1, 2, 3], [0], [1, True], [1.0], ["A"], "1;2", 2]
DATES = [None, "2026-03-04", "2026-02-30", "20260304", "03/04/2026", "", 20260304,
         "2026-03-04T10:00"]


def test_json_line_fast_path_equals_general_path():
    taken = 0
    for code, mods, units, charge, ptrs, date in itertools.product(
            CODES, MODS, UNITS, CHARGES, POINTERS, DATES):
        obj = {"code": code, "modifiers": mods, "units": units, "charge": charge,
               "pointers": ptrs, "date": date}
        try:
            general = _all(jsonfmt._line_general(obj, 2))
        except (ValueError, TypeError) as exc:
            general = type(exc)
        fast = jsonfmt._line_fast(obj, 2)
        if fast is not None:
            taken += 1
            assert _all(fast) == general or (units != units and str(_all(fast)) == str(
                general)), obj
        try:
            through = _all(jsonfmt._line(obj, 2))
        except (ValueError, TypeError) as exc:
            through = type(exc)
        assert str(through) == str(general), obj
    assert taken > 1000          # the fast path is taken for the common shapes


def test_json_line_with_other_keys_keeps_them():
    line = jsonfmt._line({"code": "99213", "units": 1, "revenue_code": "0450"}, 1)
    assert line.extra == {"revenue_code": "0450"}


def test_remembered_dates_answer_as_parsed(monkeypatch):
    monkeypatch.setattr(values, "_DATES_MAX", 3)
    monkeypatch.setattr(values, "_DATES", {})
    texts = ["2026-03-04", "2026-02-30", "20260304", " 03/04/2026 ", "", "2026-03-04"] * 3
    for t in texts:
        assert values.parse_date(t) == values._parse_date(t), t
        assert len(values._DATES) <= 3
    assert values.parse_date("2026-03-04") == (dt.date(2026, 3, 4), None)
    assert values.parse_date("2026-02-30") == (None, "2026-02-30")


def test_arrow_batch_items_equal_converted_rows():
    pa = pytest.importorskip("pyarrow")
    rows = [{"id": "A1", "patient": {"birth_date": "1960-04-02", "sex": "F"},
             "diagnoses": ["E11.9", "I10"],
             "lines": [{"code": "99213", "modifiers": ["25"], "units": 1.0, "charge": 80.0,
                        "date": "2026-03-04", "pointers": [1, 2]}]},
            {"id": "A2", "patient": None, "diagnoses": None, "lines": None},
            {"id": None, "patient": {"birth_date": None, "sex": "X"}, "diagnoses": [],
             "lines": [{"code": "J1100", "modifiers": None, "units": None, "charge": None,
                        "date": "2026-02-30", "pointers": [0]}]}]
    batch = pa.RecordBatch.from_pylist(rows)
    got = [repr(x) if not hasattr(x, "lines") else (x, [_all(ln) for ln in x.lines])
           for x in batch_items(batch, "t", 0)]
    want = [repr(x) if not hasattr(x, "lines") else (x, [_all(ln) for ln in x.lines])
            for x in nested_items(batch.to_pylist(), "t", 0)]
    assert got == want
    assert len(got) == 3


def test_arrow_dates_are_still_converted():
    pa = pytest.importorskip("pyarrow")
    batch = pa.RecordBatch.from_pylist([{"id": "D1", "lines": [
        {"code": "99213", "date": dt.date(2026, 3, 4), "pointers": [1]}],
        "diagnoses": ["I10"]}])
    (claim,) = list(batch_items(batch, "t", 0))
    assert claim.lines[0].date == dt.date(2026, 3, 4)
    assert claim.lines[0].raw_date is None
