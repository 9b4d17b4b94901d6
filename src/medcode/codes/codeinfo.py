"""Look a code up: its full official content, loaded lazily from the store."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from medcode._release import Release
from medcode.codes.validity import Validation, _explain
from medcode.errors import UnknownCode
from medcode.store.db import Row, Store
from medcode.systems import icd10cm
from medcode.systems.icd10cm import NOTE_KEYS, display
from medcode.systems.normalize import clean_code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SYSTEM = icd10cm.SYSTEM


class CodeInfo:
    """One ICD-10-CM item in one release. Core fields are read at once; hierarchy and notes
    are read on first access, so a lookup costs one indexed query until you need more."""

    __slots__ = ("store", "code", "system", "release", "on", "_row", "__dict__")

    def __init__(self, store: Store, row: Row, release: Release, on: dt.date | None) -> None:
        self.store = store
        self._row = row
        self.code = display(row[0])
        self.system = SYSTEM
        self.release = release
        self.on = on

    # core -------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self._row[0]

    @property
    def title(self) -> str:
        return self.store.title_for(SYSTEM, self.key, self._row[1], self.release)

    @property
    def kind(self) -> str:
        return self._row[2]

    @property
    def billable(self) -> bool:
        return bool(self._row[5] & self.release.bit)

    @property
    def in_release(self) -> bool:
        return bool(self._row[6] & self.release.bit)

    @property
    def parent(self) -> str | None:
        return display(self._row[3]) if self._row[3] else None

    # lazy -------------------------------------------------------------------------------
    @cached_property
    def ancestor_rows(self) -> list[Row]:
        out: list[Row] = []
        parent = self._row[3]
        while parent:
            row = self.store.row(SYSTEM, parent)
            if row is None:
                break
            out.append(row)
            parent = row[3]
        return out[::-1]  # chapter first

    @cached_property
    def ancestors(self) -> list[dict[str, Any]]:
        return [{"code": display(r[0]), "title": r[1], "kind": r[2]} for r in self.ancestor_rows]

    @cached_property
    def children(self) -> list[dict[str, Any]]:
        bit = self.release.bit
        return [{"code": display(r[0]), "title": r[1], "kind": r[2], "billable": bool(r[5] & bit)}
                for r in self.store.children(SYSTEM, self.key) if r[6] & bit]

    @cached_property
    def valid_in(self) -> list[str]:
        return [r.name for r in self.store.releases(SYSTEM) if r.bit & self._row[5]]

    @cached_property
    def notes(self) -> dict[str, Any]:
        """Every instructional note: own ones first, then inherited from the nearest
        ancestor up to the chapter. Each item says where it comes from."""
        out: dict[str, Any] = {k: [] for k in NOTE_KEYS}
        chain = [self._row] + self.ancestor_rows[::-1]
        for row in chain:
            inherited = row[0] != self.key
            for kind, texts in self.store.notes(SYSTEM, row[0]).items():
                for text in texts:
                    out[kind].append({"text": text, "from": display(row[0]),
                                      "inherited": inherited})
            if not out["seven_chr_def"]:
                defs = self.store.seven_chr(SYSTEM, row[0])
                if defs:
                    out["seven_chr_def"] = [
                        {"char": c, "meaning": m, "from": display(row[0]), "inherited": inherited}
                        for c, m in defs.items()]
        return out

    @cached_property
    def status(self) -> Validation:
        return _explain(self.store, self.code, self.key, self.release, self.on)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code, "system": self.system, "release": self.release.name,
            "on": self.on.isoformat() if self.on else None,
            "title": self.title, "kind": self.kind, "billable": self.billable,
            "parent": self.parent, "ancestors": self.ancestors, "children": self.children,
            "notes": self.notes, "valid_in": self.valid_in,
            "status": self.status.status, "message": self.status.message,
        }
        if self.kind == "extension":
            char = self.key[-1]
            meaning = next((s["meaning"] for s in self.notes["seven_chr_def"]
                            if s["char"] == char), None)
            d["seventh_character"] = {"char": char, "meaning": meaning}
        also = getattr(self, "also", None)
        if also:
            d["also"] = also
            d["ambiguous"] = True     # more than one plausible reading: README policy
        if self.release.basis == 2:
            d["note"] = (f"{self.release.name} rests on: {self.release.source}")
        elif not self.release.tabular:
            d["note"] = (f"{self.release.name} is known from its code list only: hierarchy and "
                         "notes shown are those of the newest release")
        return d


def lookup(store: Store, raw: str, on: dt.date | None = None,
           release: str | None = None) -> CodeInfo:
    """Look up an ICD-10-CM item (code, header, block ``E08-E13`` or chapter number)."""
    code = clean_code(raw)
    return lookup_row(store, raw, code, store.row(SYSTEM, code), on, release)


def lookup_row(store: Store, raw: str, code: str, row: Row | None, on: dt.date | None,
               release: str | None) -> CodeInfo:
    """lookup() for a cleaned ``code`` whose row the caller has already read."""
    rel = store.resolve(SYSTEM, on=on, release=release)
    if row is None:
        why = _explain(store, str(raw).strip(), code, rel, on)
        raise UnknownCode(why.message, code=why.code or code, system=SYSTEM)
    return CodeInfo(store, row, rel, on)
