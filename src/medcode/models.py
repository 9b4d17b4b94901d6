"""Plain, frozen records shared by every part of medcode."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from medcode._release import Release

__all__ = ["CodeSystem", "Release", "Patient", "ClaimLine", "Claim", "Finding"]


class CodeSystem(str, Enum):
    """The code systems medcode knows. Values are the contract names."""

    ICD10CM = "ICD-10-CM"
    ICD10PCS = "ICD-10-PCS"
    ICD9CM = "ICD-9-CM"
    CPT = "CPT"
    HCPCS = "HCPCS"
    ICD10 = "ICD-10"
    ICD11 = "ICD-11"

    @classmethod
    def parse(cls, name: str) -> "CodeSystem":
        key = name.strip().upper().replace("_", "-").replace(" ", "-")
        aliases = {
            "ICD10CM": cls.ICD10CM, "ICD-10CM": cls.ICD10CM, "ICD10-CM": cls.ICD10CM,
            "ICD10PCS": cls.ICD10PCS, "PCS": cls.ICD10PCS,
            "ICD9CM": cls.ICD9CM, "ICD9": cls.ICD9CM, "ICD-9": cls.ICD9CM,
            "HCPCS-II": cls.HCPCS, "HCPCS-LEVEL-II": cls.HCPCS,
            "ICD10": cls.ICD10, "ICD11": cls.ICD11,
        }
        for member in cls:
            if member.value.upper() == key:
                return member
        if key in aliases:
            return aliases[key]
        raise ValueError(f"unknown code system {name!r}; expected one of: "
                         + ", ".join(m.value for m in cls))


@dataclass(frozen=True)
class Patient:
    birth_date: _dt.date | None = None
    sex: str | None = None          # "F", "M", "U" or None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...] = ()
    units: float = 1
    charge: float | None = None
    date: _dt.date | None = None
    pointers: tuple[int, ...] = ()  # 1-based
    number: int = 1                 # 1-based line number in the claim
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    raw_date: str | None = None      # the date as given, when it did not parse
    raw_pointers: tuple[str, ...] = ()  # the pointers as given, when one did not parse


@dataclass(frozen=True)
class Claim:
    id: str
    patient: Patient = field(default_factory=Patient)
    diagnoses: tuple[str, ...] = ()
    lines: tuple[ClaimLine, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    diagnosis_qualifiers: tuple[str, ...] = ()  # X12 ABK/ABF/BK/BF when known
    source: str | None = field(default=None, compare=False)  # file:record, for messages


@dataclass(frozen=True)
class Finding:
    edit: str
    severity: str                   # error / warning / info
    claim: str
    line: int | None
    codes: tuple[str, ...]
    message: str
    reference: str
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"edit": self.edit, "severity": self.severity, "claim": self.claim,
                "line": self.line, "codes": list(self.codes), "message": self.message,
                "reference": self.reference, "fix": self.fix}
