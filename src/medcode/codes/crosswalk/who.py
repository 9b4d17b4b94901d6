"""Lookup for the WHO classifications the store holds: ICD-10 (2019) and ICD-11 MMS.

ICD-11 postcoordination: a cluster joins a stem code with ``/`` (another stem code) and
``&`` (an extension code, chapter X, or a stem code), e.g. ``2C82.0&XK8G`` or
``NC72.2&XA4383/XJ7TT``. Each part is looked up and explained; the cluster is "valid" when
every part is a code of the release.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from medcode.codes.otherinfo import OtherInfo
from medcode.errors import UnknownCode
from medcode.store.db import Row, Store

WHO = ("ICD-10", "ICD-11")
_SPLIT = re.compile(r"([&/])")


def key_of(system: str, raw: str) -> str:
    """The store key of a WHO code: dotted, upper case (``a000`` -> ``A00.0``,
    ``ba00z`` -> ``BA00.Z``)."""
    c = raw.strip().upper()
    if "." in c or len(c) <= (3 if system == "ICD-10" else 4):
        return c
    if system == "ICD-10":
        return f"{c[:3]}.{c[3:]}"
    if c[:1] == "X" or c.startswith("BLOCK") or c.isdigit():
        return c
    return f"{c[:4]}.{c[4:]}"


def find(store: Store, system: str, raw: str) -> Row | None:
    row = store.row(system, raw.strip())
    return row if row is not None else store.row(system, key_of(system, raw))


def _chain(store: Store, system: str, row: Row) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    parent = row[3]
    while parent and len(out) < 16:
        up = store.row(system, parent)
        if up is None:
            break
        out.append({"code": up[0], "title": up[1], "kind": up[2]})
        parent = up[3]
    return out[::-1]


def _entity(store: Store, code: str) -> dict[str, Any]:
    if not store.has_table("icd11_entity"):
        return {}
    hit = store.conn.execute("SELECT foundation_uri, linearization_uri, residual, leaf, "
                             "chapter, block_id FROM icd11_entity WHERE code = ?",
                             (code,)).fetchone()
    if not hit:
        return {}
    return {"foundation_uri": hit[0] or None, "linearization_uri": hit[1],
            "residual": bool(hit[2]), "leaf": bool(hit[3]), "chapter": hit[4],
            "block_id": hit[5] or None}


def info(store: Store, system: str, raw: str, on: dt.date | None = None) -> OtherInfo:
    """Lookup of one WHO ICD-10 or ICD-11 code (or an ICD-11 cluster)."""
    if system == "ICD-11" and _SPLIT.search(raw):
        return cluster_info(store, raw, on)
    rel = store.resolve(system)
    row = find(store, system, raw)
    if row is None:
        raise UnknownCode(f"{raw.strip()} is not a code of {system} {rel.name}",
                          code=raw.strip(), system=system)
    leaf = bool(row[5] & rel.bit)
    kids = [{"code": r[0], "title": r[1], "kind": r[2], "billable": bool(r[5] & rel.bit)}
            for r in store.children(system, row[0])[:500]]
    details: dict[str, Any] = {"leaf": leaf}
    if system == "ICD-11":
        details.update(_entity(store, row[0]))
        if row[0].endswith((".Y", ".Z")) or details.get("residual"):
            details["residual_kind"] = ("other specified" if row[0].endswith(".Y") else
                                        "unspecified" if row[0].endswith(".Z") else "residual")
    what = "a leaf code (can be used as it is)" if leaf else \
        f"a {row[2]} with {len(kids)} codes under it (use a more specific one)"
    msg = f"{row[0]} is {what} in {system} {rel.name}"
    return OtherInfo(system, row[0], row[1], row[2], leaf, rel.name, on, parent=row[3],
                     ancestors=_chain(store, system, row), children=kids,
                     status="valid" if leaf else "header", message=msg, details=details)


def cluster_info(store: Store, raw: str, on: dt.date | None = None) -> OtherInfo:
    """An ICD-11 postcoordinated cluster: each part, its role and meaning."""
    rel = store.resolve("ICD-11")
    text = raw.strip().upper().replace(" ", "")
    pieces = _SPLIT.split(text)
    if not pieces[0] or pieces[0].startswith("X"):
        raise UnknownCode(f"{raw.strip()}: an ICD-11 cluster starts with a stem code, not "
                          f"{pieces[0] or 'a separator'}", code=text, system="ICD-11")
    parts: list[dict[str, Any]] = []
    problems: list[str] = []
    for i in range(0, len(pieces), 2):
        code = pieces[i]
        sep = pieces[i - 1] if i else ""
        row = find(store, "ICD-11", code) if code else None
        if code.startswith("X"):
            role = "extension code (adds detail to the stem code before it)"
        elif i == 0:
            role = "stem code (the main condition)"
        else:
            role = ("stem code joined with '/' (another condition, e.g. a manifestation)"
                    if sep == "/" else "stem code added with '&' (associated detail)")
        part: dict[str, Any] = {"code": row[0] if row else code, "separator": sep or None,
                                "role": role, "found": row is not None,
                                "title": row[1] if row else None,
                                "leaf": bool(row[5] & rel.bit) if row else None}
        if row is None:
            problems.append(f"{code or '(empty part)'} is not in ICD-11 {rel.name}")
        parts.append(part)
    ok = not problems
    head = parts[0]
    msg = (f"{text} is an ICD-11 cluster of {len(parts)} parts: "
           + "; ".join(f"{p['separator'] or ''}{p['code']} = {p['title'] or '?'}" for p in parts)
           if ok else "; ".join(problems))
    return OtherInfo("ICD-11", text, head["title"], "cluster", ok, rel.name, on,
                     status="valid" if ok else "unknown", message=msg,
                     details={"postcoordination": parts})


def validation(store: Store, raw: str, system: str, on: dt.date | None = None) -> Any:
    """``validate --system ICD-10|ICD-11``: valid when the code is a leaf of the release
    (a category with subdivisions is a header; use one of its codes). Clusters are valid
    when every part is a code."""
    from medcode.codes.validity import Validation
    text = str(raw).strip()
    if not store.releases(system):
        return Validation(text, text.upper(), system, None, False, "not_loaded",
                          f"{system} is not loaded in this store", on=on)
    try:
        got = info(store, system, text, on)
    except UnknownCode as exc:
        return Validation(text, text.upper(), system, store.resolve(system).name, False,
                          "unknown", str(exc), on=on)
    kids = tuple(c["code"] for c in got.children if c.get("billable"))[:20]
    return Validation(text, got.code, system, got.release, bool(got.billable), got.status,
                      got.message, suggestions=() if got.billable else kids, on=on,
                      extra={"title": got.title, "kind": got.kind})
