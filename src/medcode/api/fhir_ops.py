"""The FHIR R4 CodeSystem operations over the store: $lookup, $validate-code, $subsumes.

($validate-code itself is in fhir_validate.py; value sets in fhir_vs.py; the conformance
resources in fhir_meta.py.)
"""

from __future__ import annotations

from typing import Any

from medcode.api import fhir_concepts as C
from medcode.api import fhir_issues as I
from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_params import Params, param, parameters, prop, subprop
from medcode.api.fhir_systems import SYSTEMS, SystemInfo, system_for_uri
from medcode.api.fhir_validate import validate
from medcode.errors import MedcodeError
from medcode.models import Release
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


def fail(status: int, issues: list[I.Issue]) -> ApiError:
    """An error answered as an OperationOutcome with every issue."""
    text = I.message(issues) or issues[0].text
    return ApiError(status, text, issue=issues[0].code, outcome=I.outcome(issues))


def resolve_system(uri: str | None, store: Store, prefix: str = "") -> SystemInfo:
    if not uri:
        raise ApiError(400, "parameter 'system' (or 'url' / a Coding) is required: e.g. "
                       "system=http://hl7.org/fhir/sid/icd-10-cm", issue="required")
    info = system_for_uri(uri)
    if info is None:
        known = ", ".join(s.uri for s in SYSTEMS)
        raise fail(404, [I.unknown_system(uri, prefix),
                         I.hint(f"code system {uri!r} is not known to this server; known: "
                                f"{known}", prefix)])
    if not store.releases(info.name):
        raise fail(404, [I.unknown_system(uri, prefix),
                         I.hint(f"{info.name} ({info.uri}) is not loaded in this store; "
                                "import its official files with `medcode data import`", prefix)])
    return info


def _release(store: Store, info: SystemInfo, version: str | None, p: Params,
             prefix: str = "") -> Release:
    on = lib.parse_date(p.text("date"), "date")
    try:
        return C.release_for(store, info, version, on, prefix)
    except C.VersionProblem as exc:
        raise fail(404, [exc.issue]) from None


def _coded(p: Params, coding_name: str = "coding") -> tuple[str | None, str | None,
                                                             str | None, str]:
    """(system, code, version, where) of a $lookup: a Coding or system + code."""
    coding = p.coding(coding_name)
    if coding is not None:
        return (coding.get("system") or p.text("system"), coding.get("code"),
                coding.get("version") or p.text("version"), "Coding")
    return p.text("system") or p.text("url"), p.text("code"), p.text("version"), ""


def find_concept(store: Store, info: SystemInfo, rel: Release, code: str,
                 prefix: str = "", status: int = 404) -> C.Concept:
    found = C.find(store, info, rel, code, prefix)
    if found.concept is None:
        raise fail(status, found.issues)
    return found.concept


# -- $lookup ----------------------------------------------------------------------------------
def lookup(store: Store, p: Params) -> dict[str, Any]:
    uri, code, version, prefix = _coded(p)
    info = resolve_system(uri, store, prefix)
    if not code:
        raise ApiError(400, "parameter 'code' (or a Coding) is required", issue="required")
    rel = _release(store, info, version, p, prefix)
    c = find_concept(store, info, rel, code, prefix)
    wanted = {str(v) for v in p.all("property")}

    def keep(name: str) -> bool:
        return not wanted or name in wanted or "*" in wanted

    props: list[dict[str, Any]] = []
    up = C.parent(store, c)
    if up and keep("parent"):
        props.append(_related("parent", *up))
    if keep("child"):
        props.extend(_related("child", *kid) for kid in C.children(store, c))
    if keep("inactive"):
        props.append(prop("inactive", "Boolean", False))
    if keep("billable"):
        props.append(prop("billable", "Boolean", not c.abstract))
    if keep("notSelectable"):
        props.append(prop("notSelectable", "Boolean", c.abstract))
    if keep("kind"):
        props.append(prop("kind", "Code", c.kind))
    notes: dict[str, Any] = {}
    data = _library_lookup(store, info, c)
    if data:
        if keep("valid-in"):
            props.extend(prop("valid-in", "String", r) for r in data.get("valid_in", []))
        notes = data.get("notes") or {}
    for kind, items in notes.items():
        if kind == "seven_chr_def":
            if keep("seventh-character"):
                props.extend(prop("seventh-character", "String",
                                  f"{s['char']}: {s['meaning']}", *_origin(s)) for s in items)
        elif keep(kind):
            props.extend(prop(kind, "String", n["text"], *_origin(n)) for n in items)

    designations = [{"name": "designation", "part": [
        {"name": "language", "valueCode": "en"}, {"name": "use", "valueCoding": _DISPLAY_USE},
        {"name": "value", "valueString": c.title}]}] if c.title else []
    for term in notes.get("inclusion_terms", []):
        if not term.get("inherited"):
            designations.append({"name": "designation", "part": [
                {"name": "language", "valueCode": "en"},
                {"name": "use", "valueCoding": {"system": DESIGNATION_USE,
                                                "code": "inclusion-term",
                                                "display": "Inclusion term"}},
                {"name": "value", "valueString": term["text"]}]})
    return parameters(param("name", "String", info.name),
                      param("version", "String", rel.name),
                      param("display", "String", c.title or None),
                      param("code", "Code", c.code),
                      param("system", "Uri", info.uri),
                      param("abstract", "Boolean", c.abstract),
                      *designations, *props)


def _related(kind: str, code: str, title: str) -> dict[str, Any]:
    return {"name": "property", "part": [{"name": "code", "valueCode": kind},
                                         {"name": "value", "valueCode": code},
                                         {"name": "description", "valueString": title}]}


def _library_lookup(store: Store, info: SystemInfo, c: C.Concept) -> dict[str, Any] | None:
    """medcode's full lookup (notes, releases where billable) of a concept found above."""
    try:
        return lib.lookup_dict(store, c.code, info.name, None, c.release.name)
    except MedcodeError:
        return None


def _origin(note: dict[str, Any]) -> list[dict[str, Any]]:
    if note.get("inherited"):
        return [subprop("inherited-from", "Code", note.get("from"))]
    return []


# -- $validate-code ---------------------------------------------------------------------------
def validate_code(store: Store, p: Params) -> dict[str, Any]:
    """CodeSystem/$validate-code: is the code in the code system (see fhir_validate.py)."""
    return validate(store, p, None)


# -- $subsumes --------------------------------------------------------------------------------
def subsumes(store: Store, p: Params) -> dict[str, Any]:
    a = p.coding("codingA")
    b = p.coding("codingB")
    code_a = a.get("code") if a else p.text("codeA")
    code_b = b.get("code") if b else p.text("codeB")
    if not code_a or not code_b:
        raise ApiError(400, "parameters 'codeA' and 'codeB' (or codingA and codingB) are "
                       "required", issue="required")
    uri_a = (a or {}).get("system") or p.text("system")
    uri_b = (b or {}).get("system") or p.text("system")
    info = resolve_system(uri_a or uri_b, store, "codingA" if a else "")
    if uri_a and uri_b and system_for_uri(uri_b) != info:
        raise ApiError(400, "codingA and codingB are from different code systems",
                       issue="invalid")
    version = (a or {}).get("version") or (b or {}).get("version") or p.text("version")
    rel = _release(store, info, version, p)
    ca = find_concept(store, info, rel, code_a, "codingA" if a else "codeA", status=400)
    cb = find_concept(store, info, rel, code_b, "codingB" if b else "codeB", status=400)
    if ca.key == cb.key:
        outcome = "equivalent"
    elif ca.key in C.ancestors(store, info, cb.key):
        outcome = "subsumes"
    elif cb.key in C.ancestors(store, info, ca.key):
        outcome = "subsumed-by"
    else:
        outcome = "not-subsumed"
    return parameters(param("outcome", "Code", outcome))


__all__ = ["PROPERTIES", "fail", "find_concept", "lookup", "resolve_system", "subsumes",
           "validate_code"]
