"""The code systems FHIR clients can ask about: one row per system, and how their versions
are named.

Adding a code system to the FHIR face is one entry in :data:`SYSTEMS` (its medcode name,
canonical URI, resource id, title, publisher, OID, and how a bare year names a release).
A system is served once the store has a release of it; nothing else is per-system.

Versions. A client may name a release by the store's own name (``FY2026``, ``2026Q4``,
``v32``), by the year alone (``2026``: the tabular's own version element; for a fiscal-year
system it is the fiscal year that starts on October 1 of the year before), with or without
``FY``, or by a date (``2025-10-01``, ``20251001``, ``2025-10``): the release in force that day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from medcode.models import Release
from medcode.store.db import Store


@dataclass(frozen=True)
class SystemInfo:
    name: str          # medcode's system name (DESIGN.md contract)
    uri: str           # canonical FHIR URI
    slug: str          # CodeSystem resource id of the newest release
    title: str
    publisher: str
    oid: str           # HL7 OID ('' when none is registered)
    years: str = "fiscal"        # a bare year names a "fiscal" (Oct 1 of year-1) or "calendar" year
    aliases: tuple[str, ...] = ()  # other URIs clients use for the same system


SYSTEMS: tuple[SystemInfo, ...] = (
    SystemInfo("ICD-10-CM", "http://hl7.org/fhir/sid/icd-10-cm", "icd-10-cm",
               "International Classification of Diseases, Tenth Revision, Clinical Modification",
               "National Center for Health Statistics (NCHS), CDC", "2.16.840.1.113883.6.90"),
    SystemInfo("ICD-10-PCS", "http://www.cms.gov/Medicare/Coding/ICD10", "icd-10-pcs",
               "ICD-10 Procedure Coding System", "Centers for Medicare & Medicaid Services",
               "2.16.840.1.113883.6.4", aliases=("http://hl7.org/fhir/sid/icd-10-pcs",)),
    SystemInfo("CPT", "http://www.ama-assn.org/go/cpt", "cpt",
               "Current Procedural Terminology (CPT)", "American Medical Association",
               "2.16.840.1.113883.6.12", years="calendar"),
    # canonical URI per HL7 Terminology (THO) CodeSystem hcpcs-Level-II
    SystemInfo("HCPCS", "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "hcpcs",
               "Healthcare Common Procedure Coding System (HCPCS) Level II",
               "Centers for Medicare & Medicaid Services", "2.16.840.1.113883.6.285",
               years="calendar"),
    SystemInfo("ICD-9-CM", "http://hl7.org/fhir/sid/icd-9-cm", "icd-9-cm",
               "International Classification of Diseases, Ninth Revision, Clinical Modification",
               "National Center for Health Statistics (NCHS), CDC", "2.16.840.1.113883.6.103"),
    # the WHO systems: served once the crosswalk work loads them into the store
    SystemInfo("ICD-10", "http://hl7.org/fhir/sid/icd-10", "icd-10",
               "International Statistical Classification of Diseases and Related Health "
               "Problems, 10th Revision", "World Health Organization", "2.16.840.1.113883.6.3",
               years="calendar"),
    SystemInfo("ICD-11", "http://id.who.int/icd/release/11/mms", "icd-11",
               "ICD-11 for Mortality and Morbidity Statistics", "World Health Organization",
               "", years="calendar"),
)

BY_NAME = {s.name: s for s in SYSTEMS}
BY_SLUG = {s.slug: s for s in SYSTEMS}
_BY_URI: dict[str, SystemInfo] = {}
for _s in SYSTEMS:
    for _u in (_s.uri, *_s.aliases):
        _BY_URI[_u.lower()] = _s
        _BY_URI[_u.lower().replace("http://", "https://", 1)] = _s
    if _s.oid:
        _BY_URI[f"urn:oid:{_s.oid}"] = _s


def system_for_uri(uri: str | None) -> SystemInfo | None:
    """The system a URI (or ``urn:oid:``) names; a ``|version`` suffix is ignored."""
    if not uri:
        return None
    return _BY_URI.get(uri.split("|", 1)[0].strip().rstrip("/").lower())


def loaded(store: Store) -> list[tuple[SystemInfo, list[Release]]]:
    """(system, its releases oldest first) for every registered system the store holds."""
    out = []
    for info in SYSTEMS:
        rels = store.releases(info.name)
        if rels:
            out.append((info, rels))
    return out


_DATE = re.compile(r"(\d{4})-?(\d{2})(?:-?(\d{2}))?")


def _day(text: str) -> dt.date | None:
    m = _DATE.fullmatch(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError:
        return None


def _in_force(rels: list[Release], day: dt.date) -> Release | None:
    for r in reversed(rels):
        if r.covers(day):
            return r
    return None


def find_release(store: Store, info: SystemInfo, version: str) -> Release | None:
    """The release ``version`` names (see the module docstring), or None."""
    rels = store.releases(info.name)
    key = version.strip().upper()
    if not key:
        return None
    for r in rels:
        if r.name.upper() == key:
            return r
    bare = key[2:].strip() if key.startswith("FY") else key
    for r in rels:
        name = r.name.upper()
        if (name[2:] if name.startswith("FY") else name) == bare:
            return r
    if re.fullmatch(r"\d{4}", bare):
        year = int(bare)
        start = dt.date(year - 1, 10, 1) if info.years == "fiscal" or key.startswith("FY") \
            else dt.date(year, 1, 1)
        return _in_force(rels, start)
    day = _day(bare)
    return _in_force(rels, day) if day else None


def pinned(values: list[object], info: SystemInfo) -> str | None:
    """The version ``system-version``-style values (``uri|version``) give ``info``."""
    for value in values:
        uri, _, ver = str(value).rpartition("|")
        if system_for_uri(uri) == info and ver:
            return ver
    return None


__all__ = ["BY_NAME", "BY_SLUG", "SYSTEMS", "SystemInfo", "find_release", "loaded",
           "pinned", "system_for_uri"]
