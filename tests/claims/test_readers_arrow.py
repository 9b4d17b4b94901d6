"""Parquet and Arrow claims: both layouts give the claims the JSON and CSV readers give."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from medcode.claims.formats import Format, claim_to_dict, detect_format, read_claims  # noqa: E402
from medcode.claims.formats.arrowfmt import claims_table  # noqa: E402
from medcode.errors import ClaimFormatError  # noqa: E402

JSONL = b"\n".join([
    b'{"id": "A1", "patient": {"birth_date": "1960-04-02", "sex": "F"}, '
    b'"diagnoses": ["E11.9", "I10"], "lines": [{"code": "99213", "modifiers": ["25"], '
    b'"units": 1, "charge": 120.0, "date": "2026-05-04", "pointers": [1, 2]}, '
    b'{"code": "20610", "modifiers": [], "units": 2, "charge": 80.5, "date": "2026-05-04", '
    b'"pointers": [1]}]}',
    b'{"id": "A2", "patient": {"birth_date": "1990-01-31", "sex": "M"}, '
    b'"diagnoses": ["S72.001"], "lines": [{"code": "27236", "modifiers": [], "units": 1, '
    b'"charge": 900, "date": "2026-02-30", "pointers": [1]}]}',
]) + b"\n"


def _contract(claims: list) -> list[dict]:
    out = []
    for c in claims:
        d = claim_to_dict(c)
        for ln in d["lines"]:
            ln.pop("line", None)                     # the flat layout's own line number
        out.append({k: d[k] for k in ("id", "patient", "diagnoses", "lines")})
    return out


def _write(table: object, path: Path) -> Path:
    pq.write_table(table, path)
    return path


def test_nested_and_flat_parquet_give_the_jsonl_claims(tmp_path: Path) -> None:
    want = list(read_claims(JSONL, "jsonl"))
    for layout in ("nested", "flat"):
        path = _write(claims_table(want, layout), tmp_path / f"{layout}.parquet")
        with read_claims(path) as reader:
            assert reader.format is Format.parquet
            got = list(reader)
        assert _contract(got) == _contract(want), layout
        # the date that did not parse survives as given, and is still reported as such
        assert got[1].lines[0].date is None and got[1].lines[0].raw_date == "2026-02-30"
        assert got[0].source == f"{path}: row 1" if layout == "nested" else \
            got[0].source == f"{path}: rows 1-2"


def test_typed_columns_date_decimal_lists(tmp_path: Path) -> None:
    """Columns as a warehouse has them: date32, decimal charges, list modifiers, int ids."""
    import decimal
    table = pa.table({
        "CLAIM_ID": pa.array([7, 7, 8], pa.int64()),
        "Dx1": ["E11.9", "E11.9", "O80"], "dx2": ["I10", "I10", None],
        "CPT": ["99213", "36415", "59400"],
        "modifiers": pa.array([["25"], [], None], pa.list_(pa.string())),
        "units": pa.array([1, 1, 1], pa.int32()),
        "charge": pa.array([decimal.Decimal("120.00"), decimal.Decimal("9.50"), None],
                           pa.decimal128(9, 2)),
        "dos": pa.array([dt.date(2026, 3, 2)] * 3, pa.date32()),
        "dob": pa.array([dt.date(1950, 1, 1)] * 2 + [dt.date(1995, 6, 1)], pa.date32()),
        "sex": ["F", "F", "F"]})
    claims = list(read_claims(_write(table, tmp_path / "t.parquet")))
    assert [c.id for c in claims] == ["7", "8"]
    a = claims[0]
    assert a.diagnoses == ("E11.9", "I10")
    assert [ln.code for ln in a.lines] == ["99213", "36415"]
    assert a.lines[0].modifiers == ("25",) and a.lines[1].modifiers == ()
    assert a.lines[0].charge == 120 and a.lines[1].charge == 9.5
    assert a.lines[0].date == dt.date(2026, 3, 2)
    assert a.patient.birth_date == dt.date(1950, 1, 1) and a.patient.sex == "F"
    assert claims[1].diagnoses == ("O80",) and claims[1].lines[0].charge is None


def test_arrow_ipc_file_and_stream(tmp_path: Path) -> None:
    want = list(read_claims(JSONL, "jsonl"))
    table = claims_table(want, "flat")
    import pyarrow.feather as feather
    import pyarrow.ipc as ipc
    feather.write_feather(table, tmp_path / "c.arrow")
    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    for src in (tmp_path / "c.arrow", sink.getvalue()):
        with read_claims(src) as reader:
            assert reader.format is Format.arrow
            assert _contract(list(reader)) == _contract(want)


def test_detection() -> None:
    assert detect_format(b"PAR1\x15\x04\x00") is Format.parquet
    assert detect_format(b"ARROW1\x00\x00") is Format.arrow
    assert detect_format(b"\xff\xff\xff\xff\x10\x00") is Format.arrow
    assert Format.parse("feather") is Format.arrow and Format.parse("pq") is Format.parquet


def test_flat_rules_as_in_csv(tmp_path: Path) -> None:
    """No claim id: an error naming the row; a claim whose rows are not adjacent: an error."""
    table = pa.table({"claim_id": ["A", "A", None, "B", "A"],
                      "code": ["99213", "36415", "99212", "99214", "85025"],
                      "dx1": ["E11.9", "E11.9", "I10", "I10", "E11.9"]})
    items = list(read_claims(_write(table, tmp_path / "f.parquet")))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Claim", "ClaimFormatError", "Claim", "ClaimFormatError"]
    assert items[1].where.endswith("f.parquet: row 3") and "no claim_id" in items[1].reason
    assert "appears again" in items[3].reason and items[3].where.endswith("row 5")


def test_not_a_claims_table_and_broken_file(tmp_path: Path) -> None:
    path = _write(pa.table({"member": ["x"], "amount": [1.0]}), tmp_path / "other.parquet")
    with pytest.raises(ClaimFormatError, match="is not a claims table.*member, amount"):
        read_claims(path)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(ClaimFormatError, match="not a readable Parquet file"):
        read_claims(bad)


def _items_as_text(items: list) -> list:
    return [("error", str(x), x.where) if isinstance(x, ClaimFormatError) else
            ("claim", repr(x), repr(claim_to_dict(x)), x.source) for x in items]


def test_columnar_nested_batches_give_the_row_by_row_items() -> None:
    """The nested layout's usual columns are read column by column (no dict per row); each
    item, odd rows included (null lines, lists with nulls, blank ids, values the JSON
    reader's fast path refuses), is the item the row-by-row reading of ``to_pylist`` gives."""
    from medcode.claims.formats.arrowfmt import _columnar_items, _columnar_shape, nested_items
    s = pa.string()
    line = pa.struct([("code", s), ("modifiers", pa.list_(s)), ("units", pa.int64()),
                      ("charge", pa.float32()), ("date", s),
                      ("pointers", pa.large_list(pa.int8()))])
    schema = pa.schema([("id", s), ("patient", pa.struct([("birth_date", s), ("sex", s)])),
                        ("diagnoses", pa.list_(s)), ("lines", pa.list_(line))])
    good = {"code": "99213", "modifiers": [" 25"], "units": 1, "charge": 80.0,
            "date": "2026-05-04", "pointers": [1]}
    rows = [
        {"id": "A", "patient": None, "diagnoses": None, "lines": None},
        {"id": " B ", "patient": {"birth_date": None, "sex": "female"},
         "diagnoses": ["E11.9", None], "lines": [good]},
        {"id": "C", "patient": {"birth_date": "2001-13-01", "sex": None},
         "diagnoses": [" I10 ", ""], "lines": [None, good]},
        {"id": "D", "patient": {"birth_date": "2001-01-01", "sex": "x"}, "diagnoses": [],
         "lines": [dict(good, modifiers=["25", None], pointers=[1, 0])]},
        {"id": "E", "patient": {"birth_date": "20010101", "sex": "M"}, "diagnoses": ["Z00.00"],
         "lines": [{"code": ""}, dict(good, units=0, charge=-3, date=None, pointers=[2, 2])]},
        {"id": None, "patient": None, "diagnoses": ["E11.9"], "lines": []},
        {"id": "  ", "patient": None, "diagnoses": ["E11.9"], "lines": []},
        {"id": "G", "patient": {"birth_date": "1990-05-05", "sex": "F"}, "diagnoses": ["E11.9"],
         "lines": [{"code": "99213", "date": "05/04/2026"}, dict(good, date="2026-05-04T10:00")]},
    ]
    table = pa.Table.from_pylist(rows * 2, schema=schema)
    batch = table.to_batches()[0]
    assert _columnar_shape(batch.schema)
    for part in (batch, batch.slice(2, 9), batch.slice(10), table.select(["id", "lines"])
                 .to_batches()[0]):
        got = _items_as_text(list(_columnar_items(part, "t.parquet", 4)))
        want = _items_as_text(list(nested_items(part.to_pylist(), "t.parquet", 4,
                                                converted=True)))
        assert got == want
        assert any(g[0] == "error" for g in got) and any(g[0] == "claim" for g in got)
    assert not _columnar_shape(pa.schema([("id", s), ("lines", pa.list_(pa.struct(
        [("code", s), ("date", pa.date32())])))]))     # a date column: the general path
