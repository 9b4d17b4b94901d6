"""The library calls behind the routes, in one place.

The routes use medcode's public functions; for code systems the library's ``lookup`` does
not (yet) cover, a basic answer is read from the store's ``codes`` table (title, kind,
hierarchy, billable, releases), so every loaded system can be looked up over HTTP.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from functools import lru_cache
from typing import Any, Callable, Iterable

import medcode
from medcode.api.errors import ApiError
from medcode.errors import InvalidCode, UnknownCode
from medcode.models import CodeSystem, Release
from medcode.store.db import Row, Store
from medcode.systems.normalize import clean_code

ICD10CM = CodeSystem.ICD10CM.value
_DISPLAY_MODULES = {"ICD-10-CM": "icd10cm", "ICD-9-CM": "icd9cm", "ICD-10-PCS": "icd10pcs",
                    "HCPCS": "hcpcs", "CPT": "cpt"}


# -- parameters -------------------------------------------------------------------------------
def parse_date(value: str | None, name: str = "on") -> dt.date | None:
    """A YYYY-MM-DD date (a FHIR dateTime is cut to its day); 400 when it is not one."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] == "T" else text)
    except ValueError:
        raise ApiError(400, f"{name}: {value[:40]!r} is not a date; use YYYY-MM-DD "
                       "(e.g. 2025-06-01)", kind="bad_date") from None


def parse_system(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return CodeSystem.parse(value).value
    except ValueError as exc:
        raise ApiError(400, f"system: {exc}", kind="bad_system") from None


# -- optional library features ----------------------------------------------------------------
def feature(name: str) -> Callable[..., Any] | None:
    """``medcode.<name>`` when the library has it, else None (the route answers 501)."""
    try:
        return getattr(medcode, name)  # type: ignore[no-any-return]
    except AttributeError:
        return None


def claim_reader() -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module("medcode.claims.formats")
    except ImportError:
        return None
    return getattr(mod, "read_claims", None)


@lru_cache(maxsize=64)
def _params(func: Callable[..., Any]) -> frozenset[str] | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return None  # takes anything
    return frozenset(sig.parameters)


def accepts(func: Callable[..., Any], name: str) -> bool:
    names = _params(func)
    return names is None or name in names


def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``func`` with the keyword arguments it accepts (None values dropped)."""
    names = _params(func)
    kw = {k: v for k, v in kwargs.items()
          if v is not None and (names is None or k in names)}
    return func(*args, **kw)


def not_yet(what: str, name: str) -> ApiError:
    return ApiError(501, f"{what} is not available in this medcode build yet "
                    f"(the library function {name} is missing)", kind="not_implemented")


def jsonable(obj: Any) -> Any:
    """Plain JSON values from what the library returns (dicts, records, lists)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    for name in ("to_dict", "as_dict"):
        method = getattr(obj, name, None)
        if callable(method):
            return jsonable(method())
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "value") and hasattr(obj, "name"):  # Enum
        return obj.value
    import dataclasses
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable(dataclasses.asdict(obj))
    if isinstance(obj, Iterable):
        return [jsonable(v) for v in obj]
    return str(obj)


# -- display forms and rows -------------------------------------------------------------------
@lru_cache(maxsize=16)
def _display_func(system: str) -> Callable[[str], str]:
    mod_name = _DISPLAY_MODULES.get(system)
    if mod_name:
        try:
            func = getattr(importlib.import_module(f"medcode.systems.{mod_name}"), "display", None)
        except ImportError:
            func = None
        if callable(func):
            return func  # type: ignore[no-any-return]
    return lambda code: code


def display(system: str, code: str) -> str:
    return _display_func(system)(code)


def systems_loaded(store: Store) -> list[str]:
    seen: list[str] = []
    for rel in store.releases():
        if rel.system not in seen:
            seen.append(rel.system)
    return seen


def ancestor_rows(store: Store, system: str, row: Row) -> list[Row]:
    """Rows above ``row``, chapter first."""
    out: list[Row] = []
    parent = row[3]
    while parent and len(out) < 32:
        up = store.row(system, parent)
        if up is None:
            break
        out.append(up)
        parent = up[3]
    return out[::-1]


def find_row(store: Store, system: str, code: str) -> Row:
    key = clean_code(code)
    row = store.row(system, key)
    if row is None:
        raise UnknownCode(f"{code.strip()} is not a {system} code in the loaded data",
                          code=key, system=system)
    return row


def title_of(store: Store, system: str, code: str, release: str | None) -> str | None:
    """The title of ``code`` in ``release`` (None when the code is not in the store)."""
    try:
        key = clean_code(code)
    except InvalidCode:
        return None
    row = store.row(system, key)
    if row is None:
        return None
    if release:
        older = store.title_in(system, key, release)
        if older:
            return older
    return row[1]  # type: ignore[no-any-return]


# -- lookup and validate ----------------------------------------------------------------------
def lookup_dict(store: Store, code: str, system: str | None = None, on: dt.date | None = None,
                release: str | None = None) -> dict[str, Any]:
    """The lookup JSON contract for one code (CodeInfo.to_dict() where the library has it)."""
    if system in (None, ICD10CM) or accepts(medcode.lookup, "system"):
        info = call(medcode.lookup, code, on=on, release=release, store=store,
                    system=system if system != ICD10CM else None)
        return info.to_dict()  # type: ignore[no-any-return]
    assert system is not None
    return basic_info(store, system, code, on, release)


def basic_info(store: Store, system: str, code: str, on: dt.date | None,
               release: str | None) -> dict[str, Any]:
    rel = store.resolve(system, on=on, release=release)
    row = find_row(store, system, code)
    bit = rel.bit
    shown = display(system, row[0])
    in_release = bool(row[6] & bit)
    billable = bool(row[5] & bit)
    if billable:
        status, message = "valid", f"{shown} is valid in {system} {rel.name}: {row[1]}"
    elif in_release:
        status, message = "header", f"{shown} is a {row[2]} in {system} {rel.name}, not billable"
    else:
        status, message = "not_in_release", f"{shown} is not in {system} {rel.name}"
    return {
        "code": shown, "system": system, "release": rel.name,
        "on": on.isoformat() if on else None, "title": row[1], "kind": row[2],
        "billable": billable, "parent": display(system, row[3]) if row[3] else None,
        "ancestors": [{"code": display(system, r[0]), "title": r[1], "kind": r[2]}
                      for r in ancestor_rows(store, system, row)],
        "children": [{"code": display(system, r[0]), "title": r[1], "kind": r[2],
                      "billable": bool(r[5] & bit)}
                     for r in store.children(system, row[0]) if r[6] & bit],
        "notes": {}, "valid_in": [r.name for r in store.releases(system) if r.bit & row[5]],
        "status": status, "message": message,
    }


def validate_dicts(store: Store, codes: list[str], on: dt.date | None,
                   release: str | None, system: str | None = None) -> list[dict[str, Any]]:
    if system is not None and system != ICD10CM and not accepts(medcode.validate, "system"):
        return [_basic_validation(store, c, system, on, release) for c in codes]
    return [call(medcode.validate, c, on=on, release=release, store=store,
                 system=system if system != ICD10CM else None).as_dict() for c in codes]


def _basic_validation(store: Store, code: str, system: str, on: dt.date | None,
                      release: str | None) -> dict[str, Any]:
    rel = store.resolve(system, on=on, release=release)
    base = {"input": code, "system": system, "release": rel.name,
            "on": on.isoformat() if on else None, "suggestions": []}
    try:
        info = basic_info(store, system, code, on, release)
    except InvalidCode as exc:
        return {**base, "code": "", "valid": False, "status": "malformed", "message": str(exc)}
    except UnknownCode as exc:
        return {**base, "code": code.strip().upper(), "valid": False, "status": "unknown",
                "message": str(exc)}
    return {**base, "code": info["code"], "valid": info["billable"], "status": info["status"],
            "message": info["message"]}


def release_dict(rel: Release) -> dict[str, Any]:
    return {"system": rel.system, "release": rel.name,
            "effective_from": rel.effective_from.isoformat(),
            "effective_to": rel.effective_to.isoformat() if rel.effective_to else None,
            "codes": rel.codes, "billable": rel.billable, "tabular": rel.tabular,
            "source": rel.source}
