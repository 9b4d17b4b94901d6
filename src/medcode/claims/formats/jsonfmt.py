"""medcode's JSON claim format (see DESIGN.md, "The JSON claim format"; schema in
``medcode/claims/claim.schema.json``) and JSON Lines.

One claim::

    {"id": "C1",
     "patient": {"birth_date": "1960-04-02", "sex": "F"},
     "diagnoses": ["E11.9", "I10"],
     "lines": [{"code": "99213", "modifiers": ["25"], "units": 1, "charge": 120.0,
                "date": "2026-05-04", "pointers": [1, 2]}]}

Only ``id`` is required. Pointers are 1-based numbers or the letters A-L. Unknown fields are
kept in ``extra`` (claim, patient and line level) and written back by ``claim_to_dict``.
Optional ``diagnosis_qualifiers`` (X12 ABK/ABF/BK/BF, one per diagnosis) round-trips too.
A JSON document holds one claim, an array of claims, or ``{"claims": [...]}``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from medcode.errors import ClaimFormatError
from medcode.models import Claim, ClaimLine, Patient

from .values import _DATES, parse_date, parse_number_kept, parse_pointers, parse_sex

__all__ = [
    "SCHEMA_ID",
    "claim_from_dict",
    "claim_to_dict",
    "read_json",
    "read_jsonl",
    "write_jsonl",
]

SCHEMA_ID = "urn:medcode:schema:claim:1.0"

try:        # a faster parser of JSON Lines (optional): its objects equal json.loads's
    from orjson import loads as _fast_loads
except ImportError:     # pragma: no cover - orjson is a dependency, but not a required one
    _fast_loads = None
#: a run of 19 digits (orjson reads an integer past 64 bits as a float, json as an int):
#: such a line is read by json. Found as 19 zeros in the line with its digits made zeros
#: and everything else spaces (a byte translation: cheaper than a regular expression)
_DIGITS_AS_ZEROS = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_DIGITS = b"0" * 19
_MISS = object()

class _Shape(TypeError):
    """A JSON value of the wrong type (caught and reported as a ClaimFormatError)."""


_new = object.__new__
_set = object.__setattr__
_CLAIM_KEYS = {"id", "patient", "diagnoses", "diagnosis_qualifiers", "lines"}
_PATIENT_KEYS = {"birth_date", "sex"}
_LINE_KEYS = {"code", "modifiers", "units", "charge", "date", "pointers"}
#: parse_sex of the texts it gives back unchanged (a patient's sex as usually written)
_SEXES = {"F": "F", "M": "M", "U": "U"}


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if type(value) is list:     # the common case: strings (str.strip refuses anything else)
        try:
            return tuple(filter(None, map(str.strip, value)))
        except TypeError:
            pass
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _Shape(f"{what} must be a list of strings, not {type(value).__name__}")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise _Shape(f"{what}[{i}] must be a string, not {json.dumps(item)}")
        if item.strip():
            out.append(item.strip())
    return tuple(out)


def _patient(obj: Any) -> Patient:
    if obj is None:
        return Patient()
    if not isinstance(obj, dict):
        raise _Shape(f"patient must be an object, not {type(obj).__name__}")
    extra = {} if obj.keys() <= _PATIENT_KEYS else \
        {k: v for k, v in obj.items() if k not in _PATIENT_KEYS}
    return claim_patient(obj.get("birth_date"), obj.get("sex"), extra)


def claim_patient(birth_date: Any, sex: Any, extra: dict[str, Any] | None = None) -> Patient:
    """The Patient of a claim object's ``patient`` with these values (``extra``: its other
    keys); the columnar readers call it with a row's values."""
    extra = {} if extra is None else extra
    got = _DATES.get(birth_date) if type(birth_date) is str else None   # parse_date's memo
    birth, raw = got if got is not None else parse_date(birth_date)
    if raw is not None:
        extra["raw_birth_date"] = raw
    patient = _new(Patient)     # Patient(...) without its frozen __init__
    _set(patient, "__dict__", {"birth_date": birth,
                               "sex": (type(sex) is str and _SEXES.get(sex)) or parse_sex(sex),
                               "extra": extra})
    return patient


def new_claim(cid: str, patient: Patient, diagnoses: tuple[str, ...],
              lines: tuple[ClaimLine, ...], source: str | None) -> Claim:
    """The Claim ``claim_from_dict`` makes of an object with only the contract keys (no
    qualifiers, no extra keys)."""
    claim = _new(Claim)     # Claim(...) without its frozen __init__
    claim.__dict__.update(id=cid, patient=patient, diagnoses=diagnoses, lines=lines, extra={},
                          diagnosis_qualifiers=(), source=source)
    return claim


def _line_fast(obj: dict[str, Any], number: int) -> ClaimLine | None:
    """The line of the common shape (known keys; code, modifiers and dates as text; units,
    charge and pointers as JSON numbers), read without the general parsers; None when the
    line is of another shape (``_line`` reads it). Gives the Claim ``_line`` gives."""
    get = obj.get
    return line_values(get("code"), get("units"), get("charge"), get("pointers"),
                       get("modifiers"), get("date"), number)


def line_values(code: Any, units: Any, charge: Any, pointers: Any, mods: Any, day: Any,
                number: int) -> ClaimLine | None:
    """``_line_fast`` of a line given as its values (a missing key is None): the columnar
    readers build lines with it without making a dict per line."""
    if type(code) is not str:
        return None
    code = code.strip()
    if not code:
        return None
    if units is None:
        units = 1
    elif type(units) is not int and type(units) is not float:
        return None
    if charge is not None and type(charge) is not int and type(charge) is not float:
        return None
    if type(pointers) is list:
        ptrs: tuple[int, ...] = tuple(pointers)
        for p in ptrs:
            if type(p) is not int or p < 1:
                return None
    elif pointers is None:
        ptrs = ()
    else:
        return None
    if not mods:
        if mods is not None and mods != []:
            return None
        modifiers: tuple[str, ...] = ()
    elif type(mods) is list:
        try:            # str.strip refuses anything but a string
            modifiers = tuple(filter(None, map(str.strip, mods)))
        except TypeError:
            return None
    else:
        return None
    got = _DATES.get(day) if type(day) is str else None   # parse_date's memo
    date, raw_date = got if got is not None else parse_date(day)
    line = _new(ClaimLine)      # the record ClaimLine(...) makes, without its frozen __init__
    _set(line, "__dict__", {"code": code, "modifiers": modifiers, "units": units,
                            "charge": charge, "date": date, "pointers": ptrs,
                            "number": number, "extra": {}, "raw_date": raw_date,
                            "raw_pointers": ()})
    return line


def _line(obj: Any, number: int) -> ClaimLine:
    if type(obj) is dict and obj.keys() <= _LINE_KEYS:
        fast = _line_fast(obj, number)
        if fast is not None:
            return fast
    return _line_general(obj, number)


def _lines(objs: list[Any]) -> tuple[ClaimLine, ...]:
    """The lines of a claim (``_line`` of each)."""
    out: list[ClaimLine] = []
    add = out.append
    keys = _LINE_KEYS
    number = 0
    for obj in objs:
        number += 1
        if type(obj) is dict and obj.keys() <= keys:
            get = obj.get
            fast = line_values(get("code"), get("units"), get("charge"), get("pointers"),
                               get("modifiers"), get("date"), number)
            if fast is not None:
                add(fast)
                continue
        add(_line_general(obj, number))
    return tuple(out)


def _line_general(obj: Any, number: int) -> ClaimLine:
    if not isinstance(obj, dict):
        raise _Shape(f"lines[{number}] must be an object, not {type(obj).__name__}")
    code = obj.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"lines[{number}] has no procedure code ('code')")
    date, raw_date = parse_date(obj.get("date"))
    pointers, raw_pointers = parse_pointers(obj.get("pointers"))
    units, raw_units = parse_number_kept(obj.get("units"), f"lines[{number}].units", 1)
    charge, raw_charge = parse_number_kept(obj.get("charge"), f"lines[{number}].charge")
    extra = {k: v for k, v in obj.items() if k not in _LINE_KEYS}
    if raw_units is not None:
        extra["raw_units"] = raw_units
    if raw_charge is not None:
        extra["raw_charge"] = raw_charge
    return ClaimLine(
        code=code.strip(),
        modifiers=_strings(obj.get("modifiers"), f"lines[{number}].modifiers"),
        units=units if units is not None else 1, charge=charge,
        date=date, raw_date=raw_date, pointers=pointers, raw_pointers=raw_pointers,
        number=number, extra=extra)


def claim_from_dict(obj: Any, where: str | None = None) -> Claim:
    """Build a Claim from one JSON claim object. Raises ClaimFormatError (with ``where``)
    when the object is not a claim: not an object, no ``id``, a line without a code, a
    charge or unit count that is not a number, a non-list where a list belongs."""
    if type(obj) is not dict:
        if not isinstance(obj, dict):
            raise ClaimFormatError(f"a claim must be a JSON object, not "
                                   f"{type(obj).__name__}", where)
    get = obj.get
    cid = get("id")
    if type(cid) is not str:
        if isinstance(cid, (int, float)) and not isinstance(cid, bool):
            cid = str(cid)
        if not isinstance(cid, str):
            raise ClaimFormatError("the claim has no 'id'", where)
    cid = cid.strip()
    if not cid:
        raise ClaimFormatError("the claim has no 'id'", where)
    try:
        lines = get("lines")
        if type(lines) is not list:
            if lines is None:
                lines = []
            elif not isinstance(lines, list):
                raise _Shape(f"lines must be a list, not {type(lines).__name__}")
        diagnoses = get("diagnoses")
        if type(diagnoses) is list:     # the common case (as _strings does it)
            try:
                diagnoses = tuple(filter(None, map(str.strip, diagnoses)))
            except TypeError:
                diagnoses = _strings(diagnoses, "diagnoses")
        else:
            diagnoses = _strings(diagnoses, "diagnoses")
        qualifiers = get("diagnosis_qualifiers")
        qualifiers = () if qualifiers is None else _strings(qualifiers, "diagnosis_qualifiers")
        patient = get("patient")
        if type(patient) is dict and patient.keys() <= _PATIENT_KEYS:
            patient = claim_patient(patient.get("birth_date"), patient.get("sex"))
        else:
            patient = _patient(patient)
        claim = _new(Claim)     # Claim(...) without its frozen __init__
        _set(claim, "__dict__", {
            "id": cid, "patient": patient, "diagnoses": diagnoses, "lines": _lines(lines),
            "extra": {} if obj.keys() <= _CLAIM_KEYS else
            {k: v for k, v in obj.items() if k not in _CLAIM_KEYS},
            "diagnosis_qualifiers": qualifiers, "source": where})
        return claim
    except (ValueError, _Shape) as exc:
        raise ClaimFormatError(f"claim {cid}: {exc}", where) from None


def _num(value: float | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(day: dt.date | None, raw: str | None) -> str | None:
    return day.isoformat() if day is not None else raw


def claim_to_dict(claim: Claim) -> dict[str, Any]:
    """The JSON form of a claim (the inverse of ``claim_from_dict``).

    Always writes the contract keys (``id``, ``patient`` {birth_date, sex}, ``diagnoses``,
    ``lines`` [{code, modifiers, units, charge, date, pointers}]); ``diagnosis_qualifiers``
    only when known; extras next to them (never overriding a contract key). A date that did
    not parse is written as given; so are pointers when one did not parse.
    """
    p = claim.patient
    patient: dict[str, Any] = {"birth_date": _iso(p.birth_date, p.extra.get("raw_birth_date")),
                               "sex": p.sex}
    patient.update((k, v) for k, v in p.extra.items()
                   if k not in _PATIENT_KEYS and k != "raw_birth_date")
    lines = []
    for ln in claim.lines:
        d: dict[str, Any] = {
            "code": ln.code, "modifiers": list(ln.modifiers),
            "units": ln.extra.get("raw_units", _num(ln.units)),
            "charge": ln.extra.get("raw_charge", _num(ln.charge)),
            "date": _iso(ln.date, ln.raw_date),
            "pointers": list(ln.raw_pointers) if ln.raw_pointers else list(ln.pointers)}
        d.update((k, v) for k, v in ln.extra.items()
                 if k not in _LINE_KEYS and k not in ("raw_units", "raw_charge"))
        lines.append(d)
    out: dict[str, Any] = {"id": claim.id, "patient": patient,
                           "diagnoses": list(claim.diagnoses)}
    if claim.diagnosis_qualifiers:
        out["diagnosis_qualifiers"] = list(claim.diagnosis_qualifiers)
    out["lines"] = lines
    out.update((k, v) for k, v in claim.extra.items() if k not in _CLAIM_KEYS)
    return out


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise _Shape(f"cannot write {type(value).__name__} as JSON")


def write_jsonl(claims: Iterable[Claim], fp: IO[str] | IO[bytes]) -> int:
    """Write claims as JSON Lines (one ``claim_to_dict`` object per line) to a text or
    binary file object. Returns the number written."""
    binary = "b" in getattr(fp, "mode", "") or not hasattr(fp, "encoding")
    n = 0
    for claim in claims:
        text = json.dumps(claim_to_dict(claim), ensure_ascii=False, default=_default) + "\n"
        fp.write(text.encode("utf-8") if binary else text)  # type: ignore[arg-type]
        n += 1
    return n


def parse_document(data: bytes, name: str) -> Any:
    """One whole JSON document; ClaimFormatError names the byte or line where it breaks."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ClaimFormatError(f"is not UTF-8 text (byte {exc.start})", name) from None
    except json.JSONDecodeError as exc:
        raise ClaimFormatError(f"is not valid JSON: {exc.msg} at line {exc.lineno} "
                               f"column {exc.colno}", name) from None


def read_json(stream: IO[bytes], name: str) -> Iterator[Claim | ClaimFormatError]:
    """A whole JSON document (loaded at once): a claim, an array, or {"claims": [...]}.
    Raises ClaimFormatError when the document does not parse."""
    return _claims_of(parse_document(stream.read(), name), name)


def _claims_of(doc: Any, name: str) -> Iterator[Claim | ClaimFormatError]:
    if isinstance(doc, Mapping) and "claims" in doc and "id" not in doc:
        doc = doc["claims"]
        if not isinstance(doc, list):
            raise ClaimFormatError("'claims' must be a list of claim objects", name)
    if isinstance(doc, Mapping):
        items: list[Any] = [doc]
    elif isinstance(doc, list):
        items = doc
    else:
        raise ClaimFormatError("a JSON claim document must be an object or an array of "
                               f"objects, not {type(doc).__name__}", name)
    for i, item in enumerate(items, 1):
        where = f"{name}: claim {i}" if len(items) > 1 or isinstance(doc, list) else name
        try:
            yield claim_from_dict(item, where)
        except ClaimFormatError as exc:
            yield exc


def read_jsonl(stream: IO[bytes], name: str, first_line: int = 1
               ) -> Iterator[Claim | ClaimFormatError]:
    """JSON Lines, one claim per line, streamed. A bad line is yielded as an error.
    ``first_line`` numbers the stream's first line (a part of a bigger file)."""
    for lineno, raw in enumerate(stream, first_line):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw or raw.isspace():     # (bytes.isspace: the whitespace strip removes)
            continue
        where = f"{name}: line {lineno}"
        obj = _MISS
        if _fast_loads is not None and _LONG_DIGITS not in raw.translate(_DIGITS_AS_ZEROS):
            try:
                obj = _fast_loads(raw)
            except ValueError:      # json.loads below says what is wrong, as it always did
                pass
        if obj is _MISS:
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield ClaimFormatError(f"is not UTF-8 text (byte {exc.start})", where)
                continue
            except json.JSONDecodeError as exc:
                yield ClaimFormatError(f"is not valid JSON: {exc.msg} at column {exc.colno}",
                                       where)
                continue
        try:
            yield claim_from_dict(obj, where)
        except ClaimFormatError as exc:
            yield exc
