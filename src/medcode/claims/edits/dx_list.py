"""The diagnosis list and the pointers to it: DX-DUP, DX-MAX, DX-EXTCAUSE-FIRST,
DX-SUPPLEMENTARY-FIRST, DX-Z-FIRST-ONLY, PTR-MISSING, PTR-RANGE, PTR-UNUSED.

The list of first-listed-only Z codes is ``medcode/data/claims_z_first_only.csv``
(Official Guidelines I.C.21.c.16).
"""

from __future__ import annotations

from collections.abc import Sequence

from medcode.models import Claim, Finding

from . import data
from .context import MAX_DX, MAX_POINTERS, ClaimContext, numbers_fine
from .registry import edit

#: claim types whose lines carry no diagnosis pointers (UB-04 / 837I; pharmacy)
_NO_POINTERS = ("institutional", "pharmacy")
_LETTERS = "ABCDEFGHIJKL"


def _ptr(n: int) -> str:
    return f"{n} ({_LETTERS[n - 1]})" if 1 <= n <= 12 else str(n)


@edit("DX-DUP", "warning", "CMS-1500 item 21 / X12 837P HI: each diagnosis once",
      "the same diagnosis listed twice")
def dx_dup(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    seen: dict[str, int] = {}
    for d in ctx.dx:
        if not d.code:
            continue
        first = seen.get(d.code)
        if first is None:
            seen[d.code] = d.pos
            continue
        add(ctx.finding("DX-DUP", f"{d.shown} is listed twice (diagnoses {first} and "
                        f"{d.pos}).", codes=(d.shown,),
                        fix=f"remove diagnosis {d.pos} and point its lines to diagnosis "
                        f"{first}"))
    return out


@edit("DX-MAX", "error", "CMS-1500 item 21 (A-L) and X12 837P 005010X222A1 HI: at most 12 "
      "diagnoses", "more than 12 diagnoses")
def dx_max(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    n = len(claim.diagnoses)
    if n > MAX_DX:
        extra = tuple(claim.diagnoses[MAX_DX:])
        add(ctx.finding("DX-MAX", f"The claim lists {n} diagnoses; a professional claim "
                        f"holds at most {MAX_DX} (A to L).", codes=extra,
                        fix=f"keep the {MAX_DX} diagnoses the services treat, or split the "
                        "claim"))
    return out


@edit("DX-EXTCAUSE-FIRST", "error", "ICD-10-CM Official Guidelines I.C.20 (external cause "
      "codes are never the first-listed diagnosis)", "an external cause code (V00-Y99) first")
def extcause_first(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    if not ctx.dx:
        return out
    d = ctx.dx[0]
    if d.icd9 or d.status in ("malformed", "before-icd10", "wrong_system") or \
            d.code[:1] not in ("V", "W", "X", "Y") or not d.code[1:3].isdigit():
        return out
    title = f" ({d.fact.title})" if d.fact else ""
    add(ctx.finding("DX-EXTCAUSE-FIRST", f"The first diagnosis {d.shown}{title} is an "
                    "external cause code (V00-Y99): it tells how an injury happened and "
                    "can never be listed first.", codes=(d.shown,),
                    fix=f"list the injury or condition first and {d.shown} after it"))
    return out


#: ICD-10-CM block B95-B97 "Bacterial and viral infectious agents": the tabular's block
#: note calls them "supplementary or additional codes to identify the infectious agent(s) in
#: diseases classified elsewhere"
_SUPPLEMENTARY = ("B95", "B96", "B97")


@edit("DX-SUPPLEMENTARY-FIRST", "error", "ICD-10-CM Tabular List, block B95-B97 note: "
      "\"These categories are provided for use as supplementary or additional codes to identify "
      "the infectious agent(s) in diseases classified elsewhere\"",
      "a code from B95-B97 (infectious agent) listed first")
def supplementary_first(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    if not ctx.dx:
        return out
    d = ctx.dx[0]
    if d.icd9 or d.status in ("malformed", "before-icd10", "wrong_system") or \
            not d.code.startswith(_SUPPLEMENTARY):
        return out
    title = f" ({d.fact.title})" if d.fact else ""
    add(ctx.finding("DX-SUPPLEMENTARY-FIRST", f"The first diagnosis {d.shown}{title} only "
                    "names the germ behind an infection coded elsewhere (B95-B97 are "
                    "supplementary codes): it can never be listed first.", codes=(d.shown,),
                    fix=f"list the infection first (e.g. N39.0 urinary tract infection, "
                    f"L03.115 cellulitis) and {d.shown} after it"))
    return out


@edit("DX-Z-FIRST-ONLY", "warning", "ICD-10-CM Official Guidelines I.C.21.c.16; list "
      "medcode/data/claims_z_first_only.csv", "a first-listed-only Z code in another position")
def z_first_only(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    rules = data.z_first_only()
    for d in ctx.dx[1:]:
        if not d.code.startswith("Z") or d.icd9:
            continue
        for rule in rules:
            if d.code.startswith(rule.prefix) and not d.code.startswith(rule.excepted or
                                                                          ("\0",)):
                add(ctx.finding(
                  "DX-Z-FIRST-ONLY", f"{d.shown} ({rule.title}) may only be the first-listed "
                  f"diagnosis, but it is diagnosis {d.pos}.", codes=(d.shown,),
                  fix=f"move {d.shown} to the first position, or remove it unless the claim "
                  "combines several encounters of the same day"))
                break
    return out


@edit("PTR-MISSING", "error", "CMS-1500 item 24E / X12 837P SV107 (diagnosis code pointer, "
      "required)", "a service line that points to no diagnosis")
def ptr_missing(claim: Claim, ctx: ClaimContext) -> Sequence[Finding]:
    out: list[Finding] = []
    add = out.append
    if ctx.claim_type in _NO_POINTERS:
        return ()
    for ln in claim.lines:
        if ln.pointers or ln.raw_pointers:
            continue
        if claim.diagnoses:
            fix = (f"point line {ln.number} to the diagnosis it treats, e.g. 1 "
                   f"({claim.diagnoses[0]})")
            msg = f"Line {ln.number} ({ln.code}) points to no diagnosis."
        else:
            fix = "list the diagnoses the services treat and point each line to them"
            msg = f"Line {ln.number} ({ln.code}) points to no diagnosis: the claim lists none."
        add(ctx.finding("PTR-MISSING", msg, line=ln.number, codes=(ln.code,), fix=fix))
    return out


@edit("PTR-RANGE", "error", "CMS-1500 item 24E / X12 837P SV107: up to 4 pointers, each to "
      "a listed diagnosis", "a pointer past the diagnosis list, repeated, unreadable, or more "
      "than 4")
def ptr_range(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    n_dx = len(claim.diagnoses)
    for ln in claim.lines:
        if _pointers_fine(ln.pointers, ln.raw_pointers, n_dx):
            continue
        n = ln.number
        if ln.raw_pointers:
            bad = [p for p in ln.raw_pointers if not _readable(p)]
            if bad:
                add(ctx.finding("PTR-RANGE", f"Line {n}: the diagnosis pointer "
                                f"{', '.join(repr(b) for b in bad)} is not a number 1-12 or "
                                "a letter A-L.", line=n, codes=(ln.code,),
                                fix=f"point line {n} to diagnoses by number (1-12) or "
                                "letter (A-L)"))
        past = [p for p in ln.pointers if p > n_dx]
        if past:
            listed = f"{n_dx} diagnos{'is' if n_dx == 1 else 'es'}" if n_dx else "none"
            add(ctx.finding("PTR-RANGE", f"Line {n} points to diagnosis "
                            f"{', '.join(_ptr(p) for p in past)}, but the claim lists "
                            f"{listed}.", line=n, codes=(ln.code,),
                            fix=f"point line {n} only to diagnoses 1-{n_dx}" if n_dx else
                            "list the diagnoses the line treats"))
        dups = sorted({p for p in ln.pointers if ln.pointers.count(p) > 1}) \
            if len(set(ln.pointers)) != len(ln.pointers) else []
        if dups:
            add(ctx.finding("PTR-RANGE", f"Line {n} points to diagnosis "
                            f"{', '.join(_ptr(p) for p in dups)} more than once.", line=n,
                            codes=(ln.code,), fix=f"list each pointer of line {n} once"))
        count = len(ln.raw_pointers or ln.pointers)
        if count > MAX_POINTERS:
            add(ctx.finding("PTR-RANGE", f"Line {n} has {count} diagnosis pointers; a line "
                            f"holds at most {MAX_POINTERS}.", line=n, codes=(ln.code,),
                            fix=f"keep the {MAX_POINTERS} diagnoses most related to line "
                            f"{n}, the main one first"))
    return out


def _pointers_fine(ptrs: tuple[int, ...], raw: tuple[str, ...], n_dx: int) -> bool:
    """Whether PTR-RANGE has nothing to say about a line's pointers: all readable, each to a
    listed diagnosis, none twice, at most 4."""
    return not raw and numbers_fine(ptrs, n_dx)


def _readable(p: str) -> bool:
    s = p.strip().upper()
    return (s.isdigit() and int(s) >= 1) or (len(s) == 1 and s in _LETTERS)


@edit("PTR-UNUSED", "info", "CMS-1500 item 24E: each diagnosis listed should support a line",
      "a diagnosis no line points to")
def ptr_unused(claim: Claim, ctx: ClaimContext) -> Sequence[Finding]:
    out: list[Finding] = []
    add = out.append
    if not claim.lines or ctx.claim_type in _NO_POINTERS:
        return ()
    used = {p for ln in claim.lines for p in ln.pointers}
    for d in ctx.dx:
        if d.pos not in used and d.pos <= MAX_DX:
            add(ctx.finding("PTR-UNUSED", f"No line points to diagnosis {d.pos} ({d.shown})."
                            , codes=(d.shown,), fix=f"point the line it supports to "
                            f"diagnosis {d.pos}, or remove it if no service treated it"))
    return out
