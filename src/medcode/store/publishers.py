"""Where each official file lives at its publisher, and a careful downloader.

Addresses (``https://www.cms.gov/files/zip/<name>``; ``--base-url`` or
``MEDCODE_CMS_BASE_URL`` replace the base, e.g. a mirror or a test server):

* ICD-10-CM FY YYYY: ``YYYY-code-descriptions-tabular-order.zip`` (order file, codes file,
  addenda) and, for the notes, ``YYYY-code-tables-tabular-and-index.zip`` (optional).
* ICD-10-PCS FY YYYY: ``YYYY-icd-10-pcs-order-file-long-and-abbreviated-titles.zip`` and
  ``YYYY-icd-10-pcs-code-tables-and-index.zip`` (either serves).
* HCPCS quarter: ``<month>-YYYY-alpha-numeric-hcpcs-file.zip`` (e.g. ``july-2024-...``); some
  quarters used ``...-hcpcs-files.zip`` and some January files
  ``YYYY-alpha-numeric-hcpcs-file.zip``, so those names are tried next. The zip must hold an
  ``*ANWEB*`` member.
* NCCI PTP (practitioner and hospital) and MUE quarter: CMS names these files with the
  edit version inside (``ccipra-v322r0``), so the addresses below are the quarter's names on
  the CMS NCCI pages as of 2026; give ``--base-url`` for a mirror that keeps them.

Downloads resume from a ``.part`` file (HTTP Range) and are retried once from scratch when
the resumed file is not a good zip; each finished file's sha256 goes into
``downloads/checksums.json`` and, by the import, into the store's ``sources`` table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medcode.errors import SourceError

CMS_BASE_URL = "https://www.cms.gov/files/zip"
ENV_BASE_URL = "MEDCODE_CMS_BASE_URL"
_MONTHS = {1: "january", 2: "april", 3: "july", 4: "october"}
_CHUNK = 1 << 16

Progress = Callable[[str, int, int | None], None]   # (file name, bytes so far, total)


@dataclass(frozen=True)
class Dataset:
    kind: str                      # the `data fetch` KIND
    import_kind: str               # the `data import` KIND its files go to
    period: str                    # "year" or "quarter"
    #: alternatives: each a list of file names that are fetched together (the first name of
    #: a group must exist; later ones are optional)
    groups: Callable[[int, int], list[list[str]]]
    #: what the name of some member of the (first) zip must contain, upper case ("" = any)
    member: str = ""
    what: str = ""


def _hcpcs(year: int, q: int) -> list[list[str]]:
    m = _MONTHS[q]
    out = [[f"{m}-{year}-alpha-numeric-hcpcs-file.zip"],
           [f"{m}-{year}-alpha-numeric-hcpcs-files.zip"]]
    if q == 1:
        out.append([f"{year}-alpha-numeric-hcpcs-file.zip"])
    return out


DATASETS: dict[str, Dataset] = {d.kind: d for d in (
    Dataset("icd10cm", "icd10cm", "year", lambda y, _q: [
        [f"{y}-code-descriptions-tabular-order.zip", f"{y}-code-tables-tabular-and-index.zip"],
        [f"{y}-code-descriptions-in-tabular-order.zip",
         f"{y}-code-tables-tabular-and-index.zip"]]),
    Dataset("icd10pcs", "icd10pcs", "year", lambda y, _q: [
        [f"{y}-icd-10-pcs-order-file-long-and-abbreviated-titles.zip"],
        [f"{y}-icd-10-pcs-code-tables-and-index.zip"]]),
    Dataset("hcpcs", "hcpcs", "quarter", _hcpcs, "ANWEB", "HCPCS file"),
    Dataset("ncci-ptp", "ncci-ptp", "quarter", lambda y, q: [
        [f"medicare-ncci-{y}q{q}-practitioner-ptp-edits.zip"]]),
    Dataset("ncci-ptp-hospital", "ncci-ptp", "quarter", lambda y, q: [
        [f"medicare-ncci-{y}q{q}-hospital-ptp-edits.zip"]]),
    Dataset("mue", "mue", "quarter", lambda y, q: [
        [f"medicare-ncci-{y}-q{q}-practitioner-services-mue-table.zip"]]),
)}


def parse_quarter(quarter: str | None, today: dt.date | None = None) -> tuple[int, int]:
    """'2026Q4' -> (2026, 4); None -> the quarter of ``today`` (medcode's today by default).
    Anything else is a ValueError."""
    if quarter is None:
        if today is None:
            from medcode.store.freshness import today as medcode_today
            today = medcode_today()
        return today.year, (today.month - 1) // 3 + 1
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*Q([1-4])\s*", quarter, re.IGNORECASE)
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueError(f"bad quarter {quarter!r}: expected YYYYQn, e.g. 2026Q4")
    return int(m.group(1)), int(m.group(2))


def base_url(given: str | None) -> str:
    return (given or os.environ.get(ENV_BASE_URL) or CMS_BASE_URL).rstrip("/")


class Missing(Exception):
    """The address answered 404/410."""


def download(url: str, target: Path, timeout: float = 60.0,
             progress: Progress | None = None) -> Path:
    """Fetch ``url`` into ``target``: resume a ``.part`` left by an interrupted run, and
    start once more from scratch when the result is not a good zip. Missing on 404/410."""
    part = target.with_name(target.name + ".part")
    for attempt in (1, 2):
        _get(url, part, timeout, progress, resume=attempt == 1)
        try:
            check_zip(url, part)
        except SourceError:
            part.unlink(missing_ok=True)
            if attempt == 2:
                raise
            continue
        os.replace(part, target)
        return target
    raise AssertionError("unreachable")


def _get(url: str, part: Path, timeout: float, progress: Progress | None,
         resume: bool) -> None:
    have = part.stat().st_size if resume and part.exists() else 0
    headers = {"User-Agent": "medcode (+offline toolkit)"}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            if have and resp.status != 206:      # the server ignored the range: start over
                have = 0
            total = resp.headers.get("Content-Length")
            size = int(total) + have if total and total.isdigit() else None
            with part.open("ab" if have else "wb") as out:
                done = have
                while chunk := resp.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(part.name[:-5], done, size)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            raise Missing(url) from None
        if exc.code == 416 and have:             # already complete
            return
        raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise SourceError(f"cannot reach {host} ({exc.reason}): no network? medcode works "
                          "offline with the data it has; fetch needs the network") from exc
    except TimeoutError as exc:
        raise SourceError(f"{url}: no answer within {timeout:g} s") from exc
    except OSError as exc:
        raise SourceError(f"{url}: download failed: {exc}") from exc


def check_zip(url: str, path: Path) -> None:
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(64)
        kind = "an HTML page" if b"<" in head[:16] else f"{path.stat().st_size} bytes"
        raise SourceError(f"{url}: not a zip file (got {kind})")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"{url}: broken zip file: {exc}") from exc
    if bad is not None:
        raise SourceError(f"{url}: broken zip file: member {bad} fails its CRC check")


def _holds(url: str, path: Path, member: str, what: str) -> None:
    """The downloaded zip has a member whose name contains ``member``; else it is removed."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    if not any(member in n.upper() for n in names):
        path.unlink()
        raise SourceError(f"{url}: the zip holds no {what} (no *{member}* member)")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_checksum(dest: Path, path: Path, url: str) -> str:
    book = dest / "checksums.json"
    try:
        data = json.loads(book.read_text(encoding="utf-8")) if book.exists() else {}
    except (OSError, ValueError):
        data = {}
    value = sha256(path)
    data[path.name] = {"sha256": value, "url": url,
                       "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    tmp = book.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, book)
    return value


def fetch(kind: str, year: int, quarter: int, dest: Path, base: str | None = None,
          progress: Progress | None = None, timeout: float = 60.0) -> list[Path]:
    """Download the files of one release of ``kind``; returns their paths."""
    ds = DATASETS.get(kind)
    if ds is None:
        raise SourceError(f"unknown fetch kind {kind!r}; choose one of: {', '.join(DATASETS)}")
    dest.mkdir(parents=True, exist_ok=True)
    root = base_url(base)
    tried: list[str] = []
    for group in ds.groups(year, quarter):
        got: list[Path] = []
        for i, name in enumerate(group):
            url = f"{root}/{name}"
            try:
                got.append(download(url, dest / name, timeout, progress))
                if i == 0 and ds.member:
                    _holds(url, got[-1], ds.member, ds.what)
                record_checksum(dest, got[-1], url)
            except Missing:
                tried.append(url)
                if i == 0:
                    break
        if got:
            return got
    when = f"FY{year}" if ds.period == "year" else f"{year}Q{quarter}"
    raise SourceError(f"{kind} {when}: not found at {', '.join(tried)}: the publisher may not "
                      f"have posted it yet or moved it; download it by hand and run "
                      f"`medcode data import {ds.import_kind} FILE`, or give --base-url")
