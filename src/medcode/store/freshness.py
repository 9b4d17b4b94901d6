"""Which loaded release covers a date, and what to do when none does.

Coding software lives by its update cycle: ICD-10-CM and ICD-10-PCS every October 1
(sometimes April 1), HCPCS, NCCI and MUE every quarter. A date no loaded release covers is
never answered from another period: the caller gets NoRelease with the exact command that
brings the missing files (``advice``).

``MEDCODE_TODAY`` (YYYY-MM-DD) replaces today's date; only subprocess tests use it.
"""

from __future__ import annotations

import datetime as dt
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from medcode.store.db import Store

_MONTHS = {1: "JAN", 2: "APR", 3: "JUL", 4: "OCT"}

#: systems whose releases follow the calendar, and how (for `data status`)
CYCLES = {
    "ICD-10-CM": "yearly, October 1 (sometimes an April 1 update)",
    "ICD-10-PCS": "yearly, October 1 (sometimes an April 1 update)",
    "HCPCS": "quarterly (January, April, July, October)",
    "NCCI-PTP": "quarterly", "MUE": "quarterly",
    "CPT": "yearly, January 1 (your licensed AMA file)",
    "ICD-9-CM": "final release v32 (replaced by ICD-10 on 2015-10-01)",
}


def today() -> dt.date:
    forced = os.environ.get("MEDCODE_TODAY", "").strip()
    if forced:
        try:
            return dt.date.fromisoformat(forced)
        except ValueError:
            pass
    return dt.date.today()


def fiscal_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def fetch_command(system: str, day: dt.date) -> str | None:
    """The one command that downloads and imports what covers ``day`` (None: no such)."""
    if system in ("ICD-10-CM", "ICD-10-PCS"):
        kind = system.lower().replace("-", "")
        return f"medcode data fetch {kind} --year {fiscal_year(day)}"
    y, q = quarter(day)
    if system == "HCPCS":
        return f"medcode data fetch hcpcs --quarter {y}Q{q}"
    if system in ("NCCI-PTP", "MUE"):
        return f"medcode data fetch {system.lower()} --quarter {y}Q{q}"
    return None


def advice(system: str, day: dt.date) -> str:
    """Which official files cover ``day`` and the exact commands that load them."""
    fetch = fetch_command(system, day)
    if system in ("ICD-10-CM", "ICD-10-PCS"):
        kind = system.lower().replace("-", "")
        fy = fiscal_year(day)
        files = (f"the CMS FY{fy} {system} files (in force {fy - 1}-10-01 to {fy}-09-30): "
                 f"{kind}_order_{fy}.txt or its zip"
                 + (f", the tabular XML or the addenda {kind}_codes_addenda_{fy}.txt"
                    if system == "ICD-10-CM" else ", or the tables XML"))
        return (f"load {files}: `{fetch}` downloads and imports them, or import the files "
                f"you have: `medcode data import {kind} {kind}_order_{fy}.txt`")
    if system == "HCPCS":
        y, q = quarter(day)
        return (f"load the CMS Alpha-Numeric HCPCS file of {y} Q{q} "
                f"(HCPC{y}_{_MONTHS[q]}_ANWEB): `{fetch}` downloads and imports it, or import "
                f"the file you have: `medcode data import hcpcs HCPC{y}_{_MONTHS[q]}_ANWEB.txt`")
    if system in ("NCCI-PTP", "MUE"):
        return f"load the CMS {system} files of that quarter: `{fetch}`"
    if system == "CPT":
        return "import your licensed AMA CPT file of that year: `medcode data import cpt FILE`"
    return "no release of it is in force then"


def coverage(store: Store, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Per loaded system: the newest release, its period, and whether ``day`` (today) is
    covered; with the command that would cover it when not."""
    day = day or today()
    out: list[dict[str, Any]] = []
    by_system: dict[str, list] = {}
    for r in store.releases():
        by_system.setdefault(r.system, []).append(r)
    for system, rels in by_system.items():
        newest = max(rels, key=lambda r: r.effective_from)
        covering = next((r for r in reversed(rels) if r.covers(day)), None)
        retired = system == "ICD-9-CM"
        item: dict[str, Any] = {
            "system": system, "newest": newest.name,
            "effective_from": newest.effective_from.isoformat(),
            "effective_to": newest.effective_to.isoformat() if newest.effective_to else None,
            "today": day.isoformat(), "covers_today": covering is not None,
            "in_force_today": covering.name if covering else None,
            "stale": covering is None and not retired and system != "CPT",
            "cycle": CYCLES.get(system, ""),
        }
        if covering is None and not retired:
            item["advice"] = advice(system, day)
        out.append(item)
    out.extend(_ncci_coverage(store, day))
    return out


def _ncci_coverage(store: Store, day: dt.date) -> list[dict[str, Any]]:
    """The NCCI PTP and MUE files loaded (imports; quarterly), in the shape of ``coverage``."""
    from medcode.systems.ncci import mue_period, ptp_period
    out = []
    for system, period in (("NCCI-PTP", ptp_period(store.conn)), ("MUE", mue_period(store.conn))):
        if period is None:
            continue
        first, last, label = period
        covers = first <= day <= last
        item: dict[str, Any] = {
            "system": system, "newest": label, "effective_from": first.isoformat(),
            "effective_to": last.isoformat(), "today": day.isoformat(), "covers_today": covers,
            "in_force_today": label if covers else None, "stale": not covers,
            "cycle": CYCLES[system]}
        if not covers:
            item["advice"] = advice(system, day)
        out.append(item)
    return out
