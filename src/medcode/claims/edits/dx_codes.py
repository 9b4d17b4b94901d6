"""Each code in its slot: SYS-MIXUP, DX-FORMAT, DX-INVALID, DX-HEADER, DX-7TH, DX-RELEASE,
DX-ICD9-AFTER-2015.

A diagnosis is checked against the ICD-10-CM release in force on each date of service of
the claim (``medcode.codes.validity``, which tells apart "never existed", "deleted after FY..."
and "added in FY..."); a date with no loaded release is checked against the nearest loaded
release, with a DX-RELEASE note saying so.
"""

from __future__ import annotations

from medcode.models import Claim, Finding

from .context import ICD10_START, ClaimContext, Dx, Ln
from .registry import edit

_GUIDE_CODES = "ICD-10-CM Official Guidelines I.A.3 (only codes, not categories, are reportable)"
_PROC = ("CPT", "HCPCS", "ICD-10-PCS")
_WHERE = {"CPT": "it goes on a service line", "HCPCS": "it goes on a service line",
          "ICD-10-PCS": "ICD-10-PCS codes report inpatient hospital procedures; a "
          "professional claim bills CPT or HCPCS on its service lines"}


def _procedure_reading(code: str) -> tuple[str, str] | None:
    """(system, reason) when ``code`` has the shape of a procedure code."""
    from medcode.errors import InvalidCode
    from medcode.systems.formats import format_candidates
    try:
        # no ICD-9-CM reading is needed here: skip loading the v32 list
        cands = format_candidates(code, icd9_listed=lambda kind, c: False)
    except InvalidCode:
        return None
    for c in cands:
        if c.system in _PROC and c.kind != "modifier":
            return c.system, c.reason
    return None


def _dx_mixup(d: Dx) -> tuple[str, str] | None:
    if d.status == "wrong_system" or (d.status == "unknown" and "." not in d.raw):
        return _procedure_reading(d.code)
    return None


def _named(ctx: ClaimContext, system: str, code: str) -> str:
    """": <description>" of a HCPCS code when the loaded HCPCS file has it."""
    if system == "HCPCS" and ctx.facts.has_hcpcs:
        rec = ctx.facts.hcpcs(code, ctx.dos)
        if rec is not None:
            return f": {rec.get('short_description') or rec.get('long_description')}"
    return ""


def _line_mixup(ctx: ClaimContext, ln: Ln) -> str | None:
    """What the line's code is, when it is a diagnosis or an ICD-10-PCS code."""
    if ln.kind == "dx-shape":
        for rel, _day, _ in ctx.checks:
            if rel is not None and ln.code in ctx.facts.billable(rel):
                fact = ctx.facts.dx_fact(ln.code)
                title = f" ({fact.title})" if fact else ""
                return f"an ICD-10-CM diagnosis code{title}"
        fact = ctx.facts.dx_fact(ln.code)
        if fact is not None:
            return f"an ICD-10-CM diagnosis heading ({fact.title})"
    if len(ln.code) == 7:
        reading = _procedure_reading(ln.code)
        if reading and reading[0] == "ICD-10-PCS":
            return "an ICD-10-PCS inpatient procedure code"
    return None


@edit("SYS-MIXUP", "error", "HIPAA code sets (45 CFR 162.1002): ICD-10-CM for diagnoses, "
      "CPT/HCPCS for professional services", "a procedure code in a diagnosis slot, or a "
      "diagnosis code on a service line")
def mixup(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for d in ctx.dx:
        reading = _dx_mixup(d)
        if reading is not None:
            system, reason = reading
            add(ctx.finding(
              "SYS-MIXUP", f"Diagnosis {d.pos} {d.code} is not a diagnosis but "
              f"{'an' if system.startswith('I') else 'a'} {system} code"
              f"{_named(ctx, system, d.code)} ({reason}); {_WHERE[system]}.",
              codes=(d.code,),
              fix=f"move {d.code} to a service line and put the ICD-10-CM diagnosis it "
              "treats in the diagnosis list" if system != "ICD-10-PCS" else
              f"replace {d.code} with the ICD-10-CM diagnosis"))
    for ln in ctx.lines:
        what = _line_mixup(ctx, ln) if ln.kind in ("dx-shape", "other") else None
        if what is None:
            continue
        if what.startswith("an ICD-10-PCS"):
            msg = (f"Line {ln.number}: {ln.code} is {what}; a professional claim bills the "
                   "CPT or HCPCS code of the service.")
            fix = f"replace {ln.code} on line {ln.number} with the CPT/HCPCS code"
        else:
            msg = (f"Line {ln.number}: {ln.line.code} is {what}, not a procedure: diagnoses "
                   "go in the diagnosis list and the line points to them.")
            fix = (f"put {ln.line.code} in the diagnosis list, point line {ln.number} to it, "
                   "and bill the CPT/HCPCS code of the service on the line")
        add(ctx.finding("SYS-MIXUP", msg, line=ln.number, codes=(ln.line.code,), fix=fix))
    return out


@edit("DX-FORMAT", "error", "ICD-10-CM Official Guidelines I.A.2 (3 to 7 characters, a "
      "letter first)", "a diagnosis that cannot be an ICD-10-CM code")
def dx_format(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for d in ctx.dx:
        if d.status == "malformed" or (d.status in ("unknown", "wrong_system")
                                       and _dx_mixup(d) is None and not _cm_shape(d.code)):
            why = d.message or f"{d.raw!r} is not an ICD-10-CM code"
            named = _dx_system(claim, d.pos)
            if named:
                why = f"{d.raw!r} is a code of {named}, not ICD-10-CM"
            add(ctx.finding("DX-FORMAT", f"Diagnosis {d.pos}: {why}.".replace("..", "."),
                            codes=(d.raw,), fix="write the ICD-10-CM code: a letter, then 2 "
                            "to 6 letters or digits, e.g. E11.9 or S72.001A"))
    return out


def _dx_system(claim: Claim, pos: int) -> str:
    """The name of the code system a FHIR diagnosis says its code is from, when it is not
    ICD-10-CM or ICD-9-CM (SNOMED CT from a Synthea Condition, a local system)."""
    systems = (claim.extra or {}).get("diagnosis_systems") or ()
    system = systems[pos - 1] if 0 < pos <= len(systems) else ""
    if not system or "icd-10-cm" in system or "icd-9-cm" in system:
        return ""
    from .data import code_system
    known = code_system("fhir", system)
    return known[0] if known else f"the code system {system}"


def _cm_shape(code: str) -> bool:
    return 3 <= len(code) <= 7 and code[:1].isalpha() and code[1:2].isdigit() and code.isalnum()


def _sugg(d: Dx, n: int = 6) -> str:
    more = f" (and {len(d.suggestions) - n} more)" if len(d.suggestions) > n else ""
    return ", ".join(d.suggestions[:n]) + more


@edit("DX-INVALID", "error", "CMS/CDC ICD-10-CM valid code list of the release in force on "
      "the date of service", "a diagnosis that is not a valid ICD-10-CM code on the date")
def dx_invalid(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for d in ctx.dx:
        if d.status == "not_in_release" or (d.status == "unknown" and _cm_shape(d.code)
                                            and _dx_mixup(d) is None):
            fix = f"use {_sugg(d)}" if d.suggestions else "look the condition up again in " \
                "the ICD-10-CM index for the date of service"
            add(ctx.finding("DX-INVALID", f"Diagnosis {d.pos}: {d.message}.",
                            codes=(d.shown,), fix=fix))
    facts = ctx.facts
    if ctx.dates and ctx.dates[-1] < ICD10_START and facts.has_icd9:
        from medcode.systems.icd9cm import display_dx
        for d in ctx.dx:
            if d.status not in ("icd9", "before-icd10") or not d.code or _looks_icd10(ctx, d):
                continue
            shown = display_dx(d.code)
            if not facts.icd9_known(shown):
                add(ctx.finding("DX-INVALID", f"Diagnosis {d.pos} {d.raw} ({shown}) is not a "
                                "valid ICD-9-CM diagnosis code (v32, the final release).",
                                codes=(d.raw,), reference="CMS ICD-9-CM v32 diagnosis code "
                                "list", fix="check the code against the ICD-9-CM code list"))
    return out


@edit("DX-HEADER", "error", _GUIDE_CODES, "a category or subcategory that is not billable")
def dx_header(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for d in ctx.dx:
        if d.status == "header":
            add(ctx.finding("DX-HEADER", f"Diagnosis {d.pos}: {d.message}.".replace("..", "."),
                            codes=(d.shown,), fix=f"use the billable code under {d.shown} "
                            f"that fits, e.g. {', '.join(d.suggestions[:4])}"
                            if d.suggestions else None))
    return out


@edit("DX-7TH", "error", "ICD-10-CM Official Guidelines I.A.4-5 (placeholder X, 7th "
      "characters)", "a missing or wrong 7th character, or a missing placeholder X")
def dx_7th(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for d in ctx.dx:
        if d.status not in ("needs_7th", "placeholder", "bad_7th"):
            continue
        if d.status == "placeholder":
            fix = f"use {d.suggestions[0]}" if d.suggestions else None
            msg = f"Diagnosis {d.pos} {d.raw}: the placeholder X is missing; {d.message}"
        elif d.status == "needs_7th":
            chars: dict[str, str] = d.extra.get("seventh_characters") or {}
            base = d.code + "X" * (6 - len(d.code))
            shown = base[:3] + "." + base[3:]
            sample = "; ".join(f"{shown}{c} = {m}" for c, m in list(chars.items())[:3])
            more = f"; {len(chars) - 3} more" if len(chars) > 3 else ""
            msg = (f"Diagnosis {d.pos}: {d.shown} needs a 7th character to be billable "
                   f"({sample}{more})" if chars else f"Diagnosis {d.pos}: {d.message}")
            fix = f"add the 7th character that fits the encounter, e.g. {shown}A"
        else:
            fix = f"use one of {_sugg(d)}" if d.suggestions else None
            msg = f"Diagnosis {d.pos}: {d.message}"
        add(ctx.finding("DX-7TH", msg.rstrip(".") + ".", codes=(d.shown,), fix=fix))
    return out


@edit("DX-RELEASE", "info", "medcode: releases loaded in the store (medcode data status)",
      "no ICD-10-CM release is loaded for the date of service; the nearest one was used")
def dx_release(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    if not claim.diagnoses:
        return out
    for rel, day in ctx.inexact:
        if day is None:
            skipped = [d.shown for d in ctx.dx if d.icd9]
            but = (f" (not the ICD-9-CM {', '.join(skipped)}, which no date can be checked "
                   "against)" if skipped else "")
            msg = (f"No line has a valid date of service: the ICD-10-CM diagnoses were checked "
                   f"against {rel.name}, the newest ICD-10-CM release loaded{but}.")
        else:
            side = "newest" if day > rel.effective_from else "oldest"
            msg = (f"No ICD-10-CM release is loaded for {day}: the diagnoses were checked "
                   f"against {rel.name} ({rel.effective_from} to {rel.effective_to or 'now'}),"
                   f" the {side} release loaded.")
        if day is None:
            add(ctx.finding("DX-RELEASE", msg))
            continue
        from medcode.store.freshness import advice
        add(ctx.finding("DX-RELEASE", msg, severity="warning",
                        fix=advice("ICD-10-CM", day) + " for an exact check"))
    return out


def _qualified_icd9(ctx: ClaimContext, d: Dx) -> bool:
    quals = ctx.claim.diagnosis_qualifiers
    return d.pos <= len(quals) and quals[d.pos - 1].upper() in ("BK", "BF")


def gem_targets(store: object, icd9: str) -> tuple[str, ...]:
    """The ICD-10-CM codes the GEMs propose for an ICD-9-CM diagnosis (none without GEMs)."""
    from medcode.codes.readings import gem_targets as targets
    return targets(store, icd9)  # type: ignore[arg-type]


def _looks_icd10(ctx: ClaimContext, d: Dx) -> bool:
    quals = ctx.claim.diagnosis_qualifiers
    if d.pos <= len(quals) and quals[d.pos - 1].upper() in ("ABK", "ABF"):
        return True
    rels = ctx.facts.icd10_releases
    return bool(rels) and d.code in ctx.facts.billable(rels[-1])


@edit("DX-ICD9-AFTER-2015", "error", "HHS final rule 45 CFR 162.1002: ICD-10-CM from "
      "2015-10-01, ICD-9-CM before", "ICD-9-CM diagnoses on or after 2015-10-01, or ICD-10-CM "
      "before")
def icd9_after_2015(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    icd9 = [d for d in ctx.dx if d.icd9]
    if not ctx.dates:
        if icd9:       # no line has a date: say so rather than claim a check
            codes = tuple(d.shown for d in icd9)
            add(ctx.finding(
              "DX-ICD9-AFTER-2015", f"{', '.join(codes)} {'is' if len(codes) == 1 else 'are'}"
              " ICD-9-CM, but no line of the claim has a date of service, so whether "
              "ICD-9-CM applies (only before 2015-10-01) could not be checked.", codes=codes,
              severity="warning", fix="give each service line its date of service"))
        return out
    late = [day for day in ctx.dates if day >= ICD10_START]
    if icd9 and late:
        codes = tuple(d.shown for d in icd9)
        how = "coded in ICD-9-CM (qualifier BK/BF)" if all(
            _qualified_icd9(ctx, d) for d in icd9) else "ICD-9-CM diagnosis codes" if len(
            codes) > 1 else "an ICD-9-CM diagnosis code"
        targets = {d.shown: gem_targets(ctx.facts.store, d.shown) for d in icd9}
        named = "; ".join(f"the GEMs map {c} to {', '.join(t[:6])}" for c, t in targets.items()
                          if t)
        add(ctx.finding(
          "DX-ICD9-AFTER-2015", f"{', '.join(codes)} {'is' if len(codes) == 1 else 'are'} "
          f"{how}, but the date of service {late[0]} is on or after 2015-10-01, when "
          "ICD-10-CM replaced ICD-9-CM" + (f" ({named})." if named else "."), codes=codes,
          fix="code the diagnoses in ICD-10-CM (qualifiers ABK/ABF)"
          + (f": {named}" if named else "")))
    early = [day for day in ctx.dates if day < ICD10_START]
    if early:
        tens = [d for d in ctx.dx if not d.icd9 and d.code and _looks_icd10(ctx, d)]
        if tens:
            codes = tuple(d.shown for d in tens)
            add(ctx.finding(
              "DX-ICD9-AFTER-2015", f"{', '.join(codes)} {'is' if len(codes) == 1 else 'are'}"
              f" ICD-10-CM, but the date of service {early[0]} is before 2015-10-01, when "
              "claims still used ICD-9-CM.", codes=codes,
              fix="code the diagnoses in ICD-9-CM for a date of service before 2015-10-01, "
              "or correct the date"))
    return out
