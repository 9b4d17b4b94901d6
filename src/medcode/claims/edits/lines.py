"""The service lines: PX-FORMAT, PX-INVALID, LINE-UNITS, LINE-CHARGE, CLAIM-TOTAL,
PX-OTHER-SYSTEM.

CPT: when the user imported a licensed CPT file (``CPT`` rows in the store) a code must be
in it; otherwise only its structure is checked (5 characters; a Category I number inside a
section of ``medcode/data/cpt_sections.csv`` in force on the date of service: 99201 until
2020-12-31), and the report says once that CPT codes were judged by format and section only.
HCPCS Level II: when a CMS HCPCS file is loaded, the code must be in it and active on the
date of service (add and termination dates). A code missing from a HCPCS file older than the
date of service may be newer than the file: that is a warning, not an error.
"""

from __future__ import annotations

from medcode.models import Claim, Finding

from .context import ClaimContext, Ln
from .dx_codes import _line_mixup
from .registry import edit

_SHAPES = ("a CPT code is 5 characters (5 digits, or 4 digits and F, T, U, A or M); a HCPCS "
           "Level II code is a letter A-V and 4 digits")


@edit("PX-FORMAT", "error", "X12 837P SV101 (HC: procedure code): CPT or HCPCS Level II",
      "a service line code that is neither CPT nor HCPCS by its shape")
def px_format(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for ln in ctx.lines:
        if ln.kind in ("cpt", "hcpcs", "pcs") or _line_mixup(ctx, ln) is not None:
            continue
        add(ctx.finding("PX-FORMAT", f"Line {ln.number}: {ln.line.code!r} is not a "
                        f"procedure code: {_SHAPES}.", line=ln.number, codes=(ln.line.code,),
                        fix=f"write the CPT or HCPCS code of the service on line "
                        f"{ln.number}"))
    return out


def _cpt_problem(ctx: ClaimContext, ln: Ln) -> tuple[str, str, str] | None:
    """(message, reference, severity) when a CPT-shaped code is not valid."""
    if ctx.facts.has_cpt:
        if not ctx.facts.cpt_known(ln.code):
            msg = f"Line {ln.number}: {ln.code} is not in the CPT file loaded in the store."
            return msg, "CPT code set (AMA), as imported with medcode data import cpt", "error"
        return None
    if not ln.code.isdigit():
        return None
    ref = "CPT Category I section ranges and their dates (medcode/data/cpt_sections.csv)"
    rng = ctx.facts.cpt_range(ln.code)
    if rng is None:
        msg = (f"Line {ln.number}: {ln.code} falls in no CPT Category I section, so it "
               "cannot be a CPT code.")
        return msg, ref, "error"
    day = ln.date or ctx.dos
    if day is not None and not rng.in_force(day):
        if rng.effective_to is not None and day > rng.effective_to:
            why = f"it was deleted after {rng.effective_to}"
        else:
            why = f"it was added on {rng.effective_from}"
        msg = (f"Line {ln.number}: {ln.code} is not a CPT code on {day}: {why} "
               f"({rng.section}).")
        return msg, ref + (f"; {rng.source}" if rng.source else ""), "error"
    return None


def _hcpcs_problem(ctx: ClaimContext, ln: Ln) -> tuple[str, str, str] | None:
    facts = ctx.facts
    day = ln.date or ctx.dos
    rec = facts.hcpcs(ln.code, day)
    year = facts.hcpcs_year
    ref = f"CMS Alpha-Numeric HCPCS file {year or ''}".strip()
    if rec is None:
        if year is not None and day is not None and day.year > year:
            msg = (f"Line {ln.number}: {ln.code} is not in the loaded HCPCS file ({year}); it "
                   f"may have been added after {year}.")
            return msg, ref, "warning"
        return (f"Line {ln.number}: {ln.code} is not a HCPCS Level II code.", ref, "error")
    if day is None or rec["active"]:
        return None
    start = rec.get("add_date") or rec.get("effective_date")
    end = rec.get("termination_date")
    if end and day.isoformat() > end:
        why = f"it was terminated on {end}"
    elif start and day.isoformat() < start:
        why = f"it was added on {start}"
    else:
        why = "it is not active then"
    return (f"Line {ln.number}: {ln.code} is not valid on {day}: {why}.", ref, "error")


def _pcs_problem(ctx: ClaimContext, ln: Ln) -> tuple[str, str, str] | None:
    """An ICD-10-PCS code on an institutional claim that is not in the loaded PCS tables."""
    rels = ctx.facts.store.releases("ICD-10-PCS")
    if not rels:
        return None
    row = ctx.facts.store.row("ICD-10-PCS", ln.code)
    if row is not None and row[2] == "code":
        return None
    names = ", ".join(r.name for r in rels)
    return (f"Line {ln.number}: {ln.code} has the shape of an ICD-10-PCS procedure code but is "
            f"not one in the loaded ICD-10-PCS tables ({names}).",
            f"CMS ICD-10-PCS tables {names}", "error")


@edit("PX-INVALID", "error", "CMS HCPCS file (add/termination dates); CPT code set (AMA)",
      "a CPT/HCPCS code not active on the date of service")
def px_invalid(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    facts = ctx.facts
    memo = facts.memo
    for ln in ctx.lines:
        kind = ln.kind
        # whether a code has a problem depends on its kind, the code and the day alone
        # (ln.date or ctx.dos, as the _problem functions read it): the codes found to
        # have none are remembered per (kind, code, day) in the facts' bounded memo
        key = ("px", kind, ln.code, ln.date or ctx.dos)
        if key in memo:
            continue
        if kind == "cpt":
            problem = _cpt_problem(ctx, ln)
        elif kind == "hcpcs" and facts.has_hcpcs:
            problem = _hcpcs_problem(ctx, ln)
        elif kind == "pcs":
            problem = _pcs_problem(ctx, ln)
        else:
            continue
        if problem is None:
            facts.remember(key, True)
            continue
        msg, ref, severity = problem
        fix = (f"check the code of line {ln.number} against the current code set"
               if severity == "error" else "import the current HCPCS file (medcode data "
               "import hcpcs) to check it")
        add(ctx.finding("PX-INVALID", msg, line=ln.number, codes=(ln.code,), fix=fix,
                        reference=ref, severity=severity))
    return out


def _amount(value: float) -> str:
    return f"{value:,.2f}"


def _units(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@edit("LINE-UNITS", "error", "CMS-1500 item 24G / X12 837P SV104 (service unit count: a "
      "positive number)", "units zero, negative or not a number")
def line_units(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for ln in claim.lines:
        raw = ln.extra.get("raw_units") if ln.extra else None
        if raw is None and ln.units > 0:
            continue
        fix = (f"enter on line {ln.number} the number of units performed (1 or more; minutes "
               "for anesthesia, as the payer asks)")
        if raw is not None:
            add(ctx.finding("LINE-UNITS", f"Line {ln.number} ({ln.code}): the units {raw!r} "
                            "are not a number.", line=ln.number, codes=(ln.code,), fix=fix))
        elif ln.units <= 0:
            why = "cannot be negative" if ln.units < 0 else "a line bills at least 1 unit"
            add(ctx.finding("LINE-UNITS", f"Line {ln.number} ({ln.code}) bills "
                            f"{_units(ln.units)} units: {why}.", line=ln.number,
                            codes=(ln.code,), fix=fix))
    return out


@edit("LINE-CHARGE", "error", "CMS-1500 item 24F / X12 837P SV102 (line item charge amount: "
      "a non-negative amount)", "a negative charge, or a charge that is not an amount")
def line_charge(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for ln in claim.lines:
        raw = ln.extra.get("raw_charge") if ln.extra else None
        if raw is not None:
            add(ctx.finding("LINE-CHARGE", f"Line {ln.number} ({ln.code}): the charge {raw!r} "
                            "is not an amount.", line=ln.number, codes=(ln.code,),
                            fix=f"write the charge of line {ln.number} as a number, e.g. "
                            "125.00"))
        elif ln.charge is not None and ln.charge < 0:
            add(ctx.finding("LINE-CHARGE", f"Line {ln.number} ({ln.code}) has a negative "
                            f"charge ({_amount(ln.charge)}): a claim line bills what the "
                            "service costs, never a credit.", line=ln.number,
                            codes=(ln.code,), fix=f"enter the full charge of line "
                            f"{ln.number}; correct an overpayment with a corrected claim "
                            "(frequency code 7) or a refund, not a negative line"))
    return out


def _claim_total(claim: Claim) -> tuple[float | None, str | None]:
    extra = claim.extra
    if not extra:
        return None, None
    from medcode.claims.formats.values import parse_number_kept
    if extra.get("raw_total") is not None:
        return None, str(extra["raw_total"])
    return parse_number_kept(extra.get("total_charge"), "total charge")


@edit("CLAIM-TOTAL", "warning", "CMS-1500 item 28 / X12 837P CLM02 (total claim charge "
      "amount: the sum of the service line charges SV102) / FHIR Claim.total",
      "the claim's total charge differs from the sum of its lines")
def claim_total(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    total, raw = _claim_total(claim)
    if raw is not None:
        add(ctx.finding("CLAIM-TOTAL", f"The claim's total charge {raw!r} is not an "
                        "amount.", fix="write the total charge as a number: the sum of the "
                        "line charges"))
        return out
    if total is None or not claim.lines:
        return out
    charges = [ln.charge for ln in claim.lines]
    if any(c is None for c in charges):
        return out                              # a line without a charge: no sum to compare
    lines_sum = round(sum(c for c in charges if c is not None), 2)
    if abs(lines_sum - total) < 0.005:
        return out
    n = len(claim.lines)
    add(ctx.finding(
      "CLAIM-TOTAL", f"The claim's total charge is {_amount(total)}, but its {n} line"
      f"{'s add' if n > 1 else ' comes'} to {_amount(lines_sum)} (a difference of "
      f"{_amount(abs(total - lines_sum))}).",
      fix=f"make the total {_amount(lines_sum)}, or correct the line charge that is wrong"))
    return out


@edit("PX-OTHER-SYSTEM", "info", "code systems medcode checks: CPT, HCPCS Level II, ICD-10-PCS "
      "(medcode/data/claims_code_systems.csv)", "a line code from a system medcode does not "
      "check, named")
def px_other_system(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    for ln in ctx.other_lines:
        add(ctx.finding("PX-OTHER-SYSTEM", f"Line {ln.number}: {ln.line.code} is a code of "
                        f"{ln.system}, which medcode does not check; its format, validity, "
                        "modifiers and NCCI edits were not checked.", line=ln.number,
                        codes=(ln.line.code,),
                        fix="if the payer expects CPT or HCPCS on this claim, bill the "
                        "CPT/HCPCS code of the service"))
    return out
