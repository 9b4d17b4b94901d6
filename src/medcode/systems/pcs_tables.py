"""The official ICD-10-PCS tables XML (``icd10pcs_tables_YYYY.xml``): every valid code of a
release, and each character's label in its table.

A table fixes characters 1-3 (section, body system, operation); each ``pcsRow`` lists the
allowed values of characters 4-7, and every combination of them is a valid code.
"""

from __future__ import annotations

import gzip
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcode.errors import SourceError


@dataclass
class PcsRow:
    table: str                                    # characters 1-3
    labels: list[dict[str, str]]                  # positions 1-7: value -> label
    titles: list[str]                             # axis titles (Section, Body Part, ...)

    def codes(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(code, its seven labels) for every combination of this row."""
        for combo in itertools.product(*(sorted(d) for d in self.labels[3:])):
            code = self.table + "".join(combo)
            yield code, tuple([self.labels[i][code[i]] for i in range(7)])


@dataclass
class PcsTables:
    path: Path
    version: str
    rows: list[PcsRow]
    definitions: dict[tuple[str, int, str], str]

    def codes(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for row in self.rows:
            for code, labels in row.codes():
                out[code] = labels
        return out


def _open(path: Path) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path}: broken gzip file ({exc})") from exc
    return data


def parse_tables(path: Path) -> PcsTables:
    """Read the tables XML (plain or gzip-compressed)."""
    data = _open(path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise SourceError(f"{path}, line {line}, column {col}: not well-formed XML "
                          f"({exc})") from exc
    if root.tag != "ICD10PCS.tabular":
        raise SourceError(f"{path}: root element is <{root.tag}>, expected <ICD10PCS.tabular> "
                          "(the ICD-10-PCS tables file)")
    rows: list[PcsRow] = []
    definitions: dict[tuple[str, int, str], str] = {}
    for t_no, table in enumerate(root.findall("pcsTable"), 1):
        head: list[dict[str, str]] = []
        titles: list[str] = []
        for axis in table.findall("axis"):
            labs = {(lab.get("code") or ""): " ".join((lab.text or "").split())
                    for lab in axis.findall("label")}
            if len(labs) != 1:
                raise SourceError(f"{path}: table {t_no}: axis {axis.get('pos')} has "
                                  f"{len(labs)} labels, expected one")
            head.append(labs)
            titles.append(axis.findtext("title") or "")
            d = axis.findtext("definition")
            if d and axis.get("pos") == "3":
                key = "".join(next(iter(h)) for h in head[:2])
                definitions[(key, 3, next(iter(labs)))] = " ".join(d.split())
        if len(head) != 3:
            raise SourceError(f"{path}: table {t_no} has {len(head)} table axes, expected 3")
        tcode = "".join(next(iter(h)) for h in head)
        for row in table.findall("pcsRow"):
            labels = list(head)
            rtitles = list(titles)
            for axis in sorted(row.findall("axis"), key=lambda a: int(a.get("pos") or 0)):
                labs = {(lab.get("code") or ""): " ".join((lab.text or "").split())
                        for lab in axis.findall("label")}
                if not labs or any(len(v) != 1 for v in labs):
                    raise SourceError(f"{path}: table {tcode}: a row's axis "
                                      f"{axis.get('pos')} has no valid values")
                labels.append(labs)
                rtitles.append(axis.findtext("title") or "")
            if len(labels) != 7:
                raise SourceError(f"{path}: table {tcode}: a row has {len(labels) - 3} axes, "
                                  "expected 4")
            rows.append(PcsRow(tcode, labels, rtitles))
    if not rows:
        raise SourceError(f"{path}: no ICD-10-PCS tables in the file")
    return PcsTables(Path(path), (root.findtext("version") or "").strip(), rows, definitions)
