"""lookup() for any code system: ICD-10-CM directly when the shape says so, else identify."""

from __future__ import annotations

import datetime as dt

from medcode.errors import UnknownCode
from medcode.store.db import Store
from medcode.systems.icd10cm import looks_like_icd10cm
from medcode.systems.normalize import clean_code

ICD10CM = "ICD-10-CM"


def _hcpcs_shape(code: str) -> bool:
    return len(code) == 5 and "A" <= code[0] <= "V" and code[1:].isdigit()


def lookup_any(store: Store, raw: str, system: str | None = None, on: dt.date | None = None,
               release: str | None = None):
    """CodeInfo (ICD-10-CM) or OtherInfo for ``raw``; UnknownCode says why when not found."""
    from medcode.codes.codeinfo import lookup as lookup_cm
    if (isinstance(raw, str) and ("&" in raw or "/" in raw) and system in (None, "ICD-11")
            and store.releases("ICD-11")):   # an ICD-11 postcoordinated cluster
        from medcode.codes.crosswalk import who
        return who.cluster_info(store, raw, on)
    code = clean_code(raw)
    text = str(raw)
    if system == ICD10CM:
        return lookup_cm(store, raw, on=on, release=release)
    # V codes are also ICD-9-CM supplementary codes: let identify report both readings
    if (system is None and looks_like_icd10cm(code) and code[0] != "V"
            and ("." in text or not _hcpcs_shape(code))):
        row = store.row(ICD10CM, code)
        if row is not None:  # the common case: no identify needed
            from medcode.codes.codeinfo import lookup_row
            return lookup_row(store, raw, code, row, on, release)
    from medcode.codes.identification import identify
    ident = identify(store, raw)
    cands = [c for c in ident.candidates if system is None or c.system == system]
    # every plausible reading, most likely first (J1100: HCPCS, then ICD-10-CM J11.00); the
    # first one that can be shown is the answer, and the others are listed with it
    readings = [c for c in cands if c.plausible]
    for cand in readings:
        info = _info(store, cand, on, release) if cand.valid else _format_only(store, cand, on)
        if info is not None:
            info.also = [{"system": c.system, "code": c.code, "kind": c.kind, "title": c.title,
                          "valid": c.valid, "reason": c.reason}
                         for c in readings if c is not cand]
            return info
    who = _who(store, raw, system, cands, on)
    if who is not None:
        return who
    for cand in cands:
        if cand.system == "CPT" and cand.kind != "modifier":
            from medcode.codes.otherinfo import cpt_info
            return cpt_info(store, cand.code, on)
        if cand.system == ICD10CM:
            return lookup_cm(store, raw, on=on, release=release)  # raises, explaining why
    if ident.error:
        raise UnknownCode(ident.error, code=code)
    if not cands:
        where = f" in {system}" if system else ""
        raise UnknownCode(f"{text.strip()!r} is not a code of any known system{where}",
                          code=code, system=system)
    raise UnknownCode("; ".join(f"{c.system}: {c.reason}" for c in cands), code=code,
                      system=cands[0].system)


def _who(store: Store, raw: str, system: str | None, cands, on: dt.date | None):
    """A WHO ICD-10 / ICD-11 code found in the loaded data (these readings are never
    "plausible" on a US claim, so they come after the others), or an ICD-11 cluster."""
    from medcode.codes.crosswalk import who
    text = str(raw)
    if system in who.WHO and store.releases(system):
        return who.info(store, system, text, on)
    if system is None and ("&" in text or "/" in text) and store.releases("ICD-11"):
        return who.info(store, "ICD-11", text, on)
    for cand in cands:
        if cand.system in who.WHO and cand.valid:
            return who.info(store, cand.system, cand.code, on)
    return None


def _format_only(store: Store, cand, on: dt.date | None):
    """A reading whose system's data is not loaded: what its shape says."""
    from medcode.codes import otherinfo
    if cand.system == "CPT" and cand.kind != "modifier":
        return otherinfo.cpt_info(store, cand.code, on)
    if cand.system == "HCPCS" and cand.kind != "modifier":
        return otherinfo.OtherInfo(
            "HCPCS", cand.code, None, cand.kind, None, None, on, status="not_loaded",
            message=f"{cand.code}: {cand.reason}")
    return None


def _info(store: Store, cand, on: dt.date | None, release: str | None):
    from medcode.codes import otherinfo
    if cand.kind == "modifier":
        return otherinfo.modifier_info(store, cand.system, cand.code, on)
    if cand.system == ICD10CM:
        from medcode.codes.codeinfo import lookup as lookup_cm
        return lookup_cm(store, cand.code, on=on, release=release)
    if cand.system == "ICD-10-PCS":
        return otherinfo.pcs_info(store, cand.code, on, release)
    if cand.system == "ICD-9-CM":
        return otherinfo.icd9_info(store, cand.code, on)
    if cand.system == "CPT":
        return otherinfo.cpt_info(store, cand.code, on)
    if cand.system == "HCPCS":
        return otherinfo.hcpcs_info(store, cand.code, on)
    return None
