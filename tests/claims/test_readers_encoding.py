"""X12 (and the other formats) in UTF-16 and Latin-1: read, or refused naming the encoding."""

from __future__ import annotations

import codecs

import pytest

from medcode.claims.formats import read_claims
from medcode.errors import ClaimFormatError

from .test_file_problems import ONE

NAMED = ONE.replace("NM1*IL*1*DOE*JANE", "NM1*IL*1*MUÑOZ*JOSÉ").replace(
    "IEA*1*000000999", "IEA*1*000000001")


def _read(data: bytes) -> list:
    with read_claims(data, name="f.837") as reader:
        return list(reader) + reader.file_problems


@pytest.mark.parametrize("data", [
    codecs.BOM_UTF16_LE + NAMED.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + NAMED.encode("utf-16-be"),
    NAMED.encode("utf-16-le"),                  # no byte-order mark
    NAMED.encode("utf-16-be"),
    NAMED.encode("latin-1"),
    NAMED.encode("utf-8"),
    codecs.BOM_UTF8 + NAMED.encode("utf-8"),
], ids=["utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "latin1", "utf8", "utf8-bom"])
def test_x12_in_every_encoding_reads_the_same_claim(data: bytes) -> None:
    (claim,) = _read(data)
    assert claim.id == "C1" and claim.diagnoses == ("J029",)
    assert claim.lines[0].code == "99213"


def test_utf16_json_is_read_too() -> None:
    body = '{"id": "U1", "diagnoses": ["J02.9"], "lines": [{"code": "99213"}]}'
    (claim,) = _read(codecs.BOM_UTF16_LE + body.encode("utf-16-le"))
    assert claim.id == "U1"


def test_undecodable_utf16_names_the_encoding() -> None:
    data = codecs.BOM_UTF16_LE + NAMED.encode("utf-16-le")[:200] + b"\x00\xdc" + b"I\x00" * 10
    with pytest.raises(ClaimFormatError, match="is UTF-16 LE text that cannot be decoded"):
        _read(data)


def test_utf32_is_refused_with_its_name() -> None:
    with pytest.raises(ClaimFormatError, match="is UTF-32 text"):
        _read(codecs.BOM_UTF32_LE + NAMED.encode("utf-32-le"))
