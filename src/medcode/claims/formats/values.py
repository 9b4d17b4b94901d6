"""Field parsers shared by every claim reader.

The readers are lenient where a claim edit can say something more useful than a format
error: an unparseable date of service or diagnosis pointer is *kept* (``raw_date``,
``raw_pointers``) for the edits (LINE-DATE, PTR-RANGE) to report. They are strict where the
value cannot be carried at all. A charge, unit count or claim total that is not a number
is kept as given (``extra["raw_units"]``, ``extra["raw_charge"]``, ``extra["raw_total"]``)
by :func:`parse_number_kept` for LINE-UNITS, LINE-CHARGE and CLAIM-TOTAL to report.
"""

from __future__ import annotations

import datetime as dt
import math
import re

__all__ = [
    "POINTER_LETTERS",
    "parse_date",
    "parse_number",
    "parse_number_kept",
    "parse_pointers",
    "parse_sex",
    "pointer_text",
    "split_list",
]

POINTER_LETTERS = "ABCDEFGHIJKL"   # CMS-1500 box 21 letters; A = diagnosis 1
_SPLIT = re.compile(r"[;|,\s]+")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


_DATES: dict[str, tuple[dt.date | None, str | None]] = {}
_DATES_MAX = 65536


def parse_date(text: object) -> tuple[dt.date | None, str | None]:
    """Return ``(date, raw)``: the date when it parses, else ``(None, text as given)``.

    Accepted: ISO ``YYYY-MM-DD`` (a time part after ``T`` is ignored), X12 ``YYYYMMDD`` and
    US ``MM/DD/YYYY``. Blank or None gives ``(None, None)``. Answers for texts are
    remembered (a bounded memo: claims repeat the same few hundred dates).
    """
    if type(text) is str:
        found = _DATES.get(text)
        if found is None:
            found = _parse_date(text)
            if len(_DATES) >= _DATES_MAX:
                _DATES.clear()
            _DATES[text] = found
        return found
    return _parse_date(text)


def _parse_date(text: object) -> tuple[dt.date | None, str | None]:
    if text is None:
        return None, None
    raw = str(text).strip()
    if not raw:
        return None, None
    s = raw.split("T", 1)[0]
    try:
        if len(s) == 10 and s[4] == "-" and s[7] == "-":
            return dt.date.fromisoformat(s), None
        if len(s) == 8 and s.isdigit():
            return dt.date(int(s[:4]), int(s[4:6]), int(s[6:])), None
        m = _US_DATE.match(s)
        if m:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))), None
    except ValueError:
        pass
    return None, raw


def _one_pointer(item: object) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item if item >= 1 else None
    if isinstance(item, float):
        return int(item) if item.is_integer() and item >= 1 else None
    s = str(item).strip()
    if s.isdigit():
        n = int(s)
        return n if n >= 1 else None
    if len(s) == 1 and s.upper() in POINTER_LETTERS:
        return POINTER_LETTERS.index(s.upper()) + 1
    return None


def parse_pointers(value: object) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Diagnosis pointers -> ``(pointers, raw_pointers)``.

    ``value`` is a list (of ints, digit strings or letters A-L) or a string such as ``"1;2"``,
    ``"1,2"``, ``"1 2"``, ``"AB"`` or ``"A,B"``. Pointers are 1-based. When every item parses,
    ``raw_pointers`` is empty; when one does not, ``pointers`` keeps the ones that parsed and
    ``raw_pointers`` keeps *all* items as given, so an edit can name the bad one.
    """
    if value is None:
        return (), ()
    if isinstance(value, (list, tuple)):
        items: list[object] = list(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [value]
    else:
        s = str(value).strip()
        if not s:
            return (), ()
        parts = [p for p in _SPLIT.split(s) if p]
        if len(parts) == 1 and s.isalpha() and len(s) > 1:
            parts = list(s)                   # "AB" -> A, B
        items = list(parts)
    good: list[int] = []
    bad = False
    for item in items:
        n = _one_pointer(item)
        if n is None:
            bad = True
        else:
            good.append(n)
    if bad:
        return tuple(good), tuple(pointer_text(i) for i in items)
    return tuple(good), ()


def pointer_text(item: object) -> str:
    return str(item).strip() if not isinstance(item, float) else repr(item)


_SEX = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M", "U": "U", "UNKNOWN": "U",
        "OTHER": "U", "UN": "U"}


def parse_sex(value: object) -> str | None:
    """``F``/``M``/``U`` from F, M, U, female, male, other, unknown (any case).

    Anything else is kept as given (stripped) so the DEMO edit can report it; blank -> None.
    """
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    return _SEX.get(s.upper(), s)


def parse_number(value: object, what: str, default: float | None = None) -> float | None:
    """A number from a JSON number or a text like ``"120.00"`` or ``"$1,200.50"``.

    Blank/None -> ``default``. Raises ``ValueError("<what> 'x' is not a number")`` otherwise.
    """
    if value is None:
        return default
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not a number")  # noqa: TRY004 - one error kind
    if isinstance(value, (int, float)):
        return value
    s = str(value).strip().replace(",", "").lstrip("$")
    if not s:
        return default
    try:
        num = float(s)
    except ValueError:
        raise ValueError(f"{what} {str(value).strip()!r} is not a number") from None
    if not math.isfinite(num):
        raise ValueError(f"{what} {str(value).strip()!r} is not a number")
    return int(num) if num.is_integer() and "." not in s and "e" not in s.lower() else num


def parse_number_kept(value: object, what: str, default: float | None = None
                      ) -> tuple[float | None, str | None]:
    """``(number, None)`` like :func:`parse_number`, or ``(default, text as given)`` when the
    value is not a number, so that an edit (LINE-UNITS, LINE-CHARGE, CLAIM-TOTAL) can say so
    instead of the whole claim being unreadable."""
    try:
        return parse_number(value, what, default), None
    except ValueError:
        return default, str(value).strip()


def split_list(value: object, seps: str = ";|, \t") -> tuple[str, ...]:
    """Split ``"E11.9;I10"`` / ``"E11.9 | I10"`` / a list into stripped non-empty items."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    pattern = "[" + re.escape(seps) + "]+"
    return tuple(p for p in (x.strip() for x in re.split(pattern, str(value))) if p)
