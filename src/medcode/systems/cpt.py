"""CPT (AMA): format rules, Category I sections, modifiers, and a reader for licensed files.

Every CPT code is 5 characters:

* ``#####``  Category I: services and procedures, in six numeric sections (``cpt_sections.csv``)
* ``####F``  Category II: performance-measure tracking codes, not paid
* ``####T``  Category III: temporary codes for emerging technology
* ``####U``  Proprietary Laboratory Analyses (PLA)
* ``####A``  Category I immunization-administration codes for COVID-19 vaccines (0001A,
  0011A, ...; created from December 2020 and largely deleted in November 2023)
* ``####M``  administrative codes for Multianalyte Assays with Algorithmic Analyses (MAAA)

The section boundaries are secondary-source facts kept as data (``medcode/data``) so they
are easy to correct. CPT descriptors belong to the AMA: medcode ships none, and only reads
them from a file the user is licensed to hold (``parse_cpt_descriptors``).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from medcode.errors import SourceError

SYSTEM = "CPT"
CODE_RE = re.compile(r"^(?:\d{5}|\d{4}[FTUAM])$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")

#: the kinds ``cpt_category`` returns, by the 5th character of a code
CATEGORIES: dict[str, str] = {
    "F": "Category II",
    "T": "Category III",
    "U": "PLA",
    "A": "Category I",          # vaccine administration
    "M": "MAAA administrative",
}
FORM_NOTES: dict[str, str] = {
    "digit": "five digits: a Category I service or procedure",
    "F": "four digits + F: a Category II performance-measure tracking code (not paid)",
    "T": "four digits + T: a Category III temporary code for emerging technology",
    "U": "four digits + U: a Proprietary Laboratory Analyses (PLA) code",
    "A": "four digits + A: a Category I immunization-administration code (COVID-19 vaccines)",
    "M": "four digits + M: an administrative code for a multianalyte assay with "
         "algorithmic analysis (MAAA)",
}


class SectionRange(NamedTuple):
    start: int
    end: int
    section: str
    subsection: str | None
    effective_from: dt.date | None = None   # first day the codes of the range exist
    effective_to: dt.date | None = None     # last day (the codes were deleted after it)
    source: str | None = None

    def in_force(self, on: dt.date | None) -> bool:
        return on is None or ((self.effective_from is None or on >= self.effective_from)
                              and (self.effective_to is None or on <= self.effective_to))


class Descriptor(NamedTuple):
    code: str
    short: str | None
    medium: str | None
    long: str | None


def normalize(raw: str) -> str:
    return raw.strip().upper()


def looks_like_cpt(code: str) -> bool:
    return bool(CODE_RE.match(code))


def cpt_category(code: str) -> str | None:
    """"Category I", "Category II", "Category III", "PLA", "MAAA administrative", or None
    when ``code`` does not have a CPT shape."""
    c = normalize(code)
    if not CODE_RE.match(c):
        return None
    return "Category I" if c.isdigit() else CATEGORIES[c[4]]


def form_note(code: str) -> str | None:
    """A plain-English sentence on what the shape of ``code`` says."""
    c = normalize(code)
    if not CODE_RE.match(c):
        return None
    return FORM_NOTES["digit" if c.isdigit() else c[4]]


def _data_text(name: str) -> str:
    return resources.files("medcode").joinpath("data", name).read_text(encoding="utf-8")


def _day(text: str | None, n: int, name: str) -> dt.date | None:
    if not text or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise SourceError(f"cpt_sections.csv: line {n}: {name} {text!r} is not a date "
                          "(YYYY-MM-DD)") from None


@functools.lru_cache(maxsize=1)
def section_ranges() -> tuple[SectionRange, ...]:
    """The Category I section ranges of ``medcode/data/cpt_sections.csv``, narrowest first.

    A range with ``effective_from``/``effective_to`` holds codes added or deleted on known
    dates (99201 until 2020-12-31): the narrowest range containing a code decides, so a
    deleted code stays deleted although the wider section around it goes on."""
    rows = []
    for n, rec in enumerate(csv.DictReader(io.StringIO(_data_text("cpt_sections.csv"))), 2):
        try:
            start, end = int(rec["start"]), int(rec["end"])
        except (KeyError, TypeError, ValueError):
            raise SourceError(f"cpt_sections.csv: line {n}: start/end must be 5-digit codes") \
                from None
        if start > end or not rec.get("section"):
            raise SourceError(f"cpt_sections.csv: line {n}: bad range {rec}")
        since = _day(rec.get("effective_from"), n, "effective_from")
        until = _day(rec.get("effective_to"), n, "effective_to")
        if since and until and since > until:
            raise SourceError(f"cpt_sections.csv: line {n}: effective_from is after "
                              "effective_to")
        rows.append(SectionRange(start, end, rec["section"], rec.get("subsection") or None,
                                 since, until, rec.get("source") or None))
    return tuple(sorted(rows, key=lambda r: r.end - r.start))


@functools.lru_cache(maxsize=1)
def _segments() -> tuple[list[int], list[SectionRange | None]]:
    """Disjoint segments of the number line, each with the narrowest range covering it
    (None in the gaps): one bisect finds a code's range."""
    ranges = section_ranges()
    cuts = sorted({r.start for r in ranges} | {r.end + 1 for r in ranges})
    owners: list[SectionRange | None] = []
    for lo in cuts:
        owners.append(next((r for r in ranges if r.start <= lo <= r.end), None))
    return cuts, owners


def section_range(code: str) -> SectionRange | None:
    """The narrowest section range containing the Category I numeric ``code``, whatever
    its dates; None outside every range or for codes that are not 5 digits."""
    c = code.strip()
    if not (len(c) == 5 and c.isdigit()):
        return None
    cuts, owners = _segments()
    i = bisect.bisect_right(cuts, int(c)) - 1
    return owners[i] if i >= 0 else None


def cpt_section(code: str, on: dt.date | None = None) -> tuple[str, str | None] | None:
    """(section, subsection) of a Category I numeric code; subsection only for Surgery and
    the anesthesia qualifying circumstances. None outside every range or for non-numeric codes,
    and, with ``on``, when the code did not exist on that date (99201 after 2020-12-31).
    The narrowest range wins: 99100-99140 lies inside Medicine's span but is Anesthesia."""
    best = section_range(code)
    if best is None or not best.in_force(on):
        return None
    return best.section, best.subsection


def section_history(code: str, on: dt.date) -> str | None:
    """Why the Category I ``code`` is not a code on ``on`` ("deleted after 2020-12-31"),
    or None when it is (or when medcode knows no dates for it)."""
    best = section_range(code)
    if best is None or best.in_force(on):
        return None
    if best.effective_to is not None and on > best.effective_to:
        return f"deleted: it was a CPT code until {best.effective_to}"
    return f"added on {best.effective_from}: it is not a CPT code before then"


@functools.lru_cache(maxsize=1)
def modifiers() -> dict[str, dict[str, object]]:
    """CPT (Level I) modifiers: ``{"25": {"modifier", "name", "group", "ncci_ptp"}}``.

    Names are medcode's own short wording, not the AMA's descriptors. ``ncci_ptp`` is True
    for the modifiers CMS accepts to bypass an NCCI procedure-to-procedure edit."""
    out: dict[str, dict[str, object]] = {}
    for rec in csv.DictReader(io.StringIO(_data_text("cpt_modifiers.csv"))):
        mod = rec["modifier"].strip().upper()
        out[mod] = {"modifier": mod, "name": rec["name"], "group": rec["group"],
                    "ncci_ptp": rec.get("ncci_ptp", "").strip().lower() == "yes"}
    return out


def cpt_modifier(mod: str) -> dict[str, object] | None:
    """The CPT modifier ``mod`` ("25", "-25", "p1"), or None if it is not a CPT modifier."""
    m = mod.strip().lstrip("-").upper()
    return dict(modifiers()[m]) if m in modifiers() else None


# ---- the user's licensed descriptor file ------------------------------------------------

_CODE_HEADERS = {"code", "cpt", "cpt code", "cpt_code", "cptcode", "hcpcs", "hcpcs code",
                 "procedure code", "concept code", "concept_code"}
_ROLE_HEADERS = {
    "short": {"short", "short descriptor", "short description", "short_descriptor",
              "short_description", "shortu", "short desc"},
    "medium": {"medium", "medium descriptor", "medium description", "medium_descriptor",
               "medium_description", "medu", "medium desc"},
    "long": {"long", "long descriptor", "long description", "long_descriptor",
             "long_description", "longu", "longult", "description", "descriptor",
             "full description", "long desc", "consumer friendly descriptor"},
}
ROLES = ("short", "medium", "long")


def parse_cpt_descriptors(path: Path, single: str = "long") -> Iterator[Descriptor]:
    """Read a CPT descriptor file the user is licensed to hold.

    Tab- or comma-delimited (quotes allowed), with or without a header row. With a header,
    the columns are found by name (code; short / medium / long descriptor). Without one:
    2 columns = code + one descriptor (``single`` says which: short, medium or long),
    3 = code, short, long; 4 = code, short, medium, long. Yields
    ``Descriptor(code, short, medium, long)``; a bad line raises SourceError naming it.
    """
    if single not in ROLES:
        raise ValueError(f"single must be one of {ROLES}, not {single!r}")
    text = _read_text(path)
    lines = text.splitlines()
    sample = next((ln for ln in lines if ln.strip()), None)
    if sample is None:
        raise SourceError(f"{path}: empty file: expected CPT codes and descriptors")
    delimiter = "\t" if "\t" in sample else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns: dict[str, int] | None = None
    count = 0
    for cells in reader:
        n = reader.line_num
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if columns is None:
            columns = _header_columns(cells, path, n)
            if columns:
                continue
            columns = _positional_columns(len(cells), single, path, n)
        code = normalize(cells[columns["code"]]) if columns["code"] < len(cells) else ""
        if not CODE_RE.match(code):
            raise SourceError(f"{path}: line {n}: {cells[0][:20]!r} is not a CPT code "
                              "(5 digits, or 4 digits and F, T, U, A or M)")
        values = {role: (cells[i] or None) if i < len(cells) else None
                  for role, i in columns.items() if role != "code"}
        if not any(values.values()):
            raise SourceError(f"{path}: line {n}: code {code} has no descriptor")
        count += 1
        yield Descriptor(code, values.get("short"), values.get("medium"), values.get("long"))
    if not count:
        raise SourceError(f"{path}: no CPT codes found")


def _read_text(path: Path) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in raw[:4096]:
        raise SourceError(f"{path}: binary data, not a text file of CPT descriptors")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _header_columns(cells: list[str], path: Path, line: int) -> dict[str, int] | None:
    names = [c.lower().replace("-", " ").strip() for c in cells]
    if CODE_RE.match(normalize(cells[0])):
        return None
    code_at = next((i for i, nm in enumerate(names) if nm in _CODE_HEADERS), None)
    found = {role: i for role, heads in _ROLE_HEADERS.items()
             for i, nm in enumerate(names) if nm in heads}
    if code_at is None or not found:
        raise SourceError(f"{path}: line {line}: the first row is neither a CPT code nor a "
                          f"header naming a code column and a descriptor column: {cells[:4]}")
    return {"code": code_at, **found}


def _positional_columns(width: int, single: str, path: Path, line: int) -> dict[str, int]:
    if width == 2:
        return {"code": 0, single: 1}
    if width == 3:
        return {"code": 0, "short": 1, "long": 2}
    if width == 4:
        return {"code": 0, "short": 1, "medium": 2, "long": 3}
    raise SourceError(f"{path}: line {line}: {width} columns without a header; expected a "
                      "code and 1 to 3 descriptors (short, medium, long)")
