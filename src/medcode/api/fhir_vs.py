"""ValueSet operations over the implicit value sets of each code system:

    <system uri>?fhir_vs            every code of the system (headers marked abstract)
    <system uri>?fhir_vs=isa/E11    E11 and every code under it

$expand takes ``filter`` (words of the title, or the start of a code), ``count`` and
``offset`` (paging; ``total`` is always given), and ``date`` or ``system-version``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from urllib.parse import unquote

from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_ops import resolve_system, validate_code
from medcode.api.fhir_params import Params, SystemInfo, system_for_uri
from medcode.store.db import Store

#: largest page an expansion returns (also the page when ``count`` is not given)
MAX_COUNT = 1000
_GROUPING = ("chapter", "block")


def parse_url(url: str | None, store: Store) -> tuple[SystemInfo, str | None]:
    """(system, isa root or None) of an implicit value set URL."""
    if not url:
        raise ApiError(400, "parameter 'url' is required: an implicit value set such as "
                       "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs or "
                       "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/E11", issue="required")
    base, _, query = url.partition("?")
    name, _, value = query.partition("=")
    if name != "fhir_vs":
        raise ApiError(404, f"value set {url!r} is not known: use an implicit value set, "
                       "<code system uri>?fhir_vs or ?fhir_vs=isa/<code>", issue="not-found")
    info = resolve_system(base, store)
    value = unquote(value)
    if not value:
        return info, None
    if value.startswith("isa/") and len(value) > 4:
        return info, value[4:]
    raise ApiError(400, f"implicit value set filter {value!r} is not supported: use "
                   "?fhir_vs (all codes) or ?fhir_vs=isa/<code>", issue="not-supported")


def _release(store: Store, info: SystemInfo, p: Params) -> Any:
    on = lib.parse_date(p.text("date"), "date")
    version = None
    for sv in p.all("system-version") + p.all("force-system-version"):
        uri, _, ver = str(sv).rpartition("|")
        if system_for_uri(uri) == info:
            version = ver
    version = version or p.text("version") or p.text("valueSetVersion")
    return store.resolve(info.name, on=on, release=version)


def _like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def expand(store: Store, p: Params) -> dict[str, Any]:
    url = p.text("url")
    info, root = parse_url(url, store)
    rel = _release(store, info, p)
    count = p.integer("count", 0, MAX_COUNT)
    offset = p.integer("offset", 0, 10_000_000) or 0
    text = p.text("filter")

    where = ["system = :s", "node_mask & :m", "kind NOT IN ('chapter', 'block')"]
    args: dict[str, Any] = {"s": info.name, "m": rel.bit}
    cte = ""
    if root:
        root_row = lib.find_row(store, info.name, root)
        args["root"] = root_row[0]
        cte = ("WITH RECURSIVE sub(c) AS (SELECT :root UNION ALL SELECT codes.code FROM codes "
               "JOIN sub ON codes.parent = sub.c AND codes.system = :s) ")
        where.append("code IN (SELECT c FROM sub)")
    if text:
        words = re.findall(r"[A-Za-z0-9]+", text)[:8]
        if not words:
            raise ApiError(400, f"filter {text!r} has no letters or digits")
        conds = []
        for i, word in enumerate(words):
            args[f"w{i}"] = f"%{_like(word)}%"
            conds.append(f"title LIKE :w{i} ESCAPE '\\'")
        args["cp"] = _like(text.strip().upper().replace(".", "")) + "%"
        where.append(f"(code LIKE :cp ESCAPE '\\' OR ({' AND '.join(conds)}))")
    sql_where = " AND ".join(where)
    total = store.conn.execute(f"{cte}SELECT count(*) FROM codes WHERE {sql_where}",
                               args).fetchone()[0]
    page = MAX_COUNT if count is None else count
    rows = store.conn.execute(
        f"{cte}SELECT code, title, kind, billable_mask FROM codes WHERE {sql_where} "
        "ORDER BY code LIMIT :n OFFSET :o", {**args, "n": page, "o": offset}).fetchall() \
        if page else []
    titles = _older_titles(store, info.name, rel, [r[0] for r in rows])
    contains = []
    for code, title, _kind, bmask in rows:
        entry: dict[str, Any] = {"system": info.uri, "version": rel.name,
                                 "code": lib.display(info.name, code),
                                 "display": titles.get(code, title)}
        if not bmask & rel.bit:
            entry["abstract"] = True
        contains.append(entry)
    used = [{"name": "version", "valueString": f"{info.uri}|{rel.name}"},
            {"name": "offset", "valueInteger": offset},
            {"name": "count", "valueInteger": page}]
    if text:
        used.append({"name": "filter", "valueString": text})
    expansion: dict[str, Any] = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "total": total, "offset": offset, "parameter": used}
    if contains:
        expansion["contains"] = contains
    title = (f"{info.name} {rel.name}" + (f", {lib.display(info.name, args['root'])} and "
                                           "its descendants" if root else ""))
    return {"resourceType": "ValueSet", "url": url, "version": rel.name,
            "name": re.sub(r"[^A-Za-z0-9]", "", info.name) + ("Isa" if root else "All"),
            "title": title, "status": "active", "expansion": expansion}


def _older_titles(store: Store, system: str, rel: Any, codes: list[str]) -> dict[str, str]:
    if rel.tabular or not codes or not store.has_table("titles"):
        return {}
    marks = ",".join("?" * len(codes))
    return dict(store.conn.execute(
        f"SELECT code, title FROM titles WHERE system = ? AND release = ? AND code IN ({marks})",
        (system, rel.name, *codes)))


def vs_validate_code(store: Store, p: Params) -> dict[str, Any]:
    """ValueSet/$validate-code on an implicit value set: the code must be valid in its
    system (see validate_code) and, for ``isa/<root>``, be the root or under it."""
    info, root = parse_url(p.text("url"), store)
    given = p.text("system") or (p.coding("coding") or {}).get("system")
    if given and system_for_uri(given) != info:
        from medcode.api.fhir_params import param, parameters
        return parameters(param("result", "Boolean", False),
                          param("message", "String", f"{given} is not the code system of "
                                f"this value set ({info.uri})"))
    if not given:
        p.values["system"] = [info.uri]
    return validate_code(store, p, member_of=root)
