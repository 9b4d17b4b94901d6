"""Conformance resources: CapabilityStatement, TerminologyCapabilities, CodeSystem."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import medcode
from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_ops import PROPERTIES
from medcode.api.fhir_params import BY_NAME, BY_SLUG, SystemInfo, system_for_uri
from medcode.models import Release
from medcode.store.db import Store

FHIR_VERSION = "4.0.1"
_OPDEF = "http://hl7.org/fhir/OperationDefinition/"


def _date(store: Store) -> str:
    built = store.meta("built_at")
    if isinstance(built, str) and built:
        return built
    return dt.date.today().isoformat()


def _loaded(store: Store) -> list[tuple[SystemInfo, list[Release]]]:
    out = []
    for name in lib.systems_loaded(store):
        info = BY_NAME.get(name)
        if info is not None:
            out.append((info, store.releases(name)))
    return out


def capability_statement(store: Store, base: str) -> dict[str, Any]:
    def op(name: str, definition: str) -> dict[str, str]:
        return {"name": name, "definition": _OPDEF + definition}

    return {
        "resourceType": "CapabilityStatement", "id": "medcode", "status": "active",
        "date": _date(store), "publisher": "medcode", "kind": "instance",
        "name": "MedcodeTerminologyServer", "title": "medcode terminology server",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": {"name": "medcode", "version": medcode.__version__},
        "implementation": {"description": "medcode: US billing code systems, offline",
                           "url": base},
        "fhirVersion": FHIR_VERSION, "format": ["json"],
        "rest": [{
            "mode": "server",
            "documentation": "Terminology operations over the code systems in the local "
                             "medcode store; GET with query parameters or POST a Parameters "
                             "resource. Implicit value sets: <system>?fhir_vs and "
                             "<system>?fhir_vs=isa/<code>.",
            "resource": [
                {"type": "CodeSystem", "profile": "http://hl7.org/fhir/StructureDefinition/CodeSystem",
                 "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "url", "type": "uri"}],
                 "operation": [op("lookup", "CodeSystem-lookup"),
                               op("validate-code", "CodeSystem-validate-code"),
                               op("subsumes", "CodeSystem-subsumes")]},
                {"type": "ValueSet", "profile": "http://hl7.org/fhir/StructureDefinition/ValueSet",
                 "operation": [op("expand", "ValueSet-expand"),
                               op("validate-code", "ValueSet-validate-code")]},
            ],
        }],
    }


def terminology_capabilities(store: Store) -> dict[str, Any]:
    systems = []
    for info, rels in _loaded(store):
        systems.append({"uri": info.uri, "version": [
            {"code": r.name, "isDefault": r is rels[-1]} for r in rels]})
    return {"resourceType": "TerminologyCapabilities", "id": "medcode", "status": "active",
            "date": _date(store), "kind": "instance",
            "software": {"name": "medcode", "version": medcode.__version__},
            "codeSystem": systems,
            "expansion": {"hierarchical": False, "paging": True,
                          "parameter": [{"name": n} for n in
                                        ("filter", "count", "offset", "date", "system-version")]},
            "validateCode": {"translations": False}}


def code_system(info: SystemInfo, rel: Release, newest: bool) -> dict[str, Any]:
    rid = info.slug if newest else f"{info.slug}-{rel.name.lower()}"
    return {
        "resourceType": "CodeSystem", "id": re.sub(r"[^A-Za-z0-9\-.]", "-", rid)[:64],
        "url": info.uri, "identifier": [{"system": "urn:ietf:rfc:3986",
                                         "value": f"urn:oid:{info.oid}"}],
        "version": rel.name, "name": re.sub(r"[^A-Za-z0-9]", "", info.name),
        "title": info.title, "status": "active",  # older releases still serve older dates
        "publisher": info.publisher,
        "description": f"{info.name} release {rel.name}, effective {rel.effective_from}"
                       + (f" to {rel.effective_to}" if rel.effective_to else "")
                       + f": {rel.billable} billable codes of {rel.codes}.",
        "caseSensitive": False, "valueSet": f"{info.uri}?fhir_vs",
        "hierarchyMeaning": "is-a", "content": "not-present", "count": rel.codes,
        "property": [{"code": code, "description": desc, "type": kind}
                     for code, (kind, desc) in PROPERTIES.items()],
    }


def code_systems(store: Store, url: str | None = None) -> list[dict[str, Any]]:
    want = system_for_uri(url) if url else None
    out = []
    for info, rels in _loaded(store):
        if url and info != want:
            continue
        for rel in reversed(rels):
            out.append(code_system(info, rel, rel is rels[-1]))
    return out


def read_code_system(store: Store, rid: str) -> dict[str, Any]:
    for cs in code_systems(store):
        if cs["id"] == rid:
            return cs
    known = ", ".join(cs["id"] for cs in code_systems(store))
    hint = " (not loaded in this store)" if rid in BY_SLUG else ""
    raise ApiError(404, f"CodeSystem/{rid} is not here{hint}; available: {known}",
                   issue="not-found")


def bundle(resources: list[dict[str, Any]], base: str) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"{base}/CodeSystem/{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in resources]}
