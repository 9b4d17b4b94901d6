"""Value set definitions: a ValueSet's ``compose`` (include / exclude, concept lists, filters)
and medcode's implicit value sets, tested for membership and turned into SQL for $expand.

Implicit value sets (``<system uri>?fhir_vs...``), for every code system served:

    ?fhir_vs                    every concept of the release (headers flagged abstract)
    ?fhir_vs=billable           the billable codes of the release (no headers)
    ?fhir_vs=isa/E11            E11 and every concept under it
    ?fhir_vs=billable-isa/E11   the billable codes under E11 (E11 itself when billable)

The release is the one a request names (``valueSetVersion``, ``system-version``, a
``|FY2026`` on the URL) or the one in force on ``date``, else the newest.

Filters (``compose.include.filter``): ``is-a``, ``descendent-of``, ``is-not-a``,
``child-of``, ``generalizes``, ``in``, ``not-in`` on ``concept``/``code``; ``=`` on
``concept``, ``parent``, ``kind``, ``billable``, ``notSelectable``/``abstract``,
``inactive``; ``exists`` on ``parent``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from medcode.api import lib
from medcode.api.errors import ApiError
from medcode.api.fhir_concepts import Concept, ancestors
from medcode.api.fhir_systems import SystemInfo, system_for_uri
from medcode.errors import InvalidCode, UnknownCode
from medcode.store.db import Store

_OPS = ("=", "is-a", "descendent-of", "is-not-a", "child-of", "generalizes", "in", "not-in",
        "exists")
_TRUE = ("true", "1", "yes")


def _bool(value: str, prop: str) -> bool:
    text = value.strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise ApiError(400, f"filter {prop} = {value!r}: the value must be true or false",
                   issue="invalid")


def _key(store: Store, info: SystemInfo, code: str) -> str | None:
    try:
        return lib.find_row(store, info.name, code)[0]  # type: ignore[no-any-return]
    except (InvalidCode, UnknownCode):
        return None


def _subtree(n: int) -> str:
    return (f"code IN (WITH RECURSIVE t{n}(c) AS (SELECT :k{n} UNION ALL SELECT codes.code "
            f"FROM codes JOIN t{n} ON codes.system = :s AND codes.parent = t{n}.c) "
            f"SELECT c FROM t{n})")


class Filter:
    __slots__ = ("prop", "op", "value")

    def __init__(self, prop: str, op: str, value: str) -> None:
        if op not in _OPS:
            raise ApiError(400, f"filter op {op!r} is not supported; supported: "
                           + ", ".join(_OPS), issue="not-supported")
        if prop not in ("concept", "code", "parent", "kind", "billable", "notSelectable",
                        "abstract", "inactive", "status"):
            raise ApiError(400, f"filter property {prop!r} is not known; known: concept, "
                           "parent, kind, billable, notSelectable, inactive", issue="not-supported")
        relation = op in ("is-a", "descendent-of", "is-not-a", "child-of", "generalizes")
        if (relation and prop not in ("concept", "code")) or (
                op in ("in", "not-in") and prop not in ("concept", "code", "kind")) or (
                op == "exists" and prop != "parent"):
            raise ApiError(400, f"filter '{prop} {op}' is not supported: {op} applies to "
                           + ("parent" if op == "exists" else "concept"), issue="not-supported")
        self.prop, self.op, self.value = prop, op, value

    def _values(self) -> list[str]:
        return [v.strip() for v in self.value.split(",") if v.strip()]

    def match(self, store: Store, c: Concept) -> bool:
        op, prop, info = self.op, self.prop, c.info
        if prop in ("billable", "notSelectable", "abstract"):
            want = _bool(self.value, prop)
            billable = not c.abstract
            return (billable if prop == "billable" else not billable) == want
        if prop == "inactive":
            return not _bool(self.value, prop)
        if prop == "status":
            return self.value.strip().lower() == "active"
        if prop == "kind":
            kinds = self._values() if op == "in" else [self.value]
            return (c.kind in kinds) != (op == "not-in")
        if op == "exists":
            return (c.parent is not None) == (self.value.strip().lower() in _TRUE)
        if prop == "parent":
            return c.parent is not None and c.parent == _key(store, info, self.value)
        if op in ("in", "not-in"):
            keys = {_key(store, info, v) for v in self._values()}
            return (c.key in keys) != (op == "not-in")
        root = _key(store, info, self.value)
        if root is None:
            return op == "is-not-a"
        if op == "=":
            return c.key == root
        if op == "child-of":
            return c.parent == root
        if op == "generalizes":
            return root == c.key or c.key in ancestors(store, info, root)
        under = c.key != root and root in ancestors(store, info, c.key)
        if op == "descendent-of":
            return under
        if op == "is-a":
            return under or c.key == root
        return not (under or c.key == root)  # is-not-a

    def sql(self, store: Store, info: SystemInfo, args: dict[str, Any], n: int) -> str:
        """A condition on the ``codes`` table (``:s`` = system, ``:b`` = release bit)."""
        op, prop = self.op, self.prop
        if prop in ("billable", "notSelectable", "abstract"):
            billable = _bool(self.value, prop) == (prop == "billable")
            return "(billable_mask & :b) != 0" if billable else "(billable_mask & :b) = 0"
        if prop == "inactive":
            return "0" if _bool(self.value, prop) else "1"
        if prop == "status":
            return "1" if self.value.strip().lower() == "active" else "0"
        if prop == "kind":
            kinds = self._values() if op in ("in", "not-in") else [self.value]
            names = []
            for i, k in enumerate(kinds):
                args[f"v{n}_{i}"] = k
                names.append(f":v{n}_{i}")
            return f"kind {'NOT ' if op == 'not-in' else ''}IN ({', '.join(names)})"
        if op == "exists":
            return "parent IS NOT NULL" if self.value.strip().lower() in _TRUE \
                else "parent IS NULL"
        if op in ("in", "not-in"):
            keys = [k for k in (_key(store, info, v) for v in self._values()) if k]
            for i, k in enumerate(keys):
                args[f"v{n}_{i}"] = k
            listed = ", ".join(f":v{n}_{i}" for i in range(len(keys))) or "NULL"
            return f"code {'NOT ' if op == 'not-in' else ''}IN ({listed})"
        root = _key(store, info, self.value)
        args[f"k{n}"] = root
        if prop == "parent":
            return f"parent = :k{n}"
        if root is None:
            return "1" if op == "is-not-a" else "0"
        if op == "=":
            return f"code = :k{n}"
        if op == "child-of":
            return f"parent = :k{n}"
        if op == "generalizes":
            keys = [root, *ancestors(store, info, root)]
            for i, k in enumerate(keys):
                args[f"g{n}_{i}"] = k
            return f"code IN ({', '.join(f':g{n}_{i}' for i in range(len(keys)))})"
        if op == "descendent-of":
            return f"({_subtree(n)} AND code != :k{n})"
        if op == "is-a":
            return _subtree(n)
        return f"NOT {_subtree(n)}"  # is-not-a


class Include:
    """One ``compose.include`` (or ``exclude``) of a code system served here."""

    __slots__ = ("info", "version", "codes", "filters")

    def __init__(self, info: SystemInfo, version: str | None = None,
                 codes: list[str] | None = None, filters: list[Filter] | None = None) -> None:
        self.info = info
        self.version = version
        self.codes = codes
        self.filters = filters or []

    def match(self, store: Store, c: Concept) -> bool:
        if c.info != self.info:
            return False
        if self.codes is not None and c.code not in self.codes and c.key not in {
                _key(store, self.info, x) for x in self.codes}:
            return False
        return all(f.match(store, c) for f in self.filters)

    def sql(self, store: Store, args: dict[str, Any], n: int) -> str:
        conds = []
        if self.codes is not None:
            keys = [k for k in (_key(store, self.info, x) for x in self.codes) if k]
            for i, k in enumerate(keys):
                args[f"c{n}_{i}"] = k
            conds.append(f"code IN ({', '.join(f':c{n}_{i}' for i in range(len(keys))) or 'NULL'})")
        for i, f in enumerate(self.filters):
            conds.append(f.sql(store, self.info, args, n * 100 + i))
        return " AND ".join(f"({c})" for c in conds) or "1"


class ValueSetDef:
    """A value set medcode can evaluate: an implicit one, or an inline ``compose``."""

    def __init__(self, url: str | None, includes: list[Include], excludes: list[Include],
                 version: str | None = None, resource: dict[str, Any] | None = None,
                 implicit: bool = False, title: str | None = None,
                 name: str | None = None) -> None:
        self.url = url
        self.includes = includes
        self.excludes = excludes
        self.version = version
        self.resource = resource
        self.implicit = implicit
        self.title = title
        self.name = name

    @property
    def canonical(self) -> str:
        base = self.url or "(inline value set)"
        return f"{base}|{self.version}" if self.version else base

    def systems(self) -> list[SystemInfo]:
        out: list[SystemInfo] = []
        for inc in self.includes:
            if inc.info not in out:
                out.append(inc.info)
        return out

    def include_for(self, info: SystemInfo) -> Include | None:
        return next((inc for inc in self.includes if inc.info == info), None)

    def contains(self, store: Store, c: Concept) -> bool:
        return (any(inc.match(store, c) for inc in self.includes)
                and not any(exc.match(store, c) for exc in self.excludes))


# -- parsing ----------------------------------------------------------------------------------
def implicit(url: str, store: Store) -> ValueSetDef | None:
    """The implicit value set ``url`` names, or None when it is not one of ours."""
    base, _, version = url.partition("|")
    base, _, query = base.partition("?")
    info = system_for_uri(base)
    name, _, value = query.partition("=")
    if info is None or name != "fhir_vs":
        return None
    value = unquote(value)
    filters: list[Filter] = []
    label = "all concepts"
    if value == "billable":
        filters = [Filter("billable", "=", "true")]
        label = "billable codes"
    elif value.startswith("isa/") and len(value) > 4:
        filters = [Filter("concept", "is-a", value[4:])]
        label = f"{value[4:]} and its descendants"
    elif value.startswith("billable-isa/") and len(value) > 13:
        filters = [Filter("concept", "is-a", value[13:]), Filter("billable", "=", "true")]
        label = f"billable codes under {value[13:]}"
    elif value:
        raise ApiError(400, f"implicit value set {value!r} is not supported: use ?fhir_vs, "
                       "?fhir_vs=billable, ?fhir_vs=isa/<code> or ?fhir_vs=billable-isa/<code>",
                       issue="not-supported")
    inc = Include(info, version or None, None, filters)
    return ValueSetDef(f"{base}?{query}", [inc], [], version or None, implicit=True,
                       title=f"{info.name}: {label}", name=_name(info.name, value))


def _name(system: str, value: str) -> str:
    words = "".join(ch for ch in system if ch.isalnum())
    tail = {"": "All", "billable": "Billable"}.get(value, "Isa" if "isa/" in value else "")
    return words + tail


def from_resource(resource: dict[str, Any]) -> ValueSetDef:
    """An inline ValueSet: its compose, or an implicit value set named by its url."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "ValueSet":
        raise ApiError(400, "the valueSet parameter must be a ValueSet resource",
                       issue="structure")
    compose = resource.get("compose")
    if not isinstance(compose, dict):
        raise ApiError(400, "the ValueSet has no compose: medcode expands value sets from "
                       "their compose (include/exclude)", issue="not-supported")
    includes = [_include(x, "include", i) for i, x in enumerate(compose.get("include") or [])]
    excludes = [_include(x, "exclude", i) for i, x in enumerate(compose.get("exclude") or [])]
    if not includes:
        raise ApiError(400, "ValueSet.compose has no include", issue="invalid")
    return ValueSetDef(resource.get("url"), includes, excludes, resource.get("version"),
                       resource=resource, title=resource.get("title"),
                       name=resource.get("name"))


class UnknownSystemInclude(ApiError):
    def __init__(self, system: str, where: str) -> None:
        super().__init__(400, f"{where}: code system {system!r} is not known to this server",
                         issue="not-found")
        self.system = system


def _include(item: Any, kind: str, i: int) -> Include:
    where = f"ValueSet.compose.{kind}[{i}]"
    if not isinstance(item, dict):
        raise ApiError(400, f"{where} is not an object", issue="structure")
    if item.get("valueSet"):
        raise ApiError(400, f"{where}.valueSet: value set imports are not supported; put the "
                       "codes or filters in the include itself", issue="not-supported")
    system = item.get("system")
    if not isinstance(system, str) or not system:
        raise ApiError(400, f"{where} has no system", issue="invalid")
    info = system_for_uri(system)
    if info is None:
        raise UnknownSystemInclude(system, where)
    codes = None
    if item.get("concept") is not None:
        codes = [str(c.get("code")) for c in item["concept"]
                 if isinstance(c, dict) and c.get("code")]
    filters = []
    for j, f in enumerate(item.get("filter") or []):
        if not isinstance(f, dict) or not all(isinstance(f.get(k), str)
                                              for k in ("property", "op", "value")):
            raise ApiError(400, f"{where}.filter[{j}] needs property, op and value",
                           issue="invalid")
        filters.append(Filter(f["property"], f["op"], f["value"]))
    return Include(info, item.get("version"), codes, filters)


__all__ = ["Filter", "Include", "UnknownSystemInclude", "ValueSetDef", "from_resource",
           "implicit"]
