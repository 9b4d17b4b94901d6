"""Conformance resources: CapabilityStatement, TerminologyCapabilities, CodeSystem.

Every loaded release of every code system is a CodeSystem resource (``content:
not-present``: the concepts are reached through the operations, not listed): the newest
release has the system's id (``icd-10-cm``), older ones the id with the release
(``icd-10-cm-fy2025``). ``GET /fhir/CodeSystem?url=...[&version=...]`` searches them.
"""

from __future__ import annotations

import re
from typing import Any

import medcode
from medcode.api.errors import ApiError
from medcode.api.fhir_ops import PROPERTIES
from medcode.api.fhir_systems import BY_SLUG, SystemInfo, find_release, loaded, system_for_uri
from medcode.models import Release
from medcode.store.db import Store
from medcode.store.freshness import today as _today

FHIR_VERSION = "4.0.1"
_OPDEF = "http://hl7.org/fhir/OperationDefinition/"
#: the $expand parameters medcode understands (listed in TerminologyCapabilities)
EXPAND_PARAMETERS = ("activeOnly", "count", "date", "displayLanguage", "excludeNotForUI",
                     "filter", "force-system-version", "includeDesignations", "offset",
                     "system-version", "valueSetVersion")
FILTERS = [{"code": "concept", "op": ["is-a", "descendent-of", "is-not-a", "child-of",
                                      "generalizes", "in", "not-in", "="]},
           {"code": "parent", "op": ["=", "exists"]},
           {"code": "kind", "op": ["=", "in", "not-in"]},
           {"code": "billable", "op": ["="]}, {"code": "notSelectable", "op": ["="]},
           {"code": "inactive", "op": ["="]}]
_SUMMARY = ("resourceType", "id", "url", "identifier", "version", "name", "title", "status",
            "publisher", "content", "count", "caseSensitive", "meta")


def _date(store: Store) -> str:
    built = store.meta("built_at")
    if isinstance(built, str) and built:
        return built[:10] if re.match(r"\d{4}-\d{2}-\d{2}", built) else built
    return _today().isoformat()


def capability_statement(store: Store, base: str) -> dict[str, Any]:
    def op(name: str, definition: str) -> dict[str, str]:
        return {"name": name, "definition": _OPDEF + definition}

    return {
        "resourceType": "CapabilityStatement", "id": "medcode", "status": "active",
        "url": base + "/metadata", "version": medcode.__version__,
        "date": _date(store), "publisher": "medcode", "kind": "instance",
        "name": "MedcodeTerminologyServer", "title": "medcode terminology server",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": {"name": "medcode", "version": medcode.__version__},
        "implementation": {"description": "medcode: US billing code systems, offline",
                           "url": base},
        "fhirVersion": FHIR_VERSION, "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Terminology operations over the code systems in the local "
                             "medcode store; GET with query parameters or POST a Parameters "
                             "resource; POST a batch Bundle to the base. Implicit value sets: "
                             "<system>?fhir_vs, ?fhir_vs=billable, ?fhir_vs=isa/<code>, "
                             "?fhir_vs=billable-isa/<code>.",
            "resource": [
                {"type": "CodeSystem", "profile": "http://hl7.org/fhir/StructureDefinition/CodeSystem",
                 "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "url", "type": "uri"},
                                 {"name": "version", "type": "token"}],
                 "operation": [op("lookup", "CodeSystem-lookup"),
                               op("validate-code", "CodeSystem-validate-code"),
                               op("subsumes", "CodeSystem-subsumes")]},
                {"type": "ValueSet", "profile": "http://hl7.org/fhir/StructureDefinition/ValueSet",
                 "operation": [op("expand", "ValueSet-expand"),
                               op("validate-code", "ValueSet-validate-code")]},
            ],
            "interaction": [{"code": "batch"}],
        }],
    }


def terminology_capabilities(store: Store) -> dict[str, Any]:
    systems = []
    for info, rels in loaded(store):
        systems.append({"uri": info.uri, "version": [
            {"code": r.name, "isDefault": r is rels[-1], "compositional": False,
             "language": ["en"], "filter": FILTERS,
             "property": list(PROPERTIES)} for r in rels]})
    return {"resourceType": "TerminologyCapabilities", "id": "medcode", "status": "active",
            "version": medcode.__version__, "name": "MedcodeTerminologyCapabilities",
            "title": "medcode terminology capabilities",
            "date": _date(store), "kind": "instance",
            "software": {"name": "medcode", "version": medcode.__version__},
            "codeSystem": systems,
            "expansion": {"hierarchical": False, "paging": True, "incomplete": False,
                          "parameter": [{"name": n} for n in EXPAND_PARAMETERS],
                          "textFilter": "words of the display (all must match), or the start "
                                        "of a code"},
            "codeSearch": "all",
            "validateCode": {"translations": False}}


def resource_id(info: SystemInfo, rel: Release, newest: bool) -> str:
    rid = info.slug if newest else f"{info.slug}-{rel.name.lower()}"
    return re.sub(r"[^A-Za-z0-9\-.]", "-", rid)[:64]


def code_system(info: SystemInfo, rel: Release, newest: bool,
                summary: bool = False) -> dict[str, Any]:
    cs = {
        "resourceType": "CodeSystem", "id": resource_id(info, rel, newest),
        "url": info.uri,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{info.oid}"}]
        if info.oid else [],
        "version": rel.name, "name": re.sub(r"[^A-Za-z0-9]", "", info.name),
        "title": info.title, "status": "active",  # older releases still serve older dates
        "date": rel.effective_from.isoformat(),
        "publisher": info.publisher,
        "description": f"{info.name} release {rel.name}, effective {rel.effective_from}"
                       + (f" to {rel.effective_to}" if rel.effective_to else "")
                       + f": {rel.billable} billable codes of {rel.codes}.",
        "caseSensitive": False, "valueSet": f"{info.uri}?fhir_vs",
        "hierarchyMeaning": "is-a", "content": "not-present", "count": rel.codes,
        "filter": [{"code": f["code"], "operator": f["op"], "value": "a code, or true/false"}
                   for f in FILTERS],
        "property": [{"code": code, "description": desc, "type": kind}
                     for code, (kind, desc) in PROPERTIES.items()],
    }
    if not cs["identifier"]:
        del cs["identifier"]
    if summary:
        cs = {k: v for k, v in cs.items() if k in _SUMMARY}
        cs["meta"] = {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                               "code": "SUBSETTED"}]}
    return cs


def code_systems(store: Store, url: str | None = None, version: str | None = None,
                 summary: bool = False) -> list[dict[str, Any]]:
    want = system_for_uri(url) if url else None
    if url and want is None:
        return []
    out = []
    for info, rels in loaded(store):
        if want is not None and info != want:
            continue
        pick = find_release(store, info, version) if version else None
        for rel in reversed(rels):
            if version and rel != pick:
                continue
            out.append(code_system(info, rel, rel is rels[-1], summary))
    return out


def read_code_system(store: Store, rid: str, summary: bool = False) -> dict[str, Any]:
    for cs in code_systems(store, summary=summary):
        if cs["id"] == rid:
            return cs
    known = ", ".join(cs["id"] for cs in code_systems(store))
    hint = " (not loaded in this store)" if rid in BY_SLUG else ""
    raise ApiError(404, f"CodeSystem/{rid} is not here{hint}; available: {known}",
                   issue="not-found")


def bundle(resources: list[dict[str, Any]], base: str) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "link": [{"relation": "self", "url": f"{base}/CodeSystem"}],
            "entry": [{"fullUrl": f"{base}/CodeSystem/{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in resources]}
