"""The FHIR R4 terminology operations over the store: $lookup, $validate-code, $subsumes.

($expand and the conformance resources are in fhir_vs.py and fhir_meta.py.)
"""

from __future__ import annotations

import re
from typing import Any

from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_params import (
    BY_NAME,
    Params,
    SystemInfo,
    param,
    parameters,
    prop,
    subprop,
    system_for_uri,
)
from medcode.store.db import Store

#: designation uses medcode defines (no HL7 code fits an ICD-10-CM inclusion term)
DESIGNATION_USE = "urn:medcode:designation-use"
_DISPLAY_USE = {"system": "http://terminology.hl7.org/CodeSystem/designation-usage",
                "code": "display"}

#: the properties $lookup can return, and what they mean (also listed in CodeSystem.property)
PROPERTIES: dict[str, tuple[str, str]] = {
    "parent": ("code", "the code one level up in the hierarchy"),
    "child": ("code", "a code one level down in the hierarchy"),
    "billable": ("boolean", "valid on a claim in this release (most specific level)"),
    "notSelectable": ("boolean", "a header: not to be used on a claim"),
    "inactive": ("boolean", "not part of this release"),
    "kind": ("code", "chapter, block, category, subcategory, code or extension"),
    "valid-in": ("string", "a release in which the code is billable"),
    "seventh-character": ("string", "a 7th character that applies, as 'char: meaning'"),
    "includes": ("string", "Includes note"), "inclusion_terms": ("string", "inclusion term"),
    "excludes1": ("string", "Excludes1 note"), "excludes2": ("string", "Excludes2 note"),
    "code_first": ("string", "code first note"), "use_additional": ("string",
                                                                     "use additional code note"),
    "code_also": ("string", "code also note"), "notes": ("string", "note"),
    "seven_chr_note": ("string", "7th character note"),
}


def resolve_system(uri: str | None, store: Store) -> SystemInfo:
    if not uri:
        raise ApiError(400, "parameter 'system' (or 'url' / a Coding) is required: e.g. "
                       "system=http://hl7.org/fhir/sid/icd-10-cm", issue="required")
    info = system_for_uri(uri)
    if info is None:
        raise ApiError(404, f"code system {uri!r} is not known to this server; known: "
                       + ", ".join(s.uri for s in BY_NAME.values()), issue="not-found")
    if info.name not in lib.systems_loaded(store):
        raise ApiError(404, f"{info.name} ({info.uri}) is not loaded in this store; "
                       "import its official files with `medcode data import`",
                       issue="not-found")
    return info


def _coded(p: Params, system_names: tuple[str, ...] = ("system", "url"),
           coding_name: str = "coding") -> tuple[str | None, str | None, str | None]:
    """(system uri, code, version) from a Coding, a CodeableConcept or plain parameters."""
    coding = p.coding(coding_name)
    if coding is None and p.get("codeableConcept") is not None:
        cc = p.coding("codeableConcept") or {}
        codings = [c for c in cc.get("coding") or [] if isinstance(c, dict)]
        known = [c for c in codings if system_for_uri(str(c.get("system") or ""))]
        if not codings:
            raise ApiError(400, "codeableConcept has no coding")
        coding = (known or codings)[0]
    system = next((p.text(n) for n in system_names if p.text(n)), None)
    if coding is not None:
        return (coding.get("system") or system, coding.get("code"),
                coding.get("version") or p.text("version"))
    return system, p.text("code"), p.text("version")


def lookup(store: Store, p: Params) -> dict[str, Any]:
    uri, code, version = _coded(p)
    info = resolve_system(uri, store)
    if not code:
        raise ApiError(400, "parameter 'code' (or a Coding) is required", issue="required")
    on = lib.parse_date(p.text("date"), "date")
    data = lib.lookup_dict(store, code, info.name, on, version)
    wanted = {str(v) for v in p.all("property")}

    def keep(name: str) -> bool:
        return not wanted or name in wanted or "*" in wanted

    props: list[dict[str, Any]] = []
    if data.get("parent") and keep("parent"):
        props.append(prop("parent", "Code", data["parent"]))
    if keep("child"):
        props.extend(prop("child", "Code", c["code"]) for c in data.get("children", []))
    if keep("billable") and data["billable"] is not None:   # None: not known (CPT unlicensed)
        props.append(prop("billable", "Boolean", bool(data["billable"])))
    if keep("notSelectable") and data["billable"] is not None:
        props.append(prop("notSelectable", "Boolean", not data["billable"]))
    if keep("inactive") and data.get("status") == "not_in_release":
        props.append(prop("inactive", "Boolean", True))
    if keep("kind"):
        props.append(prop("kind", "Code", data["kind"]))
    if keep("valid-in"):
        props.extend(prop("valid-in", "String", r) for r in data.get("valid_in", []))
    for kind, items in (data.get("notes") or {}).items():
        if kind == "seven_chr_def":
            if keep("seventh-character"):
                props.extend(prop("seventh-character", "String",
                                  f"{s['char']}: {s['meaning']}", *_origin(s)) for s in items)
        elif keep(kind):
            props.extend(prop(kind, "String", n["text"], *_origin(n)) for n in items)

    designations = [{"name": "designation", "part": [
        {"name": "language", "valueCode": "en"}, {"name": "use", "valueCoding": _DISPLAY_USE},
        {"name": "value", "valueString": data["title"]}]}]
    for term in (data.get("notes") or {}).get("inclusion_terms", []):
        if not term.get("inherited"):
            designations.append({"name": "designation", "part": [
                {"name": "language", "valueCode": "en"},
                {"name": "use", "valueCoding": {"system": DESIGNATION_USE,
                                                "code": "inclusion-term",
                                                "display": "Inclusion term"}},
                {"name": "value", "valueString": term["text"]}]})
    return parameters(param("name", "String", info.name),
                      param("version", "String", data["release"]),
                      param("display", "String", data["title"]),
                      *designations, *props)


def _origin(note: dict[str, Any]) -> list[dict[str, Any]]:
    if note.get("inherited"):
        return [subprop("inherited-from", "Code", note.get("from"))]
    return []


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def validate_code(store: Store, p: Params, member_of: str | None = None) -> dict[str, Any]:
    """CodeSystem/$validate-code (and the membership part of ValueSet/$validate-code).

    ``result`` is true for a code that is billable in the release in force; a header
    (category, subcategory) is an *abstract* concept: true only with ``abstract=true``.
    """
    uri, code, version = _coded(p, ("system", "url") if member_of is None else ("system",))
    if not code:
        raise ApiError(400, "parameter 'code' (or a Coding) is required", issue="required")
    try:
        info = resolve_system(uri, store)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return parameters(param("result", "Boolean", False), param("message", "String",
                                                                   exc.message))
    on = lib.parse_date(p.text("date"), "date")
    abstract = bool(p.boolean("abstract"))
    check = lib.validate_dicts(store, [code], on, version, info.name)[0]
    result = bool(check["valid"])
    message = check["message"]
    title = lib.title_of(store, info.name, code, check.get("release"))
    if not result and abstract and check["status"] in ("header", "needs_7th"):
        result = True
        message = f"{check['code']} is an abstract (header) concept, accepted as abstract=true"
    if result and member_of:
        inside = is_a(store, info.name, code, member_of)
        if not inside:
            result = False
            message = (f"{check['code']} is not in the value set: it is not "
                       f"{lib.display(info.name, member_of)} or under it")
    display = p.text("display")
    if display is None and p.coding("coding"):
        display = (p.coding("coding") or {}).get("display")
    if result and display and title and _norm(display) != _norm(title):
        result = False
        message = f"the display {display!r} is not the display of {check['code']}: {title!r}"
    return parameters(param("result", "Boolean", result), param("message", "String", message),
                      param("display", "String", title),
                      param("code", "Code", check.get("code") or None),
                      param("system", "Uri", info.uri),
                      param("version", "String", check.get("release")))


def is_a(store: Store, system: str, code: str, root: str) -> bool:
    row = lib.find_row(store, system, code)
    root_key = lib.find_row(store, system, root)[0]
    if row[0] == root_key:
        return True
    return any(r[0] == root_key for r in lib.ancestor_rows(store, system, row))


def subsumes(store: Store, p: Params) -> dict[str, Any]:
    uri_a, code_a, version = _coded(p, ("system",), "codingA")
    uri_b, code_b, _ = _coded(p, ("system",), "codingB")
    code_a = code_a if p.coding("codingA") else p.text("codeA")
    code_b = code_b if p.coding("codingB") else p.text("codeB")
    if not code_a or not code_b:
        raise ApiError(400, "parameters 'codeA' and 'codeB' (or codingA and codingB) are "
                       "required", issue="required")
    info = resolve_system(uri_a or uri_b, store)
    if uri_b and uri_a and system_for_uri(uri_b) != system_for_uri(uri_a):
        raise ApiError(400, "codingA and codingB are from different code systems",
                       issue="invalid")
    if version:
        store.resolve(info.name, release=version)  # a named release must exist
    row_a = lib.find_row(store, info.name, code_a)
    row_b = lib.find_row(store, info.name, code_b)
    if row_a[0] == row_b[0]:
        outcome = "equivalent"
    elif any(r[0] == row_a[0] for r in lib.ancestor_rows(store, info.name, row_b)):
        outcome = "subsumes"
    elif any(r[0] == row_b[0] for r in lib.ancestor_rows(store, info.name, row_a)):
        outcome = "subsumed-by"
    else:
        outcome = "not-subsumed"
    return parameters(param("outcome", "Code", outcome))


__all__ = ["PROPERTIES", "is_a", "lookup", "resolve_system", "subsumes", "validate_code"]
