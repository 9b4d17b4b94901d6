"""Claim checking at scale: ``--jobs 1``, ``--jobs 2`` and Spark ``local[2]``, side by side.

    .venv/bin/python bench/bench_scale.py [--claims 1000000] [--store PATH] [--no-spark]
        [--no-jsonl-jobs] [--no-jobs1] [--rounds N] [--parquet CLAIMS.parquet] [--tmp DIR]

Builds a store as bench_claims.py does (or uses --store), generates --claims claims with
bench_claims.generate (the same mix: Zipf-drawn FY2026 codes, 3 diagnoses and 3 lines per
claim, ~10% with a deliberate error) as JSON Lines, and writes the same claims as Parquet
(one row per claim, row groups of 20,000). Then, each run in a fresh process:

  * ``medcode check FILE --jobs 1`` and ``--jobs 2`` on the JSON Lines file (JSON report to
    /dev/null) and on the Parquet file (findings table as Parquet): wall time, claims/s, and
    the peak resident memory of the main process and of the largest worker (sampled from
    /proc every 0.2 s);
  * Spark ``local[2]`` on the Parquet file (``medcode.spark.check_claims``, findings written
    as Parquet), with medcode.spark's own partitioning (no bench-only setting): claims/s
    including start-up (session, JVM, a warm-up job of 2,000 claims in which each Python
    worker opens the store) and without it (the one action that reads, checks and writes
    every claim), and the CPU time of that action (JVM and Python workers);
  * with ``--rounds N``, ``--jobs 2`` on Parquet and Spark N times, interleaved: each
    round's ratio and the median;
  * the findings of Spark and of ``--jobs 2`` on the Parquet file are compared (by edit);
  * the CPU time (user + system) of each run, all its processes, sampled from /proc, and
    what it implies for ``--jobs 2`` on two idle cores (the machine is often shared).

Ends with the sizing on paper for 100 million claims a day. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_claims  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", encoding="ascii") as fp:
                    ppid = int(fp.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                out.append(int(d))
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fp:
            for line in fp:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """user + system CPU seconds of ``pid`` so far (0 when gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fp:
            fields = fp.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return 0.0


def measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; wall seconds, exit code, peak RSS of the main process and of its
    largest descendant (sampled), CPU seconds (user + system) of the main process and of
    all its descendants (sampled every 0.2 s: the last fraction of a second of a process
    may be missed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    peaks: dict[int, float] = {}
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = [proc.pid]
            k = 0
            while k < len(pids):
                pids.extend(_children(pids[k]))
                k += 1
                if k > 50:
                    break
            for p in pids:
                peaks[p] = max(peaks.get(p, 0.0), _rss_mb(p))
                cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
            done.wait(0.2)
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    wall = time.perf_counter() - t0
    main = peaks.pop(proc.pid, 0.0)
    main_cpu = cpu.pop(proc.pid, 0.0)
    return {"seconds": wall, "exit": proc.returncode, "main_mb": main,
            "worker_mb": max(peaks.values(), default=0.0), "stderr": err[-2000:],
            "main_cpu": main_cpu, "cpu": main_cpu + sum(cpu.values())}


def to_parquet(jsonl: Path, target: Path) -> None:
    import pyarrow.parquet as pq

    from medcode.claims.formats import read_claims
    from medcode.claims.formats.arrowfmt import claims_table
    writer = None
    batch: list = []
    with read_claims(jsonl) as reader:
        for claim in reader:
            batch.append(claim)
            if len(batch) == 20_000:
                table = claims_table(batch, "nested")
                writer = writer or pq.ParquetWriter(target, table.schema)
                writer.write_table(table)
                batch = []
    if batch:
        table = claims_table(batch, "nested")
        writer = writer or pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
    if writer:
        writer.close()


SPARK_CHILD = r"""
import json, os, sys, time
TICK = os.sysconf("SC_CLK_TCK")

def cpu_tree():
    # CPU seconds (user + system, with waited-for children) of every process under this
    # one: the JVM and the Python workers
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", encoding="ascii") as fp:
                    f = fp.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            kids.setdefault(int(f[1]), []).append((int(d), f))
    out, todo = {}, [os.getpid()]
    while todo:
        for c, f in kids.get(todo.pop(), []):
            out[c] = sum(int(x) for x in f[11:15]) / TICK
            todo.append(c)
    return out

t0 = time.perf_counter()
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").appName("bench_scale")
         .config("spark.ui.enabled", "false").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.memory", "2g")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
from medcode.spark import check_claims
t1 = time.perf_counter()
# warm-up, not timed: a first small job, in which each Python worker opens the store
warm = spark.read.parquet(sys.argv[1]).limit(2000).repartition(2)
check_claims(warm, sys.argv[2]).write.mode("overwrite").format("noop").save()
parts = spark.read.parquet(sys.argv[1]).rdd.getNumPartitions()
t2 = time.perf_counter()
before, me0 = cpu_tree(), os.times()
# timed: read, check and write every claim, one action (one pass over the data)
check_claims(spark.read.parquet(sys.argv[1]), sys.argv[2]).write.mode("overwrite").parquet(
    sys.argv[3])
t3 = time.perf_counter()
after, me1 = cpu_tree(), os.times()
cpu = sum(c - before.get(p, 0.0) for p, c in after.items()) + (
    me1.user + me1.system - me0.user - me0.system)
by_edit = {r["edit"]: r["count"] for r in
           spark.read.parquet(sys.argv[3]).groupBy("edit").count().collect()}
spark.stop()
print(json.dumps({"startup": t1 - t0, "warmup": t2 - t1, "job": t3 - t2, "cpu": cpu,
                  "total": t3 - t0, "partitions": parts, "by_edit": by_edit}))
"""


def run_jobs(medcode: list[str], label: str, path: Path, jobs: int, tmp: Path, n: int
             ) -> dict:
    """``medcode check PATH --jobs N`` in a fresh process, measured and printed."""
    # JSONL: the JSON report; Parquet: the findings table (kept to compare)
    out = ["--format", "json", "-o", os.devnull] if label == "JSONL" else \
        ["--format", "parquet", "-o", str(tmp / f"jobs{jobs}.parquet")]
    r = measured([*medcode, "check", str(path), "--jobs", str(jobs), *out])
    r.update(label=f"--jobs {jobs} {label}", rate=n / r["seconds"])
    print(f"  {r['label']:<20} {r['seconds']:7.1f} s {r['rate']:>8,.0f} claims/s  "
          f"peak RSS main {r['main_mb']:5.0f} MB, worker {r['worker_mb']:5.0f} MB"
          f"  (exit {r['exit']}); CPU {r['cpu']:.1f} s = "
          f"{n / max(r['cpu'], 1e-9):,.0f} claims per CPU-second, of which the "
          f"main process {r['main_cpu']:.1f} s; load {os.getloadavg()[0]:.1f}",
          flush=True)
    if r["exit"] not in (0, 1):
        print("    " + r["stderr"].strip()[-500:])
    return r


def run_spark(pq_path: Path, store_path: Path, out: Path, n: int) -> dict | None:
    """``SPARK_CHILD`` in a fresh process: its figures (None when it failed), printed."""
    res = subprocess.run([sys.executable, "-c", SPARK_CHILD, str(pq_path), str(store_path),
                          str(out)], capture_output=True, text=True)
    if res.returncode != 0:
        print("  Spark failed:", res.stderr[-1500:])
        return None
    spark = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"  Spark local[2] ({spark['partitions']} partitions): "
          f"{n / spark['total']:,.0f} claims/s including start-up "
          f"({spark['total']:.1f} s, of which start-up {spark['startup']:.1f} s and "
          f"warm-up {spark['warmup']:.1f} s); {n / spark['job']:,.0f} claims/s without "
          f"start-up ({spark['job']:.1f} s); CPU {spark['cpu']:.1f} s; load "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    return spark


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--store")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--no-jsonl-jobs", action="store_true",
                    help="skip --jobs 1/2 on the JSON Lines file (Parquet only)")
    ap.add_argument("--no-jobs1", action="store_true",
                    help="skip --jobs 1 (and the per-core figures and sizing made from it)")
    ap.add_argument("--tmp", help="work directory (default: a new temporary one)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run --jobs 2 Parquet and Spark this many times, interleaved, and "
                    "give each round's ratio and the median (the machine may be shared)")
    ap.add_argument("--parquet", help="use these claims (one row per claim) instead of "
                    "generating them: only the Parquet runs")
    args = ap.parse_args()
    n = args.claims
    if args.tmp:
        Path(args.tmp).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="medcode-bench-scale-", dir=args.tmp))
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f} at start")
    try:
        store_path = bench_claims.prepare_store(args.store, tmp)
        data = tmp / "claims.jsonl"
        if args.parquet:
            import pyarrow.parquet as pq
            pq_path = Path(args.parquet)
            n = pq.ParquetFile(pq_path).metadata.num_rows
            args.no_jsonl_jobs = True
            print(f"{n:,} claims from {pq_path} ({pq_path.stat().st_size / 1e6:.0f} MB)")
        else:
            t0 = time.perf_counter()
            facts = bench_claims.generate(data, n, store_path)
            print(f"generated {n:,} claims ({facts['with_error']:,} with a deliberate error) "
                  f"in {time.perf_counter() - t0:.0f} s: {data.stat().st_size / 1e6:.0f} MB "
                  "JSONL")
            pq_path = tmp / "claims.parquet"
            t0 = time.perf_counter()
            to_parquet(data, pq_path)
            print(f"  as Parquet (one row per claim): {pq_path.stat().st_size / 1e6:.0f} MB "
                  f"in {time.perf_counter() - t0:.0f} s")
        print(f"  store {store_path.stat().st_size / 1e6:.0f} MB")
        medcode = [str(ROOT / ".venv" / "bin" / "medcode"), "--store", str(store_path)]
        if not Path(medcode[0]).exists():
            medcode = [sys.executable, "-m", "medcode", "--store", str(store_path)]
        rows = []
        inputs = ([] if args.no_jsonl_jobs else [("JSONL", data)]) + [("Parquet", pq_path)]
        for label, path in inputs:
            for jobs in (2,) if args.no_jobs1 else (1, 2):
                rows.append(run_jobs(medcode, label, path, jobs, tmp, n))
        one = {r["label"].split()[2]: r for r in rows if r["label"].startswith("--jobs 1")}
        for r in rows:
            if r["label"].startswith("--jobs 2") and r["label"].split()[2] in one:
                base = one[r["label"].split()[2]]
                print(f"  speed-up --jobs 2 / --jobs 1 ({r['label'].split()[2]}): "
                      f"{base['seconds'] / r['seconds']:.2f}x")
        spark = None
        if not args.no_spark:
            j2 = next(r for r in rows if r["label"] == "--jobs 2 Parquet")
            ratios = []
            for rnd in range(args.rounds):
                if rnd:                 # again, interleaved: --jobs 2 Parquet, then Spark
                    j2 = run_jobs(medcode, "Parquet", pq_path, 2, tmp, n)
                spark = run_spark(pq_path, store_path, tmp / "findings.spark", n)
                if spark is None:
                    break
                ratios.append((n / spark["job"]) / j2["rate"])
                print(f"  Spark without start-up / --jobs 2 Parquet: {ratios[-1]:.0%}; "
                      f"CPU per claim {1e6 * spark['cpu'] / n:.0f} us vs "
                      f"{1e6 * j2['cpu'] / n:.0f} us (--jobs 2, with its start-up): "
                      f"{j2['cpu'] / spark['cpu']:.0%}, the ratio on two idle cores if both "
                      "keep them busy (a shared machine favours Spark's extra threads)",
                      flush=True)
            if len(ratios) > 1:
                print(f"  over {len(ratios)} interleaved rounds: median "
                      f"{statistics.median(ratios):.0%}, best {max(ratios):.0%} "
                      f"({', '.join(f'{x:.0%}' for x in ratios)})")
            if spark is not None:
                check = tmp / "jobs2.parquet"
                import pyarrow.parquet as pq
                t = pq.read_table(check, columns=["edit"])
                from collections import Counter
                cli = Counter(t.column("edit").to_pylist())
                same = dict(cli) == spark["by_edit"]
                print(f"  findings by edit, Spark vs --jobs 2: "
                      f"{'identical' if same else 'DIFFERENT'} ({sum(cli.values()):,} findings)")
        if not args.no_jobs1:
            best = max(r["rate"] for r in rows if r["label"].startswith("--jobs 1"))
            per_cpu = max(n / r["cpu"] for r in rows if r["label"].startswith("--jobs 1"))
            print(f"\nper core: {best:,.0f} claims/s wall (--jobs 1), {per_cpu:,.0f} claims per "
                  "CPU-second (what a core gives when it is not shared)")
            for r in rows:
                if r["label"].startswith("--jobs 2"):
                    base = next(x for x in rows if x["label"] == r["label"].replace("2", "1", 1))
                    print(f"  {r['label']}: CPU {r['cpu']:.1f} s vs {base['cpu']:.1f} s for "
                          f"--jobs 1 -> on 2 idle cores about "
                          f"{2 * base['cpu'] / r['cpu']:.2f}x --jobs 1 "
                          f"(the main process: {r['main_cpu']:.1f} s)")
            best = max(best, per_cpu)
            store_mb = store_path.stat().st_size / 1e6
            per_day = 100_000_000
            core_hours = per_day / best / 3600
            print(f"\nsizing on paper: {best:,.0f} claims/s per core (--jobs 1, this machine) -> "
                  f"100 million claims = {core_hours:.1f} core-hours; in a 1-hour nightly window "
                  f"{core_hours:.0f} cores (e.g. {max(1, round(core_hours / 4))} executor(s) of 4 "
                  f"cores), each executor loading the {store_mb:.0f} MB store once; spread over "
                  f"the day, {per_day / 86400:,.0f} claims/s needs {per_day / 86400 / best:.1f} "
                  f"cores")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
