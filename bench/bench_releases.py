"""Import time of each official release file kind, and cold `medcode validate`.

Run: .venv/bin/python bench/bench_releases.py [--runs N] [--store PATH]
Targets: a full yearly ICD-10-CM or ICD-10-PCS import <= 20 s (`medcode data import`, copy of
the store, load, search re-index, swap); cold `medcode validate E11.9` <= 0.075 s.

Each import runs on a fresh copy of a built store: an ICD-10-CM FY2028 order file (made from
the FY2027 release in the CMS layout, in a zip), the official ICD-10-CM FY2027 addenda, the
official ICD-10-PCS FY2026 tables XML (imported as FY2027), and the 2020 HCPCS zip.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import VENV_BIN, run_measured  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cms"


def order_file(store: Path, out: Path) -> Path:
    con = sqlite3.connect(store)
    bit = con.execute("SELECT bit FROM releases WHERE system='ICD-10-CM' AND name='FY2027'"
                      ).fetchone()[0]
    rows = con.execute("SELECT code, title, billable_mask FROM codes WHERE system='ICD-10-CM' "
                       "AND node_mask & ? AND kind NOT IN ('chapter','block') ORDER BY code",
                       (bit,)).fetchall()
    con.close()
    txt = out.with_suffix(".txt")
    with txt.open("w", encoding="utf-8", newline="\r\n") as fh:
        for n, (code, title, bm) in enumerate(rows, 1):
            fh.write(f"{n:05d} {code:<7} {1 if bm & bit else 0} {title[:60]:<60} {title}\n")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(txt, "icd10cm_order_2028.txt")
    return out


def timed_import(store: Path, kind: str, files: list[Path], runs: int,
                 options: dict | None = None) -> tuple[float, dict]:
    from medcode.store.imports import import_files
    times = []
    cpu = []
    counts: dict = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "medcode.sqlite"
            shutil.copyfile(store, copy)
            t0, c0 = time.perf_counter(), time.process_time()
            counts = import_files(copy, kind, files, options)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    counts["_cpu_s"] = statistics.median(cpu)
    return statistics.median(times), counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--store", type=Path, help="a built store (default: build one)")
    args = ap.parse_args()
    import medcode
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        store = args.store
        if store is None:
            store = tmpdir / "home" / "medcode.sqlite"
            t0 = time.perf_counter()
            medcode.build(store)
            print(f"build of the default store: {time.perf_counter() - t0:.1f} s")
        cases = [("icd10cm", "ICD-10-CM FY2028 order-file zip (generated, CMS layout)",
                  [order_file(store, tmpdir / "2028-code-descriptions-tabular-order.zip")], None)]
        if SHARED.is_dir():
            cases += [
                ("icd10cm", "ICD-10-CM FY2027 addenda (official; replaces FY2027)",
                 [SHARED / "icd10cm/icd10cm_codes_addenda_2027.txt"], None),
                ("icd10pcs", "ICD-10-PCS tables XML (official FY2026 file, as FY2027)",
                 [shutil.copyfile(SHARED / "icd10pcs/icd10pcs_tables_2026.xml",
                                  tmpdir / "icd10pcs_tables_2027.xml")], None),
                ("hcpcs", "HCPCS 2020 zip (official)",
                 [SHARED / "hcpcs/2020-Alpha-Numeric-HCPCS-File.zip"], None),
            ]
        else:
            print(f"{SHARED} not found: only the generated ICD-10-CM file is timed")
        print(f"\nimport (copy of the store, load, search re-index, swap), median of "
              f"{args.runs} runs:")
        for kind, label, files, opts in cases:
            seconds, counts = timed_import(store, kind, [Path(f) for f in files], args.runs,
                                           opts)
            n = counts.get("billable") or counts.get("codes")
            print(f"  {label:<58} {seconds:6.2f} s wall, {counts['_cpu_s']:5.2f} s CPU   "
                  f"({n} codes)   target <= 20 s", flush=True)
        env = {**os.environ, "MEDCODE_STORE": str(store)}
        cold = run_measured([str(VENV_BIN / "medcode"), "validate", "E11.9"], runs=10, env=env)
        print(f"\ncold `medcode validate E11.9` (today's date, FY2027): "
              f"{cold['median_s']:.3f} s median, {cold['min_s']:.3f} s best  target <= 0.075 s"
              f"  (exit {cold['exit']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
