"""Open the compiled store read-only and answer the basic queries every part needs."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import threading

from medcode._release import Release
from medcode.errors import NoRelease, StoreError
from medcode.store.schema import SCHEMA_VERSION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

Row = tuple  # (code, title, kind, parent, depth, billable_mask, node_mask)

_ROW_SQL = ("SELECT code, title, kind, parent, depth, billable_mask, node_mask FROM codes "
            "WHERE system = ? AND code = ?")


def default_home_str() -> str:
    """``$MEDCODE_HOME`` if set, else the user data directory (as a string: this runs at
    start-up, where importing pathlib and platformdirs would cost more than the lookup)."""
    env = os.environ.get("MEDCODE_HOME")
    if env:
        return os.path.expanduser(env)
    if sys.platform.startswith("linux"):  # platformdirs' answer, without importing it
        xdg = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return os.path.join(xdg, "medcode")
    import platformdirs
    return platformdirs.user_data_dir("medcode", appauthor=False)


def default_path_str() -> str:
    return os.path.join(default_home_str(), "medcode.sqlite")


def default_home() -> "Path":
    from pathlib import Path
    return Path(default_home_str())


def default_path() -> "Path":
    from pathlib import Path
    return Path(default_path_str())


class Store:
    """A read-only, immutable view of a compiled store; safe to share across threads."""

    def __init__(self, path: "Path | str") -> None:
        self._path = os.fspath(path)
        if not os.path.isfile(self._path):
            raise StoreError(f"no store at {self._path}; run `medcode data build`")
        where = os.path.abspath(self._path).replace("%", "%25").replace("?", "%3f").replace(
            "#", "%23")
        uri = f"file:{where}?mode=ro&immutable=1"
        try:
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a readable medcode store ({exc}); "
                             "rebuild it with `medcode data build`") from exc
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema {version}, this medcode needs "
                             f"{SCHEMA_VERSION}; rebuild it with `medcode data build`")
        self._lock = threading.Lock()
        self._releases: dict[str, list[Release]] | None = None
        self._sets: dict[tuple[str, str], frozenset[str]] = {}

    @property
    def path(self) -> "Path":
        from pathlib import Path
        return Path(self._path)

    def close(self) -> None:
        self.conn.close()

    # -- meta -------------------------------------------------------------------------------
    def meta(self, key: str) -> object:
        import json
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def all_meta(self) -> dict[str, object]:
        import json
        return {k: json.loads(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}

    def sources(self) -> list[dict[str, object]]:
        cols = ("kind", "file", "sha256", "origin", "release", "rows")
        return [dict(zip(cols, r)) for r in self.conn.execute(
            "SELECT kind, file, sha256, origin, release, rows FROM sources ORDER BY rowid")]

    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') "
                                 "AND name = ?", (name,)).fetchone() is not None

    # -- releases ---------------------------------------------------------------------------
    def releases(self, system: str | None = None) -> list[Release]:
        if self._releases is None:
            out: dict[str, list[Release]] = {}
            for (sysname, name, bit, start, end, source, codes, billable, tab) in self.conn.execute(
                    "SELECT system, name, bit, effective_from, effective_to, source, codes, "
                    "billable, tabular FROM releases ORDER BY system, effective_from"):
                out.setdefault(sysname, []).append(Release(
                    sysname, name, dt.date.fromisoformat(start),
                    dt.date.fromisoformat(end) if end else None, source, codes, billable, bit,
                    bool(tab), int(tab or 0)))
            self._releases = out
        if system is None:
            return [r for rels in self._releases.values() for r in rels]
        return list(self._releases.get(system, []))

    def resolve(self, system: str, on: dt.date | None = None,
                release: str | None = None) -> Release:
        """The release asked for by name, else the one in force on ``on``, else the newest."""
        rels = self.releases(system)
        if not rels:
            raise NoRelease(f"no {system} release is loaded in {self.path}")
        if release:
            key = release.strip().upper()
            for r in rels:
                if r.name.upper() == key:
                    return r
            raise NoRelease(f"{system} release {release!r} is not loaded; loaded: "
                            + ", ".join(r.name for r in rels))
        if on is None:
            return rels[-1]
        for r in reversed(rels):
            if r.covers(on):
                return r
        span = f"{rels[0].effective_from} to {rels[-1].effective_to or 'now'}"
        if system == "ICD-10-CM" and on < dt.date(2015, 10, 1):
            raise NoRelease(f"ICD-10-CM was not in use on {on}: US claims used ICD-9-CM until "
                            "2015-09-30")
        raise NoRelease(f"no {system} release loaded for {on}: the loaded releases cover {span} "
                        f"({', '.join(r.name for r in rels)}); import the official files of "
                        f"that period with `medcode data import`")

    # -- codes ------------------------------------------------------------------------------
    def row(self, system: str, code: str) -> Row | None:
        return self.conn.execute(_ROW_SQL, (system, code)).fetchone()

    def rows(self, system: str, codes: list[str]) -> dict[str, Row]:
        out: dict[str, Row] = {}
        for i in range(0, len(codes), 500):
            chunk = codes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                    "SELECT code, title, kind, parent, depth, billable_mask, node_mask FROM codes "
                    f"WHERE system = ? AND code IN ({marks})", (system, *chunk)):
                out[r[0]] = r
        return out

    def children(self, system: str, code: str) -> list[Row]:
        return self.conn.execute(
            "SELECT code, title, kind, parent, depth, billable_mask, node_mask FROM codes "
            "WHERE system = ? AND parent = ? ORDER BY code", (system, code)).fetchall()

    def descendants(self, system: str, code: str, mask: int, limit: int = 200) -> list[Row]:
        """Billable codes under ``code`` in the release with bit ``mask`` (tree order)."""
        return self.conn.execute(
            "WITH RECURSIVE sub(c) AS (SELECT code FROM codes WHERE system = :s AND parent = :c "
            " UNION ALL SELECT codes.code FROM codes JOIN sub ON codes.parent = sub.c "
            " AND codes.system = :s) "
            "SELECT code, title, kind, parent, depth, billable_mask, node_mask FROM codes "
            "WHERE system = :s AND code IN (SELECT c FROM sub) AND billable_mask & :m "
            "ORDER BY code LIMIT :n",
            {"s": system, "c": code, "m": mask, "n": limit}).fetchall()

    def count_descendants(self, system: str, code: str, mask: int) -> int:
        return self.conn.execute(
            "WITH RECURSIVE sub(c) AS (SELECT code FROM codes WHERE system = :s AND parent = :c "
            " UNION ALL SELECT codes.code FROM codes JOIN sub ON codes.parent = sub.c "
            " AND codes.system = :s) "
            "SELECT count(*) FROM codes WHERE system = :s AND code IN (SELECT c FROM sub) "
            "AND billable_mask & :m", {"s": system, "c": code, "m": mask}).fetchone()[0]

    def notes(self, system: str, code: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for kind, text in self.conn.execute(
                "SELECT kind, text FROM notes WHERE system = ? AND code = ? ORDER BY kind, seq",
                (system, code)):
            out.setdefault(kind, []).append(text)
        return out

    def seven_chr(self, system: str, code: str) -> dict[str, str]:
        return dict(self.conn.execute(
            "SELECT chr, meaning FROM seven_chr WHERE system = ? AND code = ? ORDER BY chr",
            (system, code)))

    def title_in(self, system: str, code: str, release: str) -> str | None:
        row = self.conn.execute("SELECT title FROM titles WHERE system = ? AND code = ? AND "
                                "release = ?", (system, code, release)).fetchone()
        return row[0] if row else None

    def title_for(self, system: str, code: str, title: str, release: Release) -> str:
        """``title`` (the newest release's, from ``codes``) as ``release`` words it."""
        rels = self.releases(system)
        if rels and release.name != rels[-1].name:
            return self.title_in(system, code, release.name) or title
        return title

    def billable_set(self, system: str, release: Release) -> frozenset[str]:
        """All billable codes of one release (loaded once, then cached)."""
        key = (system, release.name)
        cached = self._sets.get(key)
        if cached is None:
            with self._lock:
                cached = frozenset(c for (c,) in self.conn.execute(
                    "SELECT code FROM codes WHERE system = ? AND billable_mask & ?",
                    (system, release.bit)))
                self._sets[key] = cached
        return cached
