"""The registry of claim edits: ``@edit("DX-EXCL1", severity="warning", reference=...)``.

An edit is a function ``(claim, ctx) -> Iterable[Finding]``; ``ctx`` is the per-claim
:class:`~medcode.claims.edits.context.ClaimContext` (its facts from the store, and
``ctx.finding(...)`` to build a Finding with the edit's severity and reference).
Registering the same ID twice is an error; ``registry()`` imports every family module
once and returns the edits in catalog order.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medcode.models import Claim, Finding

__all__ = ["FAMILIES", "NOT_IMPLEMENTED", "SEVERITIES", "Edit", "edit", "registry", "select"]

SEVERITIES = ("error", "warning", "info")
#: the family modules, in the order their edits run and are listed
FAMILIES = ("demographics", "dx_codes", "dx_list", "dx_notes", "lines", "modifiers", "ncci")
#: catalog edits medcode does not run, and why
NOT_IMPLEMENTED = {
    "ADDON-NO-PRIMARY": "needs the CMS add-on code (AOC) file, which medcode cannot load yet",
}

#: the claim adjustment reason code (CARC) or remark (RARC) payers typically deny with, per
#: RULES.md ("Denial codes payers use for these"); added to each finding's reference
DENIALS = {
    **dict.fromkeys(("MOD-FORMAT", "MOD-INVALID", "MOD-59X", "MOD-25"), "CARC 4"),
    "DX-AGE": "CARC 9", "DX-SEX": "CARC 10",
    **dict.fromkeys(("SYS-MIXUP", "DX-FORMAT", "DX-INVALID", "DX-HEADER", "DX-7TH",
                     "PX-FORMAT", "PX-INVALID", "DX-MAX", "DX-MANIF-FIRST",
                     "DX-EXTCAUSE-FIRST", "PTR-MISSING", "PTR-RANGE", "LINE-DATE", "DEMO",
                     "DX-ICD9-AFTER-2015", "DX-SUPPLEMENTARY-FIRST", "LINE-UNITS",
                     "LINE-CHARGE", "CLAIM-TOTAL"), "CARC 16"),
    "NCCI-PTP": "CARC 97/236", "NCCI-MUE": "RARC N362",
}

EditFunc = Callable[["Claim", Any], Iterable["Finding"]]


@dataclass(frozen=True)
class Edit:
    id: str
    severity: str
    reference: str
    func: EditFunc
    family: str
    summary: str
    denial: str = ""


_EDITS: dict[str, Edit] = {}
_loaded = False


def edit(edit_id: str, severity: str, reference: str, summary: str = ""
         ) -> Callable[[EditFunc], EditFunc]:
    """Register ``func`` as the edit ``edit_id``."""
    if severity not in SEVERITIES:
        raise ValueError(f"{edit_id}: severity must be one of {SEVERITIES}, not {severity!r}")

    def register(func: EditFunc) -> EditFunc:
        if edit_id in _EDITS and _EDITS[edit_id].func.__qualname__ != func.__qualname__:
            raise ValueError(f"edit {edit_id} is registered twice")
        family = func.__module__.rsplit(".", 1)[-1]
        doc = summary or (func.__doc__ or "").strip().split("\n", 1)[0]
        _EDITS[edit_id] = Edit(edit_id, severity, reference, func, family, doc,
                               DENIALS.get(edit_id, ""))
        return func
    return register


def registry() -> dict[str, Edit]:
    """Every registered edit, by ID, in run order (family order, then definition order)."""
    global _loaded
    if not _loaded:
        for family in FAMILIES:
            importlib.import_module(f"medcode.claims.edits.{family}")
        _loaded = True
    order = {f: i for i, f in enumerate(FAMILIES)}
    return dict(sorted(_EDITS.items(), key=lambda kv: order.get(kv[1].family, 99)))


def select(ids: Iterable[str] | None) -> list[Edit]:
    """The edits to run: all, or the IDs given (case-insensitive). Unknown IDs raise
    ValueError naming them and the known ones."""
    edits = registry()
    if ids is None:
        return list(edits.values())
    wanted = {i.strip().upper() for i in ids}
    unknown = sorted(wanted - set(edits) - set(NOT_IMPLEMENTED))
    if unknown:
        raise ValueError(f"unknown edit ID(s): {', '.join(unknown)}; known: "
                         + ", ".join(edits))
    return [e for i, e in edits.items() if i in wanted]
