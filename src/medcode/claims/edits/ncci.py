"""CMS National Correct Coding Initiative: NCCI-PTP, NCCI-MUE (when their files are loaded),
and NCCI-RELEASE: procedure lines dated outside the quarter those files were published for.

PTP: for each date of service, the pairs of codes billed on different lines that an edit
active that day (effective <= date < deletion) names as column 1 / column 2. Modifier
indicator 0: never together; 1: together only with a PTP-associated modifier on either line
(``medcode/data/claims_ptp_modifiers.csv``); 9: the edit does not apply. Practitioner
edits are preferred; outpatient-hospital edits serve when no practitioner edit names the
pair.

MUE: the units of a code on one date of service. Adjudication indicator 1: per line; 2 and
3: all lines of the code on that date together. Only an MUE in force on the date counts.

NCCI-RELEASE: CMS publishes both files each quarter. A PTP file carries every edit with its
effective and deletion dates, so earlier dates are judged right; a line dated after the
quarter was checked against edits that may have changed since. An MUE file carries only the
values in force from its effective date: lines dated before it were not checked at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from medcode.models import Claim, Finding

from . import data
from .context import ClaimContext, Ln
from .registry import edit

_NONE: tuple[Finding, ...] = ()      # what an edit that finds nothing returns
_PTP_KINDS = ("cpt", "hcpcs")
_MAI = {1: "per line", 2: "per day, policy", 3: "per day, clinical"}


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _units(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@edit("NCCI-PTP", "error", "CMS NCCI procedure-to-procedure edits (practitioner)",
      "two codes on the same date that an active NCCI PTP edit does not pay together")
def ptp(claim: Claim, ctx: ClaimContext) -> Sequence[Finding]:
    out: list[Finding] = []
    add = out.append
    facts = ctx.facts
    if not facts.has_ptp or len(ctx.lines) < 2:
        return _NONE
    if len(ctx.dates) == 1:
        # one date of service (the common case): the one code set of the loop below
        codes = tuple(sorted({ln.code for ln in ctx.lines
                              if ln.date is not None and ln.kind in _PTP_KINDS}))
        if len(codes) < 2 or not facts.ptp_candidates(codes):
            return _NONE
    by_date: dict[dt.date, list[Ln]] = defaultdict(list)
    for ln in ctx.lines:
        if ln.date is not None and ln.kind in ("cpt", "hcpcs"):
            by_date[ln.date].append(ln)
    bypass = data.ptp_modifiers()
    for day, lines in by_date.items():
        codes = tuple(sorted({ln.code for ln in lines}))
        if len(codes) < 2 or not facts.ptp_candidates(codes):
            continue
        for row in facts.ptp(codes, day):
            ind = row["modifier_indicator"]
            c1, c2 = row["column1"], row["column2"]
            if ind == 9 or c1 == c2:
                continue
            l1 = [ln for ln in lines if ln.code == c1]
            l2 = [ln for ln in lines if ln.code == c2]
            if not l1 or not l2:
                continue
            ref = (f"CMS NCCI PTP edit {c1}/{c2} ({row['setting']}, {row.get('version') or ''}"
                   f" effective {row['effective']}; {row['rationale']})").replace(" ,", ",")
            if ind == 0:
                add(ctx.finding(
                  "NCCI-PTP", f"Line {l2[0].number} ({c2}) is bundled into line "
                  f"{l1[0].number} ({c1}) on {day}: NCCI never pays {c2} with {c1} "
                  "(modifier indicator 0), whatever the modifiers.", line=l2[0].number,
                  codes=(c1, c2), fix=f"remove line {l2[0].number} ({c2})", reference=ref))
                continue
            used = [m for ln in (*l1, *l2) for m in ln.mods if m in bypass]
            if used:
                continue
            add(ctx.finding(
              "NCCI-PTP", f"Line {l2[0].number} ({c2}) is bundled into line {l1[0].number} "
              f"({c1}) on {day}: NCCI pays {c2} with {c1} only when a PTP-associated "
              "modifier shows a distinct service (modifier indicator 1).",
              line=l2[0].number, codes=(c1, c2), reference=ref,
              fix=f"remove line {l2[0].number}, or, if {c2} was a separate service (another "
              f"site, session or encounter), add the modifier that documents it (e.g. XS, "
              f"XE or 59) to line {l2[0].number}"))
    return out


@edit("NCCI-MUE", "error", "CMS NCCI medically unlikely edits (practitioner); denial remark "
      "N362", "units above the MUE of the code")
def mue(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    facts = ctx.facts
    if not facts.has_mue:
        return out
    per_day: dict[tuple[str, object], tuple[dict, list[Ln]]] = {}
    for ln in ctx.lines:
        if ln.date is None or ln.kind not in ("cpt", "hcpcs") or not facts.has_mue_for(ln.code):
            continue
        rec = facts.mue(ln.code, ln.date)
        if rec is None or not rec["in_force"]:
            continue
        if rec["mai"] != 1:
            per_day.setdefault((ln.code, ln.date), (rec, []))[1].append(ln)
        elif ln.line.units > rec["value"]:
            ref = _mue_ref(ln.code, rec)
            add(ctx.finding(
              "NCCI-MUE", f"Line {ln.number} bills {_units(ln.line.units)} units of "
              f"{ln.code}; the most a line may carry is {rec['value']} (medically "
              "unlikely edit, per line).", line=ln.number, codes=(ln.code,),
              reference=ref, fix=f"bill at most {_n(rec['value'], 'unit')} on line "
              f"{ln.number}; report medically necessary extra units on separate lines "
              "with an appropriate modifier (e.g. 76, 91, XS) only if policy allows"))
    for (code, day), (rec, lines) in per_day.items():
        total = sum(ln.line.units for ln in lines)
        if total > rec["value"]:
            ref = _mue_ref(code, rec)
            nums = ", ".join(str(ln.number) for ln in lines)
            add(ctx.finding(
              "NCCI-MUE", f"{code} is billed for {_units(total)} units on {day} (line"
              f"{'s' if len(lines) > 1 else ''} {nums}); the most for one day is "
              f"{rec['value']} (medically unlikely edit, {_MAI.get(rec['mai'], '')}).",
              line=lines[0].number, codes=(code,), reference=ref,
              fix=f"bill at most {_n(rec['value'], 'unit')} of {code} for {day}"))
    return out


def _mue_ref(code: str, rec: dict) -> str:
    """The reference of a NCCI-MUE finding on ``code`` (``rec``: its MUE in force)."""
    return (f"CMS NCCI MUE {code} ({rec['setting']}, effective {rec['effective']}; "
            f"MAI {rec['mai']} {_MAI.get(rec['mai'], '')}; {rec['rationale']})")


@lru_cache(maxsize=4096)
def _advice(what: str, day: dt.date) -> str:
    """freshness.advice (a function of its arguments alone), remembered: most claims of a
    batch dated before the MUE file say it for one of a few hundred days."""
    from medcode.store.freshness import advice
    return advice(what, day)


def _lines(lines: list[Ln]) -> str:
    nums = ", ".join(str(ln.number) for ln in lines)
    return f"Line{'s' if len(lines) > 1 else ''} {nums}"


@edit("NCCI-RELEASE", "warning", "medcode: the NCCI files loaded in the store (medcode data "
      "status); CMS publishes PTP and MUE files each quarter",
      "a procedure line dated outside the quarter of the NCCI PTP or MUE files loaded")
def ncci_release(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    facts = ctx.facts
    procs = [ln for ln in ctx.lines if ln.date is not None and ln.kind in ("cpt", "hcpcs")]
    if facts.ptp_period is not None:
        first, last, label = facts.ptp_period
        by_date: dict[dt.date, list[Ln]] = defaultdict(list)
        for ln in procs:
            if ln.date is not None and ln.date > last:
                by_date[ln.date].append(ln)
        # a pair needs two codes on one date
        late = [ln for day_lines in by_date.values() if len({ln.code for ln in day_lines}) > 1
                for ln in day_lines]
        if late:
            day = max(ln.date for ln in late if ln.date is not None)
            add(ctx.finding(
              "NCCI-RELEASE", f"{_lines(late)} are dated after the NCCI PTP edits loaded "
              f"({label}, for {first} to {last}): their code pairs were checked against "
              "those edits; pairs CMS added or deleted since are not known.",
              line=late[0].number, fix=_advice("NCCI-PTP", day) + " for an exact check"))
    if facts.mue_period is not None:
        first, last, label = facts.mue_period
        late = [ln for ln in procs if ln.date is not None and ln.date > last
                and facts.has_mue_for(ln.code)]
        early = [ln for ln in procs if ln.date is not None and ln.date < first
                 and facts.has_mue_for(ln.code)]
        if late:
            day = max(ln.date for ln in late if ln.date is not None)
            add(ctx.finding(
              "NCCI-RELEASE", f"{_lines(late)} are dated after the NCCI MUEs loaded ({label}, "
              f"for {first} to {last}): their units were checked against those values; "
              "values CMS changed since are not known.", line=late[0].number,
              fix=_advice("MUE", day) + " for an exact check"))
        if early:
            day = min(ln.date for ln in early if ln.date is not None)
            add(ctx.finding(
              "NCCI-RELEASE", f"{_lines(early)} are dated before the NCCI MUEs loaded "
              f"({label}) were in force: their units were not checked against any MUE.",
              line=early[0].number, fix=_advice("MUE", day) + " to check them"))
    return out
