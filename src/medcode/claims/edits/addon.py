"""Add-on codes: ADDON-NO-PRIMARY, from the CMS NCCI add-on code (AOC) edit file imported
with ``medcode data import aoc FILE`` (table ``aoc_edit``, see ``medcode.store.load_aoc``).

An add-on code describes work done in addition to a primary service and is paid only with
one. For each line whose code is an add-on code on its date of service (edit effective on
or before the date, not deleted before it), one of its primary codes must be on the same
claim on the same date. Edit type 1 (only the listed primaries) -> error; type 3 (listed
primaries, others defined by the Medicare contractor) -> warning; type 2 (primaries defined
by the contractor only) -> info, as medcode cannot know them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from medcode.models import Claim, Finding

from .context import ClaimContext, Ln
from .registry import edit

_SEVERITY = {1: "error", 3: "warning", 2: "info"}
_WHAT = {1: "CMS lists its only primary codes",
         3: "CMS lists primary codes, and the Medicare contractor may accept others",
         2: "its primary codes are defined by the Medicare contractor"}
_SHOWN = 8


class AocFacts:
    """The AOC rows of one store, per add-on code (cached)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        try:
            self.addons = frozenset(c for (c,) in conn.execute(
                "SELECT DISTINCT addon FROM aoc_edit"))
            row = conn.execute("SELECT value FROM aoc_source WHERE key = 'release'").fetchone()
            self.release = row[0] if row else ""
        except Exception:      # noqa: BLE001 - no AOC file imported (table absent)
            self.addons = frozenset()
            self.release = ""
        self.rows = lru_cache(maxsize=4096)(self._rows)

    def _rows(self, addon: str) -> tuple[tuple[str, int, str, str | None], ...]:
        with self.lock:
            return tuple(self.conn.execute(
                "SELECT primary_code, edit_type, effective, deleted FROM aoc_edit "
                "WHERE addon = ? ORDER BY primary_code", (addon,)).fetchall())

    def active(self, addon: str, day: dt.date) -> list[tuple[str, int]]:
        """(primary, type) of the edits of ``addon`` in force on ``day``."""
        iso = day.isoformat()
        return [(p, t) for p, t, eff, dele in self.rows(addon)
                if eff <= iso and (dele is None or iso <= dele)]


_BY_STORE: dict[int, AocFacts] = {}


def aoc_facts(ctx: ClaimContext) -> AocFacts:
    key = id(ctx.facts)
    found = _BY_STORE.get(key)
    if found is None or found.conn is not ctx.facts.conn:
        found = _BY_STORE[key] = AocFacts(ctx.facts.conn)
    return found


def has_aoc(facts: Any) -> bool:
    try:
        return facts.conn.execute("SELECT 1 FROM aoc_edit LIMIT 1").fetchone() is not None
    except Exception:      # noqa: BLE001 - table absent
        return False


@edit("ADDON-NO-PRIMARY", "error", "CMS NCCI add-on code edits (AOC file)",
      "an add-on code without one of its primary codes on the same claim and date")
def addon_no_primary(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    aoc = aoc_facts(ctx)
    if not aoc.addons:
        return out
    by_day: dict[dt.date, set[str]] = {}
    for ln in ctx.lines:
        day = ln.date or ctx.dos
        if day is not None:
            by_day.setdefault(day, set()).add(ln.code)
    for ln in ctx.lines:
        day = ln.date or ctx.dos
        if day is None or ln.code not in aoc.addons:
            continue
        edits = aoc.active(ln.code, day)
        if not edits:
            continue
        out.extend(_judge(ctx, aoc, ln, day, edits, by_day.get(day, set())))
    return out


def _judge(ctx: ClaimContext, aoc: AocFacts, ln: Ln, day: dt.date,
           edits: list[tuple[str, int]], codes: set[str]) -> Iterator[Finding]:
    listed = sorted({p for p, t in edits if t != 2 and p != "CCCCC"})
    if any(p in codes for p in listed):
        return
    kind = 1 if any(t == 1 for _, t in edits) else 3 if any(t == 3 for _, t in edits) else 2
    ref = "CMS NCCI add-on code edits" + (f" {aoc.release}" if aoc.release else "") + \
        f", {ln.code}: edit type {kind} ({_WHAT[kind]})"
    if kind == 2:
        yield ctx.finding(
            "ADDON-NO-PRIMARY", f"Line {ln.number}: {ln.code} is an add-on code; its primary "
            "codes are defined by the Medicare contractor, so medcode cannot check that one "
            f"is billed with it on {day}.", line=ln.number, codes=(ln.code,),
            severity="info", reference=ref,
            fix=f"check your Medicare contractor's list of primary codes for {ln.code}")
        return
    shown = ", ".join(listed[:_SHOWN]) + (f" and {len(listed) - _SHOWN} more"
                                          if len(listed) > _SHOWN else "")
    tail = ("" if kind == 1 else "; the Medicare contractor may accept other primaries")
    yield ctx.finding(
        "ADDON-NO-PRIMARY", f"Line {ln.number}: {ln.code} is an add-on code, billed only with "
        f"its primary service, but no primary code is on the claim on {day} (primaries: "
        f"{shown}){tail}.", line=ln.number, codes=(ln.code,), severity=_SEVERITY[kind],
        reference=ref, fix=f"bill the primary service {ln.code} adds to on the same date "
        f"(e.g. {listed[0]}), or remove line {ln.number}" if listed else
        f"bill the primary service {ln.code} adds to, or remove line {ln.number}")
