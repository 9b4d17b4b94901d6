"""FHIR R4 plumbing: Parameters in (query string or body) and out. (The code systems are in
fhir_systems.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from medcode.api.errors import ApiError

# -- Parameters in -----------------------------------------------------------------------------
_SCALARS = ("valueCode", "valueUri", "valueString", "valueBoolean", "valueInteger",
            "valueDate", "valueDateTime", "valueCanonical", "valueUrl", "valueDecimal",
            "valueId", "valueUnsignedInt", "valuePositiveInt")


class Params:
    """Operation input: name -> values (scalars as str/bool/int; Coding etc. as dicts)."""

    def __init__(self, items: Iterable[tuple[str, Any]] = ()) -> None:
        self.values: dict[str, list[Any]] = {}
        for name, value in items:
            self.values.setdefault(name, []).append(value)

    def get(self, name: str) -> Any:
        vals = self.values.get(name)
        return vals[0] if vals else None

    def all(self, name: str) -> list[Any]:
        return list(self.values.get(name, ()))

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, dict):
            raise ApiError(400, f"parameter {name!r} must be a simple value, not a "
                           f"{value.get('resourceType', 'complex value')}")
        return str(value).strip() or None

    def boolean(self, name: str) -> bool | None:
        value = self.get(name)
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise ApiError(400, f"parameter {name!r} must be true or false, not {value!r}")

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ApiError(400, f"parameter {name!r} must be an integer, not {value!r}") from None
        if not low <= number <= high:
            raise ApiError(400, f"parameter {name!r} must be between {low} and {high}",
                           issue="too-costly" if number > high else "invalid")
        return number

    def coding(self, name: str) -> dict[str, Any] | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ApiError(400, f"parameter {name!r} must be a Coding")
        return value


def from_query(query: Mapping[str, Any] | Iterable[tuple[str, str]]) -> Params:
    items = query.multi_items() if hasattr(query, "multi_items") else (
        query.items() if isinstance(query, Mapping) else query)
    out: list[tuple[str, Any]] = []
    for name, value in items:
        if name.startswith("_"):  # _format, _pretty: formatting hints
            continue
        if name in ("coding", "codingA", "codingB"):  # system|code in a query string
            system, _, code = str(value).rpartition("|")
            out.append((name, {"system": system or None, "code": code}))
        else:
            out.append((name, value))
    return Params(out)


def from_body(body: bytes) -> Params:
    """A Parameters resource (JSON) from a POST body."""
    if not body.strip():
        return Params()
    try:
        resource = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not JSON: {exc}", issue="structure") from None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Parameters":
        got = (resource.get("resourceType") if isinstance(resource, dict)
               else type(resource).__name__)
        raise ApiError(400, f"the body must be a FHIR Parameters resource, not {got!r}",
                       issue="structure")
    return Params(items_of(resource))


def items_of(resource: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) of each parameter of a Parameters resource."""
    items: list[tuple[str, Any]] = []
    params = resource.get("parameter") or []
    if not isinstance(params, list):
        raise ApiError(400, "Parameters.parameter must be a list", issue="structure")
    for i, param in enumerate(params):
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            raise ApiError(400, f"Parameters.parameter[{i}] has no name", issue="structure")
        items.append((param["name"], _value_of(param)))
    return items


def _value_of(param: dict[str, Any]) -> Any:
    for key in _SCALARS:
        if key in param:
            return param[key]
    for key, value in param.items():
        if key.startswith("value"):
            return value  # Coding, CodeableConcept ...
    if "resource" in param:
        return param["resource"]
    return None


# -- Parameters out ----------------------------------------------------------------------------
def parameters(*params: dict[str, Any] | None) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": [p for p in params if p is not None]}


def param(name: str, kind: str, value: Any) -> dict[str, Any] | None:
    """One output parameter, ``kind`` = FHIR type suffix (Code, String, Boolean...)."""
    if value is None:
        return None
    return {"name": name, f"value{kind}": value}


def prop(code: str, kind: str, value: Any, *sub: dict[str, Any]) -> dict[str, Any]:
    part: list[dict[str, Any]] = [{"name": "code", "valueCode": code},
                                  {"name": "value", f"value{kind}": value}]
    part.extend(sub)
    return {"name": "property", "part": part}


def subprop(code: str, kind: str, value: Any) -> dict[str, Any]:
    return {"name": "subproperty", "part": [{"name": "code", "valueCode": code},
                                            {"name": "value", f"value{kind}": value}]}
