"""CSV claims: one row per service line, rows grouped into claims by ``claim_id``.

Header names are case-insensitive (spaces and hyphens count as ``_``); the columns::

    claim_id            (aliases: claim, claimid, claim_number, id)            required
    patient_birth_date  (birth_date, dob, patient_dob, date_of_birth)
    patient_sex         (sex, gender, patient_gender)
    diagnoses           a list separated by ';', '|', ',' or spaces (diagnosis, dx, icd10)
    dx1 .. dx12         one diagnosis per column (diag1, diagnosis1, icd1, dx_1 ...)
    code                (cpt, hcpcs, procedure, procedure_code, cpt_code, hcpcs_code, px)  required
    modifiers           separated by ';', ',', '|' or spaces; or mod1 .. mod4 (modifier1 ...)
    units               default 1
    charge              "120", "120.00", "$1,200.00"
    date                (dos, service_date, date_of_service, from_date): YYYY-MM-DD,
                        YYYYMMDD or MM/DD/YYYY
    pointers            "1;2", "1,2", "1 2", "AB", "A,B" (dx_pointers, diagnosis_pointers)

Other columns are kept in each line's ``extra``. The delimiter (comma, tab, semicolon or
pipe) is taken from the header line. The file is decoded as UTF-8 (a BOM is skipped;
undecodable bytes become U+FFFD).

**Rows of one claim must be adjacent.** The reader streams: a claim is complete when the
next row names another claim id. If a claim id reappears after other claims, the late rows
are reported as an error (not merged); the reader keeps the set of ids seen for that, the
only thing that grows with the file. Claim-level columns (birth date, sex, diagnoses) may be
repeated on every row or given once; a row that gives a *different* value is an error.
A row with no code and no other line field carries claim-level data only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from medcode.errors import ClaimFormatError
from medcode.models import Claim, ClaimLine, Patient

from .values import parse_date, parse_number_kept, parse_pointers, parse_sex, split_list

__all__ = ["read_csv"]

_ALIASES: dict[str, tuple[str, ...]] = {
    "claim_id": ("claim_id", "claimid", "claim", "claim_number", "claim_no", "id"),
    "patient_birth_date": ("patient_birth_date", "birth_date", "dob", "patient_dob",
                           "date_of_birth", "birthdate", "patient_birthdate"),
    "patient_sex": ("patient_sex", "sex", "gender", "patient_gender"),
    "diagnoses": ("diagnoses", "diagnosis", "dx", "dxs", "diagnosis_codes", "icd10",
                  "icd_codes"),
    "code": ("code", "cpt", "hcpcs", "procedure", "procedure_code", "cpt_code",
             "hcpcs_code", "cpt_hcpcs", "px"),
    "modifiers": ("modifiers", "modifier", "mods"),
    "units": ("units", "unit", "quantity", "qty"),
    "charge": ("charge", "charges", "amount", "line_charge", "billed"),
    "date": ("date", "dos", "service_date", "date_of_service", "from_date", "dos_from"),
    "pointers": ("pointers", "pointer", "dx_pointers", "diagnosis_pointers", "dx_pointer",
                 "diagnosis_pointer"),
}
_LOOKUP = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_DX_COL = re.compile(r"^(?:dx|diag|diagnosis|icd)_?(\d{1,2})$")
_MOD_COL = re.compile(r"^(?:mod|modifier)_?([1-4])$")
_LINE_FIELDS = ("code", "modifiers", "units", "charge", "date", "pointers")


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


class _Header:
    def __init__(self, names: list[str], where: str) -> None:
        self.width = len(names)
        self.cols: dict[str, int] = {}
        self.dx: list[int] = []           # column indexes in dx1..dx12 order
        self.mods: list[int] = []
        self.extra: list[tuple[int, str]] = []
        dx: dict[int, int] = {}
        mods: dict[int, int] = {}
        for i, raw in enumerate(names):
            key = _norm(raw)
            if not key:
                continue
            field = _LOOKUP.get(key)
            m_dx, m_mod = _DX_COL.match(key), _MOD_COL.match(key)
            if field is not None:
                if field in self.cols:
                    first = names[self.cols[field]].strip()
                    raise ClaimFormatError(f"columns {first!r} and {raw.strip()!r} both give "
                                           f"{field}; keep one", where)
                self.cols[field] = i
            elif m_dx and 1 <= int(m_dx.group(1)) <= 12:
                dx[int(m_dx.group(1))] = i
            elif m_mod:
                mods[int(m_mod.group(1))] = i
            else:
                self.extra.append((i, raw.strip()))
        self.dx = [dx[k] for k in sorted(dx)]
        self.mods = [mods[k] for k in sorted(mods)]
        missing = [f for f in ("claim_id", "code") if f not in self.cols]
        if missing:
            found = ", ".join(n.strip() for n in names if n.strip()) or "nothing"
            raise ClaimFormatError(
                "is not a claim CSV: the header has no " + " and no ".join(missing)
                + f" column (found: {found[:200]})", where)


class _Group:
    """The rows of one claim, as they arrive."""

    def __init__(self, cid: str, line: int, repeated_from: int | None) -> None:
        self.id = cid
        self.first = self.last = line
        self.repeated_from = repeated_from
        self.claim: dict[str, Any] = {}      # field -> (value, line)
        self.lines: list[ClaimLine] = []
        self.problems: list[tuple[int, str]] = []

    def set_claim_field(self, field: str, value: Any, shown: str, line: int) -> None:
        if field not in self.claim:
            self.claim[field] = (value, shown, line)
        elif self.claim[field][0] != value:
            old_shown, old_line = self.claim[field][1], self.claim[field][2]
            self.problems.append((line, (f"{field} {shown!r} conflicts with {old_shown!r} "
                                        f"on line {old_line}")))


def _cell(row: list[str], i: int | None) -> str:
    if i is None or i >= len(row):
        return ""
    return row[i].strip()


def _read_row(g: _Group, h: _Header, row: list[str], line: int) -> None:
    g.last = line
    birth = _cell(row, h.cols.get("patient_birth_date"))
    if birth:
        g.set_claim_field("birth date", parse_date(birth), birth, line)
    sex = _cell(row, h.cols.get("patient_sex"))
    if sex:
        g.set_claim_field("sex", parse_sex(sex), sex, line)
    dx = list(split_list(_cell(row, h.cols.get("diagnoses"))))
    dx += [c for c in (_cell(row, i) for i in h.dx) if c]
    if dx:
        g.set_claim_field("diagnoses", tuple(dx), ";".join(dx), line)
    code = _cell(row, h.cols.get("code"))
    others = [f for f in _LINE_FIELDS[1:] if _cell(row, h.cols.get(f))]
    if h.mods and any(_cell(row, i) for i in h.mods):
        others.append("modifiers")
    if not code:
        if others:
            g.problems.append((line, (f"the row has {', '.join(others)} but no procedure "
                                     "code")))
        return
    units, raw_units = parse_number_kept(_cell(row, h.cols.get("units")), "units", 1)
    charge, raw_charge = parse_number_kept(_cell(row, h.cols.get("charge")), "charge")
    mods = list(split_list(_cell(row, h.cols.get("modifiers")), ";,| \t"))
    mods += [c for c in (_cell(row, i) for i in h.mods) if c]
    date, raw_date = parse_date(_cell(row, h.cols.get("date")))
    pointers, raw_pointers = parse_pointers(_cell(row, h.cols.get("pointers")))
    extra: dict[str, object] = {name: _cell(row, i) for i, name in h.extra if _cell(row, i)}
    if raw_units is not None:
        extra["raw_units"] = raw_units
    if raw_charge is not None:
        extra["raw_charge"] = raw_charge
    g.lines.append(ClaimLine(
        code=code, modifiers=tuple(mods), units=units if units is not None else 1,
        charge=charge, date=date, raw_date=raw_date, pointers=pointers,
        raw_pointers=raw_pointers, number=len(g.lines) + 1, extra=extra))


def _finish(g: _Group, name: str, unit: str = "line") -> Claim | ClaimFormatError:
    span = f"{unit} {g.first}" if g.first == g.last else f"{unit}s {g.first}-{g.last}"
    if g.repeated_from is not None:
        return ClaimFormatError(
            f"claim {g.id} appears again after other claims (its first rows end at line "
            f"{g.repeated_from}); the rows of one claim must be adjacent", f"{name}: {span}")
    if g.problems:
        line, msg = g.problems[0]
        more = "".join(f"; line {ln}: {m}" for ln, m in g.problems[1:4])
        return ClaimFormatError(f"claim {g.id} not read: {msg}{more}", f"{name}: {unit} {line}")
    birth, raw_birth = g.claim.get("birth date", ((None, None),))[0]
    patient = Patient(birth_date=birth, sex=g.claim.get("sex", (None,))[0],
                      extra={"raw_birth_date": raw_birth} if raw_birth else {})
    return Claim(id=g.id, patient=patient, diagnoses=g.claim.get("diagnoses", ((),))[0],
                 lines=tuple(g.lines), source=f"{name}: {span}")


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(stream: IO[bytes], name: str) -> Iterator[Claim | ClaimFormatError]:
    """Stream claims from a CSV file (see the module docstring). Raises ClaimFormatError
    when the header does not describe claims; yields an error per unreadable claim."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    first = text.readline()
    header_line = 1
    while first and not first.strip():
        first = text.readline()
        header_line += 1
    if not first:
        raise ClaimFormatError("the input is empty", name)
    delim = _delimiter(first)
    header = _Header(next(csv.reader([first], delimiter=delim)), name)
    reader = csv.reader(text, delimiter=delim)
    seen: dict[str, int] = {}
    group: _Group | None = None
    pending: list[ClaimFormatError] = []     # rows without a claim id, told after the claim
    prev = 0
    for row in reader:
        line = header_line + prev + 1
        prev = reader.line_num
        if not any(c.strip() for c in row):
            continue
        cid = _cell(row, header.cols["claim_id"])
        if not cid:
            pending.append(ClaimFormatError("the row has no claim_id", f"{name}: line {line}"))
            continue
        if group is None or cid != group.id:
            if group is not None:
                seen.setdefault(group.id, group.last)
                yield _finish(group, name)
            yield from pending
            pending = []
            group = _Group(cid, line, seen.get(cid))
        if len(row) > header.width:
            group.last = line
            group.problems.append((line, (f"the row has {len(row)} fields but the header "
                                         f"has {header.width}")))
            continue
        _read_row(group, header, row, line)
    if group is not None:
        yield _finish(group, name)
    yield from pending
