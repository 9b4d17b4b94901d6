"""The public surface of medcode.claims.formats, as the engine, CLI and API rely on it."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from medcode.claims import formats
from medcode.claims.formats import Format, read_claims


def test_exported_members() -> None:
    assert sorted(formats.__all__) == sorted([
        "Format", "detect_format", "read_claims", "ClaimReader", "claim_from_dict",
        "claim_to_dict", "write_jsonl", "claim_schema", "SCHEMA_ID"])
    for name in formats.__all__:
        member = getattr(formats, name)
        if callable(member):
            assert inspect.getdoc(member), f"{name} has no docstring"


def test_signatures() -> None:
    params = inspect.signature(read_claims).parameters
    assert list(params) == ["source", "fmt", "name"]
    assert params["fmt"].default is None and params["name"].kind is inspect.Parameter.KEYWORD_ONLY
    assert [m.value for m in Format] == ["json", "jsonl", "csv", "x12", "fhir", "parquet", "arrow"]
    assert isinstance(read_claims(b'{"id": "A"}'), Iterator)
