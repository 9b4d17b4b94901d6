"""Time parse + load of the full official 2020 HCPCS zip into a fresh SQLite file.

Run: .venv/bin/python bench/bench_hcpcs_import.py [ZIP] [--runs N]
Target: <= 5 s for the whole release. Prints the median of several runs, and, as a baseline
measured in the same run, the time to parse alone (no SQLite).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from medcode.systems.hcpcs import load_hcpcs, parse_hcpcs

DEFAULT = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cms" / "hcpcs"
           / "2020-Alpha-Numeric-HCPCS-File.zip")


def one_load(source: Path) -> tuple[float, dict[str, int | str]]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        conn = sqlite3.connect(Path(tmp) / "store.db")
        with conn:                                  # one transaction, committed
            counts = load_hcpcs(conn, source)
        conn.close()
        return time.perf_counter() - start, counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zip", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not args.zip.exists():
        print(f"skipped: {args.zip} not found", file=sys.stderr)
        return 0
    parse_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        n = sum(1 for _ in parse_hcpcs(args.zip))
        parse_times.append(time.perf_counter() - start)
    load_times = []
    counts: dict[str, int | str] = {}
    for _ in range(args.runs):
        seconds, counts = one_load(args.zip)
        load_times.append(seconds)
    load = statistics.median(load_times)
    parse = statistics.median(parse_times)
    print(f"source: {args.zip.name} ({args.zip.stat().st_size / 1e6:.1f} MB)")
    print(f"records parsed: {n} (codes {counts['codes']}, modifiers {counts['modifiers']}, "
          f"continuation records {counts['continuations']})")
    print(f"parse only:        median {parse:.3f} s over {args.runs} runs")
    print(f"parse + load file: median {load:.3f} s over {args.runs} runs "
          f"(min {min(load_times):.3f}, max {max(load_times):.3f}); target <= 5 s: "
          + ("met" if load <= 5 else "NOT met"))
    print(f"SQLite share: {load - parse:.3f} s ({(load - parse) / load:.0%} of the load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
