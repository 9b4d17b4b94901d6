"""Format detection and the read_claims entry point (sources, names, unreadable input)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from medcode.claims.formats import ClaimReader, Format, detect_format, read_claims
from medcode.errors import ClaimFormatError
from medcode.models import Claim

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"
ONE = (b'{"id": "C1", "diagnoses": ["E11.9"], '
       b'"lines": [{"code": "99213", "pointers": [1]}]}')


@pytest.mark.parametrize("head, name, expected", [
    (b"ISA*00*          *00*", None, Format.x12),
    (b"\xef\xbb\xbf\r\n  ISA|00|", None, Format.x12),
    (b"GS*HC*SENDER*RECEIVER", None, Format.x12),          # so the X12 reader says "no ISA"
    (b'{"resourceType": "Claim", "id": "x"}', None, Format.fhir),
    (b'{\n  "resourceType" : "Bundle",\n "type": "collection"}', None, Format.fhir),
    (b'{"resourceType":"Patient"}\n{"resourceType":"Claim"}\n', None, Format.fhir),
    (b"[" + ONE + b"]", None, Format.json),
    (b"{\n  \"id\": \"C1\"\n}\n", None, Format.json),
    (ONE, None, Format.json),
    (ONE + b"\n", "claims.jsonl", Format.jsonl),
    (ONE + b"\n" + ONE + b"\n", None, Format.jsonl),
    (b"claim_id,code\nC1,99213\n", None, Format.csv),
    (b"Claim ID\tCPT\nC1\t99213\n", "x.tsv", Format.csv),
    (b"ISAAC,NEWTON\n", None, Format.csv),                 # a word, not a segment
])
def test_detect_format(head: bytes, name: str | None, expected: Format) -> None:
    assert detect_format(head, name) is expected


@pytest.mark.parametrize("head", [b"", b"  \r\n\t", b"\xef\xbb\xbf"])
def test_detect_format_refuses_empty_input(head: bytes) -> None:
    with pytest.raises(ClaimFormatError, match="empty") as info:
        detect_format(head, "in.csv")
    assert info.value.where == "in.csv"


def test_detect_format_refuses_binary() -> None:
    with pytest.raises(ClaimFormatError, match="binary"):
        detect_format(b"PK\x03\x04\x00\x00rest", "claims.zip")


def test_format_parse_accepts_names_and_aliases() -> None:
    assert Format.parse("JSONL") is Format.jsonl
    assert Format.parse("ndjson") is Format.jsonl
    assert Format.parse("837P") is Format.x12
    assert Format.parse(Format.csv) is Format.csv
    assert Format("fhir").value == "fhir"
    with pytest.raises(ValueError, match="unknown claim format 'xml'"):
        Format.parse("xml")


def _ids(reader: ClaimReader) -> list[str]:
    return [c.id if isinstance(c, Claim) else "ERR" for c in reader]


def test_read_claims_from_path_bytes_and_file_objects(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_bytes(ONE)
    assert _ids(read_claims(path)) == ["C1"]
    assert _ids(read_claims(str(path))) == ["C1"]
    assert _ids(read_claims(ONE)) == ["C1"]
    assert _ids(read_claims(io.BytesIO(ONE))) == ["C1"]
    assert _ids(read_claims(io.StringIO(ONE.decode()))) == ["C1"]
    with open(path, encoding="utf-8") as text_fp:
        assert _ids(read_claims(text_fp)) == ["C1"]


def test_read_claims_reports_format_and_name() -> None:
    reader = read_claims(ONE, name="upload.json")
    assert reader.format is Format.json and reader.name == "upload.json"
    claim = next(reader)
    assert claim.source == "upload.json"
    reader = read_claims(DATA / "claims.csv", "csv")
    assert reader.format is Format.csv
    reader.close()


def test_read_claims_closes_the_file_it_opened() -> None:
    with read_claims(DATA / "claims.jsonl") as reader:
        next(reader)
        fp = reader._src._owned
        assert fp is not None and not fp.closed
    assert fp.closed


def test_unreadable_inputs_raise_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ClaimFormatError, match="no such file") as info:
        read_claims(tmp_path / "missing.csv")
    assert info.value.where == str(tmp_path / "missing.csv")
    with pytest.raises(ClaimFormatError, match="is a directory"):
        read_claims(tmp_path)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n\n")
    with pytest.raises(ClaimFormatError, match="empty") as info:
        read_claims(empty)
    assert str(empty) in str(info.value)
    with pytest.raises(ClaimFormatError, match="empty"):
        read_claims(b"", fmt="csv")
    with pytest.raises(ClaimFormatError, match=r"not valid JSON: .* line 1"):
        read_claims(b"[{\"id\": 1,,}]")
    with pytest.raises(ClaimFormatError, match="no claim_id and no code column"):
        read_claims(b"name,age\nAda,36\n")
    with pytest.raises(TypeError):
        read_claims(12345)  # type: ignore[arg-type]


def test_explicit_format_overrides_detection() -> None:
    # a JSON document read as CSV has no claim_id column: said clearly, not guessed around
    with pytest.raises(ClaimFormatError, match="not a claim CSV"):
        read_claims(ONE, Format.csv)
