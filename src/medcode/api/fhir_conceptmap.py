"""The official maps as FHIR ConceptMap resources (R4): the CMS GEMs and WHO's ICD-10 <->
ICD-11 tables, one resource per map file, readable at ``/fhir/ConceptMap/{id}``.

Relationship of a target (R4 ``equivalence`` / R5 ``relationship``):

* GEM without the approximate flag: ``equivalent`` / ``equivalent``;
* GEM approximate or combination: ``inexact`` / ``related-to``;
* WHO tables (they claim no equivalence): ``relatedto`` / ``related-to``;
* ICD-10-CM -> WHO ICD-10 by the nearest code above: ``wider`` /
  ``source-is-narrower-than-target``; the same code: ``equivalent``;
* a "no map" row: ``unmatched`` / ``not-related-to``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medcode import __version__
from medcode.api.errors import ApiError
from medcode.api.fhir_systems import BY_NAME
from medcode.codes.crosswalk.mapping import MAP_TITLES, _show, mapper
from medcode.store.db import Store

URL = "urn:medcode:fhir:ConceptMap:"


@dataclass(frozen=True)
class MapInfo:
    id: str
    source: str      # medcode system names
    target: str
    version: str
    publisher: str
    nine_kind: str | None = None


MAPS: tuple[MapInfo, ...] = (
    MapInfo("gem-dx-9-10", "ICD-9-CM", "ICD-10-CM", "2018", "CMS", "diagnosis"),
    MapInfo("gem-dx-10-9", "ICD-10-CM", "ICD-9-CM", "2018", "CMS", "diagnosis"),
    MapInfo("gem-pr-9-10", "ICD-9-CM", "ICD-10-PCS", "2018", "CMS", "procedure"),
    MapInfo("gem-pr-10-9", "ICD-10-PCS", "ICD-9-CM", "2018", "CMS (read backward by medcode)",
            "procedure"),
    MapInfo("who-10-11-one", "ICD-10", "ICD-11", "2024-01", "World Health Organization"),
    MapInfo("who-10-11-multi", "ICD-10", "ICD-11", "2024-01", "World Health Organization"),
    MapInfo("who-11-10-one", "ICD-11", "ICD-10", "2024-01", "World Health Organization"),
    MapInfo("same-code", "ICD-10-CM", "ICD-10", "1", "medcode"),
)
BY_ID = {m.id: m for m in MAPS}


def url_of(map_id: str) -> str:
    return URL + map_id


def by_url(url: str | None) -> MapInfo | None:
    if not url:
        return None
    text = url.split("|", 1)[0].strip()
    key = text[len(URL):] if text.startswith(URL) else text.rstrip("/").rsplit("/", 1)[-1]
    return BY_ID.get(key)


def relation(t: dict[str, Any]) -> tuple[str, str]:
    """(R4 equivalence, R5 relationship) of one target."""
    if t.get("no_map"):
        return "unmatched", "not-related-to"
    if t.get("kind") == "nearest code above":
        return "wider", "source-is-narrower-than-target"
    if t.get("map", "").startswith("who-"):
        return "relatedto", "related-to"
    if t.get("approximate") or t.get("combination") or t.get("via"):
        return "inexact", "related-to"
    return "equivalent", "equivalent"


def _header(m: MapInfo) -> dict[str, Any]:
    return {"resourceType": "ConceptMap", "id": m.id, "url": url_of(m.id),
            "version": m.version, "name": m.id.replace("-", "_").upper(),
            "title": MAP_TITLES[m.id], "status": "active", "experimental": False,
            "publisher": m.publisher,
            "description": f"{MAP_TITLES[m.id]}; served by medcode {__version__}",
            "sourceUri": BY_NAME[m.source].uri, "targetUri": BY_NAME[m.target].uri}


def read(store: Store, map_id: str, summary: bool = False) -> dict[str, Any]:
    m = BY_ID.get(map_id)
    if m is None or m.id == "same-code":
        known = ", ".join(x.id for x in MAPS if x.id != "same-code")
        raise ApiError(404, f"ConceptMap/{map_id} is not here; available: {known}",
                       issue="not-found")
    res = _header(m)
    if summary:
        return res
    table = mapper(store).table(m.id)
    src_sys, tgt_sys = m.source, m.target
    elements = []
    for source, rows in table.items():
        targets = []
        for row in rows:
            if m.id.startswith("gem-"):
                tgt, approx, nomap, comb, scen, choice, _derived = row
                t = {"map": m.id, "approximate": approx, "no_map": nomap, "combination": comb}
                eq = relation(t)[0]
                entry: dict[str, Any] = {"equivalence": eq}
                if not nomap:
                    entry["code"] = _show(tgt_sys, tgt, m.nine_kind)
                if comb:
                    entry["comment"] = f"combination: scenario {scen}, choice list {choice}"
                elif approx:
                    entry["comment"] = "approximate"
            else:
                tgt, _tkind, ttitle, _skind = row
                entry = {"equivalence": "relatedto" if tgt else "unmatched"}
                if tgt:
                    entry.update(code=tgt, display=ttitle or None)
                entry = {k: v for k, v in entry.items() if v is not None}
            targets.append(entry)
        elements.append({"code": _show(src_sys, source, m.nine_kind), "target": targets})
    res["group"] = [{"source": BY_NAME[src_sys].uri, "target": BY_NAME[tgt_sys].uri,
                     "element": elements}]
    return res


def search(store: Store, base: str, url: str | None = None) -> dict[str, Any]:
    want = by_url(url) if url else None
    found = [_header(m) for m in MAPS if m.id != "same-code" and (url is None or m is want)]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(found),
            "link": [{"relation": "self", "url": f"{base}/ConceptMap"}],
            "entry": [{"fullUrl": f"{base}/ConceptMap/{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in found]}
