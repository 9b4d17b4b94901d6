"""medcode's JSON / JSON Lines claim format, its schema, and the JSONL writer."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from medcode.claims.formats import (
    SCHEMA_ID,
    claim_from_dict,
    claim_schema,
    claim_to_dict,
    read_claims,
    write_jsonl,
)
from medcode.errors import ClaimFormatError
from medcode.models import Claim

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"


def _claims(path: Path) -> list:
    with read_claims(path) as reader:
        return list(reader)


def test_schema_is_draft_2020_12_and_versioned() -> None:
    schema = claim_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID and SCHEMA_ID.endswith(":1.0")


def test_fixtures_validate_against_the_schema() -> None:
    schema = claim_schema()
    validator = jsonschema.Draft202012Validator(schema)
    doc = json.loads((DATA / "claims.json").read_text())
    registry = Registry().with_resource(SCHEMA_ID, Resource.from_contents(schema))
    document = jsonschema.Draft202012Validator({"$ref": f"{SCHEMA_ID}#/$defs/document"},
                                               registry=registry)
    document.validate(doc)
    document.validate({"claims": doc})
    assert list(document.iter_errors([{"lines": []}]))        # a claim without id
    for claim in doc:
        validator.validate(claim)
    good_lines = [1, 2, 7]          # the others are broken on purpose
    lines = (DATA / "claims.jsonl").read_text().splitlines()
    for n in good_lines:
        validator.validate(json.loads(lines[n - 1]))
    # and the schema does reject what the reader refuses
    errors = list(validator.iter_errors(json.loads(lines[5])))
    assert any("'id' is a required property" in e.message for e in errors)
    assert list(validator.iter_errors({"id": "X", "lines": [{"units": 1}]}))
    assert list(validator.iter_errors({"id": "X", "lines": [{"code": "1", "pointers": ["M"]}]}))


def test_json_document_reads_every_field() -> None:
    c1, c2, c3 = _claims(DATA / "claims.json")
    assert c1.id == "C1" and c1.diagnoses == ("E11.9", "I10")
    assert c1.patient.birth_date == dt.date(1960, 4, 2) and c1.patient.sex == "F"
    first = c1.lines[0]
    assert (first.code, first.modifiers, first.units, first.charge, first.date,
            first.pointers, first.number) == ("99213", ("25",), 1, 120.0,
                                              dt.date(2026, 5, 4), (1, 2), 1)
    assert c1.lines[1].number == 2 and c1.lines[1].charge == 15.5
    assert c1.source.endswith("claims.json: claim 1")
    # extras are kept at every level
    assert c2.extra == {"payer": "ACME Health", "notes": {"source": "unit test"}}
    assert c2.patient.extra == {"mrn": "X-77"}
    assert c2.lines[0].extra == {"place_of_service": "21"}
    assert c2.diagnosis_qualifiers == ("ABK", "ABF", "ABF")
    assert c2.lines[0].modifiers == ("RT", "59") and c2.lines[0].units == 2
    # a date that does not parse is kept for the edits
    line = c3.lines[0]
    assert line.date is None and line.raw_date == "2026-13-40"
    assert line.pointers == (1, 3) and line.raw_pointers == ()
    assert line.charge is None


def test_bad_pointers_are_kept_as_given_and_round_trip() -> None:
    (claim,) = list(read_claims(b'{"id": "P", "diagnoses": ["I10", "E11.9"], "lines": '
                                b'[{"code": "99213", "pointers": ["B", 0, "Q", 2]}]}'))
    line = claim.lines[0]
    assert line.pointers == (2, 2) and line.raw_pointers == ("B", "0", "Q", "2")
    as_json = claim_to_dict(claim)
    assert as_json["lines"][0]["pointers"] == ["B", "0", "Q", "2"]
    (again,) = list(read_claims(json.dumps(as_json).encode()))
    assert again.lines[0] == line


def test_json_round_trip_is_exact() -> None:
    original = json.loads((DATA / "claims.json").read_text())
    again = [claim_to_dict(c) for c in _claims(DATA / "claims.json")]
    assert again == original


def test_claim_to_dict_keeps_the_contract_shape() -> None:
    (claim,) = list(read_claims(b'{"id": "M", "lines": [{"code": "99213"}]}'))
    assert claim_to_dict(claim) == {
        "id": "M", "patient": {"birth_date": None, "sex": None}, "diagnoses": [],
        "lines": [{"code": "99213", "modifiers": [], "units": 1, "charge": None,
                   "date": None, "pointers": []}]}


def test_jsonl_yields_errors_in_place_and_keeps_good_claims() -> None:
    items = _claims(DATA / "claims.jsonl")
    kinds = [(i.id if isinstance(i, Claim) else i.where.rsplit(": ", 1)[1]) for i in items]
    assert kinds == ["J1", "J2", "line 3", "J4", "line 6", "J6"]
    assert "not valid JSON" in str(items[2])
    assert "no 'id'" in str(items[4])
    j1, j2, j4, j6 = (i for i in items if isinstance(i, Claim))
    # units that are not a number are kept for LINE-UNITS to report, not a format error
    assert j4.lines[0].units == 1 and j4.lines[0].extra["raw_units"] == "two"
    assert j1.patient.sex == "F" and j1.lines[0].pointers == (1,)        # "female", "A"
    assert j2.lines[0].date == dt.date(2026, 2, 3) and j2.lines[0].pointers == (1, 2)
    assert j6.patient.birth_date == dt.date(1945, 3, 15)                  # MM/DD/YYYY
    assert j6.source.endswith("claims.jsonl: line 7")


def test_claims_wrapper_object_and_numeric_id() -> None:
    doc = b'{"claims": [{"id": 17, "diagnoses": "I10", "lines": []}, {"id": "B"}]}'
    ids = [c.id for c in read_claims(doc)]
    assert ids == ["17", "B"]
    (c,) = list(read_claims(b'{"id": "S", "diagnoses": " I10 "}'))
    assert c.diagnoses == ("I10",)


def test_pointer_letters_and_strings_are_read() -> None:
    (c,) = list(read_claims(b'{"id": "L", "lines": [{"code": "1", "pointers": ["a", "L"]},'
                            b'{"code": "2", "pointers": "1;2"}, {"code": "3", "pointers": "BC"}]}'))
    assert [ln.pointers for ln in c.lines] == [(1, 12), (1, 2), (2, 3)]
    assert claim_to_dict(c)["lines"][0]["pointers"] == [1, 12]     # written as numbers


@pytest.mark.parametrize("obj, message", [
    ([1, 2], "must be a JSON object"),
    ({"id": ""}, "no 'id'"),
    ({"id": "X", "lines": {"code": "99213"}}, "lines must be a list"),
    ({"id": "X", "lines": [{"units": 1}]}, "lines[1] has no procedure code"),
    ({"id": "X", "lines": ["99213"]}, "lines[1] must be an object"),
    ({"id": "X", "diagnoses": ["I10", 5]}, "diagnoses[2] must be a string"),
    ({"id": "X", "patient": "Jane"}, "patient must be an object"),
])
def test_claim_from_dict_refuses_what_is_not_a_claim(obj: object, message: str) -> None:
    with pytest.raises(ClaimFormatError) as info:
        claim_from_dict(obj, "body: claim 1")
    assert message in str(info.value)
    assert info.value.where == "body: claim 1"


def test_write_jsonl_round_trips_text_and_binary() -> None:
    claims = [c for c in _claims(DATA / "claims.json")]
    text = io.StringIO()
    assert write_jsonl(claims, text) == 3
    back = list(read_claims(text.getvalue().encode(), "jsonl"))
    assert back == [c.__class__(**{**c.__dict__, "source": b.source}) for c, b in
                    zip(claims, back)]
    assert [claim_to_dict(c) for c in back] == [claim_to_dict(c) for c in claims]
    binary = io.BytesIO()
    write_jsonl(claims[:1], binary)
    assert binary.getvalue().decode().count("\n") == 1
    assert json.loads(binary.getvalue())["id"] == "C1"
