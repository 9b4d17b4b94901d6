"""FHIR R4 Claim resources -> Claim records.

Input: one Claim resource, a Bundle whose entries hold Claims (and their Patients), or
NDJSON with one resource per line (Claims, Patients, Bundles; streamed line by line).

Read from each Claim: ``id`` (else the first ``identifier.value``); the patient from a
contained Patient (``"reference": "#p1"``) or a Patient elsewhere in the Bundle / earlier in
the NDJSON (``Patient/123`` or a ``fullUrl`` such as ``urn:uuid:...``): ``birthDate`` and
``gender`` (male/female -> M/F, other/unknown -> U); ``diagnosis[]`` ordered by
``sequence``, each ``diagnosisCodeableConcept.coding`` with system ICD-10-CM
(``http://hl7.org/fhir/sid/icd-10-cm``, qualifier recorded as ABK for the first and ABF
after) or ICD-9-CM (``http://hl7.org/fhir/sid/icd-9-cm``, BK/BF), else the first coding
(qualifier ""); ``item[]``: ``productOrService.coding[0].code``, ``modifier[].coding[0]
.code``, ``diagnosisSequence`` (mapped to the position in the ordered diagnosis list),
``servicedDate`` or ``servicedPeriod.start``, ``quantity.value`` (default 1), and ``net``
(else ``unitPrice`` x quantity) as the charge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from medcode.errors import ClaimFormatError
from medcode.models import Claim, ClaimLine, Patient

from .values import parse_date, parse_number_kept, parse_pointers, parse_sex

__all__ = ["claim_from_fhir", "read_fhir"]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"


def _patient(res: dict[str, Any]) -> Patient:
    birth, raw = parse_date(res.get("birthDate"))
    if birth is None and raw is None and res.get("birthDate"):
        raw = str(res.get("birthDate"))
    extra = {"raw_birth_date": raw} if raw else {}
    return Patient(birth_date=birth, sex=parse_sex(res.get("gender")), extra=extra)


def _code(concept: Any, prefer: tuple[str, ...] = ()) -> tuple[str, str]:
    """(code, system) of a CodeableConcept, preferring the systems given."""
    codings = [c for c in (concept or {}).get("coding", []) or []
               if isinstance(c, dict) and str(c.get("code") or "").strip()]
    for system in prefer:
        for c in codings:
            if str(c.get("system", "")).startswith(system):
                return str(c["code"]).strip(), str(c.get("system", ""))
    if codings:
        return str(codings[0]["code"]).strip(), str(codings[0].get("system", ""))
    return "", ""


def _resolve_patient(res: dict[str, Any], patients: dict[str, Patient]) -> Patient | None:
    ref = str(((res.get("patient") or {}).get("reference")) or "")
    if ref.startswith("#"):
        for c in res.get("contained", []) or []:
            if isinstance(c, dict) and c.get("resourceType") == "Patient" \
                    and c.get("id") == ref[1:]:
                return _patient(c)
        return None
    if ref in patients:
        return patients[ref]
    tail = "/".join(ref.rsplit("/", 2)[-2:])        # http://x/fhir/Patient/1 -> Patient/1
    return patients.get(tail)


def claim_from_fhir(res: dict[str, Any], patients: dict[str, Patient], where: str) -> Claim:
    """One FHIR Claim resource -> Claim. Raises ClaimFormatError (with ``where``)."""
    cid = res.get("id") or next((i.get("value") for i in res.get("identifier", []) or []
                                 if isinstance(i, dict) and i.get("value")), None)
    if not cid:
        raise ClaimFormatError("the FHIR Claim has neither an id nor an identifier", where)
    cid = str(cid)
    try:
        diags = sorted(res.get("diagnosis", []) or [],
                       key=lambda d: (d.get("sequence") is None, d.get("sequence") or 0))
        codes: list[str] = []
        quals: list[str] = []
        seq_pos: dict[int, int] = {}
        for pos, d in enumerate(diags, 1):
            concept = d.get("diagnosisCodeableConcept")
            if concept is None:
                raise ValueError(f"diagnosis {d.get('sequence', pos)} has no "
                                 "diagnosisCodeableConcept (diagnosisReference is not read)")
            code, system = _code(concept, (ICD10CM, ICD9CM))
            if not code:
                raise ValueError(f"diagnosis {d.get('sequence', pos)} has no coding with a code")
            codes.append(code)
            first = pos == 1
            quals.append(("ABK" if first else "ABF") if system.startswith(ICD10CM) else
                         ("BK" if first else "BF") if system.startswith(ICD9CM) else "")
            if isinstance(d.get("sequence"), int):
                seq_pos[d["sequence"]] = pos
        lines = []
        items = sorted(res.get("item", []) or [],
                       key=lambda i: (i.get("sequence") is None, i.get("sequence") or 0))
        for n, item in enumerate(items, 1):
            code, system = _code(item.get("productOrService"))
            if not code:
                raise ValueError(f"item {item.get('sequence', n)} has no productOrService code")
            mods = tuple(m for m in (_code(c)[0] for c in item.get("modifier", []) or []) if m)
            seqs = item.get("diagnosisSequence", []) or []
            pointers, raw_pointers = parse_pointers(
                [seq_pos.get(s, f"sequence {s}") if isinstance(s, int) else s for s in seqs])
            period = item.get("servicedPeriod") or {}
            date, raw_date = parse_date(item.get("servicedDate") or period.get("start"))
            units, raw_units = parse_number_kept((item.get("quantity") or {}).get("value"),
                                                 f"item {n} quantity", 1)
            charge, raw_charge = parse_number_kept((item.get("net") or {}).get("value"),
                                                   f"item {n} net")
            if charge is None and raw_charge is None:
                unit_price, raw_charge = parse_number_kept(
                    (item.get("unitPrice") or {}).get("value"), f"item {n} unitPrice")
                if unit_price is not None:
                    charge = round(unit_price * (units if units is not None else 1), 2)
            extra: dict[str, Any] = {}
            if raw_units is not None:
                extra["raw_units"] = raw_units
            if raw_charge is not None:
                extra["raw_charge"] = raw_charge
            if system:
                extra["code_system"] = system
            place = _code(item.get("locationCodeableConcept"))[0]
            if place:
                extra["place_of_service"] = place
            lines.append(ClaimLine(code=code, modifiers=mods,
                                   units=units if units is not None else 1, charge=charge,
                                   date=date, raw_date=raw_date, pointers=pointers,
                                   raw_pointers=raw_pointers, number=n, extra=extra))
    except ValueError as exc:
        raise ClaimFormatError(f"claim {cid}: {exc}", where) from None
    except (TypeError, AttributeError) as exc:   # a list where an object belongs, etc.
        raise ClaimFormatError(f"claim {cid}: not the structure of a FHIR R4 Claim ({exc})",
                               where) from None
    claim_extra: dict[str, Any] = {}
    total, raw_total = parse_number_kept((res.get("total") or {}).get("value"), "total")
    if total is not None:
        claim_extra["total_charge"] = total
    elif raw_total is not None:
        claim_extra["raw_total"] = raw_total
    patient = _resolve_patient(res, patients)
    if patient is None:
        patient = Patient()
        ref = (res.get("patient") or {}).get("reference")
        if ref:
            claim_extra["patient_reference"] = ref    # not found in the input
    return Claim(id=cid, patient=patient, diagnoses=tuple(codes), lines=tuple(lines),
                 diagnosis_qualifiers=tuple(quals) if any(quals) else (),
                 source=where, extra=claim_extra)


def _index_patient(res: dict[str, Any], full_url: str | None,
                   patients: dict[str, Patient]) -> None:
    p = _patient(res)
    if res.get("id"):
        patients[f"Patient/{res['id']}"] = p
    if full_url:
        patients[full_url] = p


def _bundle(doc: dict[str, Any], name: str, patients: dict[str, Patient],
            where: str) -> Iterator[Claim | ClaimFormatError]:
    entries = [e for e in doc.get("entry", []) or [] if isinstance(e, dict)]
    for e in entries:
        res = e.get("resource") or {}
        if isinstance(res, dict) and res.get("resourceType") == "Patient":
            _index_patient(res, e.get("fullUrl"), patients)
    for i, e in enumerate(entries, 1):
        res = e.get("resource") or {}
        if isinstance(res, dict) and res.get("resourceType") == "Claim":
            try:
                yield claim_from_fhir(res, patients, f"{where}: entry {i}")
            except ClaimFormatError as exc:
                yield exc


def _resources(doc: Any, name: str, where: str, patients: dict[str, Patient]
               ) -> Iterator[Claim | ClaimFormatError]:
    kind = doc.get("resourceType") if isinstance(doc, dict) else None
    if kind == "Claim":
        try:
            yield claim_from_fhir(doc, patients, where)
        except ClaimFormatError as exc:
            yield exc
    elif kind == "Bundle":
        yield from _bundle(doc, name, patients, where)
    elif kind == "Patient":
        _index_patient(doc, None, patients)


def read_fhir(stream: IO[bytes], name: str) -> Iterator[Claim | ClaimFormatError]:
    """Claims of a FHIR document or NDJSON file. Raises ClaimFormatError when the input is
    not JSON or holds no Claim."""
    first = stream.readline()
    first_no = 1
    while first and not first.strip():
        first = stream.readline()
        first_no += 1
    try:
        obj = json.loads(first.decode("utf-8-sig"))
        ndjson = isinstance(obj, dict)
    except (ValueError, UnicodeDecodeError):
        ndjson = False
    patients: dict[str, Patient] = {}
    found = 0
    if ndjson:
        for out in _resources(obj, name, f"{name}: line {first_no}", patients):
            found += 1
            yield out
        for lineno, raw in enumerate(stream, first_no + 1):
            if not raw.strip():
                continue
            where = f"{name}: line {lineno}"
            try:
                item = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                found += 1
                yield ClaimFormatError(f"is not valid JSON ({exc})", where)
                continue
            for out in _resources(item, name, where, patients):
                found += 1
                yield out
    else:
        from medcode.claims.formats.jsonfmt import parse_document
        doc = parse_document(first + stream.read(), name)
        kind = doc.get("resourceType") if isinstance(doc, dict) else None
        if kind not in ("Claim", "Bundle"):
            raise ClaimFormatError(f"is a FHIR {kind or 'document without resourceType'}, "
                                   "not a Claim or a Bundle of Claims", name)
        for out in _resources(doc, name, name, patients):
            found += 1
            yield out
    if not found:
        raise ClaimFormatError("holds no FHIR Claim resource", name)
