"""Retired ICD-9-CM titles as a bridge to today's codes, through the official GEMs.

ICD-9-CM titles speak the coder's words ("Atrial cardioversion", "Episiotomy", "Release of
carpal tunnel") where ICD-10-PCS titles speak its axes ("Restoration of Cardiac Rhythm,
Single"), and ICD-9-CM diagnosis titles sometimes hold a phrase no current title does. When,
in a search over every system, a retired ICD-9-CM code fits the query clearly better than
every current code, the current codes its forward GEM (9 -> 10) names are lifted to the
ICD-9-CM code's own fit (as if its title were theirs); the ICD-9-CM code itself keeps its
retired-system prior, so today's codes come first.
"""

from __future__ import annotations

import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a one-shot CLI search several ms to import
    from collections.abc import Callable
    from typing import Any

#: ICD-9-CM codes (best first) whose GEM targets are read
BRIDGES = 3
#: a GEM entry with more targets than this is a broad choice list, not a translation
MAX_TARGETS = 9
#: the ICD-9-CM code's fit (score without its prior) must reach this (most of the query in
#: its title: a partial match of a retired title proves nothing) ...
MIN_FIT = 7.5
#: ... and beat the best current code by this much (a current code that fits as well wins)
MARGIN = 0.5
#: each further target (GEM order after the engine's own ranking) a little below the first
STEP = 0.01


def forward(conn: sqlite3.Connection, hits: list[Any], prior: float,
            rank_target: Callable[[str, str], Any | None]) -> list[Any]:
    """Hits for the current codes the best ICD-9-CM hits translate to (may be empty).

    ``hits``: the ranked candidates (Hit objects); ``prior``: the score the ICD-9-CM
    system gets (negative); ``rank_target(system, code)``: the engine's Hit for a current
    code, or None when it does not exist on the date."""
    nine = sorted((h for h in hits if h.system == "ICD-9-CM"), key=lambda h: -h.score)
    if not nine:
        return []
    best_now = max((h.score for h in hits if h.system != "ICD-9-CM"), default=float("-inf"))
    out: list[Any] = []
    for h in nine[:BRIDGES]:
        value = h.score - prior  # its fit, without the retired-system prior
        if value < MIN_FIT or value < best_now + MARGIN:
            break
        proc = "proc" in h.kind.lower()
        try:
            rows = conn.execute("SELECT target FROM gem WHERE map = ? AND source = ? AND "
                                "no_map = 0 ORDER BY seq", ("gem-pr-9-10" if proc else
                                                            "gem-dx-9-10",
                                                            h.code.replace(".", ""))).fetchall()
        except sqlite3.OperationalError:  # a store without the GEMs
            return out
        targets = list(dict.fromkeys(t for (t,) in rows))
        if not targets or len(targets) > MAX_TARGETS:
            continue
        system = "ICD-10-PCS" if proc else "ICD-10-CM"
        got = [t for t in (rank_target(system, c) for c in targets) if t is not None]
        got.sort(key=lambda t: -t.score)  # the engine's own order among the targets
        for n, t in enumerate(got):
            lifted = round(value - STEP * (n + 1), 4)
            if lifted > t.score:
                out.append(t.replace(score=lifted,
                                     matched=(f"ICD-9-CM {h.code} ({h.title}) -> GEM",)
                                     + t.matched))
    return out
