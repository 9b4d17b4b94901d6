"""The web page in headless Chromium against a real server: load time, bytes loaded, and
milliseconds from a keystroke to the results drawn (what a biller feels), at 1366x768 and
390x844.

    .venv/bin/python bench/bench_page.py [--store FILE] [--runs N]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import percentile  # noqa: E402

QUERIES = ["diabetes kidney", "E11.9", "fx femur", "chest pain", "S72.001A", "hypertension",
           "copd exacerbation", "0DTJ4ZZ", "sepsis", "99213"]
# input event to the results list (or status) changing, measured inside the page
PROBE = """(q) => new Promise((resolve) => {
  const box = document.querySelector('#q');
  box.value = '';
  const t0 = performance.now();
  const seen = () => { obs.disconnect(); resolve(performance.now() - t0); };
  const obs = new MutationObserver(seen);
  obs.observe(document.querySelector('#results'), {childList: true});
  obs.observe(document.querySelector('#search-status'), {childList: true, characterData: true,
                                                         subtree: true});
  box.value = q;
  box.dispatchEvent(new Event('input', {bubbles: true}));
})"""


def serve(store_path: Path | None) -> tuple[str, object]:
    import uvicorn

    import medcode
    from medcode.api import create_app
    store = medcode.open_store(store_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path)
    ap.add_argument("--runs", type=int, default=3, help="passes over the query list")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    base, server = serve(args.store)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        for name, (w, h) in {"desktop 1366x768": (1366, 768), "phone 390x844": (390, 844)}.items():
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            sizes: list[int] = []
            def count(r, sizes=sizes) -> None:
                if r.ok:
                    sizes.append(len(r.body()))
            page.on("response", count)
            loads = []
            for _ in range(args.runs):
                sizes.clear()
                t0 = time.perf_counter()
                page.goto(base + "/", wait_until="load")
                page.wait_for_function("(document.querySelector('#about') || {}).textContent > ''")
                loads.append((time.perf_counter() - t0) * 1000)
            weight = sum(sizes)
            page.remove_listener("response", count)
            page.evaluate(PROBE, "warm up")
            # each query as typed fresh (the server's per-process cache is warm after pass 1)
            lat = [page.evaluate(PROBE, q) for _ in range(args.runs) for q in QUERIES]
            print(f"{name}: page ready {statistics.median(loads):.0f} ms median of {args.runs} "
                  f"loads ({weight / 1024:.0f} KiB, same host only); keystroke to results "
                  f"median {statistics.median(lat):.0f} ms, p95 {percentile(lat, 95):.0f} ms, "
                  f"max {max(lat):.0f} ms over {len(lat)} searches (includes the page's 150 ms "
                  "typing pause)")
            ctx.close()
        browser.close()
    server.should_exit = True  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
