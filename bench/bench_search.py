"""Benchmark medcode search side by side: quality, in-process latency, CLI, HTTP, the peer.

    python bench/bench_search.py [--store PATH] [--runs 3] [--prefixes 1000] [--no-cli]
                                 [--no-peer] [--hcpcs] [--http] [--http-duration 15]

Prints hit@1, hit@5 and MRR on each relevance file (tests/search/relevance.tsv, the blind
relevance_blind.tsv and relevance_index.tsv, per category), latency p50/p99 in process
(all relevance queries, a plain SQLite FTS5 BM25 title query on the same words as the floor,
then random prefixes in prefix mode), the cold CLI (`medcode search "heart attack"` against
the peer's `icd10-coder dx heart attack`: wall time and peak RSS per process), the CLI per
query (`--json`), HTTP searches/s (`--http`: uvicorn, 2 workers, 50 connections, 40,000
distinct queries, via bench_http.py), and the peer's quality on the same text queries.
``--hcpcs`` imports the official 2020 HCPCS file from ../shared/data (the blind set's
HCPCS queries need it). Medians of --runs runs. Builds a store in a temp MEDCODE_HOME
unless --store is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "search"))
import relevance


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def timed(fn, items, clock=time.perf_counter) -> list[float]:
    out = []
    for item in items:
        t = clock()
        fn(item)
        out.append((clock() - t) * 1000)
    return out


def prefixes(store, n: int, seed: int = 7) -> list[str]:
    """Random beginnings of real titles and of the relevance queries (as typed, cut short)."""
    rng = random.Random(seed)
    titles = [t for (t,) in store.conn.execute(
        "SELECT title FROM search_doc WHERE system = 'ICD-10-CM' ORDER BY id")]
    queries = [c.query for c in relevance.load()]
    out = []
    for i in range(n):
        text = rng.choice(queries) if i % 2 else rng.choice(titles).lower()
        cut = rng.randint(1, min(len(text), 40))
        out.append(text[:cut])
    return out


def medcode_cli() -> list[str] | None:
    exe = Path(sys.executable).with_name("medcode")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "medcode"]
    try:
        res = subprocess.run(cmd + ["search", "--help"], capture_output=True, text=True,
                             timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return cmd if res.returncode == 0 else None


def peer_cli() -> str | None:
    exe = Path(sys.executable).with_name("icd10-coder")
    return str(exe) if exe.exists() else shutil.which("icd10-coder")


_PEER_ROW = re.compile(r"^([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)\s")


def peer_search(exe: str, query: str, limit: int = 10) -> list[str]:
    res = subprocess.run([exe, "dx", query, "-n", str(limit)], capture_output=True, text=True,
                         timeout=60, check=False)
    return [m.group(1) for line in res.stdout.splitlines() if (m := _PEER_ROW.match(line))]


def cold_run(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall ms and peak RSS (KB) of one process. Through /usr/bin/time when present: a
    child forked from this (large) process would count this process's pages as its own."""
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    t = time.perf_counter()
    if timer:
        res = subprocess.run([timer, "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=env, check=False)
        wall = (time.perf_counter() - t) * 1000
        return wall, int(res.stderr.strip().splitlines()[-1])
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return (time.perf_counter() - t) * 1000, usage.ru_maxrss


def cold_compare(cli: list[str] | None, peer: str | None, path: Path, runs: int) -> None:
    """`medcode search "heart attack"` against `icd10-coder dx heart attack`, interleaved."""
    if cli is None:
        print("cold CLI: `medcode search` not available")
        return
    env = dict(os.environ, MEDCODE_STORE=str(path))
    arms = [('medcode search "heart attack"', cli + ["search", "heart attack"])]
    if peer is not None:
        arms.append(("icd10-coder dx heart attack", [peer, "dx", "heart", "attack"]))
    cold: dict[str, list[tuple[float, int]]] = {name: [] for name, _ in arms}
    for _ in range(runs):  # interleaved: both see the same load
        for name, argv in arms:
            cold[name].append(cold_run(argv, env))
    for name, got in cold.items():
        walls = [w for w, _ in got]
        print(f"cold CLI {name:<30} wall p50 {pct(walls, 50):6.1f} ms  min "
              f"{min(walls):6.1f} ms  peak RSS {max(r for _, r in got) / 1024:5.1f} MB "
              f"(n={len(got)}, load average {os.getloadavg()[0]:.1f})")


def tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by a process and its descendants (Linux
    /proc; None elsewhere): the server's cost per request, which a loaded machine's wall
    clock hides."""
    total, todo = 0.0, [pid]
    try:
        tick = os.sysconf("SC_CLK_TCK")
        while todo:
            p = todo.pop()
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None
    return total


def http_bench(store_path: Path, duration: int) -> None:
    """Distinct searches/s over HTTP (bench_http.py's server and load generator), and the
    server's CPU time per search."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_http as bh
    paths = bh.scenarios(store_path)["search"]
    port = bh.free_port()
    base = f"http://127.0.0.1:{port}"
    proc = bh.start_server(store_path, port, 2)
    try:
        import httpx
        for p in paths[:3]:
            httpx.get(base + p).raise_for_status()
        cpu0 = tree_cpu(proc.pid)
        if shutil.which("wrk"):
            res = bh.run_wrk(base, paths, duration, 50, 1, 0)
        else:
            import asyncio
            res = asyncio.run(bh._python_load(base, paths, duration, 50))
        print(f"HTTP /v1/search, 2 workers, 50 connections, distinct queries: "
              f"{res['rps']:.0f} searches/s  p50 {res['p50']:.2f} ms  p99 {res['p99']:.2f} ms  "
              f"errors {res['errors']}")
        cpu1 = tree_cpu(proc.pid)
        if cpu0 is not None and cpu1 is not None and res.get("requests"):
            per = (cpu1 - cpu0) / res["requests"] * 1000
            print(f"HTTP /v1/search server CPU time {per:.2f} ms per search "
                  f"({res['requests']} searches; both workers, fresh caches)")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--prefixes", type=int, default=1000)
    ap.add_argument("--cli-queries", type=int, default=60, help="queries timed through the CLI")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--hcpcs", action="store_true", help="import the 2020 HCPCS file first")
    ap.add_argument("--http", action="store_true", help="also HTTP searches/s")
    ap.add_argument("--http-duration", type=int, default=15)
    ap.add_argument("--cold-runs", type=int, default=10)
    ap.add_argument("--only-cold", action="store_true",
                    help="only the cold CLI comparison (needs --store)")
    args = ap.parse_args()

    import medcode
    from medcode.textsearch import search

    tmp = None
    if args.store is None:
        tmp = tempfile.mkdtemp(prefix="medcode-bench-")
        os.environ["MEDCODE_HOME"] = tmp
        path = Path(tmp) / "medcode.sqlite"
        t = time.perf_counter()
        from medcode.store.build import build_store
        build_store(path)
        print(f"store built in {time.perf_counter() - t:.1f} s at {path}")
    else:
        path = args.store
        os.environ["MEDCODE_HOME"] = str(path.parent)
    if args.hcpcs:
        zip_path = ROOT.parent / "shared/data/cms/hcpcs/2020-Alpha-Numeric-HCPCS-File.zip"
        if not zip_path.is_file():
            ap.error(f"--hcpcs needs {zip_path} (the shared data beside the clone); "
                     "or import HCPCS into the store and leave --hcpcs out")
        from medcode.store.imports import import_files
        if tmp is None:  # never change the store given: import into a copy
            tmp = tempfile.mkdtemp(prefix="medcode-bench-")
            copy = Path(tmp) / "medcode.sqlite"
            shutil.copyfile(path, copy)
            path = copy
        import_files(path, "hcpcs", [zip_path])
        print(f"imported {zip_path.name} into {path}")
    if args.only_cold:
        cold_compare(medcode_cli(), None if args.no_peer else peer_cli(), path, args.cold_runs)
        return 0
    store = medcode.open_store(path)
    cases = relevance.load()
    all_cases = relevance.load_all()
    queries = [c.query for c in all_cases]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (shared machine)")

    def run10(q: str) -> list[str]:
        return [h.code for h in search(store, q, limit=10)]

    for f in relevance.ALL:
        file_cases = relevance.load(f)
        res = relevance.evaluate(file_cases, run10)
        print(f"quality {f.name:<22} n={res.n:<4} hit@1 {res.hit1:.3f}  hit@5 {res.hit5:.3f}  "
              f"MRR {res.mrr:.3f}")
        if f != relevance.RELEVANCE:
            for cat, r in relevance.by_category(file_cases, run10).items():
                print(f"    {cat:<14} n={r.n:<4} hit@1 {r.hit1:.3f}  hit@5 {r.hit5:.3f}  "
                      f"MRR {r.mrr:.3f}")
    res = relevance.evaluate(cases, run10)
    for case, top in res.misses:
        print(f"   miss@5 (relevance.tsv): {case.query!r} expected {', '.join(case.expected)}; "
              f"got {top}")

    for q in queries[:20]:  # warm caches (page cache, stems, synonyms)
        search(store, q)
    pre = prefixes(store, args.prefixes)
    runs: dict[str, list[list[float]]] = {}
    for clock, name in ((time.perf_counter, "wall"), (time.process_time, "cpu")):
        runs["rel " + name] = [timed(lambda q: search(store, q, limit=20), queries, clock)
                               for _ in range(args.runs)]
        runs["pre " + name] = [timed(lambda q: search(store, q, limit=20, prefix=True), pre,
                                     clock) for _ in range(args.runs)]

    def show(label: str, runs: list[list[float]]) -> None:
        p50 = statistics.median(pct(r, 50) for r in runs)
        p99 = statistics.median(pct(r, 99) for r in runs)
        mx = statistics.median(max(r) for r in runs)
        print(f"{label:<34} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  max {mx:6.2f} ms "
              f"(n={len(runs[0])}, median of {len(runs)} runs)")

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          "(wall clock suffers when other work shares the CPUs; CPU time does not)")
    from medcode.textsearch.tokens import quote, stems

    def floor(q: str) -> None:
        words = stems(q)
        if words:
            store.conn.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY "
                               "bm25(search_fts) LIMIT 20",
                               ("title : (" + " AND ".join(quote(w) for w in words) + ")",)
                               ).fetchall()
    runs["floor wall"] = [timed(floor, queries) for _ in range(args.runs)]
    show("in process, relevance, wall", runs["rel wall"])
    show("plain FTS5 BM25 over titles, wall", runs["floor wall"])
    show("in process, relevance, CPU time", runs["rel cpu"])
    show("in process, prefix mode, wall", runs["pre wall"])
    show("in process, prefix mode, CPU time", runs["pre cpu"])

    cli = None if args.no_cli else medcode_cli()
    peer = None if args.no_peer else peer_cli()
    if cli is not None:
        cold_compare(cli, peer, path, args.cold_runs)
    if cli is None:
        print("CLI: `medcode search` not available (or --no-cli); CLI latency not measured")
    else:
        sample = queries[:args.cli_queries]
        got = subprocess.run(cli + ["search", sample[0], "--json", "--limit", "5"],
                             capture_output=True, text=True, timeout=120, check=False)
        if got.returncode != 0:
            print(f"CLI: `medcode search` failed: {got.stderr.strip()[:200]}")
        else:
            json.loads(got.stdout)  # the contract: a JSON list
            cli_runs = [timed(lambda q: subprocess.run(
                cli + ["search", q, "--json", "--limit", "20"], capture_output=True, timeout=120,
                check=False), sample) for _ in range(max(1, args.runs - 2))]
            show("CLI subprocess (--json), wall", cli_runs)

    if args.http:
        http_bench(path, args.http_duration)
    if peer is None:
        print("peer icd10-coder not installed (or --no-peer)")
    else:
        # the peer covers ICD-10-CM text search only; code queries are left out for both
        text_cases = [c for c in cases if not re.fullmatch(r"[A-Za-z]\d[\dA-Za-z.]*", c.query)]
        ours = relevance.evaluate(text_cases,
                                  lambda q: [h.code for h in search(store, q, limit=10)])
        theirs = relevance.evaluate(text_cases, lambda q: peer_search(peer, q))
        t_peer = timed(lambda q: peer_search(peer, q), [c.query for c in text_cases[:60]])
        print(f"same {len(text_cases)} text queries:")
        print(f"  medcode           hit@1 {ours.hit1:.3f}  hit@5 {ours.hit5:.3f}  "
              f"MRR {ours.mrr:.3f}")
        print(f"  icd10-coder dx    hit@1 {theirs.hit1:.3f}  hit@5 {theirs.hit5:.3f}  "
              f"MRR {theirs.mrr:.3f}  (CLI p50 {pct(t_peer, 50):.1f} ms per query)")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
