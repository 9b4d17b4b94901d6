"""POST /v1/claims/check: read the body with medcode's claim readers, enforce the limits,
run the claim edits. Nothing here logs claim content."""

from __future__ import annotations

from typing import Any

from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.errors import ClaimFormatError
from medcode.store.db import Store

#: most claims, and service lines over all claims, one request may carry
MAX_CLAIMS = 1000
MAX_LINES = 10000

_BY_TYPE = {
    "application/fhir+json": "fhir", "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl", "application/json-lines": "jsonl",
    "application/x-jsonlines": "jsonl", "text/csv": "csv", "application/csv": "csv",
    "application/edi-x12": "x12", "application/x12": "x12", "application/edi": "x12",
    "text/x12": "x12",
}
# auto-detected from the content (json, jsonl or fhir; plain text may be X12 or CSV)
_DETECT = {"application/json", "text/plain", "application/octet-stream", ""}


def format_for(content_type: str | None, explicit: str | None) -> str | None:
    """The reader format: ``?format=`` first, then the Content-Type; None = detect."""
    if explicit:
        return explicit.strip().lower()
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _BY_TYPE:
        return _BY_TYPE[mime]
    if mime in _DETECT or mime.endswith("+json") or mime == "application/x-www-form-urlencoded":
        return None
    raise ApiError(415, f"Content-Type {mime!r} is not a claim format; send application/json "
                   "(medcode JSON or a FHIR Claim), application/fhir+json, "
                   "application/x-ndjson, text/csv or application/edi-x12 (X12 837P)",
                   kind="unsupported_media_type")


def check_body(store: Store, body: bytes, content_type: str | None,
               explicit: str | None = None) -> dict[str, Any]:
    check = lib.feature("check_claims")
    reader = lib.claim_reader()
    if check is None or reader is None:
        missing = "medcode.check_claims" if check is None else "medcode.claims.formats.read_claims"
        raise lib.not_yet("claim checking", missing)
    if not body.strip():
        raise ApiError(400, "empty body: send one claim as JSON (see the example in /docs), "
                       "JSON Lines, CSV, an X12 837P file or a FHIR Claim", kind="empty_body")
    fmt = format_for(content_type, explicit)
    if fmt is not None:
        try:
            from medcode.claims.formats import Format  # type: ignore[attr-defined]
            fmt = Format.parse(fmt)
        except ImportError:
            pass
        except ValueError as exc:
            raise ApiError(400, f"format: {exc}", kind="bad_format") from None
    claims = []
    lines = 0
    items = lib.call(reader, body, fmt=fmt, name="request body")
    for claim in items:
        claims.append(claim)
        lines += len(getattr(claim, "lines", ()))
        if len(claims) > MAX_CLAIMS:
            raise ApiError(413, f"more than {MAX_CLAIMS} claims in one request; split the "
                           "batch or use `medcode check FILE`", kind="too_many_claims",
                           limit=MAX_CLAIMS)
        if lines > MAX_LINES:
            raise ApiError(413, f"more than {MAX_LINES} service lines in one request; split "
                           "the batch or use `medcode check FILE`", kind="too_many_lines",
                           limit=MAX_LINES)
    if not claims:
        raise ApiError(400, "the body holds no claim", kind="no_claims")
    unreadable = [c for c in claims if isinstance(c, ClaimFormatError)]
    if len(unreadable) == len(claims):  # nothing to check: a client error, not a result
        first = unreadable[0]
        what = "the claim" if len(claims) == 1 else f"any of the {len(claims)} claims"
        raise ApiError(400, f"could not read {what} in the body: {first}",
                       kind="ClaimFormatError",
                       problems=[str(c) for c in unreadable[:20]])
    results = list(lib.call(check, claims, store=store))
    out = [lib.jsonable(r) for r in results]
    summary: dict[str, int] = {"claims": len(claims), "lines": lines}
    for r in out:
        if isinstance(r, dict) and isinstance(r.get("status"), str):
            summary[r["status"]] = summary.get(r["status"], 0) + 1
    problems = [str(p) for p in getattr(items, "file_problems", ())]
    return {"summary": summary, "results": out, **({"file_problems": problems} if problems
                                                  else {})}
