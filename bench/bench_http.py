"""HTTP throughput of `medcode serve`: lookups/s, searches/s and FHIR $validate-code/s.

    .venv/bin/python bench/bench_http.py [--duration 30] [--connections 50] [--workers 2]
                                         [--client auto|wrk|python] [--only lookup,search]

Starts uvicorn on 127.0.0.1 (a free port) over a store built once under bench/out/, then
drives it for --duration seconds per scenario with --connections concurrent connections
(lookups of 5,000 random billable codes; searches of 40,000 different queries cut from
titles, so the server's search cache rarely helps; "search-common" repeats 75 common
queries, the type-ahead case the cache serves; FHIR $validate-code and $lookup of the 5,000
codes; "batch": one FHIR batch Bundle of 1,000 $validate-code entries POSTed to /fhir,
timed end to end, median of 5):
wrk (with a Lua script picking varied paths) when installed, else an httpx.AsyncClient
load generator. Prints requests/s, p50/p99 latency and the error count (non-2xx and socket
errors). Targets on a 2-core machine: >= 2,000 lookups/s with p99 <= 25 ms, >= 1,000
searches/s, >= 6,000 $validate-code/s, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import percentile

OUT = ROOT / "bench" / "out"
CM = "http://hl7.org/fhir/sid/icd-10-cm"
WORDS = ["diabetes", "fracture femur", "hypertension", "asthma", "pneumonia", "kidney disease",
         "heart failure", "migraine", "sepsis", "obesity", "anemia", "depression", "gout",
         "otitis media", "cellulitis", "copd", "fever", "back pain", "influenza", "dementia",
         "osteoarthritis knee", "urinary tract infection", "burn", "pregnancy", "glaucoma"]

LUA = """
local paths = {}
local pause = 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  pause = tonumber(args[2] or "0")
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function delay()
  if pause <= 0 then return 0 end
  return math.random(0, 2 * pause)  -- jittered, so the connections do not march in step
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_store() -> Path:
    import medcode
    home = Path(os.environ.get("MEDCODE_HOME") or OUT / "http-home")
    path = home / "medcode.sqlite"
    try:
        medcode.open_store(path, build_if_missing=False).close()
    except medcode.StoreError:  # missing, or of an older schema
        print(f"building the store at {path} ...", flush=True)
        medcode.build(path)
    return path


def scenarios(store_path: Path) -> dict[str, list[str]]:
    import medcode
    from medcode.systems.icd10cm import display
    store = medcode.open_store(store_path)
    codes = [c for (c,) in store.conn.execute(
        "SELECT code FROM codes WHERE system = 'ICD-10-CM' AND billable_mask & 4")]
    rng = random.Random(7)
    sample = [display(c) for c in rng.sample(codes, 5000)]
    common = WORDS + [w[:n] for w in WORDS for n in (4, 6)]
    search = "/v1/search?q={}&limit=20&prefix=true"
    return {
        "lookup": [f"/v1/codes/{c}" for c in sample],
        "search": [search.format(quote(q)) for q in distinct_queries(store, rng, 40000)],
        "search-common": [search.format(quote(q)) for q in common],
        "validate-code": [f"/fhir/CodeSystem/$validate-code?system={quote(CM, safe='')}"
                          f"&code={c}" for c in sample],
        "fhir-lookup": [f"/fhir/CodeSystem/$lookup?system={quote(CM, safe='')}&code={c}"
                        "&property=parent&property=child&property=billable" for c in sample],
        "batch": [f"CodeSystem/$validate-code?url={quote(CM, safe='')}&code={c}"
                  for c in sample[:1000]],
    }


def distinct_queries(store, rng: random.Random, n: int) -> list[str]:
    """``n`` different queries cut from code titles (1-3 words, the last one sometimes
    unfinished, as typed): far more than the server's search cache holds."""
    titles = [t for (t,) in store.conn.execute(
        "SELECT title FROM codes WHERE system = 'ICD-10-CM' AND kind IN ('code', 'category')")]
    seen: set[str] = set()
    while len(seen) < n:
        words = re.findall(r"[a-z]{3,}", rng.choice(titles).lower())
        if not words:
            continue
        start = rng.randrange(len(words))
        picked = words[start:start + rng.randint(1, 3)]
        if rng.random() < 0.5:
            picked[-1] = picked[-1][:rng.randint(3, max(3, len(picked[-1])))]
        seen.add(" ".join(picked))
    out = sorted(seen)
    rng.shuffle(out)
    return out


def start_server(store_path: Path, port: int, workers: int) -> subprocess.Popen:
    code = ("from medcode.api import serve; "
            f"serve('127.0.0.1', {port}, store_path={str(store_path)!r}, workers={workers}, "
            "log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", code])
    import httpx
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def run_wrk(base: str, paths: list[str], duration: int, connections: int,
            threads: int = 1, rate: int = 0) -> dict:
    """Closed loop (as fast as the server answers), or about ``rate`` requests/s in all:
    each connection waits a random 0..2*(connections/rate) ms before its next request."""
    with tempfile.TemporaryDirectory() as tmp:
        plist = Path(tmp) / "paths.txt"
        plist.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "paths.lua"
        script.write_text(LUA)
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "5s",
               "-s", str(script), base, "--", str(plist),
               str(round(1000 * connections / rate)) if rate else "0"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(x) for x in m.groups()) if m else 0
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": errors, "requests": total}


async def _python_load(base: str, paths: list[str], duration: int, connections: int) -> dict:
    import httpx
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.get(rng.choice(paths))
                    if r.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(connections)))
        wall = time.perf_counter() - t0
    return {"rps": len(latencies) / wall, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "errors": errors, "requests": len(latencies)}


def run_batch(base: str, urls: list[str], runs: int = 5) -> str:
    """Seconds for one batch Bundle of len(urls) $validate-code entries (median of runs)."""
    import httpx
    bundle = {"resourceType": "Bundle", "type": "batch",
              "entry": [{"request": {"method": "GET", "url": u}} for u in urls]}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = httpx.post(base + "/fhir", json=bundle, timeout=120,
                       headers={"Content-Type": "application/fhir+json"})
        times.append(time.perf_counter() - t0)
        r.raise_for_status()
        bad = [e for e in r.json()["entry"] if not e["response"]["status"].startswith("200")]
        if bad:
            raise SystemExit(f"batch: {len(bad)} entries failed: {bad[0]}")
    times.sort()
    return (f"  {len(urls)} validations in one Bundle: {times[len(times) // 2]:.2f} s "
            f"(median of {runs}; {len(urls) / times[len(times) // 2]:.0f} validations/s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    ap.add_argument("--rate", type=int, default=0,
                    help="offered load in requests/s (wrk only; 0 = as fast as possible)")
    ap.add_argument("--wrk-threads", type=int, default=1,
                    help="wrk threads (one leaves the server most of the 2 cores)")
    ap.add_argument("--only", default="",
                    help="comma-separated: lookup,search,search-common,validate-code,"
                         "fhir-lookup,batch")
    args = ap.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    store_path = ensure_store()
    plans = scenarios(store_path)
    if args.only:
        plans = {k: v for k, v in plans.items() if k in args.only.split(",")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        import uvloop  # noqa: F401
        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    try:
        import httptools  # noqa: F401
        parser = "httptools"
    except ImportError:
        parser = "h11"
    load = f"offered ~{args.rate}/s" if args.rate else "as fast as answered"
    print(f"server: uvicorn, {args.workers} worker(s), loop {loop}, http {parser}; client: "
          f"{client}, {args.connections} connections, {load}, {args.duration} s per scenario; "
          f"{os.cpu_count()} CPUs", flush=True)
    proc = start_server(store_path, port, args.workers)
    try:
        import httpx
        print(f"{'scenario':<15}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
              f"{'requests':>10}", flush=True)
        for name, paths in plans.items():
            if name == "batch":
                print(f"{name:<15}{run_batch(base, paths)}", flush=True)
                continue
            probe = httpx.get(base + paths[0])
            if probe.status_code in (404, 501):
                print(f"{name:<15}  not available: {probe.json()['message']}", flush=True)
                continue
            for path in paths[:3]:  # warm up, and check the paths answer 200
                httpx.get(base + path).raise_for_status()
            if client == "wrk":
                res = run_wrk(base, paths, args.duration, args.connections, args.wrk_threads,
                              args.rate)
            else:
                res = asyncio.run(_python_load(base, paths, args.duration, args.connections))
            print(f"{name:<15}{res['rps']:>10.0f}{res['p50']:>9.2f}{res['p99']:>9.2f}"
                  f"{res['errors']:>8}{res['requests']:>10}", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
