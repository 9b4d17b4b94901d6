"""Release: a plain class (no dataclasses import) because it sits on the cold-start path."""

from __future__ import annotations

import datetime as _dt


class Release:
    """One release of a code system and the period it is in force (dates inclusive)."""

    __slots__ = ("system", "name", "effective_from", "effective_to", "source", "codes",
                 "billable", "bit", "tabular", "basis")

    def __init__(self, system: str, name: str, effective_from: _dt.date,
                 effective_to: _dt.date | None, source: str = "", codes: int = 0,
                 billable: int = 0, bit: int = 0, tabular: bool = False, basis: int = 0) -> None:
        self.system = system
        self.name = name                      # e.g. "FY2026"
        self.effective_from = effective_from
        self.effective_to = effective_to      # None = open-ended
        self.source = source
        self.codes = codes                    # all items (headers + billable)
        self.billable = billable
        self.bit = bit                        # the release's bit in the store's masks
        self.tabular = tabular                # full hierarchy and notes, not just a list
        # 1: its own tabular; 2: its codes and titles on an earlier release's tabular
        # (hierarchy and notes of that one: ICD-10-CM FY2027 from the addenda); 0: a list
        self.basis = basis if basis else int(tabular)

    def covers(self, day: _dt.date) -> bool:
        end = self.effective_to
        return self.effective_from <= day and (end is None or day <= end)

    def __repr__(self) -> str:
        span = f"{self.effective_from}..{self.effective_to}"
        return f"Release({self.system!r}, {self.name!r}, {span})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Release)
                and (self.system, self.name) == (other.system, other.name))

    def __hash__(self) -> int:
        return hash((self.system, self.name))
