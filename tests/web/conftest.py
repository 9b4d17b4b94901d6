"""A real uvicorn server (in a thread, on a free port) and headless Chromium via Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url(store):
    yield from _serve(store)


@pytest.fixture(scope="session")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium found (/usr/bin/chromium); install it with `make browser`")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright Python package is not installed")
    pw = sync_api.sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
    except sync_api.Error as exc:  # a broken browser install: say so instead of erroring
        pw.stop()
        pytest.skip(f"Chromium at {exe} did not start: {exc}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture()
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base_url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.outside_requests = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("request", lambda req: None if req.url.startswith(base_url)
          else pg.outside_requests.append(req.url))  # type: ignore[attr-defined]
    pg.on("console", lambda msg: pg.console_errors.append(msg.text)  # type: ignore[attr-defined]
          if msg.type == "error" else None)
    yield pg
    context.close()


@pytest.fixture()
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path
    return take


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture()
def axe():
    """Run axe-core (vendored, MPL-2.0) in the page; returns its violations as
    ``[(rule id, impact, first target, help)]``. Evaluated through the DevTools protocol, so
    the page's self-only Content-Security-Policy stays on."""
    source = AXE.read_text(encoding="utf-8")

    def run(page, include: str | None = None) -> list[tuple[str, str, str, str]]:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(source + "\n;void 0")
        result = page.evaluate("""async (sel) => {
            const r = await axe.run(sel ? document.querySelector(sel) : document,
                                    {resultTypes: ['violations']});
            return r.violations.map(v => [v.id, v.impact || '', String(v.nodes[0].target),
                                          v.help]);
        }""", include)
        return [tuple(v) for v in result]
    return run


def _serve(store):
    """A real uvicorn server over ``store`` in a thread; yields its base URL."""
    uvicorn = pytest.importorskip("uvicorn", reason="the [api] extra (uvicorn) is not installed")
    from medcode.api import create_app
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def hcpcs_base_url(hcpcs_store):
    """A second server over the store with the real 2020 HCPCS file imported."""
    yield from _serve(hcpcs_store)


SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def open_page(browser, base_url, size: str):
    w, h = SIZES[size]
    phone = size == "phone"
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=base_url,
                                  is_mobile=phone, has_touch=phone)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.outside_requests = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.size = size  # type: ignore[attr-defined]
    pg.on("request", lambda req: None if req.url.startswith(base_url)
          else pg.outside_requests.append(req.url))  # type: ignore[attr-defined]
    pg.on("console", lambda msg: pg.console_errors.append(msg.text)  # type: ignore[attr-defined]
          if msg.type == "error" else None)
    return context, pg


@pytest.fixture(params=list(SIZES))
def screen(request, browser, base_url):
    """The page at both sizes: a 1366x768 laptop and a 390x844 phone (touch)."""
    context, pg = open_page(browser, base_url, request.param)
    yield pg
    assert pg.outside_requests == [], f"loaded from another host: {pg.outside_requests}"
    context.close()


@pytest.fixture(params=list(SIZES))
def hcpcs_screen(request, browser, hcpcs_base_url):
    context, pg = open_page(browser, hcpcs_base_url, request.param)
    yield pg
    assert pg.outside_requests == [], f"loaded from another host: {pg.outside_requests}"
    context.close()
