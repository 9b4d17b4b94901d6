"""Issue 3 benchmarks: identify over 1,000,000 mixed codes; HCPCS import of a full release.

    .venv/bin/python bench/bench_identify.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HCPCS_ZIP = ROOT.parent / "shared/data/cms/hcpcs/2020-Alpha-Numeric-HCPCS-File.zip"


def mixed_codes(store, n: int, distinct: int, seed: int = 11) -> list[str]:
    """n inputs drawn from ``distinct`` different strings of every system and shape."""
    rnd = random.Random(seed)
    q = lambda sql: [r[0] for r in store.conn.execute(sql)]  # noqa: E731
    from medcode.systems.icd10cm import display
    cm = q("SELECT code FROM codes WHERE system='ICD-10-CM' AND billable_mask & 4")
    pcs = q("SELECT code FROM codes WHERE system='ICD-10-PCS' AND billable_mask & 1")
    icd9 = q("SELECT code FROM codes WHERE system='ICD-9-CM'")
    hcpcs = q("SELECT code FROM codes WHERE system='HCPCS'") or ["J1100", "A0021", "G0008"]
    pool: list[str] = []
    for _ in range(distinct):
        r = rnd.random()
        if r < 0.35:
            pool.append(display(rnd.choice(cm)))
        elif r < 0.5:
            pool.append(rnd.choice(cm))                      # no-dot ICD-10-CM
        elif r < 0.6:
            pool.append(rnd.choice(pcs))
        elif r < 0.75:
            pool.append(f"{rnd.randint(10004, 99499)}")       # CPT Category I shape
        elif r < 0.8:
            pool.append(f"{rnd.randint(1, 999):04d}{rnd.choice('FTU')}")
        elif r < 0.88:
            pool.append(rnd.choice(hcpcs))
        elif r < 0.95:
            pool.append(rnd.choice(icd9))
        else:
            pool.append(rnd.choice(["25", "59", "LT", "XE", "??", "E11.9X", "1A00", "ZZZ"]))
    return [rnd.choice(pool) for _ in range(n)]


def distinct_codes(store, n: int) -> list[str]:
    """n different strings: every loaded code dotted and not, CPT/HCPCS shapes, then
    lower-case and invalid variants until n (issue 10: identify_many over all-distinct)."""
    from medcode.systems.icd10cm import display
    q = lambda sql: [r[0] for r in store.conn.execute(sql)]  # noqa: E731
    out: dict[str, None] = {}
    for c in q("SELECT code FROM codes WHERE system='ICD-10-CM'"):
        out[c] = out[display(c)] = None
    out.update(dict.fromkeys(q("SELECT code FROM codes WHERE system IN ('ICD-10-PCS', "
                               "'ICD-9-CM', 'HCPCS')")))
    out.update(dict.fromkeys(f"{i:05d}" for i in range(100_000)))
    out.update(dict.fromkeys(f"{i:04d}{x}" for i in range(10_000) for x in "FTU"))
    out.update(dict.fromkeys(f"{x}{i:04d}" for x in "ABCEGHJKLMPQRSTUV" for i in range(10_000)))
    base = list(out)
    for c in base:
        if len(out) >= n:
            break
        out[c.lower()] = None
    for c in base:
        if len(out) >= n:
            break
        out[c + "Q"] = None
    return list(out)[:n]


def _drain(answers) -> int:
    """How many answers, each looked at (its best reading)."""
    n = 0
    for r in answers:
        r.best  # noqa: B018
        n += 1
    return n


def _hcpcs_import(home: Path, path: Path) -> None:
    if HCPCS_ZIP.is_file():
        import sqlite3

        from medcode.store.imports import import_files
        from medcode.systems.hcpcs import SCHEMA_SQL, create_schema, load_hcpcs
        times = []
        for _ in range(5):
            fresh = home / "hcpcs-only.sqlite"
            fresh.unlink(missing_ok=True)
            conn = sqlite3.connect(fresh)
            create_schema(conn, SCHEMA_SQL)
            t0 = time.perf_counter()
            with conn:
                load_hcpcs(conn, HCPCS_ZIP)
            times.append(time.perf_counter() - t0)
            conn.close()
        print(f"HCPCS 2020 release parse+load into SQLite: median {sorted(times)[2]:.2f} s "
              f"(best {min(times):.2f} s)")
        t0 = time.perf_counter()
        import_files(path, "hcpcs", [HCPCS_ZIP])
        print(f"`medcode data import hcpcs` whole (copy store, load, codes table, search "
              f"index, atomic swap): {time.perf_counter() - t0:.2f} s")
    else:
        print(f"{HCPCS_ZIP} absent: HCPCS import not measured")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--store", type=Path, help="use this built store (no build, no HCPCS "
                    "import timings)")
    args = ap.parse_args()
    import medcode
    from medcode.codes.identification import identify, identify_many

    home = Path(tempfile.mkdtemp(prefix="medcode-bench-"))
    os.environ["MEDCODE_HOME"] = str(home)
    path = args.store or home / "medcode.sqlite"
    if args.store is None:
        medcode.build(path)
        _hcpcs_import(home, path)

    store = medcode.open_store(path)
    # the first batch reads the code lists into memory (identify_many does past 4,096
    # distinct codes); the store keeps them for the batches after it
    for distinct in (200_000, 20_000):
        codes = mixed_codes(store, args.n, distinct)
        t0, c0 = time.perf_counter(), time.process_time()
        out = identify_many(store, codes)
        n = sum(1 for _ in out)
        dt = time.perf_counter() - t0
        cpu = time.process_time() - c0
        print(f"identify_many over {n:,} mixed codes ({distinct:,} distinct): "
              f"{n / dt:,.0f} codes/s ({dt:.2f} s; {n / cpu:,.0f}/s CPU)")
    codes = distinct_codes(store, args.n)
    # every answer is looked at (its best reading), so that no work can hide in laziness
    t0, c0 = time.perf_counter(), time.process_time()
    n = _drain(identify_many(store, codes))
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"identify_many over {n:,} all-distinct codes: {n / dt:,.0f} codes/s ({dt:.2f} s, "
          f"code lists already in memory from the runs above; {n / cpu:,.0f}/s CPU); load "
          f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    fresh = medcode.open_store(path)        # the same, paying for reading the code lists
    t0, c0 = time.perf_counter(), time.process_time()
    n = _drain(identify_many(fresh, codes))
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"  the same on a store just opened (reading the code lists into memory included): "
          f"{n / dt:,.0f} codes/s ({dt:.2f} s; {n / cpu:,.0f}/s CPU)")
    fresh.close() if hasattr(fresh, "close") else None
    sample = mixed_codes(store, 20_000, 20_000, seed=3)
    t0 = time.perf_counter()
    for c in sample:
        identify(store, c)
    dt = time.perf_counter() - t0
    print(f"single identify() calls, all distinct: {len(sample) / dt:,.0f} codes/s "
          f"({dt / len(sample) * 1e6:.1f} µs each)")
    store.close() if hasattr(store, "close") else None
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
