"""Modifiers: MOD-FORMAT, MOD-INVALID, MOD-59X, MOD-25.

Known modifiers are the CPT modifiers of ``medcode/data/cpt_modifiers.csv`` and, when a CMS
HCPCS file is loaded, its Level II modifiers (active on the date of service). Without a
HCPCS file only numeric modifiers can be judged. MOD-25 uses the code classes of
``medcode/data/claims_code_classes.csv``: an E/M (99202-99499) on the same date as a CPT
Surgery-section procedure (10004-69990, codes with a global surgery period) needs modifier
25, or 57 when the visit was the decision for surgery.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from medcode.models import Claim, Finding
from medcode.systems.cpt import modifiers as cpt_modifiers

from .context import _MOD, MAX_MODIFIERS, ClaimContext, StoreFacts, well_formed
from .registry import edit

_X = {"XE", "XS", "XP", "XU"}


@edit("MOD-FORMAT", "error", "X12 837P SV101-3 to SV101-6: up to 4 modifiers of 2 "
      "characters", "a malformed modifier, a repeated one, or more than 4")
def mod_format(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for ln in ctx.lines:
        if _well_formed(ln.mods):
            continue
        n = ln.number
        for raw, mod in zip(ln.line.modifiers, ln.mods, strict=True):
            if not _MOD.match(mod):
                add(ctx.finding("MOD-FORMAT", f"Line {n}: modifier {raw!r} is not 2 letters "
                                "or digits.", line=n, codes=(ln.code, raw),
                                fix=f"write the modifier of line {n} as 2 characters, e.g. 25"))
        if len(ln.mods) > MAX_MODIFIERS:
            add(ctx.finding("MOD-FORMAT", f"Line {n} has {len(ln.mods)} modifiers; a line "
                            f"holds at most {MAX_MODIFIERS}.", line=n, codes=(ln.code,),
                            fix=f"keep the {MAX_MODIFIERS} modifiers that affect payment "
                            "first (e.g. 26, TC, 59) and drop the rest"))
        dups = sorted({m for m in ln.mods if ln.mods.count(m) > 1}) \
            if len(set(ln.mods)) != len(ln.mods) else []
        if dups:
            add(ctx.finding("MOD-FORMAT", f"Line {n} lists modifier {', '.join(dups)} more "
                            "than once.", line=n, codes=(ln.code, *dups),
                            fix=f"list each modifier of line {n} once"))
    return out


_well_formed = lru_cache(maxsize=4096)(well_formed)


@edit("MOD-INVALID", "error", "CPT modifiers (medcode/data/cpt_modifiers.csv); CMS HCPCS "
      "file, Level II modifiers", "a modifier that is unknown or not active on the date")
def mod_invalid(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    facts = ctx.facts
    cpt_mods = None
    for ln in ctx.lines:
        if not ln.mods:
            continue
        if cpt_mods is None:
            cpt_mods = cpt_modifiers()
        day = ln.date or ctx.dos
        known = facts.memo.get(("mods", ln.mods, day))
        if known is None:
            known = facts.remember(("mods", ln.mods, day), all(
                mod in cpt_mods or not _MOD.match(mod) or _active(facts, mod, day)
                for mod in ln.mods))
        if known:
            continue                # every modifier known and active: nothing to say
        for mod in dict.fromkeys(ln.mods):
            if mod in cpt_mods or not _MOD.match(mod):
                continue
            rec = facts.hcpcs_mod(mod, day) if facts.has_hcpcs else None
            n = ln.number
            if rec is not None:
                if day is None or rec["active"]:
                    continue
                end = rec.get("termination_date")
                why = (f"it was terminated on {end}" if end and day.isoformat() > end
                       else f"it was added on {rec.get('add_date') or rec.get('effective_date')}")
                add(ctx.finding("MOD-INVALID", f"Line {n}: modifier {mod} is not valid on "
                                f"{day}: {why}.", line=n, codes=(ln.code, mod),
                                fix=f"remove modifier {mod} from line {n} or use the one "
                                "that replaced it"))
                continue
            if mod.isdigit():
                add(ctx.finding("MOD-INVALID", f"Line {n}: {mod} is not a CPT modifier.",
                                line=n, codes=(ln.code, mod),
                                fix=f"check modifier {mod} of line {n}"))
            elif facts.has_hcpcs:
                year = facts.hcpcs_year
                if year is not None and day is not None and day.year > year:
                    add(ctx.finding(
                      "MOD-INVALID", f"Line {n}: modifier {mod} is not a CPT modifier and "
                      f"not in the loaded HCPCS file ({year}); it may be newer than the "
                      "file.", line=n, codes=(ln.code, mod), severity="warning",
                      fix="import the current HCPCS file (medcode data import hcpcs) to "
                      "check it"))
                else:
                    add(ctx.finding("MOD-INVALID", f"Line {n}: {mod} is neither a CPT nor a "
                                    "HCPCS Level II modifier.", line=n, codes=(ln.code, mod),
                                    fix=f"check modifier {mod} of line {n}"))
    return out


def _active(facts: StoreFacts, mod: str, day: dt.date | None) -> bool:
    """Whether a HCPCS file is loaded and has ``mod`` active on ``day`` (or undated)."""
    rec = facts.hcpcs_mod(mod, day) if facts.has_hcpcs else None
    return rec is not None and (day is None or bool(rec["active"]))


@edit("MOD-59X", "warning", "CMS MLN Fact Sheet \"Proper Use of Modifiers 59, XE, XP, XS, XU\"; "
      "NCCI Policy Manual ch. I, E.1", "59 together with an X modifier, or 59 on an E/M")
def mod_59x(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for ln in ctx.lines:
        if "59" not in ln.mods:
            continue
        n = ln.number
        xs = sorted(_X.intersection(ln.mods))
        if xs:
            add(ctx.finding("MOD-59X", f"Line {n} has modifier 59 and {', '.join(xs)}: the X "
                            "modifiers are the more specific form of 59, never used with it.",
                            line=n, codes=(ln.code, "59", *xs),
                            fix=f"remove 59 from line {n} and keep {xs[0]}"))
        if ln.cls == "em":
            add(ctx.finding("MOD-59X", f"Line {n}: modifier 59 is on an E/M service "
                            f"({ln.code}); a separately identifiable E/M takes modifier 25.",
                            line=n, codes=(ln.code, "59"),
                            fix=f"replace 59 with 25 on line {n}"))
    return out


@edit("MOD-25", "warning", "CMS Medicare Claims Processing Manual ch. 12 §30.6.6 (E/M on the "
      "day of a procedure: modifier 25; decision for surgery: 57); classes "
      "medcode/data/claims_code_classes.csv", "an E/M on the day of a procedure without "
      "modifier 25")
def mod_25(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    ems = [ln for ln in ctx.lines if ln.cls == "em"]
    if not ems:
        return out
    procs = [ln for ln in ctx.lines if ln.cls == "procedure"]
    for em in ems:
        if "25" in em.mods or "57" in em.mods:
            continue
        same = [p for p in procs if p.date == em.date]
        if not same:
            continue
        p = same[0]
        when = f" ({em.date})" if em.date else ""
        add(ctx.finding("MOD-25", f"Line {em.number} bills an E/M service ({em.code}) with a "
                        f"procedure on the same day{when} (line {p.number}, {p.code}) but "
                        "without modifier 25: the visit is paid only when it was significant "
                        "and separately identifiable.", line=em.number,
                        codes=(em.code, p.code),
                        fix=f"add modifier 25 to line {em.number} if the E/M was separate "
                        "from the procedure (57 if it was the decision for major surgery); "
                        "otherwise remove the E/M"))
    return out
