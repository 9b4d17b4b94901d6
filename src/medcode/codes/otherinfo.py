"""Lookup for the systems other than ICD-10-CM: ICD-10-PCS, ICD-9-CM, CPT, HCPCS, modifiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from medcode.store.db import Store
from medcode.store.freshness import today as _today

CPT_NOT_LOADED = ("descriptor not loaded: CPT text is licensed by the AMA; import your "
                  "licensed file with `medcode data import cpt FILE`")


class OtherInfo:
    """The answer of lookup for a non-ICD-10-CM code, in the same JSON shape."""

    def __init__(self, system: str, code: str, title: str | None, kind: str,
                 billable: bool | None,
                 release: str | None, on: dt.date | None, *, parent: str | None = None,
                 ancestors: list[dict[str, Any]] | None = None,
                 children: list[dict[str, Any]] | None = None, status: str = "valid",
                 message: str = "", details: dict[str, Any] | None = None) -> None:
        self.system = system
        self.code = code
        self.title = title
        self.kind = kind
        self.billable = billable
        self.release = release
        self.on = on
        self.parent = parent
        self.ancestors = ancestors or []
        self.children = children or []
        self.status = status
        self.message = message
        self.details = details or {}
        self.also: list[dict[str, Any]] = []

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "system": self.system, "release": self.release,
                "on": self.on.isoformat() if self.on else None, "title": self.title,
                "kind": self.kind, "billable": self.billable, "parent": self.parent,
                "ancestors": self.ancestors, "children": self.children, "notes": {},
                "status": self.status, "message": self.message, **self.details,
                **({"also": self.also, "ambiguous": True} if self.also else {})}


def pcs_info(store: Store, code: str, on: dt.date | None, release: str | None) -> OtherInfo | None:
    from medcode.systems.icd10pcs import explain_pcs
    rel = store.resolve("ICD-10-PCS", on=on, release=release)
    row = store.row("ICD-10-PCS", code)
    if row is None:
        return None
    chain = []
    parent = row[3]
    while parent:
        prow = store.row("ICD-10-PCS", parent)
        if prow is None:
            break
        chain.append({"code": prow[0], "title": prow[1], "kind": prow[2]})
        parent = prow[3]
    chain.reverse()
    kids = [{"code": r[0], "title": r[1], "kind": r[2], "billable": bool(r[5] & rel.bit)}
            for r in store.children("ICD-10-PCS", code)[:500]]
    details: dict[str, Any] = {}
    if len(code) == 7:
        conn = store.conn

        def meaning(prefix: str, position: int, value: str) -> str | None:
            hit = conn.execute("SELECT meaning FROM pcs_axes WHERE prefix = ? AND position = ? "
                               "AND value = ?", (prefix, position, value)).fetchone()
            return hit[0] if hit else None
        details["axes"] = explain_pcs(code, meaning)
    billable = bool(row[5] & rel.bit)
    msg = (f"{code} is a valid ICD-10-PCS code in {rel.name}" if billable else
           f"{code} is a {row[2]} of ICD-10-PCS, not a complete 7-character code")
    return OtherInfo("ICD-10-PCS", code, row[1], row[2], billable, rel.name, on,
                     parent=row[3], ancestors=chain, children=kids,
                     status="valid" if billable else "header", message=msg, details=details)


def icd9_info(store: Store, shown: str, on: dt.date | None) -> OtherInfo | None:
    row = store.row("ICD-9-CM", shown)
    if row is None:
        return None
    note = "ICD-9-CM was replaced by ICD-10-CM/PCS on 2015-10-01"
    late = on is not None and on >= dt.date(2015, 10, 1)
    msg = (f"{shown} is ICD-9-CM ({row[2]}): not valid for a date of service on {on}; {note}"
           if late else f"{shown} is an ICD-9-CM {row[2]} code (v32, final); {note}")
    return OtherInfo("ICD-9-CM", shown, row[1], row[2], not late, "v32", on,
                     status="not_in_release" if late else "valid", message=msg)


def cpt_info(store: Store, code: str, on: dt.date | None) -> OtherInfo:
    """A CPT code: its category and section, judged on the date of service when one is
    given (a deleted code such as 99201 after 2020-12-31 is not billable). Without a licensed
    descriptor file ``billable`` is None: medcode cannot know it."""
    from medcode.systems.cpt import cpt_category, cpt_section, form_note, section_history
    category = cpt_category(code) or "CPT"
    section = cpt_section(code)
    details: dict[str, Any] = {"category": category}
    if section:
        details["section"], details["subsection"] = section
    if form_note(code):
        details["form"] = form_note(code)
    gone = section_history(code, on) if on is not None else None
    desc = store.conn.execute("SELECT short, medium, long FROM cpt_descriptor WHERE code = ?",
                              (code,)).fetchone()
    loaded = bool(store.releases("CPT"))
    where = f"CPT {category}" + (f", {section[0]} section" if section else "")
    if section and section[1]:
        where += f" ({section[1]})"
    if gone:
        details["checked"] = "format and section"
        return OtherInfo("CPT", code, None, category, False, "imported" if loaded else None, on,
                         status="not_in_release",
                         message=f"{code}: {where}; {gone}, so it is not valid on {on}",
                         details=details)
    if desc:
        details["descriptors"] = {"short": desc[0], "medium": desc[1], "long": desc[2]}
        title = desc[2] or desc[1] or desc[0]
        return OtherInfo("CPT", code, title, category, True, "imported", on,
                         message=f"{code}: {where}", details=details)
    if loaded:
        return OtherInfo("CPT", code, None, category, False, "imported", on, status="unknown",
                         message=f"{code} has the shape of {where}, but it is not in your "
                                 "imported CPT file", details=details)
    details["checked"] = "format and section"
    return OtherInfo("CPT", code, None, category, None, None, on, status="not_loaded",
                     message=f"{code}: {where}. {CPT_NOT_LOADED}; billable is not known",
                     details=details)


def hcpcs_info(store: Store, code: str, on: dt.date | None) -> OtherInfo | None:
    from medcode.systems.hcpcs import hcpcs_get
    facts = hcpcs_get(store.conn, code, on)
    if facts is None:
        return None
    if on is not None:
        store.resolve("HCPCS", on=on)  # NoRelease (exit 3) outside the loaded file's period
    active = bool(facts.get("active"))
    when = f"on {on}" if on else "today"
    msg = (f"{code} is an active HCPCS Level II code {when}" if active else
           f"{code} is not active {when} (added {facts.get('add_date')}, terminated "
           f"{facts.get('termination_date') or '-'})")
    rels = store.releases("HCPCS")
    msg += hcpcs_file_age(rels[-1].name if rels else None, on or _today())
    title = facts.get("long_description")
    details = {k: v for k, v in facts.items() if k not in ("code", "long_description")}
    return OtherInfo("HCPCS", code, title, "Level II", active,
                     rels[-1].name if rels else None, on,
                     status="valid" if active else "not_in_release", message=msg, details=details)


def hcpcs_file_age(release: str | None, day: dt.date) -> str:
    """What a HCPCS answer cannot know: a day after the year of the newest file loaded."""
    year = release[:4] if release else ""
    if year.isdigit() and day.year > int(year):
        return (f", per the HCPCS {release} file, the newest loaded: codes added, changed or "
                f"ended after {year} are not known (import a newer file with `medcode data "
                "import hcpcs FILE`)")
    return ""


def modifier_info(store: Store, system: str, mod: str, on: dt.date | None) -> OtherInfo | None:
    if system == "CPT":
        from medcode.systems.cpt import cpt_modifier
        found = cpt_modifier(mod)
        if not found:
            return None
        return OtherInfo("CPT", mod, str(found["name"]), "modifier", True, None, on,
                         message=f"CPT modifier {mod} ({found['group']}); name in medcode's "
                                 "own words", details={"modifier": found})
    from medcode.systems.hcpcs import hcpcs_modifier
    facts = hcpcs_modifier(store.conn, mod, on)
    if facts is None:
        return None
    active = bool(facts.get("active"))
    return OtherInfo("HCPCS", mod, facts.get("long_description"), "modifier", active, None, on,
                     status="valid" if active else "not_in_release",
                     message=f"HCPCS Level II modifier {mod}" + ("" if active else " (inactive)"),
                     details={k: v for k, v in facts.items()
                              if k not in ("code", "long_description")})
