"""The claim file formats and their detection from a file's first bytes."""

from __future__ import annotations

import json
import re
from enum import Enum

from medcode.errors import ClaimFormatError

__all__ = ["HEAD_SIZE", "Format", "detect_format"]

HEAD_SIZE = 65536   # bytes read from the start of a file to decide its format


class Format(str, Enum):
    """Claim file formats. Values are the names used on the CLI (``--input-format``)."""

    json = "json"      # one claim object, an array of them, or {"claims": [...]}
    jsonl = "jsonl"    # JSON Lines: one claim object per line
    csv = "csv"        # one row per service line, grouped by claim_id
    x12 = "x12"        # X12 837P 005010X222A1
    fhir = "fhir"      # FHIR R4 Claim, Bundle of Claims, or NDJSON of resources
    parquet = "parquet"  # Apache Parquet: nested (one row per claim) or flat (per line)
    arrow = "arrow"    # Apache Arrow IPC file or stream (Feather v2), same two layouts

    @classmethod
    def parse(cls, name: str | Format) -> Format:
        if isinstance(name, Format):
            return name
        key = str(name).strip().lower().lstrip(".")
        aliases = {"ndjson": cls.jsonl, "json-lines": cls.jsonl, "jsonlines": cls.jsonl,
                   "837": cls.x12, "837p": cls.x12, "edi": cls.x12, "tsv": cls.csv,
                   "pq": cls.parquet, "feather": cls.arrow, "ipc": cls.arrow,
                   "arrows": cls.arrow}
        try:
            return cls(key)
        except ValueError:
            if key in aliases:
                return aliases[key]
        raise ValueError(f"unknown claim format {name!r}; expected one of: "
                         + ", ".join(m.value for m in cls))


_FHIR = re.compile(rb'"resourceType"\s*:\s*"(Claim|Bundle)"')
_X12_START = re.compile(rb"^(ISA|GS|ST)[^A-Za-z0-9\s,;\t\"]")
_EXT = {".jsonl": Format.jsonl, ".ndjson": Format.jsonl, ".csv": Format.csv,
        ".tsv": Format.csv, ".edi": Format.x12, ".x12": Format.x12, ".837": Format.x12,
        ".json": Format.json}


def _strip(head: bytes) -> bytes:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def _first_line_is_object(body: bytes) -> tuple[bool, bool]:
    """(first line parses as a JSON object, another non-blank line follows it)."""
    first, sep, rest = body.partition(b"\n")
    try:
        ok = isinstance(json.loads(first.decode("utf-8")), dict)
    except (ValueError, UnicodeDecodeError):
        ok = False
    return ok, bool(sep) and bool(rest.strip())


def detect_format(head: bytes, filename: str | None = None) -> Format:
    """Decide a claim file's format from its first bytes (and its name as a tie-breaker).

    Rules, in order: Parquet's ``PAR1`` magic -> parquet; Arrow's ``ARROW1`` (file) or an IPC
    stream's continuation marker -> arrow; starts with ``ISA`` (or a ``GS``/``ST`` segment)
    -> x12; a JSON document whose ``resourceType`` is Claim or Bundle (or NDJSON of such
    lines) -> fhir; ``[`` or ``{`` -> json, unless the first line is a complete JSON object
    and more lines follow (or the file is named ``*.jsonl``/``*.ndjson``) -> jsonl; anything
    else -> csv (the CSV reader then insists on a header with a ``claim_id`` column).

    Raises ClaimFormatError when ``head`` is empty or blank.
    """
    where = filename or "<input>"
    if head.startswith(b"PAR1"):
        return Format.parquet
    if head.startswith(b"ARROW1") or head.startswith(b"\xff\xff\xff\xff"):
        return Format.arrow
    body = _strip(head)
    if not body:
        raise ClaimFormatError("the input is empty", where)
    if body.startswith(b"\x00") or b"\x00" in body[:1024]:
        raise ClaimFormatError("the input is binary data, not a claim file "
                               "(JSON, JSON Lines, CSV, X12 837 or FHIR)", where)
    ext = ""
    if filename:
        dot = filename.rfind(".")
        ext = filename[dot:].lower() if dot >= 0 else ""
    if _X12_START.match(body):
        return Format.x12
    if body[:1] in (b"{", b"["):
        if _FHIR.search(body):
            return Format.fhir
        if body[:1] == b"[":
            return Format.json
        whole_line, more = _first_line_is_object(body)
        if whole_line and (more or _EXT.get(ext) is Format.jsonl):
            return Format.jsonl
        return Format.json
    return Format.csv
