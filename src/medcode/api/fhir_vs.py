"""ValueSet/$expand and ValueSet/$validate-code over implicit value sets (see fhir_compose.py)
and inline ones (a ``valueSet`` parameter, or a ``tx-resource`` the ``url`` names).

$expand takes ``filter`` (words of the title, or the start of a code), ``count`` and
``offset`` (paging; ``total`` is always given; without ``count`` an expansion larger than
1000 codes is refused as too costly), ``date``, ``system-version`` / ``force-system-version``,
``valueSetVersion``, ``activeOnly`` (every concept of a release is active in it),
``excludeNotForUI`` (leave the abstract headers out), ``includeDesignations`` and
``displayLanguage`` (medcode's displays are English).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from medcode.api import fhir_issues as I
from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_compose import UnknownSystemInclude, ValueSetDef, from_resource, implicit
from medcode.api.fhir_concepts import VersionProblem, release_for
from medcode.api.fhir_ops import fail
from medcode.api.fhir_params import Params
from medcode.api.fhir_systems import SystemInfo, pinned
from medcode.api.fhir_validate import validate
from medcode.models import Release
from medcode.store.db import Store

#: largest page an expansion returns
MAX_COUNT = 1000
_DISPLAY_USE = {"system": "http://terminology.hl7.org/CodeSystem/designation-usage",
                "code": "display"}


def value_set(store: Store, p: Params) -> ValueSetDef:
    """The value set a request names: ``valueSet`` (inline), ``url`` (an implicit value set,
    or a ``tx-resource`` ValueSet with that url)."""
    try:
        inline = p.get("valueSet")
        if inline is not None:
            return from_resource(inline)
        url = p.text("url") or p.text("context")
        if not url:
            raise ApiError(400, "parameter 'url' or 'valueSet' is required: an implicit value "
                           "set such as http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=billable, or "
                           "an inline ValueSet", issue="required")
        version = p.text("valueSetVersion")
        found = implicit(url if "|" in url or not version else f"{url}|{version}", store)
        if found is not None:
            return found
        base = url.split("|", 1)[0]
        for res in p.all("tx-resource"):
            if isinstance(res, dict) and res.get("resourceType") == "ValueSet" \
                    and res.get("url") == base:
                return from_resource(res)
    except UnknownSystemInclude as exc:
        raise fail(400, [I.unknown_system(exc.system, "")]) from None
    issue = I.Issue("error", "not-found", "not-found",
                    f"A definition for the value set '{url}' could not be found; medcode knows "
                    "the implicit value sets <system>?fhir_vs, ?fhir_vs=billable, "
                    "?fhir_vs=isa/<code>, ?fhir_vs=billable-isa/<code>, and inline ValueSets",
                    None, "Unable_to_resolve_value_Set_")
    raise fail(404, [issue])


def vs_validate_code(store: Store, p: Params) -> dict[str, Any]:
    return validate(store, p, value_set(store, p))


# -- $expand ----------------------------------------------------------------------------------
def _release(store: Store, info: SystemInfo, version: str | None, p: Params,
             on: dt.date | None) -> Release:
    forced = pinned(p.all("force-system-version"), info)
    version = forced or version or pinned(p.all("system-version"), info)
    try:
        return release_for(store, info, version, on)
    except VersionProblem as exc:
        raise fail(404, [exc.issue]) from None



def _like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def expand(store: Store, p: Params) -> dict[str, Any]:
    vs = value_set(store, p)
    on = lib.parse_date(p.text("date"), "date")
    count = p.integer("count", 0, MAX_COUNT)
    offset = p.integer("offset", 0, 10_000_000) or 0
    text = p.text("filter")
    no_headers = bool(p.boolean("excludeNotForUI"))
    for sys_info in vs.systems():
        if not store.releases(sys_info.name):
            raise fail(404, [I.unknown_system(sys_info.uri, "")])

    args: dict[str, Any] = {}
    rels: dict[str, Release] = {}
    parts = []
    for n, inc in enumerate(vs.includes + vs.excludes):
        rel = rels.get(inc.info.name)
        if rel is None or inc.version:
            rel = _release(store, inc.info, inc.version, p, on)
            rels.setdefault(inc.info.name, rel)
        args[f"s{n}"], args[f"b{n}"] = inc.info.name, rel.bit
        body = inc.sql(store, args, n).replace(":s", f":s{n}").replace(":b", f":b{n}")
        cond = f"(system = :s{n} AND (node_mask & :b{n}) != 0 AND {body})"
        if no_headers and n < len(vs.includes):
            cond = cond[:-1] + f" AND (billable_mask & :b{n}) != 0)"
        parts.append(cond)
    incl = " OR ".join(parts[:len(vs.includes)])
    excl = " OR ".join(parts[len(vs.includes):])
    where = f"({incl})" + (f" AND NOT ({excl})" if excl else "")
    if text:
        words = re.findall(r"[A-Za-z0-9]+", text)[:8]
        if not words:
            raise ApiError(400, f"filter {text!r} has no letters or digits")
        conds = []
        for i, word in enumerate(words):
            args[f"w{i}"] = f"%{_like(word)}%"
            conds.append(f"title LIKE :w{i} ESCAPE '\\'")
        args["cp"] = _like(text.strip().upper().replace(".", "")) + "%"
        where += f" AND (code LIKE :cp ESCAPE '\\' OR ({' AND '.join(conds)}))"
    total = store.conn.execute(f"SELECT count(*) FROM codes WHERE {where}", args).fetchone()[0]
    if count is None and total > MAX_COUNT:
        issue = I.Issue("error", "too-costly", None,
                        f"The value set '{vs.canonical}' expansion has too many codes to "
                        f"produce (>{MAX_COUNT}): {total} codes; page through it with count "
                        f"(at most {MAX_COUNT}) and offset", None, "VALUESET_TOO_COSTLY")
        raise fail(422, [issue])
    page = MAX_COUNT if count is None else count
    rows = store.conn.execute(
        f"SELECT system, code, title, billable_mask FROM codes WHERE {where} "
        "ORDER BY system, code LIMIT :n OFFSET :o", {**args, "n": page, "o": offset}
    ).fetchall() if page else []
    return _resource(store, vs, p, rels, rows, total, offset, count, text)


def _resource(store: Store, vs: ValueSetDef, p: Params, rels: dict[str, Release],
              rows: list[Any], total: int, offset: int, count: int | None,
              text: str | None) -> dict[str, Any]:
    infos = {i.name: i for i in vs.systems()}
    titles = _older_titles(store, rels, rows)
    designations = bool(p.boolean("includeDesignations"))
    contains = []
    for system, code, title, bmask in rows:
        rel = rels[system]
        shown = titles.get((system, code), title)
        entry: dict[str, Any] = {"system": infos[system].uri,
                                 "code": lib.display(system, code), "display": shown}
        if not bmask & rel.bit:
            entry["abstract"] = True
        if designations:
            entry["designation"] = [{"language": "en", "use": _DISPLAY_USE, "value": shown}]
        contains.append(entry)
    used: list[dict[str, Any]] = []
    for name in ("displayLanguage", "activeOnly", "excludeNotForUI", "includeDesignations"):
        if p.get(name) is not None:
            kind = "valueCode" if name == "displayLanguage" else "valueBoolean"
            used.append({"name": name, kind: p.get(name) if kind == "valueCode"
                         else bool(p.boolean(name))})
    if count is not None:
        used.append({"name": "count", "valueInteger": count})
    if p.get("offset") is not None:
        used.append({"name": "offset", "valueInteger": offset})
    if text:
        used.append({"name": "filter", "valueString": text})
    for value in p.all("system-version"):
        used.append({"name": "system-version", "valueUri": str(value)})
    for system, rel in rels.items():
        used.append({"name": "used-codesystem", "valueUri": f"{infos[system].uri}|{rel.name}"})
    expansion: dict[str, Any] = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "total": total, "offset": offset, "parameter": used}
    if contains:
        expansion["contains"] = contains
    out: dict[str, Any] = {"resourceType": "ValueSet"}
    if vs.resource is not None:
        for key in ("id", "url", "version", "name", "title", "status", "experimental", "date",
                    "publisher", "description"):
            if key in vs.resource:
                out[key] = vs.resource[key]
        out.setdefault("status", "active")
    else:
        rel = next(iter(rels.values()))
        out.update({"url": vs.url, "version": rel.name, "name": vs.name,
                    "title": f"{vs.title} ({rel.name})", "status": "active"})
    out["expansion"] = expansion
    return out


def _older_titles(store: Store, rels: dict[str, Release],
                  rows: list[Any]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    if not rows or not store.has_table("titles"):
        return out
    for system, rel in rels.items():
        if rel.tabular:
            continue
        codes = [r[1] for r in rows if r[0] == system]
        for i in range(0, len(codes), 500):
            chunk = codes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for code, title in store.conn.execute(
                    "SELECT code, title FROM titles WHERE system = ? AND release = ? AND code "
                    f"IN ({marks})", (system, rel.name, *chunk)):
                out[(system, code)] = title
    return out


__all__ = ["MAX_COUNT", "expand", "value_set", "vs_validate_code"]
