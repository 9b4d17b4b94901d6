"""Compare a server's answer with an expected response the way HL7's tx-ecosystem runner does
(its templates and markers, see tests/readme.md and the IG's "Test cases" page of
HL7/fhir-tx-ecosystem-ig), written here from that description:

* objects: every property of the answer must be expected, and every expected property must
  be there unless listed in ``$optional-properties$`` (``*`` = all);
* arrays: order does not matter (the runner sorts both sides); an expected item marked
  ``$optional$`` may be missing; ``$count-arrays$`` compares only the number of items;
* strings: ``$$`` anything, ``$id$``, ``$uuid$``, ``$instant$``, ``$date$``, ``$url$``,
  ``$token$``, ``$string$``, ``$semver$``, ``$version$`` (the FHIR version),
  ``$choice:a|b$``, ``$fragments:a|b$`` (contains all, case-insensitive) and
  ``$external:N:a|b$`` (no externals file: contains all fragments);
* before comparing, ``text`` and ``meta`` are dropped from the answer, as the runner's
  scrubbers do;
* pattern mode (the metadata and term-caps tests): the answer may carry more properties and
  array items than expected.
"""

from __future__ import annotations

import re
from typing import Any

FHIR_VERSION = "4.0.1"
_PATTERNS = {
    "$id$": r"[A-Za-z0-9\-.]{1,64}",
    "$uuid$": r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "$instant$": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})",
    "$date$": r"\d{4}(-\d{2}(-\d{2})?)?(T[0-9:.+\-Z]+)?",
    "$url$": r"(https?|urn):\S+",
    "$token$": r"\S+",
    "$string$": r"\S(.*\S)?",
    "$semver$": r"\d+\.\d+\.\d+\S*",
}


def scrub(resource: Any) -> Any:
    """Drop the narrative and meta of every resource (not ``details.text``)."""
    if isinstance(resource, dict):
        is_resource = "resourceType" in resource
        return {k: scrub(v) for k, v in resource.items()
                if not (is_resource and k in ("text", "meta"))}
    if isinstance(resource, list):
        return [scrub(v) for v in resource]
    return resource


def _string(expected: str, actual: str) -> bool:
    if not (expected.startswith("$") and expected.endswith("$") and len(expected) > 1):
        return actual == expected.replace("$version$", FHIR_VERSION)
    if expected == "$$":
        return True
    if expected == "$version$":
        return actual == FHIR_VERSION
    if expected.startswith("$choice:"):
        return actual in expected[8:-1].split("|")
    if expected.startswith("$fragments:"):
        return all(f.lower() in actual.lower() for f in expected[11:-1].split("|"))
    if expected.startswith("$external:"):
        parts = expected[1:-1].split(":", 2)
        return len(parts) < 3 or all(f.lower() in actual.lower() for f in parts[2].split("|"))
    pattern = _PATTERNS.get(expected)
    if pattern is None:
        raise ValueError(f"unhandled template {expected}")
    return re.fullmatch(pattern, actual) is not None


def diff(expected: Any, actual: Any, path: str = "", count_only: bool = False,
         pattern: bool = False) -> str | None:
    """None when ``actual`` matches ``expected``, else where and how it differs."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"[:300]
        optional = expected.get("$optional-properties$") or []
        counted = expected.get("$count-arrays$") or []
        for key, value in actual.items():
            if key not in expected:
                if pattern:
                    continue
                return f"{path}: unexpected property {key!r}"
            problem = diff(expected[key], value, f"{path}.{key}", key in counted, pattern)
            if problem:
                return problem
        for key in expected:
            if key.startswith("$") or key in actual:
                continue
            if "*" in optional or key in optional:
                continue
            return f"{path}: missing property {key!r}"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected an array, got {actual!r}"[:300]
        if count_only:
            return None if len(expected) == len(actual) else \
                f"{path}: {len(actual)} items, expected {len(expected)}"
        return _array(expected, actual, path, pattern)
    if isinstance(expected, str):
        if not isinstance(actual, str) or not _string(expected, actual):
            return f"{path}: {actual!r} does not match {expected!r}"
        return None
    if expected != actual or type(expected) is not type(actual):
        return f"{path}: {actual!r} is not {expected!r}"
    return None


def _optional(item: Any) -> bool:
    return isinstance(item, dict) and "$optional$" in item


def _array(expected: list[Any], actual: list[Any], path: str,
           pattern: bool = False) -> str | None:
    """Match each answer item to a distinct expected item (order-free, backtracking)."""
    fits = [[j for j, e in enumerate(expected)
             if diff(e, a, f"{path}[{i}]", pattern=pattern) is None]
            for i, a in enumerate(actual)]
    used: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in fits[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in used or assign(used[j], seen):
                used[j] = i
                return True
        return False

    for i in range(len(actual)):
        if not assign(i, set()) and not pattern:
            near = diff(expected[min(i, len(expected) - 1)], actual[i], f"{path}[{i}]") \
                if expected else "nothing expected"
            return f"{path}: no expected item matches answer item {i} ({near})"
    for j, e in enumerate(expected):
        if j not in used and not _optional(e):
            return f"{path}: expected item {j} is missing: {str(e)[:200]}"
    return None


__all__ = ["diff", "scrub"]
