"""search(): codes first when the query is a code, then ranked full-text hits."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import weakref
from itertools import islice

from medcode.errors import InvalidCode, NoRelease, StoreError
from medcode.textsearch import clinical, gems
from medcode.textsearch.display import Displayer
from medcode.textsearch.query import Parsed, Vocab, code_forms, parse
from medcode.textsearch.rank import LEAF_BONUS, SYSTEM_PRIOR, code_prior, score
from medcode.textsearch.tokens import stems

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a one-shot CLI search several ms to import
    from typing import Any

MAX_LIMIT = 1000
CODE_SCORE = 100.0
_DOC_COLS = ("d.id, d.system, d.code, d.display, d.title, d.kind, d.billable_mask, "
             "d.node_mask, d.leaf, d.tstems, d.terms, d.ext, d.dflt, d.cost, d.iterms, "
             "d.tmark, d.imark, d.tmask, d.jmask")
MMAP_BYTES = 512 * 1024 * 1024  # the store file is ~60 MB; reads map it, never write
POOL = 60              # candidates read per FTS query (each of static and bm25 order)
ENOUGH = 20            # candidates that end the widening (below: the same for every limit)
BM25_MAX_ROWS = 1500   # above this many matches, only the static order is read
DEFAULTS = 8           # headers whose default code is added
DEFAULT_BONUS = LEAF_BONUS  # the default code ranks as if the header could be billed
ROW_CACHE = 131072     # search_doc rows kept per store (~60 MB at most; the file is read-only)


class Hit:
    """One search result (immutable). ``matched`` says why it was found.

    A plain class, not a dataclass: importing ``dataclasses`` (and ``inspect`` with it)
    costs a one-shot CLI search about 9 ms."""

    __slots__ = ("code", "system", "title", "billable", "score", "matched", "kind", "release",
                 "seventh_characters")
    code: str                       # display form: E11.40, S72.001A, 0DTJ4ZZ, 99213
    system: str                     # contract name: ICD-10-CM, ICD-10-PCS, ...
    title: str
    billable: bool | None           # in the release in force on ``on`` (else the newest);
                                    # None: not known (a reading judged by format only)
    score: float
    matched: tuple[str, ...]
    kind: str
    release: str | None             # the release ``billable`` refers to
    seventh_characters: tuple[str, ...]  # valid 7th characters when one is required

    def __init__(self, code: str, system: str, title: str, billable: bool | None,
                 score: float, matched: tuple[str, ...] = (), kind: str = "code",
                 release: str | None = None, seventh_characters: tuple[str, ...] = ()
                 ) -> None:
        # the slots' own setters (bypassing __setattr__): a search makes one Hit per candidate
        _s_code(self, code)
        _s_system(self, system)
        _s_title(self, title)
        _s_billable(self, billable)
        _s_score(self, score)
        _s_matched(self, matched)
        _s_kind(self, kind)
        _s_release(self, release)
        _s_seventh(self, seventh_characters)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Hit is immutable: cannot set {name}")

    def _values(self) -> tuple:
        return tuple(getattr(self, n) for n in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is Hit and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Hit(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__) + ")"

    def replace(self, **changes: Any) -> Hit:
        """A copy with some fields changed (as ``dataclasses.replace``)."""
        values = {n: getattr(self, n) for n in self.__slots__}
        values.update(changes)
        return Hit(**values)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "system": self.system, "title": self.title,
                "billable": self.billable, "score": self.score, "matched": list(self.matched),
                "kind": self.kind, "release": self.release,
                "seventh_characters": list(self.seventh_characters)}


(_s_code, _s_system, _s_title, _s_billable, _s_score, _s_matched, _s_kind, _s_release,
 _s_seventh) = (getattr(Hit, n).__set__ for n in Hit.__slots__)

_ASK_FIRST = frozenset({"ICD-10", "ICD-11"})


class _Ctx:
    """What one store's searches share: its systems and 7th-character meanings."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        # searches touch scattered pages of a read-only file: map it rather than copy pages
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        try:
            self.systems = _distinct_systems(conn, "search_doc")
        except sqlite3.OperationalError as exc:
            raise StoreError("this store has no search index (built by an older medcode?); "
                             "rebuild it with `medcode data build`") from exc
        self.code_systems = _distinct_systems(conn, "codes")
        # a store built before index paths had their own column still searches (without them)
        cols = {r[1] for r in conn.execute("PRAGMA table_info(search_doc)")}
        self.doc_cols = _DOC_COLS if "iterms" in cols else _DOC_COLS.replace(
            "d.iterms", "'' AS iterms")
        if "tmark" not in cols:  # older store: the term lines are stemmed when read
            self.doc_cols = self.doc_cols.replace("d.tmark, d.imark", "NULL, NULL")
        if "jmask" not in cols:  # older store: the lines' bit sets are built when read
            self.doc_cols = self.doc_cols.replace("d.tmask, d.jmask", "NULL, NULL")
        from medcode.textsearch import synonyms
        synonyms.prime(conn)
        self._conn = conn
        self.vocab = Vocab(conn)   # parse()'s reads of the vocabulary, remembered
        self._extdefs: dict[int, dict[str, str]] = {}
        self._ext_stems: dict[int, dict[str, frozenset[str]]] = {}
        self._ext_cache: dict[tuple[str, int], tuple[list, dict, dict, frozenset[str]]] = {}
        self._lock = threading.Lock()
        self.rows: dict[int, tuple] = {}   # search_doc id -> row (see _doc_rows)
        self.bits: dict[tuple[str | None, dt.date | None], dict] = {}
        self.show = Displayer()


    def extdef(self, ref: int) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
        """7th-character meanings of one shared definition, read on first use (a process
        that answers one query reads only the few it meets)."""
        got = self._extdefs.get(ref)
        if got is None:
            with self._lock:
                row = self._conn.execute("SELECT meanings FROM search_extdef WHERE id = ?",
                                         (ref,)).fetchone()
                got = json.loads(row[0]) if row else {}
                self._ext_stems[ref] = {ch: frozenset(stems(m)) for ch, m in got.items()}
                self._extdefs[ref] = got
        return got, self._ext_stems[ref]

    def ext(self, ext_json: str, bit: int
            ) -> tuple[list, dict[str, str], dict[str, frozenset[str]], frozenset[str]]:
        """A document's 7th characters valid in a release (by its bit), their meanings,
        stems and all those stems at once, decoded once per process (many codes share one
        list); read-only."""
        key = (ext_json, bit)
        got = self._ext_cache.get(key)
        if got is None:
            ext = json.loads(ext_json)
            exts = [e for e in ext["c"] if e[2] & bit]
            meanings, all_stems = self.extdef(ext["d"])
            by_chr = {e[0]: all_stems.get(e[0], frozenset()) for e in exts}
            got = (exts, meanings, by_chr, frozenset().union(*by_chr.values()))
            if len(self._ext_cache) >= 65536:
                self._ext_cache.clear()
            self._ext_cache[key] = got
        return got


#: a code with no 7th characters: (valid ones, their meanings, their stems, all stems)
_NO_EXT: tuple[list, dict[str, str], dict[str, frozenset[str]], frozenset[str]] = (
    [], {}, {}, frozenset())


def _distinct_systems(conn: sqlite3.Connection, table: str) -> list[str]:
    """The systems of a table keyed (system, code), by skipping along its index: a few
    index probes instead of reading every row."""
    out: list[str] = []
    row = conn.execute(f"SELECT min(system) FROM {table}").fetchone()
    while row is not None and row[0] is not None:
        out.append(row[0])
        row = conn.execute(f"SELECT min(system) FROM {table} WHERE system > ?",
                           (row[0],)).fetchone()
    return out


_ctx: weakref.WeakKeyDictionary[object, _Ctx] = weakref.WeakKeyDictionary()
_ctx_lock = threading.Lock()


def _context(store: Any) -> _Ctx:
    ctx = _ctx.get(store)
    if ctx is None:
        with _ctx_lock:
            ctx = _ctx.get(store)
            if ctx is None:
                ctx = _ctx[store] = _Ctx(store.conn)
    return ctx


def _system_name(system: str | None) -> str | None:
    if system is None:
        return None
    from medcode.models import CodeSystem
    try:
        return CodeSystem.parse(str(system)).value
    except ValueError as exc:
        raise InvalidCode(str(exc)) from None


def _bits(store: Any, systems: list[str], on: dt.date | None) -> dict[str, tuple[int, str | None]]:
    """system -> (release bit, release name); systems with no release in force are left out."""
    out: dict[str, tuple[int, str | None]] = {}
    for system in systems:
        try:
            rel = store.resolve(system, on=on)
        except NoRelease:
            if on is None:
                out[system] = (-1, None)  # no release table entry: any mask counts
            continue
        out[system] = (rel.bit or -1, rel.name)
    return out


def search(store: Any, query: str, system: str | None = None, billable: bool | None = None,
           on: dt.date | str | None = None, limit: int = 20, prefix: bool = False) -> list[Hit]:
    """Codes matching ``query``, best first. Never raises for any query text.

    ``system`` limits to one code system; ``billable`` True/False keeps only codes that
    are/are not billable; ``on`` keeps codes that exist in the release in force that day
    (and reports billability in it); ``prefix`` treats the last word as unfinished.
    """
    if not isinstance(limit, int) or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise InvalidCode(f"{on!r} is not a date: use YYYY-MM-DD") from None
    ctx = _context(store)
    sysname = _system_name(system)
    bits = ctx.bits.get((sysname, on))
    if bits is None:  # per store, system filter and day: the same for every query
        # WHO ICD-10 and ICD-11 (international, never on a US claim) are searched only when asked
        bits = _bits(store, [sysname] if sysname else
                     [s for s in ctx.systems if s not in _ASK_FIRST], on)
        if len(ctx.bits) > 512:
            ctx.bits.clear()
        ctx.bits[(sysname, on)] = bits
    if not isinstance(query, str) or not bits:
        return []
    conn = store.conn
    reading = clinical.read(query)
    procedures_asked = sysname in clinical.PROCEDURE_SYSTEMS

    several_words = len(query.split()) > 1

    def is_code(piece: str) -> bool:
        """A code of any loaded system (even one filtered out: "E11.9" is never words);
        while typing (prefix), the start of one. A diagnosis abbreviation shaped like the
        start of a procedure code ("DM2") is words unless procedures were asked for."""
        if not procedures_asked and _abbreviation(piece):
            return False
        if several_words and piece.isdigit() and len(piece) < 5:
            return False  # a quantity ("1000 cc", "500 mg"), not an undotted ICD-9-CM code
        for sys_ in ctx.code_systems:
            for form in code_forms(piece, sys_):
                if store.row(sys_, form) is not None:
                    return True
            if prefix and conn.execute(
                    "SELECT 1 FROM codes WHERE system = ? AND code > ? AND code < ? LIMIT 1",
                    (sys_, piece, piece + "\x7f")).fetchone():
                return True
        return False

    parsed = parse(ctx.vocab, query, prefix, is_code, reading.status == "history",
                   reading.procedure and reading.status is None)
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for hit in [*_identified(store, ctx, query, bits, sysname),
                *_code_hits(store, ctx, parsed, bits, sysname, prefix, limit)]:
        if (hit.system, hit.code) not in seen and _keep(hit, billable):
            seen.add((hit.system, hit.code))
            hits.append(hit)
    if reading.status == "vaccine" and not parsed.codes:
        for hit in _vaccine_hits(store, ctx, reading, bits):
            if (hit.system, hit.code) not in seen and _keep(hit, billable):
                seen.add((hit.system, hit.code))
                hits.append(hit)
    if len(hits) < limit and parsed.fts_and():
        for hit in _text_hits(store, ctx, parsed, bits, sysname, billable, on, limit,
                              reading):
            if (hit.system, hit.code) not in seen and _keep(hit, billable):
                seen.add((hit.system, hit.code))
                hits.append(hit)
    return hits[:limit]


def _abbreviation(piece: str) -> bool:
    """A typed piece that medcode's synonyms know as words (DM2, T2DM, B12)."""
    from medcode.textsearch import synonyms
    from medcode.textsearch.stem import stem
    return (stem(piece.lower()),) in synonyms.load()


#: vaccines: the encounter code, then the HCPCS administration code named (clinical.py)
VACCINE_SCORE = CODE_SCORE - 10


def _vaccine_hits(store: Any, ctx: _Ctx, reading: clinical.Reading, bits: dict) -> list[Hit]:
    out: list[Hit] = []
    wanted = [("ICD-10-CM", "Z23", "vaccine: encounter for immunization")] + [
        ("HCPCS", c, "vaccine: HCPCS administration code") for c in reading.admin]
    if reading.administration:  # "administration of influenza vaccine": the service first
        wanted = wanted[1:] + wanted[:1]
    for n, (system, code, why) in enumerate(wanted):
        if system not in bits:
            continue
        bit, rel = bits[system]
        row = store.row(system, code)
        if row is not None and row[6] & bit:
            out.append(_code_hit(ctx, system, row, bit, rel, VACCINE_SCORE - n, why))
    return out


def _identified(store: Any, ctx: _Ctx, query: str, bits: dict, sysname: str | None
                ) -> list[Hit]:
    """A query that is one code (99213, J1100, 250.00, 0DTJ4ZZ) answers first with what
    identify reads it as: every plausible reading, most likely first (issue 10). Readings
    judged by format only (CPT without descriptors, HCPCS not imported) have billable None."""
    text = query.strip()
    if not text or len(text) > 40 or any(ch.isspace() for ch in text):
        return []
    from medcode.codes.identification import identify
    out: list[Hit] = []
    for n, c in enumerate(identify(store, text).plausible):
        if (sysname and c.system != sysname) or c.kind == "modifier":
            continue                # modifiers are not searched for ("MI" is a word here)
        value = CODE_SCORE + 2 - n / 100
        if c.loaded:                # found in the store: the code hit, if in force
            if c.system in bits:
                bit, rel = bits[c.system]
                key = c.code if c.system == "ICD-9-CM" else c.code.replace(".", "")
                row = store.row(c.system, key)
                if row is not None and row[6] & bit:
                    out.append(_code_hit(ctx, c.system, row, bit, rel, value, "code"))
            continue
        out.append(Hit(c.code, c.system, c.title or c.reason, None, value,
                       ("identify: " + c.reason,), c.kind, None))
    return out


def _keep(hit: Hit, billable: bool | None) -> bool:
    return billable is None or hit.billable == billable


def _code_hits(store: Any, ctx: _Ctx, parsed: Parsed, bits: dict, sysname: str | None,
               prefix: bool, limit: int) -> list[Hit]:
    out: list[Hit] = []
    systems = [sysname] if sysname else ctx.code_systems
    for typed in parsed.codes:
        for system, piece in ((s, f) for s in systems for f in code_forms(typed, s)):
            if system not in bits:
                continue
            bit, rel = bits[system]
            row = store.row(system, piece)
            if row is not None and row[6] & bit:
                out.append(_code_hit(ctx, system, row, bit, rel, CODE_SCORE, "code"))
            if (prefix and piece in (typed, typed.replace(".", ""))) or (
                    row is not None and not row[5] & bit):
                for n, r in enumerate(store.conn.execute(
                        "SELECT code, title, kind, parent, depth, billable_mask, node_mask "
                        "FROM codes WHERE system = ? AND code > ? AND code < ? "
                        "AND node_mask & ? ORDER BY code LIMIT ?",
                        (system, piece, piece + "\x7f", bit, limit * 3))):
                    if prefix or r[5] & bit:
                        out.append(_code_hit(ctx, system, r, bit, rel, CODE_SCORE - 1 - n / 1000,
                                             "code prefix " + piece))
    out.sort(key=lambda h: (-h.score, _SYSTEM_ORDER.get(h.system, 9), h.code))
    return out


#: one code string in several systems (J1100: HCPCS and ICD-10-CM): today's systems first
_SYSTEM_ORDER = {"ICD-10-CM": 0, "ICD-10-PCS": 1, "HCPCS": 2, "CPT": 3, "ICD-9-CM": 8}


def _code_hit(ctx: _Ctx, system: str, row: tuple, bit: int, rel: str | None, value: float,
              why: str) -> Hit:
    code, title, kind = row[0], row[1], row[2]
    return Hit(ctx.show(system, code, kind), system, title, bool(row[5] & bit),
               round(value, 4), (why,), kind, rel)


def _text_hits(store: Any, ctx: _Ctx, parsed: Parsed, bits: dict, sysname: str | None,
               billable: bool | None, on: dt.date | None, limit: int,
               reading: clinical.Reading | None = None) -> list[Hit]:
    where = ["search_fts MATCH ?"]
    args: list[Any] = []
    if sysname:
        where.append("d.system = ?")
        args.append(sysname)
    if on is not None:
        cases = " ".join(f"WHEN '{s.replace(chr(39), '')}' THEN {b}" for s, (b, _r) in bits.items())
        where.append(f"(d.node_mask & CASE d.system {cases} ELSE 0 END) != 0")
    pool = max(limit * 3, POOL)
    # the candidates' ids first (no document text read or copied twice), their rows once
    head = "SELECT search_fts.rowid FROM search_fts " + (
        f"JOIN search_doc d ON d.id = search_fts.rowid WHERE {' AND '.join(where)} "
        if len(where) > 1 else "WHERE search_fts MATCH ? ")
    by_static = head + "ORDER BY search_fts.rowid LIMIT ?"
    by_bm25 = head + "ORDER BY bm25(search_fts, 10.0, 3.0, 2.0) LIMIT ?"
    ids: dict[int, None] = {}
    # 1. every word; 2. all words but one, commonest left out first; 3. any word -- each
    # step only while the list is short.
    # Per query: static order (plainest titles first), and when the query is narrow also
    # bm25 (best-fitting text) and bm25 on inclusion terms alone ("Prostatitis NOS").
    # A broad query reads only the static order: its first rows are the best anyway.
    # a slot with a broader reading ("ewing sarcoma": malignant neoplasm of bone, or any
    # malignant neoplasm) too common for bm25: its narrow readings first, else the plainest
    # broad titles fill the static order's pool
    narrow = parsed.fts_narrow() if parsed.estimate > BM25_MAX_ROWS else None
    phases: list[list[tuple[str | None, int, bool]]] = [
              ([(narrow[0], narrow[1], True)] if narrow else [])
              + [(parsed.fts_and(), parsed.estimate, True)],
              [(q, est, False) for q, est in parsed.relaxed()],
              [(parsed.fts_or(), parsed.or_estimate, False)]]
    for phase in phases:
        for query, estimate, fine in phase:
            if query is None or len(ids) >= max(limit, ENOUGH):
                continue
            got = store.conn.execute(by_static, (query, *args, pool)).fetchall()
            for (i,) in got:
                ids[i] = None
            # fewer rows than asked for: that was every match, and the bm25 reads (of the
            # same matches, or of a subset: the terms column alone) would add no id
            if fine and estimate <= BM25_MAX_ROWS and len(got) >= pool:
                for match in (query, "{terms} : (" + query + ")"):
                    for (i,) in store.conn.execute(by_bm25, (match, *args, pool)):
                        ids[i] = None
    rows = _doc_rows(store.conn, ctx, list(ids))
    scored: list[tuple[Hit, float]] = []
    headers: list[tuple[Hit, tuple]] = []
    for row in rows.values():
        hit = _rank_row(store, ctx, parsed, row, bits, sysname, billable, on)
        if hit is not None:
            scored.append((hit, row[13]))
            if row[12] and not row[8]:
                headers.append((hit, row))
    best: dict[tuple[str, str], tuple[Hit, float]] = {}
    for hc in scored + _defaults(store, ctx, parsed, headers, bits, sysname, billable, on):
        key = (hc[0].system, hc[0].code)
        if key not in best or hc[0].score > best[key][0].score:
            best[key] = hc
    scored = list(best.values())
    if sysname is None and "ICD-9-CM" in bits:
        for hit, cost in _bridged(store, ctx, parsed, scored, bits, billable, on):
            key = (hit.system, hit.code)
            if key not in best or hit.score > best[key][0].score:
                best[key] = (hit, cost)
        scored = list(best.values())
    if reading is not None and reading.active:
        scored = [(_read_clinically(reading, h), c) for h, c in scored
                  if sysname is not None or not clinical.drops(reading, h.system, h.kind)]
    scored.sort(key=lambda hc: (-hc[0].score, hc[1], hc[0].code))
    return [h for h, _c in scored]


def _bridged(store: Any, ctx: _Ctx, parsed: Parsed, scored: list[tuple[Hit, float]],
             bits: dict, billable: bool | None, on: dt.date | None
             ) -> list[tuple[Hit, float]]:
    """Current codes lifted by the ICD-9-CM hits that fit better (textsearch.gems)."""
    costs: dict[tuple[str, str], float] = {}

    def rank_target(system: str, code: str) -> Hit | None:
        if system not in bits:
            return None
        row = store.conn.execute(f"SELECT {ctx.doc_cols} FROM search_doc d WHERE "
                                 "d.system = ? AND d.code = ?", (system, code)).fetchone()
        if row is None or not row[7] & bits[system][0]:
            return None
        hit = _rank_row(store, ctx, parsed, row, bits, None, billable, on)
        if hit is not None:
            costs[(hit.system, hit.code)] = row[13]
        return hit

    lifted = gems.forward(store.conn, [h for h, _c in scored], SYSTEM_PRIOR.get("ICD-9-CM", 0.0),
                          rank_target)
    return [(h, costs.get((h.system, h.code), 0.0)) for h in lifted]


def _doc_rows(conn: sqlite3.Connection, ctx: _Ctx, ids: list[int]) -> dict[int, tuple]:
    """The search_doc rows of ``ids``, in that order; rows read before come from the
    context's cache (a server meets the plainest codes of each word again and again)."""
    cache = ctx.rows
    got: dict[int, tuple] = {}
    missing: list[int] = []
    for i in ids:
        row = cache.get(i)
        if row is None:
            missing.append(i)
        else:
            got[i] = row
    if missing:
        over = len(cache) + len(missing) - ROW_CACHE
        if over > 0:  # the oldest out, a few at a time (a whole clear pauses a request)
            for i in list(islice(cache, over)):
                cache.pop(i, None)
        for at in range(0, len(missing), 500):  # well under SQLite's bound-parameter limit
            part = missing[at:at + 500]
            for row in conn.execute(f"SELECT {ctx.doc_cols} FROM search_doc d WHERE d.id IN "
                                    f"({','.join('?' * len(part))})", part):
                got[row[0]] = cache[row[0]] = row
    return {i: got[i] for i in ids if i in got}


def _read_clinically(reading: clinical.Reading, hit: Hit) -> Hit:
    delta, why = clinical.adjust(reading, hit.system, hit.code, hit.title, hit.kind,
                                 hit.matched)
    if not delta:
        return hit
    return hit.replace(score=round(hit.score + delta, 4),
                       matched=hit.matched + ((why,) if why else ()))


def _defaults(store: Any, ctx: _Ctx, parsed: Parsed, headers: list[tuple[Hit, tuple]],
              bits: dict, sysname: str | None, billable: bool | None, on: dt.date | None
              ) -> list[tuple[Hit, float]]:
    """For the best headers, their default ("unspecified") code, just above them."""
    out: list[tuple[Hit, float]] = []
    headers.sort(key=lambda hr: -hr[0].score)
    best = headers[:DEFAULTS]
    if not best:
        return out
    # the default rows of all these headers in one read (each is one index probe)
    drows = {(r[1], r[2]): r for r in store.conn.execute(
        f"SELECT {ctx.doc_cols} FROM search_doc d WHERE "
        + " OR ".join(["(d.system = ? AND d.code = ?)"] * len(best)),
        [v for _hit, row in best for v in (row[1], row[12])])}
    for hit, row in best:
        drow = drows.get((row[1], row[12]))
        if drow is None or row[1] not in bits:
            continue
        if not drow[7] & bits[row[1]][0]:
            continue
        child = _rank_row(store, ctx, parsed, drow, bits, sysname, billable, on)
        if child is None:
            continue
        if child.score >= hit.score + DEFAULT_BONUS:
            continue
        value = round(hit.score + DEFAULT_BONUS, 4)
        why = (f"default code of {hit.code}",) + tuple(m for m in hit.matched
                                                      if m != "title" or m in child.matched)
        out.append((child.replace(score=value, matched=why), drow[13]))
    return out


def _rank_row(store: Any, ctx: _Ctx, parsed: Parsed, row: tuple, bits: dict,
              sysname: str | None, billable: bool | None, on: dt.date | None) -> Hit | None:
    (_id, system, code, shown, title, kind, bmask, _nmask, _leaf, tstems, terms, ext_json,
     _dflt, _cost, iterms, tmark, imark, tmask, jmask) = row
    if system not in bits:
        return None
    bit, rel = bits[system]
    exts, meanings, ext_stems, ext_all = ctx.ext(ext_json, bit) if ext_json else _NO_EXT
    s = score(parsed, tstems, terms, ext_stems, index=iterms, marks=(tmark, imark),
              masks=(tmask, jmask),
              ext_all=ext_all,
              leaf_now=bool(bmask & bit),
              needs_7th=bool(exts), kind=kind, system=system,
              system_filtered=sysname is not None,
              # an external cause's "with" is its counterpart ("collision with car"), not a
              # combined condition
              title=title if system == "ICD-10-CM" and code[:1] not in "VWXY" else "")
    matched = tuple(s.matched)
    value = s.score + code_prior(system, code) if system == "HCPCS" else s.score
    if on is not None and rel:
        title = store.title_in(system, code, rel) or title
    seventh = s.seventh or (exts[0][0] if billable and exts else None)
    if seventh:
        chosen = next(e for e in exts if e[0] == seventh)
        full = code.ljust(6, "X") + seventh
        meaning = meanings.get(seventh, "")
        why = f"7th character {seventh}: {meaning}" if s.seventh else \
            f"7th character {seventh} (first valid one; a billable code needs one)"
        return Hit(ctx.show(system, full, "extension"), system,
                   f"{title}, {meaning}" if meaning else title, bool(chosen[1] & bit),
                   value, matched + (why,), "extension", rel)
    return Hit(shown, system, title, bool(bmask & bit), round(value, 4), matched, kind, rel,
               tuple([e[0] for e in exts]) if exts else ())


def format_hits_text(hits: list[Hit]) -> str:
    """A plain table for people: code, system, billable mark, title, why."""
    if not hits:
        return "no matching codes\n"
    width = max(len(h.code) for h in hits)
    swidth = max(len(h.system) for h in hits)
    lines = []
    for h in hits:
        mark = "?" if h.billable is None else "B" if h.billable else (
            "7" if h.seventh_characters else "-")
        line = f"{h.code:<{width}}  {h.system:<{swidth}}  {mark}  {h.title}"
        if h.seventh_characters:
            line += f"  [7th: {''.join(h.seventh_characters)}]"
        lines.append(line)
    legend = "B = billable, 7 = billable with a 7th character, - = header"
    if any(h.billable is None for h in hits):
        legend += ", ? = not known (judged by format only)"
    lines.append(legend)
    return "\n".join(lines) + "\n"
