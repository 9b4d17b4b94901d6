"""CSV claims: one row per service line, grouped by adjacent claim_id rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from medcode.claims.formats import claim_to_dict, read_claims
from medcode.errors import ClaimFormatError
from medcode.models import Claim

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


def _items(source, fmt=None) -> list:
    with read_claims(source, fmt) as reader:
        return list(reader)


def test_csv_fixture_claims_and_errors_in_file_order() -> None:
    items = _items(DATA / "claims.csv")
    shown = [i.id if isinstance(i, Claim) else i.where.rsplit(": ", 1)[1] for i in items]
    assert shown == ["K1", "K2", "K3", "K4", "line 7", "line 9"]
    k1, k2, k3, k4 = (i for i in items if isinstance(i, Claim))
    assert k3.lines[0].extra["raw_units"] == "one"      # for LINE-UNITS, not a format error
    assert k1.patient.birth_date == dt.date(1960, 4, 2) and k1.patient.sex == "F"
    assert k1.diagnoses == ("E11.9", "I10")                 # dx1..dx3 columns, blank skipped
    assert [(ln.code, ln.modifiers, ln.units, ln.charge, ln.date, ln.pointers, ln.number)
            for ln in k1.lines] == [
        ("99213", ("25",), 1, 120.0, dt.date(2026, 5, 4), (1, 2), 1),
        ("36415", (), 1, 15.5, dt.date(2026, 5, 4), (1,), 2)]          # "$15.50", "A"
    assert k1.lines[0].extra == {"rendering_npi": "1234567893"}           # unknown column
    assert k1.source.endswith("claims.csv: lines 2-3")
    assert k2.diagnoses == ("S72.001A", "W19.XXXA", "Z79.01")
    line = k2.lines[0]
    assert line.modifiers == ("RT", "59") and line.units == 2
    assert line.charge == 2400.75 and line.date == dt.date(2026, 1, 15)   # "2,400.75", US date
    assert line.pointers == (1, 2, 3)                                      # "A,B,C"
    bad = k4.lines[0]
    assert bad.date is None and bad.raw_date == "2026-13-01"
    assert bad.pointers == (1,) and bad.raw_pointers == ("A", "Z")


def test_csv_errors_name_the_line_and_the_claim() -> None:
    errors = [i for i in _items(DATA / "claims.csv") if isinstance(i, ClaimFormatError)]
    assert [str(e) for e in errors] == [
        (f"{DATA / 'claims.csv'}: line 7: claim K1 appears again after other claims (its "
        "first rows end at line 3); the rows of one claim must be adjacent"),
        (f"{DATA / 'claims.csv'}: line 9: claim K5 not read: sex 'F' conflicts with 'M' on "
        "line 8"),
    ]


def test_tab_delimited_list_columns_and_aliases() -> None:
    t1, t2 = _items(DATA / "claims_list.tsv")
    assert t1.id == "T1" and t1.patient.birth_date == dt.date(1960, 4, 2)   # YYYYMMDD
    assert t1.diagnoses == ("E11.9", "I10", "Z79.4")                        # "E11.9|I10 | Z79.4"
    assert [(ln.code, ln.modifiers, ln.units, ln.charge, ln.pointers) for ln in t1.lines] == [
        ("J1815", ("JB",), 4, 12.0, (1, 3)), ("99213", ("25", "GT"), 1, 95, (1, 2))]
    assert t2.diagnoses == ("M54.50", "M54.16") and t2.lines[0].modifiers == ("GP", "KX")
    assert t2.patient.sex == "M" and t2.lines[0].date == dt.date(2026, 6, 2)


@pytest.mark.parametrize("header", [
    "CLAIM_ID,HCPCS,DOS", "claim id;procedure;service_date", "Claim|Procedure Code|Date",
])
def test_header_names_are_case_insensitive_with_aliases(header: str) -> None:
    delim = next(d for d in ",;|" if d in header)
    body = f"{header}\nX1{delim}99213{delim}2026-01-02\n".encode()
    (claim,) = _items(body)
    assert claim.lines[0].code == "99213" and claim.lines[0].date == dt.date(2026, 1, 2)


def test_claim_level_values_may_be_given_once() -> None:
    body = (b"claim_id,dob,sex,diagnoses,code,pointers\n"
            b"A,1990-01-01,M,I10;E11.9,99213,1\n"
            b"A,,,,82947,2\n"
            b"A,,,,,\n")       # a blank-ish row of the same claim is ignored
    (claim,) = _items(body)
    assert claim.patient.birth_date == dt.date(1990, 1, 1)
    assert claim.diagnoses == ("I10", "E11.9") and len(claim.lines) == 2


def test_row_problems() -> None:
    body = (b"claim_id,code,units,pointers\n"
            b"A,99213,1,1\n"
            b",99214,1,1\n"           # no claim id
            b"B,,2,\n"                # units but no code
            b"C,99213,1,1,extra\n")   # too many fields
    items = _items(body, "csv")
    assert isinstance(items[0], Claim) and items[0].id == "A"
    assert [str(e) for e in items[1:]] == [
        "<bytes>: line 3: the row has no claim_id",
        "<bytes>: line 4: claim B not read: the row has units but no procedure code",
        "<bytes>: line 5: claim C not read: the row has 5 fields but the header has 4",
    ]


def test_header_problems_raise() -> None:
    with pytest.raises(ClaimFormatError, match="the header has no code column"):
        read_claims(b"claim_id,diagnoses\nA,I10\n")
    with pytest.raises(ClaimFormatError, match="columns 'cpt' and 'code' both give code"):
        read_claims(b"claim_id,cpt,code\nA,99213,99213\n")


def test_quoted_multiline_cell_keeps_line_numbers() -> None:
    body = (b'claim_id,code,note\n'
            b'A,99213,"two\nlines"\n'
            b'B,99999x,\n'
            b'B,1,2,3,4\n')
    a, b = _items(body)
    assert a.id == "A" and a.lines[0].extra == {"note": "two\nlines"}
    assert isinstance(b, ClaimFormatError)        # one bad row spoils its claim, told at it
    assert str(b) == "<bytes>: line 5: claim B not read: the row has 5 fields but the " \
                     "header has 3"


def test_csv_to_json_to_claim_round_trip() -> None:
    claims = [i for i in _items(DATA / "claims.csv") if isinstance(i, Claim)]
    claims += _items(DATA / "claims_list.tsv")
    for claim in claims:
        text = json.dumps(claim_to_dict(claim))
        (again,) = _items(text.encode(), "json")
        assert dataclasses.replace(again, source=None) == dataclasses.replace(claim,
                                                                              source=None)
        assert again.lines[0].extra == claim.lines[0].extra
