"""Claim readers: throughput (claims/s) and peak memory.

    .venv/bin/python bench/bench_readers.py [--claims 100000] [--runs 5]

Measures, each in a fresh child process so that peak RSS (resource.getrusage ru_maxrss)
belongs to that reading alone:
  * ../shared/data/x12/imsweb/x12_many_claims.txt (820 claims; median of --runs runs);
  * generated files of --claims claims: JSONL, CSV (2 rows per claim), X12 837P;
  * baselines: the same JSONL parsed with json.loads only, and a child that only imports.
Prints one line per measure. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANY = ROOT / ".." / "shared" / "data" / "x12" / "imsweb" / "x12_many_claims.txt"


def child(kind: str, path: str) -> None:
    """Read ``path`` and print {"n", "seconds", "rss_mb"} as JSON."""
    from medcode.claims.formats import read_claims
    t0 = time.perf_counter()
    n = 0
    if kind == "json.loads":
        with open(path, "rb") as fp:
            for line in fp:
                json.loads(line)
                n += 1
    elif kind != "import":
        with read_claims(path, kind) as reader:
            for _ in reader:
                n += 1
    seconds = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux
    print(json.dumps({"n": n, "seconds": seconds, "rss_mb": rss_mb}))


def run_child(kind: str, path: Path | str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def measure(label: str, kind: str, path: Path, runs: int) -> dict:
    results = [run_child(kind, path) for _ in range(runs)]
    secs = statistics.median(r["seconds"] for r in results)
    n = results[0]["n"]
    rss = max(r["rss_mb"] for r in results)
    size = path.stat().st_size / 1e6
    print(f"{label:<34} {n:>8} claims  {secs:8.3f} s  {n / secs:>10,.0f} claims/s  "
          f"peak RSS {rss:6.1f} MB  ({size:.1f} MB file, median of {runs})")
    return {"n": n, "seconds": secs, "rss_mb": rss}


def write_jsonl(path: Path, n: int) -> None:
    line = ('{"id": "C%d", "patient": {"birth_date": "1960-04-02", "sex": "F"}, '
            '"diagnoses": ["E11.9", "I10", "Z79.4"], "lines": [{"code": "99213", '
            '"modifiers": ["25"], "units": 1, "charge": 120.0, "date": "2026-05-04", '
            '"pointers": [1, 2]}, {"code": "82947", "units": 1, "charge": 15.0, '
            '"date": "2026-05-04", "pointers": [1]}]}\n')
    with open(path, "w") as fp:
        fp.writelines(line % i for i in range(n))


def write_csv(path: Path, n: int) -> None:
    with open(path, "w") as fp:
        fp.write("claim_id,dob,sex,dx1,dx2,dx3,code,mod1,units,charge,dos,pointers\n")
        fp.writelines(f"C{i},1960-04-02,F,E11.9,I10,Z79.4,99213,25,1,120,2026-05-04,1;2\n"
                     f"C{i},1960-04-02,F,E11.9,I10,Z79.4,82947,,1,15,2026-05-04,1\n"
                     for i in range(n))


def write_x12(path: Path, n: int) -> None:
    isa = ("ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*RECEIVER01     *260504*"
           "1200*^*00501*000000001*0*T*:~\n")
    head = ("GS*HC*S*R*20260504*1200*1*X*005010X222A1~\nST*837*0001*005010X222A1~\n"
            "BHT*0019*00*1*20260504*1200*CH~\nNM1*41*2*SUB*****46*1~\nNM1*40*2*REC*****46*2~\n"
            "HL*1**20*1~\nNM1*85*2*CLINIC*****XX*1234567893~\nN3*1 MAIN~\nN4*X*IL*60601~\n"
            "REF*EI*123456789~\n")
    claim = ("HL*{h}*1*22*0~\nSBR*P*18*G******CI~\nNM1*IL*1*DOE*JANE****MI*{i}~\n"
             "DMG*D8*19600402*F~\nNM1*PR*2*PAYER*****PI*P1~\n"
             "CLM*C{i}*135***11:B:1*Y*A*Y*Y~\nHI*ABK:E119*ABF:I10*ABF:Z794~\n"
             "LX*1~\nSV1*HC:99213:25*120*UN*1***1:2~\nDTP*472*D8*20260504~\n"
             "LX*2~\nSV1*HC:82947*15*UN*1***1~\nDTP*472*D8*20260504~\n")
    with open(path, "w") as fp:
        fp.write(isa + head)
        fp.writelines(claim.format(h=i + 2, i=i) for i in range(n))
        fp.write("SE*1*0001~\nGE*1*1~\nIEA*1*000000001~\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}; baseline: a child that only imports the readers")
    with tempfile.TemporaryDirectory() as tmp:
        base = run_child("import", "-")
        print(f"{'import only':<34} {'':>8}         {'':>8}    {'':>10}           "
              f"peak RSS {base['rss_mb']:6.1f} MB")
        if MANY.exists():
            measure("x12_many_claims.txt (imsweb)", "x12", MANY, args.runs)
        else:
            print(f"skipped x12_many_claims.txt: {MANY} is absent")
        runs = max(1, args.runs // 2)
        jsonl = Path(tmp) / "claims.jsonl"
        write_jsonl(jsonl, args.claims)
        raw = measure("JSONL, json.loads only (baseline)", "json.loads", jsonl, runs)
        ours = measure("JSONL -> Claim", "jsonl", jsonl, runs)
        print(f"{'':<34} JSONL reader at {raw['seconds'] / ours['seconds']:.2f}x the speed "
              "of bare json.loads")
        csv_path = Path(tmp) / "claims.csv"
        write_csv(csv_path, args.claims)
        measure("CSV -> Claim (2 rows per claim)", "csv", csv_path, runs)
        x12_path = Path(tmp) / "claims.837"
        write_x12(x12_path, args.claims)
        measure("X12 837P -> Claim (generated)", "x12", x12_path, runs)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
