"""Claim edits, one small module per family, registered with ``@edit``.

Families (run in this order): ``demographics`` (LINE-DATE, DEMO, DX-AGE, DX-SEX),
``dx_codes`` (SYS-MIXUP, DX-FORMAT, DX-INVALID, DX-HEADER, DX-7TH, DX-RELEASE,
DX-ICD9-AFTER-2015), ``dx_list`` (DX-DUP, DX-MAX, DX-EXTCAUSE-FIRST,
DX-SUPPLEMENTARY-FIRST, DX-Z-FIRST-ONLY,
PTR-MISSING, PTR-RANGE, PTR-UNUSED), ``dx_notes`` (DX-EXCL1, DX-MANIF-FIRST, DX-ETIOLOGY,
DX-USE-ADDITIONAL), ``lines`` (PX-FORMAT, PX-INVALID,
LINE-UNITS, LINE-CHARGE, CLAIM-TOTAL, PX-OTHER-SYSTEM), ``modifiers`` (MOD-FORMAT,
MOD-INVALID, MOD-59X, MOD-25), ``ncci`` (NCCI-PTP, NCCI-MUE,
NCCI-RELEASE), ``addon`` (ADDON-NO-PRIMARY).

Public: ``edit`` (the decorator), ``registry()`` (ID -> Edit), ``select(ids)``,
``NOT_IMPLEMENTED`` (ID -> why). Importing this package imports no family module.
"""

from .registry import FAMILIES, NOT_IMPLEMENTED, SEVERITIES, Edit, edit, registry, select

__all__ = ["FAMILIES", "NOT_IMPLEMENTED", "SEVERITIES", "Edit", "edit", "registry", "select"]
