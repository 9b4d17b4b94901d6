"""Claim checking: throughput (claims/s) and peak memory, end to end and in process.

    .venv/bin/python bench/bench_claims.py [--claims 100000] [--big 1000000] [--runs 3]
                                           [--store PATH]

Builds a store in a temporary MEDCODE_HOME (or uses --store) and imports the CMS HCPCS 2020
file and the NCCI PTP/MUE excerpts of ../shared/data when present, so that every edit runs.
Generates --claims claims as JSON Lines: 3 diagnoses and 3 service lines each, codes drawn
from the store's FY2026 billable codes with Zipf weights (a few common codes, a long tail,
as on real claims), procedures from a list of common professional codes, about 10% of the
claims carrying one deliberate error. Then, each in a fresh child process so that peak RSS
(VmHWM) is that run's alone; times are wall clock and CPU time of the child:

  * read only (read_claims over the JSONL): the baseline;
  * end to end: run_check(JSONL -> json report) = read + check + write;
  * in process: check_claims over claims already read (check only);
  * --big claims end to end, to show that memory stays flat;
  * ../shared/data/x12/imsweb/x12_many_claims.txt (820 claims) end to end, cold and warm.

Also prints the share of Excludes1/code-first notes the note parser understands. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"
MANY = SHARED / "x12" / "imsweb" / "x12_many_claims.txt"
IMPORTS = [("hcpcs", SHARED / "cms" / "hcpcs" / "2020-Alpha-Numeric-HCPCS-File.zip"),
           ("ncci-ptp", SHARED / "cms" / "ncci" / "ccipra-v322r0-f1.excerpt.txt"),
           ("mue", SHARED / "cms" / "ncci" / "MCR_MUE_PractitionerServices_Eff_07-01-2026"
                   ".excerpt.csv")]
EM = ["99202", "99203", "99204", "99212", "99213", "99214", "99215", "99395", "99396"]
PROCS = ["20610", "11042", "17000", "12001", "36415", "85025", "80053", "93000", "71046",
         "97110", "97140", "90471", "90686", "96372", "G0008", "J1100", "J3301", "81002",
         "87880", "11721", "69210", "29125", "10060", "0001U", "0030U"]
ERRORS = ["invalid", "header", "seventh", "placeholder", "mixup", "pointer", "mod25",
          "extcause", "date", "format"]


# ---- claims -------------------------------------------------------------------------------

def _zipf_picker(rng: random.Random, pool: list[str], s: float = 1.0):
    order = pool[:]
    rng.shuffle(order)
    cum = []
    total = 0.0
    for rank in range(len(order)):
        total += 1.0 / (rank + 1) ** s
        cum.append(total)

    def pick(k: int) -> list[str]:
        return rng.choices(order, cum_weights=cum, k=k)
    return pick


def _display(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def generate(path: Path, n: int, store_path: Path, seed: int = 20261126) -> dict:
    """Write ``n`` claims as JSON Lines; return counts."""
    import medcode
    store = medcode.open_store(store_path)
    rel = store.resolve("ICD-10-CM", release="FY2026")
    pool = sorted(store.billable_set("ICD-10-CM", rel))
    store.close()
    from medcode.claims.edits.data import lookup_age_sex
    rng = random.Random(seed)
    pick_dx = _zipf_picker(rng, pool)
    pick_first = _zipf_picker(rng, [c for c in pool if c[0] not in "VWXY"])
    pick_px = _zipf_picker(rng, PROCS, 0.8)
    start = dt.date(2025, 10, 1)
    span = (min(dt.date(2026, 9, 30), dt.date.today()) - start).days
    with_error = 0
    with path.open("w", encoding="utf-8") as fp:
        for i in range(n):
            codes = pick_first(1)
            while len(codes) < 3:      # no repeats; external causes never first
                c = pick_dx(1)[0]
                if c not in codes:
                    codes.append(c)
            dx = [_display(c) for c in codes]
            when = start + dt.timedelta(days=rng.randrange(span))
            day = when.isoformat()
            em = rng.choice(EM)
            px = pick_px(2)
            lines = [{"code": em, "modifiers": ["25"], "units": 1, "charge": 110.0,
                      "date": day, "pointers": [1, 2, 3]},
                     {"code": px[0], "modifiers": [], "units": 1, "charge": 80.0, "date": day,
                      "pointers": [1]},
                     {"code": px[1], "modifiers": ["XS"], "units": 1, "charge": 40.0,
                      "date": day, "pointers": [2, 3]}]
            # a patient that fits the codes (as real claims mostly do)
            sexes = {lookup_age_sex(c, "sex") for c in codes} - {None}
            ages = {lookup_age_sex(c, "age") for c in codes} - {None}
            sex = next(iter(sexes))[0] if len(sexes) == 1 else rng.choice("FM")
            kinds = {a[0] for a in ages if a}
            years = 0 if "newborn" in kinds else rng.randrange(18, 40) if kinds else \
                rng.randrange(1, 90)
            birth = (when - dt.timedelta(days=365 * years + rng.randrange(1, 300))).isoformat()
            claim = {"id": f"B{i:07d}", "patient": {"birth_date": birth, "sex": sex},
                     "diagnoses": dx, "lines": lines}
            if rng.random() < 0.10:
                with_error += 1
                _spoil(claim, rng.choice(ERRORS))
            fp.write(json.dumps(claim) + "\n")
    return {"claims": n, "with_error": with_error, "pool": len(pool)}


def _spoil(claim: dict, kind: str) -> None:
    dx, lines = claim["diagnoses"], claim["lines"]
    if kind == "invalid":
        dx[1] = "E11.99"
    elif kind == "header":
        dx[0] = "E11"
    elif kind == "seventh":
        dx[2] = "S72.001"
    elif kind == "placeholder":
        dx[2] = "W21.89A"
    elif kind == "mixup":
        dx[1] = "99213"
    elif kind == "pointer":
        lines[1]["pointers"] = [5]
    elif kind == "mod25":
        lines[0]["modifiers"] = []
        lines[1]["code"] = "20610"
    elif kind == "extcause":
        dx[0] = "W19.XXXA"
    elif kind == "date":
        lines[2]["date"] = "2026-02-30"
    else:
        dx[0] = "E11.9!"


# ---- children -----------------------------------------------------------------------------

def _rss_mb() -> float:
    """Peak RSS of this process in MB: VmHWM of /proc/self/status (ru_maxrss would also
    count the pages of the parent this child was forked from)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fp:
            for line in fp:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # KiB on Linux


def _rss_now_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fp:
            for line in fp:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child(kind: str, path: str, store_path: str) -> None:
    import medcode
    from medcode.claims.engine import check_claims
    from medcode.claims.formats import read_claims
    from medcode.claims.report import run_check
    store = medcode.open_store(store_path)
    out: dict = {}
    t0, c0 = time.perf_counter(), time.process_time()
    if kind == "read":
        with read_claims(path) as reader:
            out["n"] = sum(1 for _ in reader)
    elif kind == "e2e":
        series: list[tuple[int, float]] = []

        def progress(n: int) -> None:      # resident memory along the way
            if n % 100_000 == 0:
                series.append((n, _rss_now_mb()))
        with open(os.devnull, "w", encoding="utf-8") as sink:
            out["exit"] = run_check(path, None, "json", sink, store, progress=progress,
                                    err=io.StringIO())
        out["rss_series"] = series
    elif kind == "check":
        with read_claims(path) as reader:
            claims = list(reader)
        t0, c0 = time.perf_counter(), time.process_time()
        status = {"pass": 0, "warn": 0, "fail": 0}
        for r in check_claims(claims, store):
            status[r.status] += 1
        out.update(n=len(claims), status=status)
    out["seconds"] = time.perf_counter() - t0
    out["cpu_seconds"] = time.process_time() - c0
    out["rss_mb"] = _rss_mb()
    if kind == "e2e":                   # once more in the same process: caches warm
        t1 = time.perf_counter()
        with open(os.devnull, "w", encoding="utf-8") as sink:
            run_check(path, None, "json", sink, store, err=io.StringIO())
        out["warm_seconds"] = time.perf_counter() - t1
    print(json.dumps(out))


def run_child(kind: str, path: Path, store_path: Path) -> dict:
    res = subprocess.run([sys.executable, __file__, "--child", kind, str(path),
                          str(store_path)], check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def median_child(kind: str, path: Path, store_path: Path, runs: int) -> dict:
    results = [run_child(kind, path, store_path) for _ in range(runs)]
    out = dict(results[0])
    for key in ("seconds", "cpu_seconds", "warm_seconds"):
        if key in out:
            out[key] = statistics.median(r[key] for r in results)
    out["rss_mb"] = max(r["rss_mb"] for r in results)
    return out


# ---- main ---------------------------------------------------------------------------------

def prepare_store(arg: str | None, tmp: Path) -> Path:
    if arg:
        return Path(arg)
    os.environ["MEDCODE_HOME"] = str(tmp / "home")
    import medcode
    from medcode.store.imports import import_files
    path = tmp / "home" / "medcode.sqlite"
    t0 = time.perf_counter()
    medcode.build(path, progress=lambda *a, **k: None)
    for kind, f in IMPORTS:
        if f.is_file():
            import_files(path, kind, [f])
    print(f"store: built and imports applied in {time.perf_counter() - t0:.0f} s")
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--store")
    ap.add_argument("--child", nargs=3)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="medcode-bench-claims-"))
    try:
        store_path = prepare_store(args.store, tmp)
        import medcode
        from medcode.claims.excludes import measure
        store = medcode.open_store(store_path)
        m = measure(store)
        store.close()
        print(f"note parser: {m['complete_with_codes']}/{m['with_codes']} Excludes1 and "
              f"code-first notes naming codes parsed completely ({m['share_with_codes']:.3%});"
              f" all {m['notes']} notes: {m['share']:.3%}")
        data = tmp / "claims.jsonl"
        t0 = time.perf_counter()
        facts = generate(data, args.claims, store_path)
        print(f"generated {facts['claims']:,} claims ({facts['with_error']:,} with a "
              f"deliberate error, dx drawn from {facts['pool']:,} codes) in "
              f"{time.perf_counter() - t0:.1f} s, {data.stat().st_size / 1e6:.1f} MB")
        n = args.claims
        read = median_child("read", data, store_path, args.runs)
        e2e = median_child("e2e", data, store_path, args.runs)
        chk = median_child("check", data, store_path, args.runs)
        print(f"\n{n:,} claims, median of {args.runs} runs, each in a fresh process:")
        def line(label: str, r: dict, rss: bool = True) -> None:
            mem = f"  peak RSS {r['rss_mb']:6.1f} MB" if rss else "  (claims held in a list)"
            print(f"  {label:<30} {r['seconds']:7.2f} s {n / r['seconds']:>9,.0f} claims/s "
                  f"(CPU {n / r['cpu_seconds']:>7,.0f}/s){mem}")
        line("read only (baseline)", read)
        line("end to end (read+check+json)", e2e)
        line("in process (check only)", chk, rss=False)
        print(f"  end to end again in the same process (caches warm): "
              f"{n / e2e['warm_seconds']:,.0f} claims/s")
        print(f"  ratio end to end / read only: {e2e['seconds'] / read['seconds']:.1f}x; "
              f"results: {chk['status']}")
        if args.big:
            big = tmp / "big.jsonl"
            generate(big, args.big, store_path, seed=7)
            b = run_child("e2e", big, store_path)
            print(f"\n{args.big:,} claims end to end: {b['seconds']:.1f} s, "
                  f"{args.big / b['seconds']:,.0f} claims/s (CPU "
                  f"{args.big / b['cpu_seconds']:,.0f}/s), peak RSS {b['rss_mb']:.1f} MB "
                  f"(vs {e2e['rss_mb']:.1f} MB for {n:,})")
            print("  resident memory after N claims: " + ", ".join(
                f"{k // 1000}k {mb:.0f} MB" for k, mb in b["rss_series"])
                + " (it levels off once the bounded per-code caches are full)")
            big.unlink()
        if MANY.is_file():
            x = median_child("e2e", MANY, store_path, max(args.runs, 5))
            read_x = median_child("read", MANY, store_path, max(args.runs, 5))
            k = read_x["n"]
            print(f"\n{MANY.name} ({MANY.stat().st_size / 1e3:.0f} KB, {k} claims) end to "
                  f"end: cold {k / x['seconds']:,.0f} claims/s ({x['seconds'] * 1e3:.0f} ms, "
                  f"includes first-use loading), warm {k / x['warm_seconds']:,.0f} claims/s; "
                  f"read only {k / read_x['seconds']:,.0f} claims/s; peak RSS "
                  f"{x['rss_mb']:.1f} MB")
        else:
            print(f"\n{MANY} is absent: X12 figure skipped")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
