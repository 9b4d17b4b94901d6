"""Loop 2300/2400 of an 837P: the claim being read, its HI and SV1 segments, and the
finished Claim record (used by ``x12``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from medcode.models import Claim, ClaimLine, Patient

from .values import parse_number_kept, parse_pointers
from .x12tokens import Segment

__all__ = ["ClaimLoop", "Line", "build_claim", "d8", "dtp", "read_hi", "read_sv1"]

_DX_QUALS = {"ABK", "ABF", "BK", "BF"}
_HI_QUALS = _DX_QUALS | {"BP", "BO", "BG", "ABJ", "APR", "BJ", "BN", "ABN"}


@dataclass
class Line:
    lx: Segment
    sv1: Segment | None = None
    date: dt.date | None = None
    raw_date: str | None = None


@dataclass
class ClaimLoop:
    clm: Segment
    patient: Patient
    diagnoses: list[str] = field(default_factory=list)
    quals: list[str] = field(default_factory=list)
    other_hi: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    date: dt.date | None = None
    raw_date: str | None = None
    problems: list[tuple[Segment, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_hi: bool = False


def d8(value: str) -> tuple[dt.date | None, str | None]:
    if len(value) == 8 and value.isdigit():
        try:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:])), None
        except ValueError:
            pass
    return None, value or None


def dtp(seg: Segment) -> tuple[dt.date | None, str | None, str | None]:
    """(date, raw, problem) of a DTP segment: D8 or RD8 (start date)."""
    fmt, value = seg.el(2), seg.el(3)
    if fmt == "D8":
        return (*d8(value), None)
    if fmt == "RD8":
        start, _ = d8(value.split("-", 1)[0])
        return (start, None, None) if start else (None, value or None, None)
    return None, value or None, f"DTP02 date format {fmt!r} is not D8 or RD8"


def build_claim(c: ClaimLoop, cid: str, name: str) -> Claim:
    comp = c.clm.seps.component
    lines = []
    for n, ln in enumerate(c.lines, 1):
        sv1 = ln.sv1
        assert sv1 is not None
        proc = sv1.el(1).split(comp)
        extra: dict[str, Any] = {}
        if proc[0].strip() not in ("HC", ""):
            extra["code_qualifier"] = proc[0].strip()
        if sv1.el(5):
            extra["place_of_service"] = sv1.el(5)
        if sv1.el(3) and sv1.el(3) != "UN":
            extra["unit_code"] = sv1.el(3)
        if ln.lx.el(1) != str(n):
            extra["lx"] = ln.lx.el(1)
        pointers, raw_pointers = parse_pointers(
            [p for p in sv1.el(7).split(comp) if p.strip()])
        date, raw = (ln.date, ln.raw_date) if (ln.date or ln.raw_date) \
            else (c.date, c.raw_date)
        units, raw_units = parse_number_kept(sv1.el(4), "SV104 units", 1)
        charge, raw_charge = parse_number_kept(sv1.el(2), "SV102 charge")
        if raw_units is not None:
            extra["raw_units"] = raw_units
        if raw_charge is not None:
            extra["raw_charge"] = raw_charge
        lines.append(ClaimLine(
            code=proc[1].strip(), modifiers=tuple(m.strip() for m in proc[2:6] if m.strip()),
            units=units if units is not None else 1,
            charge=charge, date=date, raw_date=raw,
            pointers=pointers, raw_pointers=raw_pointers, number=n, extra=extra))
    extra = {}
    total, raw_total = parse_number_kept(c.clm.el(2), "CLM02 total charge")
    if total is not None:
        extra["total_charge"] = total
    elif raw_total is not None:
        extra["raw_total"] = raw_total
    clm05 = c.clm.el(5).split(comp)
    if clm05[0].strip():
        extra["place_of_service"] = clm05[0].strip()
    if len(clm05) > 2 and clm05[2].strip():
        extra["frequency_code"] = clm05[2].strip()
    if c.other_hi:
        extra["x12_other_hi"] = c.other_hi
    if c.notes:
        extra["x12_notes"] = c.notes
    return Claim(id=cid, patient=c.patient, diagnoses=tuple(c.diagnoses),
                 lines=tuple(lines), diagnosis_qualifiers=tuple(c.quals),
                 source=c.clm.where(name), extra=extra)

# -- segments -----------------------------------------------------------------------


def read_hi(s: Segment, c: ClaimLoop) -> None:
    comp = s.seps.component
    els = [e.strip() for e in s.elements[1:]]
    i = 0
    while i < len(els):
        e, i = els[i], i + 1
        if not e:
            continue
        if comp in e:
            q, _, rest = e.partition(comp)
            code = rest.split(comp)[0].strip()
            q = q.strip()
        elif e in _HI_QUALS and i < len(els) and els[i] and comp not in els[i]:
            q, code, i = e, els[i], i + 1
            c.notes.append(f"segment {s.number} (HI): qualifier {q} and code {code} are "
                           f"separate elements; read as {q}{comp}{code}")
        else:
            c.problems.append((s, f"HI{i:02d} {e!r} is not a qualifier{comp}code pair"))
            continue
        if q in _DX_QUALS:
            c.has_hi = True
            if code:
                c.diagnoses.append(code)
                c.quals.append(q)
            else:
                c.problems.append((s, f"HI{i:02d} has qualifier {q} but no code"))
        else:
            c.other_hi.append(f"{q}:{code}")


def read_sv1(s: Segment, c: ClaimLoop, line: Line | None) -> None:
    if line is None or line.sv1 is not None:
        c.problems.append((s, ("SV1 is not inside a service line: loop 2400 starts with "
                              "LX, and there is no LX before this SV1")))
        return
    line.sv1 = s
    proc = s.el(1).split(s.seps.component)
    if len(proc) < 2 or not proc[1].strip():
        c.problems.append((s, (f"SV101 {s.el(1)!r} has no procedure code "
                              f"(expected HC{s.seps.component}code)")))
