"""FHIR ``ConceptMap/$translate`` over the official maps (GET and POST).

Input, R4 names: ``system``, ``code``, ``version``, ``coding``, ``codeableConcept``,
``targetsystem``, ``target`` (a value set), ``url``/``conceptMap`` (one of our maps),
``reverse``. R5 names: ``sourceSystem``, ``sourceCode``, ``sourceCoding``,
``sourceCodeableConcept``, ``targetSystem``, ``targetScope``, ``url``.

Output: ``result``, ``message`` and one ``match`` per target, each with R4 ``equivalence``
and R5 ``relationship`` (see fhir_conceptmap.relation), ``concept`` (a Coding with the
target's release as version), and the map it came from (R4 ``source``, R5 ``originMap``).
"""

from __future__ import annotations

from typing import Any

from medcode.api import fhir_conceptmap as CMAP
from medcode.api.errors import ApiError
from medcode.api.fhir_ops import resolve_system
from medcode.api.fhir_params import Params, param, parameters
from medcode.api.fhir_systems import BY_NAME, system_for_uri
from medcode.codes.crosswalk.mapping import SYSTEMS, map_codes
from medcode.store.db import Store


def _source(p: Params) -> tuple[str | None, str | None]:
    """(system uri, code) from any of the R4/R5 ways of giving them."""
    for name in ("coding", "sourceCoding"):
        c = p.get(name)
        if isinstance(c, dict):
            return c.get("system"), c.get("code")
    for name in ("codeableConcept", "sourceCodeableConcept"):
        cc = p.get(name)
        if isinstance(cc, dict) and cc.get("coding"):
            first = cc["coding"][0]
            return first.get("system"), first.get("code")
    return (p.text("system") or p.text("sourceSystem"),
            p.text("code") or p.text("sourceCode"))


def _target_uri(p: Params) -> str | None:
    for name in ("targetsystem", "targetSystem", "targetScope", "target"):
        value = p.text(name)
        if value:
            return value.split("?", 1)[0]        # an implicit value set: <system>?fhir_vs...
    return None


def translate(store: Store, p: Params) -> dict[str, Any]:
    uri, code = _source(p)
    cmap = CMAP.by_url(p.text("url") or p.text("conceptMap"))
    if (p.text("url") or p.text("conceptMap")) and cmap is None:
        raise ApiError(404, f"ConceptMap {p.text('url') or p.text('conceptMap')!r} is not "
                       f"here; available: {', '.join(CMAP.url_of(m.id) for m in CMAP.MAPS)}",
                       issue="not-found")
    reverse = p.boolean("reverse") or False
    if not code:
        raise ApiError(400, "parameter 'code' (R5 'sourceCode', or a coding) is required",
                       issue="required")
    target_uri = _target_uri(p)
    if cmap is not None and not uri:
        uri = BY_NAME[cmap.target if reverse else cmap.source].uri
    info = resolve_system(uri, store)
    if target_uri:
        target = system_for_uri(target_uri)
        if target is None:
            raise ApiError(404, f"target system {target_uri!r} is not known; known: "
                           + ", ".join(BY_NAME[s].uri for s in SYSTEMS), issue="not-found")
        to = target.name
    elif cmap is not None:
        to = cmap.source if reverse else cmap.target
    else:
        raise ApiError(400, "give the target: 'targetsystem' (R4), 'targetSystem' or "
                       "'targetScope' (R5), or 'url' of a ConceptMap", issue="required")
    if info.name not in SYSTEMS or to not in SYSTEMS:
        raise ApiError(400, f"no official map between {info.name} and {to}: the maps join "
                       f"{', '.join(SYSTEMS)}", issue="not-supported")
    answer = map_codes(store, [str(code)], to, info.name)[0]
    targets = answer["targets"]
    if cmap is not None:
        targets = [t for t in targets if t.get("map") == cmap.id]
    matches = [_match(t, answer) for t in targets if not t.get("no_map") and t.get("code")]
    return parameters(param("result", "Boolean", bool(matches)),
                      param("message", "String", _message(answer, targets, matches)),
                      *matches)


def _match(t: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    eq, rel = CMAP.relation(t)
    target = BY_NAME[t["system"]]
    coding = {"system": target.uri, "code": t["code"]}
    if t.get("release"):
        coding["version"] = t["release"]
    if t.get("title"):
        coding["display"] = t["title"]
    url = CMAP.url_of(t["map"])
    return {"name": "match", "part": [
        {"name": "equivalence", "valueCode": eq},
        {"name": "relationship", "valueCode": rel},
        {"name": "concept", "valueCoding": coding},
        {"name": "source", "valueUri": url},
        {"name": "originMap", "valueCanonical": url}]}


def _message(answer: dict[str, Any], targets: list[dict[str, Any]],
             matches: list[dict[str, Any]]) -> str:
    if not matches:
        return str(answer.get("message") or f"{answer['input']} has no {answer['to']} target")
    bits = [f"{answer['code']} ({answer['from']}) -> {answer['to']}: {len(matches)} "
            f"target{'s' if len(matches) != 1 else ''} from "
            + ", ".join(sorted({t['map'] for t in targets}))]
    for c in answer.get("combinations", []):
        bits.append(f"combination (one code of each choice list) {c['text']}")
    for t in targets:
        if t.get("valid") is False and t.get("current"):
            now = ", ".join(c["code"] for c in t["current"][:10])
            bits.append(f"{t['code']} is not valid in {t.get('release')}; now: {now}")
        if t.get("via"):
            bits.append(f"{t['code']} reached via {' > '.join(t['via'])}")
    return "; ".join(bits)
