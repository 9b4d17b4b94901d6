"""Download official files from their publisher (only when asked: medcode works offline).

CMS posts each quarter's "Alpha-Numeric HCPCS File" as
``https://www.cms.gov/files/zip/<month>-<year>-alpha-numeric-hcpcs-file.zip`` (e.g.
``july-2024-...``, ``october-2022-...``); some quarters used ``...-hcpcs-files.zip`` and some
January files ``<year>-alpha-numeric-hcpcs-file.zip``, so those names are tried next. The
base address can be replaced (a mirror, a test server) by ``base_url`` or the environment
variable ``MEDCODE_CMS_BASE_URL``. Standard library only.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.error
import urllib.request
import zipfile
from datetime import date
from pathlib import Path

from medcode.errors import SourceError

CMS_BASE_URL = "https://www.cms.gov/files/zip"
ENV_BASE_URL = "MEDCODE_CMS_BASE_URL"
_MONTHS = {1: "january", 2: "april", 3: "july", 4: "october"}
_CHUNK = 1 << 16


def parse_quarter(quarter: str | None, today: date | None = None) -> tuple[int, int]:
    """'2026Q4' -> (2026, 4); None -> the current quarter. Anything else is a ValueError."""
    if quarter is None:
        day = today or date.today()
        return day.year, (day.month - 1) // 3 + 1
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*Q([1-4])\s*", quarter, re.IGNORECASE)
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueError(f"bad quarter {quarter!r}: expected YYYYQn, e.g. 2026Q4")
    return int(m.group(1)), int(m.group(2))


def hcpcs_urls(quarter: str | None, base_url: str | None = None) -> list[str]:
    """The addresses tried for a quarter's HCPCS zip, most likely first."""
    year, q = parse_quarter(quarter)
    base = (base_url or os.environ.get(ENV_BASE_URL) or CMS_BASE_URL).rstrip("/")
    month = _MONTHS[q]
    names = [f"{month}-{year}-alpha-numeric-hcpcs-file.zip",
             f"{month}-{year}-alpha-numeric-hcpcs-files.zip"]
    if q == 1:
        names.append(f"{year}-alpha-numeric-hcpcs-file.zip")
    return [f"{base}/{name}" for name in names]


def fetch_hcpcs(quarter: str | None, dest_dir: Path, base_url: str | None = None,
                timeout: float = 60.0) -> Path:
    """Download the quarter's Alpha-Numeric HCPCS File zip into ``dest_dir``; return its path.

    Raises SourceError when offline, when no address has it (404), or when what came back is
    not a zip holding an HCPCS file. A partial download never takes the final name.
    """
    try:
        urls = hcpcs_urls(quarter, base_url)
    except ValueError as exc:
        raise SourceError(str(exc)) from exc
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    for url in urls:
        target = dest_dir / url.rsplit("/", 1)[-1]
        if _download(url, target, timeout, missing):
            return target
    raise SourceError(f"HCPCS file for {quarter or 'the current quarter'} not found at "
                      + ", ".join(missing) + f": CMS may not have posted it yet or moved it; "
                      f"set {ENV_BASE_URL} or download it by hand and import it")


def _download(url: str, target: Path, timeout: float, missing: list[str]) -> bool:
    """Fetch url into target (via a temp file). False on 404/410; SourceError otherwise."""
    request = urllib.request.Request(url, headers={"User-Agent": "medcode (+offline toolkit)"})
    fd, tmp_name = tempfile.mkstemp(prefix=".medcode-", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as resp:
                    while chunk := resp.read(_CHUNK):
                        out.write(chunk)
            except urllib.error.HTTPError as exc:
                if exc.code in (404, 410):
                    missing.append(url)
                    return False
                raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
            except urllib.error.URLError as exc:
                raise SourceError(f"{url}: cannot connect ({exc.reason}): offline?") from exc
            except TimeoutError as exc:
                raise SourceError(f"{url}: no answer within {timeout:g} s") from exc
            except OSError as exc:
                raise SourceError(f"{url}: download failed: {exc}") from exc
        _check_zip(url, tmp)
        os.replace(tmp, target)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _check_zip(url: str, path: Path) -> None:
    """A whole zip (publishers.check_zip) that holds a HCPCS file."""
    from medcode.store.publishers import check_zip
    check_zip(url, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    if not any("ANWEB" in n.upper() for n in names):
        raise SourceError(f"{url}: the zip holds no HCPCS file (no *ANWEB* member)")
