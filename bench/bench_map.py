"""Crosswalk speed: maps per second in batch (library) and ConceptMap/$translate over HTTP.

    .venv/bin/python bench/bench_map.py [--n 1000000] [--duration 20] [--connections 50]
                                        [--workers 2] [--skip-http]

Library: ``medcode.codes.crosswalk.map_codes`` over every ICD-9-CM diagnosis the 2018 GEM
maps (first pass: each code mapped once by a fresh mapper, the map table read on first use)
and over a batch of --n codes drawn from them (repetition: the answers are remembered per
code). Also WHO ICD-10 -> ICD-11 over every ICD-10 code of WHO's one-to-one table.
HTTP: uvicorn over the same store, wrk (or the Python client) GETting $translate of 5,000
different ICD-9-CM codes to ICD-10-CM. Targets: >= 1,000,000 maps/s with repetition,
>= 3,000 $translate requests/s. Median of 5 runs for the library figures.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_http import _python_load, ensure_store, free_port, run_wrk, start_server


def _median_rate(fn, n: int, runs: int = 5) -> float:
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def library(store_path: Path, n: int) -> list[str]:
    import medcode
    from medcode.codes.crosswalk import mapping
    from medcode.systems.icd9cm import display
    store = medcode.open_store(store_path)
    nine = [display(s, "diagnosis") for (s,) in store.conn.execute(
        "SELECT DISTINCT source FROM gem WHERE map = 'gem-dx-9-10' ORDER BY source")]
    who = [s for (s,) in store.conn.execute(
        "SELECT DISTINCT source FROM who_map WHERE map = 'who-10-11-one' ORDER BY source")]

    def first(codes: list[str], to: str) -> float:
        m = mapping.Mapper(store)                 # fresh: nothing remembered
        t0 = time.perf_counter()
        for c in codes:
            m.map(c, to)
        return len(codes) / (time.perf_counter() - t0)

    rng = random.Random(12)
    batch = [rng.choice(nine) for _ in range(n)]
    mapping.map_codes(store, nine, "ICD-10-CM")   # warm: every code seen once
    firsts = sorted(first(nine, "ICD-10-CM") for _ in range(3))
    rep = _median_rate(lambda: mapping.map_codes(store, batch, "ICD-10-CM"), n)
    who_first = first(who, "ICD-11")
    print(f"ICD-9-CM -> ICD-10-CM, first pass over {len(nine):,} distinct codes: "
          f"{firsts[1]:,.0f} maps/s (median of 3)")
    print(f"ICD-9-CM -> ICD-10-CM, batch of {n:,} with repetition: {rep:,.0f} maps/s "
          "(median of 5; target >= 1,000,000)")
    print(f"WHO ICD-10 -> ICD-11, first pass over {len(who):,} distinct codes: "
          f"{who_first:,.0f} maps/s")
    return nine


def http(store_path: Path, nine: list[str], args: argparse.Namespace) -> None:
    src, tgt = "http://hl7.org/fhir/sid/icd-9-cm", "http://hl7.org/fhir/sid/icd-10-cm"
    sample = random.Random(7).sample(nine, 5000)
    paths = [f"/fhir/ConceptMap/$translate?system={quote(src, safe='')}&code={c}"
             f"&targetsystem={quote(tgt, safe='')}" for c in sample]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(store_path, port, args.workers)
    try:
        import asyncio

        import httpx
        for p in paths[:50]:                     # warm each worker's map table
            httpx.get(base + p, timeout=30).raise_for_status()
        if shutil.which("wrk"):
            r = run_wrk(base, paths, args.duration, args.connections)
            client = "wrk"
        else:
            r = asyncio.run(_python_load(base, paths, args.duration, args.connections))
            client = "python"
        print(f"$translate over HTTP ({client}, {args.connections} connections, "
              f"{args.workers} workers, {args.duration} s): {r['rps']:,.0f} req/s, "
              f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, errors {r['errors']} "
              "(target >= 3,000 req/s)")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-http", action="store_true")
    args = ap.parse_args()
    store_path = ensure_store()
    nine = library(store_path, args.n)
    if not args.skip_http:
        http(store_path, nine, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
