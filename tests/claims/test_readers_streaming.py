"""Readers stream: they stop reading early when only the first claims are asked for, and
X12 segmenting does not depend on where chunk boundaries fall."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from medcode.claims.formats import Format, read_claims
from medcode.claims.formats.x12 import read_x12

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


class CountingReader(io.RawIOBase):
    """A binary stream that records how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(b))
        b[:len(chunk)] = chunk
        self.consumed += len(chunk)
        return len(chunk)


def _big_jsonl(n: int) -> bytes:
    line = ('{"id": "C%d", "patient": {"birth_date": "1960-04-02", "sex": "F"}, '
            '"diagnoses": ["E11.9", "I10"], "lines": [{"code": "99213", "units": 1, '
            '"charge": 120.0, "date": "2026-05-04", "pointers": [1, 2]}]}\n')
    return "".join(line % i for i in range(n)).encode()


def _big_csv(n: int) -> bytes:
    rows = ["claim_id,dob,sex,dx1,dx2,code,units,charge,dos,pointers"]
    for i in range(n):
        rows.append(f"C{i},1960-04-02,F,E11.9,I10,99213,1,120,2026-05-04,1;2")
        rows.append(f"C{i},1960-04-02,F,E11.9,I10,36415,1,15,2026-05-04,1")
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("make, fmt", [(_big_jsonl, Format.jsonl), (_big_csv, Format.csv)])
def test_first_claim_is_read_without_reading_the_file(make, fmt) -> None:  # type: ignore[no-untyped-def]
    data = make(30000)
    stream = CountingReader(data)
    with read_claims(stream, name="big") as reader:
        assert reader.format is fmt
        first = next(reader)
        assert first.id == "C0"
        assert stream.consumed < 300_000 < len(data)
        assert sum(1 for _ in reader) == 29999
    assert stream.consumed == len(data)


@pytest.mark.parametrize("size", [1, 2, 7, 105, 106, 107, 4096])
def test_x12_chunk_boundaries_do_not_matter(size: int) -> None:
    data = (DATA / "two_interchanges.837").read_bytes()
    whole = list(read_x12([data], "f"))
    pieces = list(read_x12((data[i:i + size] for i in range(0, len(data), size)), "f"))
    assert [str(x) if isinstance(x, Exception) else dataclasses.astuple(x) for x in pieces] \
        == [str(x) if isinstance(x, Exception) else dataclasses.astuple(x) for x in whole]
    assert len(whole) == 3
