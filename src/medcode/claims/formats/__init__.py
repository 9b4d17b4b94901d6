"""Claim readers and writers.

Public API::

    Format                        str Enum: json, jsonl, csv, x12, fhir
    detect_format(head, filename=None) -> Format
    read_claims(source, fmt=None, *, name=None) -> ClaimReader   (an Iterator of
                                  Claim | ClaimFormatError; raises for unreadable input)
    claim_from_dict(obj, where=None) -> Claim      one JSON claim object (raises)
    claim_to_dict(claim) -> dict                   its inverse (the JSON contract)
    write_jsonl(claims, fp) -> int                 JSON Lines writer
    claim_schema() -> dict                         the JSON Schema of one claim

Readers are generators of plain records (streaming for JSONL, CSV, X12 and NDJSON). A
record that cannot be read is *yielded* as a ClaimFormatError so the good claims of the
same file are still checked; an input that cannot be read at all *raises* one.
"""

from __future__ import annotations

import json
from typing import Any

from .detect import Format, detect_format
from .jsonfmt import SCHEMA_ID, claim_from_dict, claim_to_dict, write_jsonl
from .reader import ClaimReader, read_claims

__all__ = [
    "SCHEMA_ID",
    "ClaimReader",
    "Format",
    "claim_from_dict",
    "claim_schema",
    "claim_to_dict",
    "detect_format",
    "read_claims",
    "write_jsonl",
]


def claim_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of medcode's JSON claim (``claim.schema.json``)."""
    from importlib.resources import files

    text = files("medcode.claims").joinpath("claim.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
