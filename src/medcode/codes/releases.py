"""Releases side by side: what changed between two, and what the store holds."""

from __future__ import annotations

from typing import Any

from medcode.errors import NoRelease
from medcode.store.db import Store


def _display(system: str, code: str) -> str:
    if system == "ICD-10-CM":
        from medcode.systems.icd10cm import display
        return display(code)
    return code


def diff_releases(store: Store, system: str, old: str, new: str) -> dict[str, Any]:
    """Codes added, deleted and turned into headers (billable before, a header after)."""
    a = store.resolve(system, release=old)
    b = store.resolve(system, release=new)
    if a.name == b.name:
        raise NoRelease(f"compare two different releases (both are {a.name})")
    rows = store.conn.execute(
        "SELECT code, title, billable_mask, node_mask FROM codes WHERE system = ? AND "
        "((billable_mask & ?) != 0) != ((billable_mask & ?) != 0) ORDER BY code",
        (system, a.bit, b.bit)).fetchall()
    added: list[dict[str, str]] = []
    deleted: list[dict[str, str]] = []
    to_header: list[dict[str, str]] = []
    to_code: list[dict[str, str]] = []
    for code, title, bmask, nmask in rows:
        item = {"code": _display(system, code), "title": title}
        if bmask & b.bit:
            (to_code if nmask & a.bit else added).append(item)
        elif nmask & b.bit:
            to_header.append(item)
        else:
            deleted.append(item)
    return {"system": system, "from": a.name, "to": b.name,
            "added": added, "deleted": deleted, "became_header": to_header,
            "header_became_code": to_code,
            "counts": {"added": len(added), "deleted": len(deleted),
                       "became_header": len(to_header), "header_became_code": len(to_code)}}


def status(store: Store) -> dict[str, Any]:
    """The contract of `medcode data status --json`."""
    meta = store.all_meta()
    return {
        "store": str(store.path),
        "size_bytes": store.path.stat().st_size,
        "schema_version": meta.get("schema_version"),
        "medcode_version": meta.get("medcode_version"),
        "built_at": meta.get("built_at"),
        "releases": [{"system": r.system, "release": r.name,
                      "effective_from": r.effective_from.isoformat(),
                      "effective_to": r.effective_to.isoformat() if r.effective_to else None,
                      "codes": r.codes, "billable": r.billable, "tabular": r.tabular,
                      "basis": r.basis, "source": r.source} for r in store.releases()],
        "sources": store.sources(),
        "build": meta.get("build"),
    }
