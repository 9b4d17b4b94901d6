"""Parsers of the official ICD-10-CM files (used by the store build only).

Two files make a release:

* the tabular XML (``icd10cm-tabular-*.xml``): chapters, sections (blocks) and ``diag``
  elements nested to any depth, each with its instructional notes and, on some
  categories/subcategories, a ``sevenChrDef`` inherited downward;
* the code list: every item of the release. It is the authority on validity: an item is a
  billable code exactly when no other item extends it (74,719 in April 2026).

Older releases only exist here as billable-code lists (``code<ws>description`` or CSV).
The parsers are pure: they return plain records and never touch the store.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcode.errors import SourceError
from medcode.systems.icd10cm import NOTE_TAGS, block_key, display, seven_char_base, strip_dot


@dataclass
class Node:
    """One item of the tabular: chapter, block, category, subcategory, code or extension."""

    code: str                     # dotless key; blocks keep their range ``A00-A09``
    title: str
    kind: str                     # chapter | block | category | subcategory | code | extension
    parent: str | None
    depth: int
    notes: dict[str, list[str]] = field(default_factory=dict)
    seven_chr_def: dict[str, str] = field(default_factory=dict)
    placeholder: bool = False      # the tabular marks padded nodes such as H21.1X

    @property
    def display(self) -> str:
        return display(self.code)


def _notes_of(elem: ET.Element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag, key in NOTE_TAGS.items():
        for holder in elem.findall(tag):
            texts = [" ".join((n.text or "").split()) for n in holder.findall("note")]
            texts = [t for t in texts if t]
            if texts:
                out.setdefault(key, []).extend(texts)
    seven_note = elem.find("sevenChrNote")
    if seven_note is not None:
        texts = [" ".join((n.text or "").split()) for n in seven_note.findall("note")]
        if any(texts):
            out["seven_chr_note"] = [t for t in texts if t]
    return out


def _seven_def(elem: ET.Element) -> dict[str, str]:
    holder = elem.find("sevenChrDef")
    if holder is None:
        return {}
    return {(e.get("char") or "").upper(): " ".join((e.text or "").split())
            for e in holder.findall("extension") if e.get("char")}


def parse_tabular(path: Path) -> list[Node]:
    """All nodes of the tabular XML in document order (parents before children)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise SourceError(f"{path}: not a readable ICD-10-CM tabular XML ({exc})") from exc
    if root.tag != "ICD10CM.tabular":
        raise SourceError(f"{path}: root element is <{root.tag}>, expected <ICD10CM.tabular>")
    nodes: list[Node] = []

    def walk_diag(elem: ET.Element, parent: str, depth: int) -> None:
        name = strip_dot((elem.findtext("name") or "").strip())
        if not name:
            raise SourceError(f"{path}: a <diag> under {display(parent)} has no <name>")
        kind = "category" if len(name) == 3 else "subcategory"
        nodes.append(Node(name, " ".join((elem.findtext("desc") or "").split()), kind, parent,
                          depth, _notes_of(elem), _seven_def(elem),
                          elem.get("placeholder") == "true"))
        for child in elem.findall("diag"):
            walk_diag(child, name, depth + 1)

    for chapter in root.findall("chapter"):
        number = (chapter.findtext("name") or "").strip()
        nodes.append(Node(number, " ".join((chapter.findtext("desc") or "").split()), "chapter",
                          None, 0, _notes_of(chapter)))
        for section in chapter.findall("section"):
            key = block_key(section.get("id") or "")
            nodes.append(Node(key, " ".join((section.findtext("desc") or "").split()), "block",
                              number, 1, _notes_of(section)))
            for diag in section.findall("diag"):
                walk_diag(diag, key, 2)
    if not nodes:
        raise SourceError(f"{path}: no chapters found in the tabular XML")
    return nodes


def read_code_list(path: Path) -> list[str]:
    """Every item of an official code list, dotless and upper-case, in file order.

    Accepts the one-item-per-line list (``code-list-*.txt``), the ``code<ws>title`` order
    files and a ``code,description`` CSV.
    """
    return [code for code, _ in read_titled_list(path)]


def read_titled_list(path: Path) -> list[tuple[str, str]]:
    """(code, title) pairs of a code list; title is '' when the file carries none."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read the code list ({exc})") from exc
    rows: list[tuple[str, str]] = []
    if path.suffix.lower() == ".csv":
        for n, rec in enumerate(csv.reader(text.splitlines()), 1):
            if not rec:
                continue
            rows.append((_check_item(rec[0], path, n), rec[1].strip() if len(rec) > 1 else ""))
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            code, _, title = line.strip().partition(" ")
            rows.append((_check_item(code, path, n), title.strip()))
    if not rows:
        raise SourceError(f"{path}: the code list is empty")
    return rows


_ITEM_RE = re.compile(r"^(?:\d{1,2}|[A-Z][0-9A-Z]{2}-[A-Z][0-9A-Z]{2}|[A-Z][0-9A-Z]{2,6})$")


def _check_item(raw: str, path: Path, line: int) -> str:
    code = strip_dot(raw.strip())
    if not _ITEM_RE.match(code):
        raise SourceError(f"{path}, line {line}: {raw.strip()!r} is not an ICD-10-CM item")
    return code


def billable_codes(items: Iterable[str]) -> set[str]:
    """Codes of a list that no other item extends: the billable codes."""
    codes = {c for c in items if "-" not in c and not c.isdigit()}
    prefixes: set[str] = set()
    for c in codes:
        for i in range(3, len(c)):
            prefixes.add(c[:i])
    return codes - prefixes


def iter_extensions(nodes: list[Node], listed: set[str]) -> Iterator[tuple[str, str, str, str]]:
    """(code, parent, title, 7th char) for every 7th-character code that the code list holds.

    The tabular's ``sevenChrDef`` is inherited downward, but not every combination exists
    (a note under S06 rules out D and S on 6th characters 7 and 8): the code list decides.
    """
    by_code = {n.code: n for n in nodes}
    has_child: set[str] = {n.parent for n in nodes if n.parent}
    for node in nodes:
        if node.kind not in ("category", "subcategory") or node.code in has_child:
            continue
        defs = _inherited_seven(node, by_code)
        if not defs:
            continue
        base = seven_char_base(node.code)
        for char, meaning in defs.items():
            code = base + char
            if code in listed:
                yield code, node.code, f"{node.title}, {meaning}", char


def _inherited_seven(node: Node, by_code: dict[str, Node]) -> dict[str, str]:
    cur: Node | None = node
    while cur is not None and cur.kind in ("category", "subcategory"):
        if cur.seven_chr_def:
            return cur.seven_chr_def
        cur = by_code.get(cur.parent) if cur.parent else None
    return {}


@dataclass
class Addenda:
    """The CMS code addenda of one release against the one before it."""

    path: Path
    year: int | None                                   # from the file name (FY)
    added: dict[str, str] = field(default_factory=dict)     # code -> title
    deleted: dict[str, str] = field(default_factory=dict)   # code -> title
    revised: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (old, new)
    footer: dict[str, int] = field(default_factory=dict)    # "additions", "deletions", ...


_ADDENDA_LINE = re.compile(r"^(Add|Delete|Revise from|Revise to):\s+([0-9A-Za-z]{3,7})\s+(.+)$")
_FOOTER_LINE = re.compile(r"^\s*(\d+)\s+(additions|deletions|revisions|codes in (\S+))\s*$")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def year_in_name(path: Path) -> int | None:
    """The four-digit year a CMS file name carries (``icd10cm_order_2027.txt`` -> 2027)."""
    found = _YEAR.findall(Path(path).name)
    return int(found[-1]) if found else None


def parse_addenda(path: Path) -> Addenda:
    """Read ``icd10cm_codes_addenda_YYYY.txt``: ``Add:``, ``Delete:``, ``Revise from:`` /
    ``Revise to:`` lines (code without dot, title) and the footer with its counts, which must
    agree with the lines."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        text = Path(path).read_bytes().decode("latin-1")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the addenda ({exc})") from exc
    out = Addenda(Path(path), year_in_name(path))
    pending: tuple[str, str, int] | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        m = _ADDENDA_LINE.match(line)
        if m:
            what, code, title = m.group(1), _check_item(m.group(2), path, n), m.group(3).strip()
            if what == "Add":
                out.added[code] = title
            elif what == "Delete":
                out.deleted[code] = title
            elif what == "Revise from":
                pending = (code, title, n)
            else:
                if pending is None or pending[0] != code:
                    raise SourceError(f"{path}, line {n}: 'Revise to: {code}' without a "
                                      "'Revise from:' line for the same code before it")
                out.revised[code] = (pending[1], title)
                pending = None
            continue
        f = _FOOTER_LINE.match(line)
        if f:
            key = f.group(2) if not f.group(3) else "codes:" + f.group(3)
            out.footer[key] = int(f.group(1))
            continue
        if line.strip() == "Codes":
            continue
        raise SourceError(f"{path}, line {n}: not an addenda line: {line[:70]!r} (expected "
                          "'Add:', 'Delete:', 'Revise from:' or 'Revise to:', a code, a title)")
    if pending is not None:
        raise SourceError(f"{path}, line {pending[2]}: 'Revise from: {pending[0]}' has no "
                          "'Revise to:' line")
    if not (out.added or out.deleted or out.revised):
        raise SourceError(f"{path}: no Add/Delete/Revise lines: not a code addenda file")
    for key, got in (("additions", len(out.added)), ("deletions", len(out.deleted)),
                     ("revisions", len(out.revised))):
        if key in out.footer and out.footer[key] != got:
            raise SourceError(f"{path}: the footer says {out.footer[key]} {key} but the file "
                              f"lists {got}: the file is incomplete")
    return out


@dataclass
class OrderItem:
    code: str
    billable: bool
    title: str


def parse_order_file(path: Path) -> list[OrderItem]:
    """Read a CMS "tabular order" file (``icd10cm_order_YYYY.txt``, ``icd10pcs_order_YYYY.txt``):
    order number (5 digits), code padded to 7, 0/1 (1 = valid for submission), short title
    padded to 60, long title."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        text = Path(path).read_bytes().decode("latin-1")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the order file ({exc})") from exc
    items: list[OrderItem] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        line = raw.rstrip("\r\n")
        if len(line) < 17 or not line[:5].isdigit() or line[5] != " " or line[14] not in "01":
            raise SourceError(f"{path}, line {n}: not an order-file line: {line[:70]!r} "
                              "(expected: 5-digit order number, code, 0/1 flag, short title, "
                              "long title)")
        code = line[6:13].strip().upper()
        if not code.isalnum():
            raise SourceError(f"{path}, line {n}: {line[6:13]!r} is not a code")
        long_title = line[77:].strip() if len(line) > 77 else line[16:].strip()
        items.append(OrderItem(code, line[14] == "1", long_title or line[16:76].strip()))
    if not items:
        raise SourceError(f"{path}: the order file is empty")
    return items
