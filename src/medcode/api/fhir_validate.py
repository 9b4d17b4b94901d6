"""$validate-code, for a code system and for a value set, answered as terminology servers do:
``result``, ``code``, ``system``, ``version``, ``display``, ``message`` and ``issues`` (an
OperationOutcome whose issues carry a tx-issue-type coding), plus ``x-caused-by-unknown-system``
when the system or its version is not known, and ``normalized-code`` when only case differed.

CodeSystem/$validate-code asks whether the code is in the code system: a header such as E11
is (``result`` true, with a note that it is abstract: not billable). ``abstract=false``
refuses abstract concepts. Billability is a value set question: validate against
``<system>?fhir_vs=billable`` (see fhir_compose.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from medcode.api import fhir_issues as I
from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_compose import ValueSetDef
from medcode.api.fhir_concepts import Concept, VersionProblem, find, header_note, release_for
from medcode.api.fhir_params import Params
from medcode.api.fhir_systems import pinned, system_for_uri
from medcode.store.db import Store


class Coded:
    """One code to check, as the request gave it."""

    __slots__ = ("system", "code", "version", "display", "prefix")

    def __init__(self, system: str | None, code: str | None, version: str | None,
                 display: str | None, prefix: str) -> None:
        self.system, self.code, self.version = system, code, version
        self.display, self.prefix = display, prefix


def codings_of(p: Params, cs_mode: bool) -> tuple[list[Coded], str]:
    """The codes a request asks about, and the form it used (code, coding, codeableConcept)."""
    cc = p.get("codeableConcept")
    if cc is not None:
        if not isinstance(cc, dict):
            raise ApiError(400, "parameter 'codeableConcept' must be a CodeableConcept")
        items = [Coded(c.get("system"), c.get("code"), c.get("version"), c.get("display"),
                       f"CodeableConcept.coding[{i}]")
                 for i, c in enumerate(cc.get("coding") or []) if isinstance(c, dict)]
        return items, "codeableConcept"
    default = p.text("system") or (p.text("url") if cs_mode else None)
    version = p.text("version") if cs_mode else (p.text("systemVersion") or p.text("version"))
    if default and "|" in default:  # a canonical with its version: url=...|FY2025
        default, _, tail = default.partition("|")
        version = version or tail or None
    coding = p.coding("coding")
    if coding is not None:
        return [Coded(coding.get("system") or default, coding.get("code"),
                      coding.get("version") or version, coding.get("display"), "Coding")], \
            "coding"
    code = p.text("code")
    if code is None:
        return [], "code"
    return [Coded(default, code, version, p.text("display"), "")], "code"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()



class Check:
    """The answer for one code."""

    def __init__(self, item: Coded, system: str | None) -> None:
        self.item = item
        self.system = system
        self.result = False
        self.concept: Concept | None = None
        self.version: str | None = None
        self.issues: list[I.Issue] = []
        self.unknown: str | None = None        # x-caused-by-unknown-system
        self.normalized: str | None = None


def check(store: Store, p: Params, item: Coded, vs: ValueSetDef | None,
          on: dt.date | None) -> Check:
    prefix = item.prefix
    system = item.system
    if not system and vs is not None and len(vs.systems()) == 1:
        system = vs.systems()[0].uri
    out = Check(item, system)
    code = item.code
    if not code:
        out.issues.append(I.Issue("error", "invalid", "invalid-code", "The coding has no code",
                                  I._at(prefix, "code")))
        return out
    if not system:
        if vs is None:
            raise ApiError(400, "parameter 'url' (or 'system', or a Coding with a system) is "
                           "required: e.g. url=http://hl7.org/fhir/sid/icd-10-cm",
                           issue="required")
        out.issues.append(I.Issue("error", "invalid", "invalid-data",
                                  f"Coding has no system. A code with no system has no "
                                  f"defined meaning, and it cannot be validated. The code "
                                  f"'{code}' is not in the value set", I._at(prefix, "system"),
                                  "Coding_has_no_system__cannot_validate"))
        return out
    info = system_for_uri(system)
    if info is None or not store.releases(info.name):
        if vs is not None:
            out.issues.append(I.not_in_value_set(system, code, item.display, vs.canonical,
                                                 prefix))
        out.issues.append(I.unknown_system(system, prefix))
        if info is not None:
            out.issues.append(I.hint(f"{info.name} is known to medcode but not loaded in this "
                                     "store: import its official files with `medcode data "
                                     "import`", prefix))
        out.unknown = system
        return out
    include = vs.include_for(info) if vs is not None else None
    version = (pinned(p.all("force-system-version"), info) or item.version
               or (include.version if include else None)
               or pinned(p.all("system-version"), info))
    try:
        rel = release_for(store, info, version, on, prefix)
    except VersionProblem as exc:
        out.issues.append(exc.issue)
        out.unknown = exc.canonical
        return out
    out.version = rel.name
    found = find(store, info, rel, code, prefix)
    out.normalized = found.normalized
    c = found.concept
    if c is None:
        if vs is not None:
            out.issues.append(I.not_in_value_set(system, code, item.display, vs.canonical,
                                                 prefix))
        out.issues.extend(found.issues)
        return out
    out.concept = c
    out.issues.extend(found.issues)
    ok = True
    refused = c.abstract and p.boolean("abstract") is False
    if refused:
        ok = False
        out.issues.append(I.abstract_not_allowed(system, code, prefix))
    if vs is not None and (refused or not vs.contains(store, c)):
        ok = False
        out.issues.append(I.not_in_value_set(system, code, item.display, vs.canonical, prefix))
        if c.abstract and not refused and vs.include_for(info) is not None:
            out.issues.append(I.hint(header_note(store, c), prefix))
    elif c.abstract and vs is None and not refused:
        out.issues.append(I.not_billable(header_note(store, c), prefix))
    given = item.display
    if given and c.title and _norm(given) != _norm(c.title):
        lenient = bool(p.boolean("lenient-display-validation"))
        out.issues.append(I.wrong_display(given, system, code, c.title, prefix, lenient))
        ok = ok and lenient
    out.result = ok
    return out


def validate(store: Store, p: Params, vs: ValueSetDef | None) -> dict[str, Any]:
    """The Parameters answer of $validate-code (``vs`` None: CodeSystem/$validate-code)."""
    on = lib.parse_date(p.text("date"), "date")
    items, form = codings_of(p, vs is None)
    if not items:
        issue = I.no_code("coding | codeableConcept | code+system")
        raise ApiError(400, issue.text, issue="invalid", outcome=I.outcome([issue]))
    checks = [check(store, p, item, vs, on) for item in items]
    chosen = next((c for c in checks if c.result), None) or next(
        (c for c in checks if c.concept is not None), None) or next(
        (c for c in checks if c.version), checks[0])
    result = chosen.result
    if form == "codeableConcept":
        issues = list(chosen.issues) if result else [i for c in checks for i in c.issues]
        if not result and vs is not None:
            issues.insert(0, I.Issue("error", "code-invalid", "not-in-vs",
                                     f"No valid coding was found for the value set "
                                     f"'{vs.canonical}'", None, "TX_GENERAL_CC_ERROR_MESSAGE"))
    else:
        issues = chosen.issues
    out: list[dict[str, Any]] = [{"name": "result", "valueBoolean": result}]
    if chosen.item.code:
        out.append({"name": "code", "valueCode": chosen.item.code})
    if chosen.system:
        out.append({"name": "system", "valueUri": chosen.system})
    if chosen.version:
        out.append({"name": "version", "valueString": chosen.version})
    if chosen.concept is not None and chosen.concept.title:
        out.append({"name": "display", "valueString": chosen.concept.title})
    if chosen.normalized:
        out.append({"name": "normalized-code", "valueCode": chosen.normalized})
    if form == "codeableConcept":
        out.append({"name": "codeableConcept", "valueCodeableConcept": p.get("codeableConcept")})
    text = I.message(issues)
    if text:
        out.append({"name": "message", "valueString": text})
    if issues:
        out.append({"name": "issues", "resource": I.outcome(issues)})
    unknown = [c.unknown for c in checks if c.unknown] if not result else []
    for canonical in dict.fromkeys(unknown):
        out.append({"name": "x-caused-by-unknown-system", "valueCanonical": canonical})
    return {"resourceType": "Parameters", "parameter": out}


__all__ = ["Check", "Coded", "check", "codings_of", "validate"]
