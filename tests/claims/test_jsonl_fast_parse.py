"""JSON Lines read with orjson (when installed) give the claims and errors json.loads gives,
including the lines orjson refuses or would read differently (integers past 64 bits)."""

from __future__ import annotations

import io

import pytest

from medcode.claims.formats import jsonfmt

LINES = [
    b'{"id":"A","lines":[{"code":"99213","units":18446744073709551616,"charge":1e400}]}',
    b'{"id":"B","lines":[{"code":"99213","units":NaN}]}',
    b'{"id":"C\\ud800","diagnoses":["E11.9"]}',
    b'{"id":"D","diagnoses":["E11.9"],"x":"\xff"}',
    b'{"id":"E","diagnoses":["E11.9"]',
    b'{"id":"F","id":"G","lines":[{"code":" 99213 ","modifiers":[" 25",""],'
    b'"pointers":[1,2],"units":2.50,"charge":-0}]}',
    b'{"id":123456789012345678901,"lines":[]}',
    b"   ",
    b"[1,2]",
    b'{"id":"H","diagnoses":[1]}',
    b'{"id":"I","extra_thing":{"deep":[1,2.5e-3,"x"]}}',
    b'{"id":"J","patient":{"birth_date":"1960-01-01","sex":"F","weird":1}}\r',
]


def _read() -> list[str]:
    data = b"\xef\xbb\xbf" + b"\n".join(LINES) + b"\n"
    out = []
    for item in jsonfmt.read_jsonl(io.BytesIO(data), "f.jsonl"):
        out.append(repr(item) if isinstance(item, Exception) else
                   repr(item) + repr(jsonfmt.claim_to_dict(item)))
    return out


def test_fast_parser_reads_what_json_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    if jsonfmt._fast_loads is None:
        pytest.skip("orjson is not installed")
    fast = _read()
    monkeypatch.setattr(jsonfmt, "_fast_loads", None)
    assert fast == _read()
    assert "units=18446744073709551616" in fast[0]       # an int, as json reads it
    assert len(fast) == 11
