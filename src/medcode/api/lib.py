"""The library calls behind the routes, in one place.

The routes use medcode's public functions; for code systems the library's ``lookup`` does
not (yet) cover, a basic answer is read from the store's ``codes`` table (title, kind,
hierarchy, billable, releases), so every loaded system can be looked up over HTTP.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import medcode
from medcode.api.errors import ApiError
from medcode.errors import InvalidCode, UnknownCode
from medcode.models import CodeSystem, Release
from medcode.store.db import Row, Store
from medcode.systems.normalize import clean_code

ICD10CM = CodeSystem.ICD10CM.value


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


class LRU:
    """A small least-recently-used map (used from the event loop thread only)."""

    def __init__(self, maxsize: int = 4096) -> None:
        from collections import OrderedDict
        self.maxsize = maxsize
        self._data: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


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
def display(system: str, code: str) -> str:
    """The display form of a store key (ICD-10-CM keys are dotless; the other systems' keys
    are already in display form: ICD-9-CM dotted, PCS/CPT/HCPCS without dots)."""
    if system == ICD10CM:
        from medcode.systems.icd10cm import display as cm_display
        return cm_display(code)
    return code


def store_keys(system: str, code: str) -> list[str]:
    """The keys ``code`` may have in the store's ``codes`` table for ``system``."""
    if system in ("ICD-10", "ICD-11"):     # WHO codes are keyed dotted (A00.0, BA00.Z)
        from medcode.codes.crosswalk.who import key_of
        text = code.strip().upper()
        return list(dict.fromkeys([text, key_of(system, text)]))
    key = clean_code(code)
    if system != "ICD-9-CM":
        return [key]
    text = code.strip().upper()
    keys = [text]
    if "." not in text:
        try:
            from medcode.systems.icd9cm import display as icd9_display
            keys += [icd9_display(key, kind) for kind in ("diagnosis", "procedure")]
        except (ImportError, ValueError, TypeError):
            pass
    return keys


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
    keys = store_keys(system, code)
    for key in keys:
        row = store.row(system, key)
        if row is not None:
            return row
    raise UnknownCode(f"{code.strip()} is not a {system} code in the loaded data",
                      code=keys[0], system=system)


def title_of(store: Store, system: str, code: str, release: str | None) -> str | None:
    """The title of ``code`` in ``release`` (None when the code is not in the store)."""
    try:
        row = find_row(store, system, code)
    except (InvalidCode, UnknownCode):
        return None
    key = row[0]
    if release:
        older = store.title_in(system, key, release)
        if older:
            return older
    return row[1]  # type: ignore[no-any-return]


# -- lookup and validate ----------------------------------------------------------------------
def lookup_dict(store: Store, code: str, system: str | None = None, on: dt.date | None = None,
                release: str | None = None) -> dict[str, Any]:
    """The lookup JSON contract for one code (``medcode.lookup(...).to_dict()``)."""
    info = call(medcode.lookup, code, on=on, release=release, store=store, system=system)
    return info.to_dict()  # type: ignore[no-any-return]


def validate_dicts(store: Store, codes: list[str], on: dt.date | None,
                   release: str | None, system: str | None = None) -> list[dict[str, Any]]:
    """``medcode.validate`` answers; for a system other than ICD-10-CM (which validate does
    not take), the answer is made from ``medcode.lookup`` in that system."""
    if system is not None and system != ICD10CM and not accepts(medcode.validate, "system"):
        return [_validation_from_lookup(store, c, system, on, release) for c in codes]
    return [call(medcode.validate, c, on=on, release=release, store=store,
                 system=system).as_dict() for c in codes]


def _validation_from_lookup(store: Store, code: str, system: str, on: dt.date | None,
                            release: str | None) -> dict[str, Any]:
    base: dict[str, Any] = {"input": code, "system": system, "release": release,
                            "on": on.isoformat() if on else None, "suggestions": []}
    try:
        info = lookup_dict(store, code, system, on, release)
    except InvalidCode as exc:
        return {**base, "code": "", "valid": False, "status": "malformed", "message": str(exc)}
    except UnknownCode as exc:
        return {**base, "code": code.strip().upper(), "valid": False, "status": "unknown",
                "message": str(exc)}
    return {**base, "code": info["code"], "release": info.get("release"),
            "valid": bool(info.get("billable")), "status": info.get("status", "valid"),
            "message": info.get("message") or ""}


def release_dict(rel: Release) -> dict[str, Any]:
    return {"system": rel.system, "release": rel.name,
            "effective_from": rel.effective_from.isoformat(),
            "effective_to": rel.effective_to.isoformat() if rel.effective_to else None,
            "codes": rel.codes, "billable": rel.billable, "tabular": rel.tabular,
            "source": rel.source}
