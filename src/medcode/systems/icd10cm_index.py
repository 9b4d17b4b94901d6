"""Read the ICD-10-CM index files: the Alphabetic Index, the Table of Drugs and Chemicals,
the Neoplasm Table and the External Cause Index (CDC/NCHS XML, one shape for all four).

Each file is ``letter > mainTerm > term[level=1..] ...``; a node has a ``title`` (its
nonessential modifiers in ``<nemod>``), and leads either to a code (``code``, ``subcat``,
``seecat``, ``manif``), to table cells (``cell col="2".."7"``, headed by
``indexHeading/head``), or elsewhere (``see``, ``seeAlso``).

:func:`read_index` yields one :class:`IndexEntry` per (node, code) and one per node that
only refers elsewhere, in file order. Nothing is imported at module import time beyond
the standard library.
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcode.errors import SourceError

#: table name -> (file-name marker, what a coder calls it)
TABLES = {
    "index": ("index", "Alphabetic Index"),
    "drug": ("drug", "Table of Drugs and Chemicals"),
    "neoplasm": ("neoplasm", "Neoplasm Table"),
    "external": ("eindex", "External Cause Index"),
}
#: the files bundled in medcode.data (April 2026 release, unchanged, gzip-compressed)
BUNDLED = {
    "drug": "icd10cm-drug-April-1-2026-XML.xml.gz",
    "neoplasm": "icd10cm-neoplasm-April-1-2026-XML.xml.gz",
    "external": "icd10cm-eindex-April-1-2026-XML.xml.gz",
}
BUNDLED_RELEASE = "April 2026"
#: short column names for the drug and neoplasm tables (col 2..7), as coders say them
COLUMNS = {
    "drug": {2: "poisoning, accidental (unintentional)", 3: "poisoning, intentional self-harm",
             4: "poisoning, assault", 5: "poisoning, undetermined", 6: "adverse effect",
             7: "underdosing"},
    "neoplasm": {2: "malignant primary", 3: "malignant secondary", 4: "in situ", 5: "benign",
                 6: "uncertain behavior", 7: "unspecified behavior"},
}
_CODE_TAGS = ("code", "subcat", "seecat", "manif")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class IndexEntry:
    table: str                     # index | drug | neoplasm | external
    path: tuple[str, ...]          # titles from the main term down, without nonessential mods
    nemod: tuple[str, ...]         # each level's nonessential modifiers ("" when none)
    column: str | None             # drug/neoplasm column ("adverse effect"), else None
    code: str | None               # as printed: T39.1X1, C79.8-, V94.11, "--" never
    see: str | None = None
    see_also: str | None = None
    tag: str = "code"              # code | subcat | seecat | manif | cell | see

    def path_text(self) -> str:
        """The path as a coder reads it: "Acetaminophen > poisoning, accidental ..."."""
        parts = list(self.path)
        return " > ".join(parts)


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return _SPACES.sub(" ", "".join(el.itertext())).strip()


def _title(el: ET.Element) -> tuple[str, str]:
    """(title without nonessential modifiers, the modifiers) of a mainTerm/term."""
    t = el.find("title")
    if t is None:
        return "", ""
    nemod = " ".join(_text(n) for n in t.iter("nemod"))
    plain = t.text or ""
    for child in t:  # nonessential modifiers left out, anything else kept, in order
        if child.tag != "nemod":
            plain += _text(child)
        plain += child.tail or ""
    return _SPACES.sub(" ", plain).strip(" ,"), nemod


def _open(source: Path | bytes) -> ET.Element:
    try:
        if isinstance(source, bytes):
            data = gzip.decompress(source) if source[:2] == b"\x1f\x8b" else source
            return ET.fromstring(data)
        path = Path(source)
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return ET.fromstring(fh.read())
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError, EOFError) as exc:
        where = "the index file" if isinstance(source, bytes) else str(source)
        raise SourceError(f"{where}: not a readable ICD-10-CM index XML file ({exc})") from None


def table_of(root: ET.Element, hint: str = "") -> str:
    """Which of the four index files ``root`` is, from its headings (or the file name)."""
    heads = " ".join(_text(h) for h in root.iter("head")).lower()
    if "substance" in heads:
        return "drug"
    if "neoplasm" in heads:
        return "neoplasm"
    title = _text(root.find("title")).lower()
    if "external" in title or "eindex" in hint.lower():
        return "external"
    return "index"


def read_index(source: Path | bytes, table: str | None = None) -> Iterator[IndexEntry]:
    """Every entry of one index file (``table`` is found from the file when not given)."""
    root = _open(source)
    if root.tag != "ICD10CM.index":
        raise SourceError(f"{source if not isinstance(source, bytes) else 'the file'}: root "
                          f"element is <{root.tag}>, not <ICD10CM.index>")
    table = table or table_of(root, str(source) if not isinstance(source, bytes) else "")
    columns = COLUMNS.get(table, {})
    for letter in root.iter("letter"):
        for main in letter.findall("mainTerm"):
            yield from _walk(main, table, columns, (), ())


def _walk(node: ET.Element, table: str, columns: dict[int, str], path: tuple[str, ...],
          nemods: tuple[str, ...]) -> Iterator[IndexEntry]:
    title, nemod = _title(node)
    path = path + (title,)
    nemods = nemods + (nemod,)
    see = _text(node.find("see")) or None
    see_also = _text(node.find("seeAlso")) or None
    leads = False
    for tag in _CODE_TAGS:
        for el in node.findall(tag):
            code = _text(el)
            if code:
                leads = True
                yield IndexEntry(table, path, nemods, None, code, see, see_also, tag)
    for cell in node.findall("cell"):
        try:
            col = int(cell.get("col", "0"))
        except ValueError:
            continue
        code = _text(cell)
        if col in columns and code and code.strip("-"):
            leads = True
            yield IndexEntry(table, path, nemods, columns[col], code, see, see_also, "cell")
    if not leads and (see or see_also):
        yield IndexEntry(table, path, nemods, None, None, see, see_also, "see")
    for child in node.findall("term"):
        yield from _walk(child, table, columns, path, nemods)


def bundled_path(table: str) -> Path:
    """The bundled file of a table (drug, neoplasm, external)."""
    from medcode.systems.pkgdata import package_file
    return package_file("medcode", f"data/icd10cm_index/{BUNDLED[table]}")
