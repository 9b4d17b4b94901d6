"""Helpers shared by the bench scripts: run a command many times, measure wall time and RSS."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"


def run_measured(cmd: list[str], runs: int = 10, env: dict | None = None) -> dict:
    """Median wall seconds and max peak RSS (MB) of ``cmd`` over ``runs`` runs.

    Wall time is taken here; peak RSS comes from a separate run under /usr/bin/time when it
    exists (the rusage of a child forked from this big process would count our pages).
    """
    walls = []
    code = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env).returncode
        walls.append(time.perf_counter() - t0)
    rss = float("nan")
    if Path("/usr/bin/time").exists():
        r = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=env)
        rss = int(r.stderr.strip().splitlines()[-1]) / 1024
    return {"median_s": statistics.median(walls), "min_s": min(walls),
            "peak_rss_mb": rss, "runs": runs, "exit": code}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]
