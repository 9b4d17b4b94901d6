"""Concepts of a code system release, as FHIR sees them.

Every node the store holds for a release is a concept of the FHIR code system: billable
codes, and the headers above them (chapters, blocks, categories, subcategories; PCS sections,
body systems, tables), which are *abstract* (``notSelectable``): in the code system, never on
a claim.

A FHIR code is written exactly as the code system writes it: ICD-10-CM and ICD-9-CM codes
with their dot (``E11.9``, ``250.00``). ``E119`` is therefore not an ICD-10-CM code in FHIR,
although medcode's own CLI and JSON API accept it; the answer names the code meant. Case is
forgiven with a note (the systems are case-insensitive), as terminology servers do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from medcode.api import fhir_issues as I
from medcode.api import lib
from medcode.api.fhir_systems import SystemInfo, find_release
from medcode.errors import InvalidCode, MedcodeError, NoRelease, UnknownCode
from medcode.models import Release
from medcode.store.db import Row, Store


class Concept:
    """One node of a release: ``code`` in display form, ``abstract`` when not billable."""

    __slots__ = ("info", "release", "key", "code", "title", "kind", "parent", "abstract", "row")

    def __init__(self, info: SystemInfo, rel: Release, row: Row, title: str) -> None:
        self.info = info
        self.release = rel
        self.row = row
        self.key: str = row[0]
        self.code = lib.display(info.name, row[0])
        self.title = title
        self.kind: str = row[2]
        self.parent: str | None = row[3]
        self.abstract = not row[5] & rel.bit


class VersionProblem(Exception):
    """The version (or date) asked for names no loaded release."""

    def __init__(self, issue: I.Issue, canonical: str) -> None:
        super().__init__(issue.text)
        self.issue = issue
        self.canonical = canonical    # system|version, for x-caused-by-unknown-system


def release_for(store: Store, info: SystemInfo, version: str | None, on: dt.date | None,
                prefix: str = "") -> Release:
    """The release a request names by version, else the one in force on ``on``, else the
    newest. Raises VersionProblem."""
    if version:
        rel = find_release(store, info, version)
        if rel is None:
            valid = [r.name for r in store.releases(info.name)]
            raise VersionProblem(I.unknown_version(info.uri, version, valid, prefix),
                                 f"{info.uri}|{version}")
        return rel
    try:
        return store.resolve(info.name, on=on)
    except NoRelease as exc:
        text = str(exc)
        rels = store.releases(info.name)
        if on and rels and rels[-1].effective_to and on > rels[-1].effective_to:
            text += f" (the last release: {rels[-1].source})"
        issue = I.Issue("error", "not-found", "not-found", text, I._at(prefix, "system"),
                        "UNKNOWN_CODESYSTEM_VERSION")
        raise VersionProblem(issue, f"{info.uri}|{on}") from None


def title_in(store: Store, info: SystemInfo, rel: Release, row: Row) -> str:
    if not rel.tabular:
        older = store.title_in(info.name, row[0], rel.name)
        if older:
            return older
    return row[1]  # type: ignore[no-any-return]


def concept(store: Store, info: SystemInfo, rel: Release, key: str) -> Concept | None:
    """The concept stored under ``key`` in ``rel`` (None when it is not in that release)."""
    row = store.row(info.name, key)
    if row is None or not row[6] & rel.bit:
        return None
    return Concept(info, rel, row, title_in(store, info, rel, row))


class Found:
    """The result of looking a client's code up: the concept (or None) and the issues."""

    __slots__ = ("concept", "issues", "normalized")

    def __init__(self, concept: Concept | None, issues: list[I.Issue],
                 normalized: str | None = None) -> None:
        self.concept = concept
        self.issues = issues
        self.normalized = normalized   # the correct code when only its case differed


def find(store: Store, info: SystemInfo, rel: Release, given: str, prefix: str = "") -> Found:
    """Look ``given`` up exactly as FHIR writes codes (see the module docstring)."""
    row = _row(store, info, given)
    if row is not None and row[6] & rel.bit:
        shown = lib.display(info.name, row[0])
        c = Concept(info, rel, row, title_in(store, info, rel, row))
        if given == shown:
            return Found(c, [])
        if given.upper() == shown.upper():
            return Found(c, [I.case_difference(given, shown, f"{info.uri}|{rel.name}", prefix)],
                         shown)
        issues = [I.unknown_code(given, info.uri, rel.name, prefix),
                  I.hint(f"'{given}' is not written the way {info.name} writes its codes in "
                         f"FHIR: did you mean '{shown}' ({c.title})?", prefix)]
        return Found(None, issues)
    issues = [I.unknown_code(given, info.uri, rel.name, prefix)]
    why = _why_unknown(store, info, rel, given)
    if why:
        issues.append(I.hint(why, prefix))
    return Found(None, issues)


def _row(store: Store, info: SystemInfo, given: str) -> Row | None:
    if not given or len(given) > 40:
        return None
    try:
        return lib.find_row(store, info.name, given)
    except (InvalidCode, UnknownCode):
        return None


def _why_unknown(store: Store, info: SystemInfo, rel: Release, given: str) -> str | None:
    """medcode's explanation (nearest code, the release that had it, a missing X ...)."""
    try:
        answer = lib.validate_dicts(store, [given], None, rel.name, info.name)[0]
    except MedcodeError:  # an explanation is a courtesy: never fail the answer for it
        return None
    text = answer.get("message") or None
    return str(text) if text else None


def header_note(store: Store, c: Concept) -> str:
    """Why an abstract concept is not billable, and what to use instead."""
    if c.info.name == lib.ICD10CM:
        try:
            answer = lib.validate_dicts(store, [c.code], None, c.release.name, c.info.name)[0]
            if answer.get("message"):
                return str(answer["message"])
        except MedcodeError:  # a courtesy, as above
            pass
    return (f"{c.code} is a {c.kind} of {c.info.name} {c.release.name}, not a billable "
            "code: use a code under it")


def children(store: Store, c: Concept) -> list[tuple[str, str]]:
    """(code, title) of the concepts one level down in the same release."""
    bit = c.release.bit
    return [(lib.display(c.info.name, r[0]), title_in(store, c.info, c.release, r))
            for r in store.children(c.info.name, c.key) if r[6] & bit]


def parent(store: Store, c: Concept) -> tuple[str, str] | None:
    if not c.parent:
        return None
    up = concept(store, c.info, c.release, c.parent)
    return (up.code, up.title) if up else None


def ancestors(store: Store, info: SystemInfo, key: str) -> list[str]:
    """Keys above ``key``, nearest first."""
    out: list[str] = []
    row = store.row(info.name, key)
    parent_key = row[3] if row else None
    while parent_key and len(out) < 32:
        out.append(parent_key)
        up = store.row(info.name, parent_key)
        parent_key = up[3] if up else None
    return out


def to_json(c: Concept) -> dict[str, Any]:
    return {"system": c.info.uri, "version": c.release.name, "code": c.code,
            "display": c.title, "abstract": c.abstract}


__all__ = ["Concept", "Found", "VersionProblem", "ancestors", "children", "concept", "find",
           "header_note", "parent", "release_for", "title_in"]
