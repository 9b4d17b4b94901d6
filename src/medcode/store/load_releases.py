"""``medcode data import icd10cm|icd10pcs FILE...``: any official release, by file kind.

ICD-10-CM: the "Code Descriptions in Tabular Order" file ``icd10cm_order_YYYY.txt`` (every
item, headers with their titles), ``icd10cm_codes_YYYY.txt`` (billable codes only), the
addenda ``icd10cm_codes_addenda_YYYY.txt`` (applied to release YYYY-1), the tabular XML
``icd10cm_tabular_YYYY.xml`` (hierarchy and that release's notes), or the CMS zips holding
them. ICD-10-PCS: ``icd10pcs_order_YYYY.txt``, the tables XML ``icd10pcs_tables_YYYY.xml``,
or the zips. The release (FYYYYY) and its period (October 1 of YYYY-1 to September 30 of
YYYY) come from the file names or contents; ``release`` and ``effective_from`` override them.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medcode.errors import SourceError

_ROLES_CM = {
    "order": re.compile(r"icd10cm[-_]order[-_].*\.txt$", re.I),
    "addenda": re.compile(r"icd10cm[-_]codes[-_]addenda[-_].*\.txt$|addenda.*\.txt$", re.I),
    "codes": re.compile(r"icd10cm[-_]codes[-_](?!addenda).*\.txt$", re.I),
    "tabular": re.compile(r"icd10cm[-_]tabular.*\.xml$|icd10c[m]?-tabular.*\.xml$", re.I),
}
_ROLES_PCS = {
    "order": re.compile(r"icd10pcs[-_]order[-_](?!addenda).*\.txt$", re.I),
    "tables": re.compile(r"icd10pcs[-_]tables.*\.xml(\.gz)?$", re.I),
}


def _classify(paths: Sequence[Path], roles: dict[str, re.Pattern[str]], tmp: Path,
              what: str) -> dict[str, Path]:
    """Map each role to a file: given directly, or found inside a given zip."""
    found: dict[str, Path] = {}

    def take(name: str, path: Path) -> bool:
        for role, pattern in roles.items():
            if pattern.search(Path(name).name):
                if role in found:
                    raise SourceError(f"{path}: a second {role} file ({Path(name).name}); "
                                      f"import one release at a time")
                found[role] = path
                return True
        return False

    for path in paths:
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as zf:
                    for info in zf.infolist():
                        if info.is_dir() or "__MACOSX" in info.filename:
                            continue
                        if any(p.search(Path(info.filename).name) for p in roles.values()):
                            target = tmp / Path(info.filename).name
                            target.write_bytes(zf.read(info))
                            take(info.filename, target)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise SourceError(f"{path}: broken zip file ({exc})") from exc
        elif not take(path.name, path):
            raise SourceError(f"{path}: not a {what} file medcode knows by its name (expected "
                              + ", ".join(p.pattern.split('$')[0].replace('\\\\', '')
                                          for p in roles.values()) + ")")
    if not found:
        raise SourceError(f"{', '.join(str(p) for p in paths)}: no {what} file found "
                          "(in the zip)")
    return found


def _release(found: dict[str, Path], release: str | None, effective_from: str | None,
             system: str, xml_version: str | None = None) -> tuple[str, dt.date, dt.date]:
    from medcode.store.release_apply import fiscal_year_period
    from medcode.systems.icd10cm_files import year_in_name
    years = {y for y in (year_in_name(p) for p in found.values()) if y}
    if xml_version and xml_version.isdigit():
        years.add(int(xml_version))
    if release and re.fullmatch(r"FY\d{4}.*", release.strip(), re.I):
        years = {int(release.strip()[2:6])}
    if len(years) != 1:
        raise SourceError(f"{system}: cannot tell the release from the file names "
                          f"({', '.join(p.name for p in found.values())}): give --release "
                          "FYYYYY")
    year = years.pop()
    start, end = fiscal_year_period(year)
    if effective_from:
        try:
            start = dt.date.fromisoformat(effective_from)
        except ValueError:
            raise SourceError(f"--effective-from {effective_from!r} is not a date "
                              "(YYYY-MM-DD)") from None
        if start > end:
            end = fiscal_year_period(year + 1)[1]
    name = (release or f"FY{year}").strip().upper()
    return name, start, end


def load_icd10cm(conn: sqlite3.Connection, paths: Sequence[Path], release: str | None = None,
                 effective_from: str | None = None) -> dict[str, Any]:
    from medcode.store import load_icd10cm as L
    from medcode.systems import icd10cm_files as F
    with tempfile.TemporaryDirectory(prefix="medcode-import-") as tmpdir:
        found = _classify([Path(p) for p in paths], _ROLES_CM, Path(tmpdir), "ICD-10-CM")
        name, start, end = _release(found, release, effective_from, "ICD-10-CM")
        files = ", ".join(sorted(p.name for p in found.values()))
        tabular = found.get("tabular")
        if "order" in found or "codes" in found:
            if "order" in found:
                items = F.parse_order_file(found["order"])
            else:
                pairs = F.read_titled_list(found["codes"])
                items = [F.OrderItem(c, True, t) for c, t in pairs]
            what = ("codes, titles and headers" if "order" in found else "codes and titles")
            notes = ("hierarchy and instructional notes: its own tabular" if tabular else
                     "hierarchy and instructional notes: those of the newest tabular loaded")
            counts = L.load_order_release(conn, name, start, end, items,
                                          f"imported CMS files {files} ({what}; {notes})",
                                          tabular)
        elif "addenda" in found:
            base = _previous(conn, "ICD-10-CM", start)
            counts = L.load_addenda_release(
                conn, name, start, end, found["addenda"], base,
                f"imported CMS addenda {files} applied to {base}; hierarchy and instructional "
                "notes: those of the newest tabular loaded")
        else:
            raise SourceError(f"{files}: a tabular XML alone does not say which codes are "
                              "billable: give the order file (icd10cm_order_YYYY.txt) or the "
                              "addenda with it (the index alone: `medcode data import "
                              "icd10cm-index`)")
    # the "Code Tables, Tabular and Index" zip also holds the Alphabetic Index and its
    # tables: search reads them as index paths (issue 13)
    from medcode.store import load_index
    index = load_index.load_members(conn, [Path(p) for p in paths])
    if index:
        counts = {**counts, "index entries": sum(v for v in index.values()
                                                 if isinstance(v, int))}
    return {**counts, "release": name, "effective_from": start.isoformat(),
            "effective_to": end.isoformat()}


def load_icd10pcs(conn: sqlite3.Connection, paths: Sequence[Path], release: str | None = None,
                  effective_from: str | None = None) -> dict[str, Any]:
    from medcode.store import load_pcs as P
    from medcode.systems import icd10cm_files as F
    with tempfile.TemporaryDirectory(prefix="medcode-import-") as tmpdir:
        found = _classify([Path(p) for p in paths], _ROLES_PCS, Path(tmpdir), "ICD-10-PCS")
        name, start, end = _release(found, release, effective_from, "ICD-10-PCS")
        files = ", ".join(sorted(p.name for p in found.values()))
        if "order" in found:
            items = F.parse_order_file(found["order"])
            counts = P.load_order_release(conn, name, start, end, items,
                                          f"imported CMS file {files} (official titles)")
            if "tables" in found:
                P.load_axes(conn, found["tables"], name)
        else:
            counts = P.load_tables_release(
                conn, name, start, end, found["tables"],
                f"imported CMS tables {files}; titles of new codes composed from the tables' "
                "axis labels")
    return {**counts, "release": name, "effective_from": start.isoformat(),
            "effective_to": end.isoformat()}


def _previous(conn: sqlite3.Connection, system: str, start: dt.date) -> str:
    row = conn.execute("SELECT name FROM releases WHERE system = ? AND effective_from < ? "
                       "ORDER BY effective_from DESC LIMIT 1",
                       (system, start.isoformat())).fetchone()
    if row is None:
        raise SourceError(f"the addenda apply to the {system} release before {start}, and "
                          "none is loaded")
    return str(row[0])
