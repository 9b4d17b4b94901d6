"""The public functions, working on the default store unless one is given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from medcode.store.db import Store, default_home
from medcode.store.open import build, open_store


def _as_date(on: dt.date | str | None) -> dt.date | None:
    if on is None or isinstance(on, dt.date):
        return on
    from medcode.errors import InvalidCode
    try:
        return dt.date.fromisoformat(on.strip())
    except ValueError:
        raise InvalidCode(f"{on!r} is not a date: use YYYY-MM-DD") from None


def lookup(code: str, on: dt.date | str | None = None, release: str | None = None,
           store: Store | None = None, system: str | None = None):
    """Everything the loaded official files say about ``code``, in any code system.

    ICD-10-CM codes give a CodeInfo (hierarchy, billable flag, every note); other systems
    an OtherInfo; both have ``to_dict()`` (the JSON contract). Raises UnknownCode (with the
    reason and the nearest valid code) or InvalidCode (malformed input)."""
    from medcode.codes.dispatch import lookup_any
    system = _system(system)
    return lookup_any(store or open_store(), code, system=system, on=_as_date(on),
                      release=release)


def map(codes: str | Iterable[str], to: str, from_: str | None = None,
        on: dt.date | str | None = None, store: Store | None = None) -> list[dict]:
    """Take ``codes`` to the system ``to`` with the official maps (CMS GEMs 2018, WHO's ICD-10
    <-> ICD-11 tables): one answer per code with every target and the map's own flags
    (approximate, no_map, combination scenario/choice list; WHO table kind), each target
    judged valid or not on ``on`` (the JSON of ``medcode map --json``)."""
    from medcode.codes.crosswalk import map_codes
    items = [codes] if isinstance(codes, str) else list(codes)
    return map_codes(store or open_store(), items, _system(to) or to, _system(from_),
                     _as_date(on))


def identify(code: str, store: Store | None = None):
    """Every code system ``code`` can belong to, most likely first, with reasons."""
    from medcode.codes.identification import identify as _identify
    return _identify(store or open_store(), code)


def _system(system: str | None) -> str | None:
    if not system:
        return None
    from medcode.models import CodeSystem
    return CodeSystem.parse(system).value


def validate(code: str, on: dt.date | str | None = None, release: str | None = None,
             store: Store | None = None, system: str | None = None):
    """Whether ``code`` is valid on the date, and why not. ``system`` picks one reading of a
    code of several shapes (J1100: HCPCS or ICD-10-CM J11.00); without it every plausible
    reading counts and the answer lists them (README, "Codes of more than one shape")."""
    from medcode.codes.validity import validate as _validate
    return _validate(store or open_store(), code, on=_as_date(on), release=release,
                     system=_system(system))


def validate_many(codes: Iterable[str], on: dt.date | str | None = None,
                  release: str | None = None, store: Store | None = None,
                  system: str | None = None) -> list[bool]:
    """``validate(code).valid`` for each code, in one fast pass."""
    from medcode.codes.validity import validate_many as _vm
    return _vm(store or open_store(), codes, on=_as_date(on), release=release,
               system=_system(system))


def search(query: str, system: str | None = None, billable: bool | None = None,
           on: dt.date | str | None = None, limit: int = 20, prefix: bool = False,
           store: Store | None = None):
    """Codes matching the words of ``query``, best first (never raises for odd text)."""
    from medcode.textsearch import search as _search
    return _search(store or open_store(), query, system=system, billable=billable,
                   on=_as_date(on), limit=limit, prefix=prefix)


def suggest(text: str, system: str | None = None, limit: int = 20,
            on: dt.date | str | None = None, store: Store | None = None):
    """Codes for a clinical note, best first: each a Suggestion (``code``, ``system``,
    ``title``, ``score``, ``evidence`` spans of ``text``; ``to_dict()`` is the JSON)."""
    from medcode.suggester import suggest as _suggest
    return _suggest(store or open_store(), text, system=system, limit=limit, on=on)


def check_claims(claims, store: Store | None = None, edits: set[str] | None = None):
    """Check claims (an iterable of Claim, e.g. from ``read_claims``) lazily: yields one
    ClaimResult per claim; memory does not grow with the number of claims."""
    from medcode.claims.engine import check_claims as _check
    return _check(claims, store or open_store(), edits=edits)


def read_claims(source, fmt: str | None = None):
    """Claims from a file, bytes or stream (JSON, JSON Lines, CSV, X12 837P, FHIR Claim)."""
    from medcode.claims.formats import read_claims as _read
    return _read(source, fmt)


__all__ = ["build", "search", "suggest", "check_claims", "read_claims", "open_store", "lookup",
           "identify", "validate", "validate_many",
           "default_home"]
