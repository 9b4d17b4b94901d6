"""What the tabular's notes say about codes together: DX-EXCL1, DX-MANIF-FIRST, DX-ETIOLOGY,
DX-USE-ADDITIONAL. Notes are a code's own and its ancestors' (``medcode.claims.excludes``).

DX-USE-ADDITIONAL reports the "use additional code" notes that name codes as companions
and are not conditional: a note (with the rows that follow it at the same node) saying "if
applicable", "where applicable", "if known", "if present", "any associated" or "such as"
asks for a code only when the condition exists, so its absence says nothing (chapter 19's
"code to identify any retained foreign body, if applicable (Z18.-)").

Manifestation codes (a documented decision). The Official Guidelines (I.A.13) say that
"in most cases the manifestation codes will have in the code title 'in diseases classified
elsewhere'", that such codes are never first-listed, and that "code first" notes are also
used as plain sequencing rules on codes that are not manifestations, which may be
first-listed when the cause is not known. So a code is a manifestation here when its own
title, or that of an ancestor up to its category, says "in ... classified elsewhere"
(G63, F02.80, and D63.1 under D63 "Anemia in chronic diseases classified elsewhere"). A
code that merely carries a "code first" note (J12.82, N18.x-type sequencing) is not:
DX-MANIF-FIRST never fires for it, and DX-ETIOLOGY only asks that its etiology, when the
claim lists it, come before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from medcode.models import Claim, Finding
from medcode.systems.icd10cm import display

from .context import ClaimContext, Dx, StoreFacts
from .registry import edit

_ETIO = "ICD-10-CM Official Guidelines I.A.13 (etiology/manifestation convention)"


def _node(code: str) -> str:
    """How a note's defining node is named: E11, I10-I1A, chapter 10."""
    return f"chapter {code}" if code.isdigit() else display(code)


def _matches(ctx: ClaimContext, patterns: tuple | list, code: str) -> bool:
    title = ctx.facts.notes.title
    return any(p.matches(code, title) for p in patterns)


def _join(texts: list[str] | tuple[str, ...]) -> str:
    out = ""
    for t in texts:
        out += t if not out else (" " if out.endswith(":") else "; ") + t
    return out


def _short(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "\u2026"


@edit("DX-EXCL1", "warning", "ICD-10-CM Official Guidelines I.A.12.a (Excludes1: never "
      "reported together, unless the conditions are unrelated)", "two diagnoses where one "
      "falls under the other's Excludes1 note")
def excludes1(claim: Claim, ctx: ClaimContext) -> Sequence[Finding]:
    out: list[Finding] = []
    add = out.append
    valid = ctx.valid_dx()
    if len(valid) < 2:
        return ()
    pair_note = ctx.facts.excl1_pair
    for i, a in enumerate(valid):
        for b in valid[i + 1:]:
            if b.code == a.code:
                continue
            for x, y in ((a, b), (b, a)):
                lo, hi = x.fact.excl_span  # type: ignore[union-attr]
                if not lo <= y.code[:3] <= hi:      # no note of x names y's category
                    continue
                hit = pair_note(x.code, y.code)
                if hit is None:
                    continue
                node, ref = hit
                add(ctx.finding(
                  "DX-EXCL1", f"{x.shown} ({x.fact.title}) and {y.shown} "  # type: ignore
                  f"({y.fact.title}) are not reported together: the Excludes1 note at "  # type: ignore
                  f"{_node(node)} says \"{_short(ref.text)}\".", codes=(a.shown, b.shown),
                  fix=f"keep only the one of {a.shown} and {b.shown} that describes the "
                  "condition, unless the two conditions are unrelated",
                  reference=f"ICD-10-CM tabular, Excludes1 at {_node(node)}; Official "
                  "Guidelines I.A.12.a"))
                break
    return out


def _code_first(d: Dx) -> tuple[tuple, bool, list[str]]:
    """(patterns, exhaustive, texts) of the code-first notes of ``d`` (own and inherited)."""
    f = d.fact
    if f is None:
        return (), False, []
    return f.first_patterns, f.first_exhaustive, list(f.first_texts)


def _code_first_hint(texts: list[str]) -> str:
    with_codes = [t for t in texts if any(ch.isdigit() for ch in t)]
    shown = _join((with_codes or texts)[:4])
    return _short(shown, 200)


@edit("DX-MANIF-FIRST", "error", _ETIO + ": \"in diseases classified elsewhere\" codes are "
      "never first-listed", "the first-listed diagnosis is a manifestation code")
def manifestation_first(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    if not ctx.dx or not ctx.dx[0].ok or not ctx.dx[0].fact.manifestation:  # type: ignore
        return out
    d = ctx.dx[0]
    patterns, _, texts = _code_first(d)
    present = [o for o in ctx.valid_dx()[1:] if patterns and _matches(ctx, patterns, o.code)]
    if present:
        fix = f"list {present[0].shown} first and {d.shown} after it"
    elif texts:
        fix = f"list the underlying condition first (code first: {_code_first_hint(texts)}), " \
              f"then {d.shown}"
    else:
        fix = f"list the underlying condition first, then {d.shown}"
    add(ctx.finding("DX-MANIF-FIRST", f"The first diagnosis {d.shown} ({d.fact.title}) is "  # type: ignore[union-attr]
                    "a manifestation code: it describes a condition caused by another "
                    "disease and can never be listed first.", codes=(d.shown,), fix=fix))
    return out


@edit("DX-ETIOLOGY", "warning", _ETIO, "a manifestation without its underlying condition, or "
      "a code listed before the condition its \"code first\" note names")
def etiology(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    valid = ctx.valid_dx()
    for d in valid:
        fact = d.fact
        if fact is None or not fact.code_first:
            continue
        patterns, exhaustive, texts = _code_first(d)
        present = [o for o in valid if o is not d and patterns and _matches(ctx, patterns,
                                                                            o.code)]
        if present:
            if all(o.pos > d.pos for o in present) and not (d.pos == 1 and fact.manifestation):
                o = present[0]
                add(ctx.finding(
                  "DX-ETIOLOGY", f"{d.shown} ({fact.title}) has a \"code first\" note naming "
                  f"{o.shown}, but {o.shown} is listed after it (diagnoses {d.pos} and "
                  f"{o.pos}).", codes=(d.shown, o.shown),
                  fix=f"list {o.shown} before {d.shown}"))
            continue
        if not fact.manifestation:
            continue
        earlier = [o for o in ctx.dx if o.pos < d.pos]
        if exhaustive or not earlier:
            hint = _code_first_hint(texts) if texts else "the underlying condition"
            add(ctx.finding(
              "DX-ETIOLOGY", f"{d.shown} ({fact.title}) is a manifestation code, but the "
              f"claim lists no underlying condition for it (code first: {hint}).",
              codes=(d.shown,), fix=f"add the underlying condition before {d.shown}"))
    return out


@lru_cache(maxsize=8192)
def _additional_message(facts: StoreFacts, code: str, shown: str, missing: tuple[str, ...]
                        ) -> str:
    fact = facts.dx_fact(code)
    texts = {node: t for node, _, t in fact.additional} if fact else {}
    said = " / ".join(f"at {_node(node)}: {_short(_join(texts[node]), 140)}"
                      for node in missing[:3])
    return (f"{shown}: the tabular says \"use additional code\" ({said}); none of those codes "
            "is on the claim.")


@edit("DX-USE-ADDITIONAL", "info", "ICD-10-CM Official Guidelines I.A.13 and I.B.7 (\"use "
      "additional code\" notes)", "a code whose \"use additional code\" note names "
      "companions that are absent")
def use_additional(claim: Claim, ctx: ClaimContext) -> list[Finding]:
    out: list[Finding] = []
    add = out.append
    valid = ctx.valid_dx()
    others = [o.code for o in ctx.dx if o.code]
    for d in valid:
        fact = d.fact
        if fact is None or not fact.additional:
            continue
        lo, hi = fact.additional_span
        met: set[str] = set()
        for code in others:
            if code != d.code and lo <= code[:3] <= hi:
                met.update(ctx.facts.additional_met(d.code, code))
        missing = tuple(node for node, pats, _ in fact.additional if pats and node not in met)
        if not missing:
            continue
        add(ctx.finding(
          "DX-USE-ADDITIONAL", _additional_message(ctx.facts, d.code, d.shown, missing),
          codes=(d.shown,),
          fix="add the additional code if it applies to this patient"))
    return out
