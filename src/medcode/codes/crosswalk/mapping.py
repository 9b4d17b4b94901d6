"""Map codes between ICD-9-CM, ICD-10-CM/PCS, WHO ICD-10 and ICD-11 with the official maps.

Direct maps (each target keeps the map's own flags):

* CMS GEMs 2018: ICD-9-CM diagnoses <-> ICD-10-CM, ICD-9-CM procedures -> ICD-10-PCS, and
  ICD-10-PCS -> ICD-9-CM read backward from the forward file (``derived``);
* WHO: ICD-10 -> ICD-11 (one-to-one and one-to-many tables kept apart), ICD-11 -> ICD-10;
* ICD-10-CM <-> WHO ICD-10: the same code where both have it, else the nearest code above it.

Other pairs (ICD-9-CM -> ICD-11, ICD-10-CM -> ICD-11, ...) go through those maps; each target
says the way it came (``via``) and is approximate. A GEM combination entry is kept as
scenarios of choice lists: "one code of each choice list, per scenario".
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any

from medcode.errors import InvalidCode, NoRelease
from medcode.store.db import Store

CM, PCS, NINE, WHO10, ICD11 = "ICD-10-CM", "ICD-10-PCS", "ICD-9-CM", "ICD-10", "ICD-11"
SYSTEMS = (NINE, CM, PCS, WHO10, ICD11)

#: (from, to) -> map names; ICD-9-CM is split by kind (diagnosis / procedure)
DIRECT: dict[tuple[str, str], tuple[str, ...]] = {
    ("ICD-9-CM diagnosis", CM): ("gem-dx-9-10",),
    ("ICD-9-CM procedure", PCS): ("gem-pr-9-10",),
    (CM, "ICD-9-CM diagnosis"): ("gem-dx-10-9",),
    (PCS, "ICD-9-CM procedure"): ("gem-pr-10-9",),
    (WHO10, ICD11): ("who-10-11-one", "who-10-11-multi"),
    (ICD11, WHO10): ("who-11-10-one",),
    (CM, WHO10): ("same-code",),
    (WHO10, CM): ("same-code",),
}
MAP_TITLES = {
    "gem-dx-9-10": "CMS GEM 2018, ICD-9-CM to ICD-10-CM (diagnoses)",
    "gem-dx-10-9": "CMS GEM 2018, ICD-10-CM to ICD-9-CM (diagnoses)",
    "gem-pr-9-10": "CMS GEM 2018, ICD-9-CM to ICD-10-PCS (procedures)",
    "gem-pr-10-9": "ICD-10-PCS to ICD-9-CM: the CMS 2018 forward procedure GEM read backward",
    "who-10-11-one": "WHO ICD-10 to ICD-11 MMS 2024-01, one-to-one table",
    "who-10-11-multi": "WHO ICD-10 to ICD-11 MMS 2024-01, one-to-many table",
    "who-11-10-one": "WHO ICD-11 MMS 2024-01 to ICD-10, one-to-one table",
    "same-code": "the same code in ICD-10-CM and WHO ICD-10 (else the nearest code above it)",
}


def _node(system: str, kind: str | None) -> str:
    return f"{NINE} {kind}" if system == NINE else system


def _routes(src: str, dst: str) -> list[list[tuple[str, str]]]:
    """Shortest chains of direct maps from node ``src`` to system ``dst``."""
    seen = {src}
    frontier: list[tuple[str, list[tuple[str, str]]]] = [(src, [])]
    found: list[list[tuple[str, str]]] = []
    while frontier and not found:
        nxt = []
        for node, path in frontier:
            for (a, b) in DIRECT:
                if a != node or b in seen:
                    continue
                step = [*path, (a, b)]
                if b.split(" ")[0] == dst or b == dst:
                    found.append(step)
                else:
                    nxt.append((b, step))
        for b, _ in nxt:
            seen.add(b)
        frontier = nxt
    return found


class _Target(dict):  # a plain dict with a readable name in tracebacks
    pass


class Mapper:
    """Maps for one store, with every map table read into memory on first use and answers
    remembered per (code, from, to, date)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._maps: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        self._memo: dict[tuple[str, str | None, str, dt.date | None], dict[str, Any]] = {}

    # -- tables ---------------------------------------------------------------------------
    def table(self, name: str) -> dict[str, list[tuple[Any, ...]]]:
        got = self._maps.get(name)
        if got is not None:
            return got
        out: dict[str, list[tuple[Any, ...]]] = {}
        conn = self.store.conn
        if name.startswith("gem-") and self.store.has_table("gem"):
            for row in conn.execute("SELECT source, target, approximate, no_map, combination, "
                                    "scenario, choice_list, derived FROM gem WHERE map = ? "
                                    "ORDER BY seq", (name,)):
                out.setdefault(row[0], []).append(row[1:])
        elif name.startswith("who-") and self.store.has_table("who_map"):
            for row in conn.execute("SELECT source, target, target_kind, target_title, "
                                    "source_kind FROM who_map WHERE map = ? ORDER BY seq",
                                    (name,)):
                out.setdefault(row[0], []).append(row[1:])
        self._maps[name] = out
        return out

    # -- the public face --------------------------------------------------------------------
    def map(self, raw: str, to: str, frm: str | None = None,
            on: dt.date | None = None) -> dict[str, Any]:
        key = (raw, frm, to, on)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._map(raw, to, frm, on)
            if len(self._memo) < 500_000:
                self._memo[key] = hit
        return hit

    def _map(self, raw: str, to: str, frm: str | None, on: dt.date | None) -> dict[str, Any]:
        if to not in SYSTEMS:
            raise InvalidCode(f"cannot map to {to!r}: the maps reach {', '.join(SYSTEMS)}")
        if frm is not None and frm not in SYSTEMS:
            raise InvalidCode(f"cannot map from {frm!r}: the maps start from "
                              f"{', '.join(SYSTEMS)}")
        text = str(raw).strip()
        base: dict[str, Any] = {"input": text, "from": frm, "to": to, "code": None,
                                "title": None, "targets": [], "combinations": []}
        reading = self._reading(text, to, frm)
        if isinstance(reading, str):
            return {**base, "message": reading}
        system, kind, code, title = reading
        base.update({"from": system, "code": code, "title": title})
        if system == to:
            return {**base, "message": f"{code} is already a {to} code"}
        routes = _routes(_node(system, kind), to)
        if not routes:
            return {**base, "message": f"no official map leads from {system} to {to}"}
        targets: list[dict[str, Any]] = []
        combos: list[dict[str, Any]] = []
        for route in routes:
            got, cmb = self._follow(code, route, on)
            targets.extend(got)
            combos.extend(cmb)
        targets = _dedupe(targets)
        out = {**base, "targets": targets, "combinations": combos,
               "maps": sorted({m for r in routes for step in r for m in DIRECT[step]})}
        mapped = [t for t in targets if not t.get("no_map")]
        if not mapped:
            out["message"] = (f"the official map has {code} but gives it no {to} target "
                              "(no map)" if targets else f"{code} has no {to} target in the "
                              "official maps")
        return out

    def _reading(self, text: str, to: str, frm: str | None
                 ) -> tuple[str, str | None, str, str | None] | str:
        """(system, ICD-9 kind, display code, title) of the input, or why it has none."""
        from medcode.codes.identification import identify
        ident = identify(self.store, text)
        if ident.error:
            return ident.error
        cands = [c for c in ident.candidates if frm is None or c.system == frm]
        if not cands:
            return (f"{text} is not a {frm} code by its shape" if frm else
                    f"{text} is not a code of any system the maps know")
        found = [c for c in cands if c.valid and c.system in SYSTEMS]
        if not found:
            c = cands[0]
            return f"{c.code} is not a {c.system} code in the loaded data"

        if frm is None and found[0].system == to and found[0] is cands[0]:
            c = found[0]
            return c.system, None, c.code, c.title

        def hops(c: Any) -> int:
            kind = "procedure" if c.kind == "procedure" else "diagnosis"
            if c.system == to:
                return 99
            r = _routes(_node(c.system, kind), to)
            return len(r[0]) if r else 50
        found.sort(key=hops)
        best = found[0]
        kind = ("procedure" if best.kind == "procedure" else "diagnosis") \
            if best.system == NINE else None
        return best.system, kind, best.code, best.title

    # -- one route ---------------------------------------------------------------------------
    def _follow(self, code: str, route: list[tuple[str, str]], on: dt.date | None
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        current: list[tuple[str, bool, list[str]]] = [(code, False, [])]  # code, approx, via
        combos: list[dict[str, Any]] = []
        final: list[dict[str, Any]] = []
        for i, step in enumerate(route):
            last = i == len(route) - 1
            nxt = []
            for c, approx, via in current:
                for t in self._step(c, step, on if last else None):
                    if len(route) > 1:
                        t = _Target(t, approximate=bool(t.get("approximate") or approx
                                                        or i > 0), via=via)
                        t.pop("combination", None)
                    if last:
                        final.append(t)
                    elif not t.get("no_map"):
                        nxt.append((t["code"], bool(t.get("approximate")) or approx,
                                    [*via, t["code"]]))
            if len(route) == 1:
                combos = _combinations(final)
            current = nxt
        return final, combos

    def _step(self, code: str, step: tuple[str, str], on: dt.date | None
              ) -> list[dict[str, Any]]:
        src, dst = step
        maps = DIRECT[step]
        if maps == ("same-code",):
            return self._same_code(code, src, dst, on)
        out: list[dict[str, Any]] = []
        dst_system = dst.split(" ")[0] if dst.startswith(NINE) else dst
        nine_kind = dst.split(" ", 1)[1] if dst.startswith(NINE) else None
        for name in maps:
            rows = self.table(name).get(_map_key(src, code), [])
            for row in rows:
                if name.startswith("gem-"):
                    tgt, approx, nomap, comb, scen, choice, derived = row
                    shown = _show(dst_system, tgt, nine_kind) if tgt and not nomap else None
                    t: dict[str, Any] = {
                        "code": shown, "system": dst_system, "map": name,
                        "approximate": bool(approx), "no_map": bool(nomap),
                        "combination": bool(comb), "scenario": scen, "choice_list": choice}
                    if derived:
                        t["derived"] = True
                else:
                    tgt, tkind, ttitle, _skind = row
                    t = {"code": tgt or None, "system": dst_system, "map": name,
                         "kind": "one-to-one" if name.endswith("-one") else "one-to-many",
                         "target_kind": tkind or None, "no_map": not tgt,
                         "approximate": False, "title": ttitle or None}
                out.append(self._judge(t, on))
        return out

    def _same_code(self, code: str, src: str, dst: str, on: dt.date | None
                   ) -> list[dict[str, Any]]:
        """ICD-10-CM <-> WHO ICD-10: the same code, else the nearest code above it."""
        flat = code.replace(".", "")
        for n in range(len(flat), 2, -1):
            cand = flat[:n]
            shown = cand if n == 3 else f"{cand[:3]}.{cand[3:]}"
            key = cand if dst == CM else shown
            if self.store.row(dst, key) is not None:
                exact = n == len(flat)
                t = {"code": shown, "system": dst, "map": "same-code",
                     "kind": "same code" if exact else "nearest code above",
                     "approximate": not exact, "no_map": False}
                return [self._judge(t, on)]
        return [{"code": None, "system": dst, "map": "same-code", "kind": "none",
                 "approximate": False, "no_map": True, "valid": None, "title": None}]

    # -- validity of a target ------------------------------------------------------------------
    def _judge(self, t: dict[str, Any], on: dt.date | None) -> dict[str, Any]:
        code, system = t["code"], t["system"]
        if not code:
            t.setdefault("title", None)
            t["valid"] = None
            return t
        key = _store_key(system, code)
        row = self.store.row(system, key)
        if system in (CM, PCS):
            rel = self.store.resolve(system, on=on)
            t["release"] = rel.name
            if row is not None and row[5] & rel.bit:
                t.update(title=row[1], valid=True)
            else:
                t.update(title=row[1] if row else t.get("title"), valid=False,
                         current=self._current(system, key, rel.bit))
                t["why"] = (f"{code} is not a valid {system} code in {rel.name}"
                            + (": it was split; use one of the codes under it"
                               if t["current"] else ""))
        else:
            t["title"] = row[1] if row else t.get("title")
            t["valid"] = bool(row is not None and (row[5] or system == NINE))
            if system == NINE:
                t["release"] = "v32"
            elif system in (WHO10, ICD11) and row is not None:
                t["release"] = self.store.releases(system)[-1].name
        return t

    def _current(self, system: str, key: str, bit: int) -> list[dict[str, Any]]:
        """Billable codes of the release under ``key`` (ICD-10 codes below a node share its
        characters, so a range of the primary key finds them)."""
        rows = self.store.conn.execute(
            "SELECT code, title FROM codes WHERE system = ? AND code > ? AND code < ? "
            "AND billable_mask & ? ORDER BY code LIMIT 50",
            (system, key, key + "\uffff", bit)).fetchall()
        return [{"code": _show(system, r[0], None), "title": r[1]} for r in rows]


def _map_key(src: str, code: str) -> str:
    if src.startswith(NINE) or src in (CM, PCS):
        return code.replace(".", "")
    return code


def _store_key(system: str, code: str) -> str:
    return code.replace(".", "") if system in (CM, PCS) else code


def _show(system: str, code: str, nine_kind: str | None) -> str:
    if system == CM:
        from medcode.systems.icd10cm import display
        return display(code)
    if system == NINE:
        from medcode.systems.icd9cm import display as d9
        return d9(code, nine_kind or "diagnosis")
    return code


def _dedupe(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (code, map) where a chain reached the same code twice."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for t in targets:
        key = (t.get("code"), t.get("map"), t.get("scenario"), t.get("choice_list"),
               t.get("kind"))
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
    return out


def _combinations(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GEM combination entries as scenarios: one code of each choice list, per scenario."""
    by: dict[tuple[str, int], dict[int, list[str]]] = {}
    for t in targets:
        if t.get("combination") and t.get("code"):
            lists = by.setdefault((t["map"], t["scenario"]), {})
            lists.setdefault(t["choice_list"], []).append(t["code"])
    out = []
    for (name, scen), lists in sorted(by.items()):
        choice = [lists[k] for k in sorted(lists)]
        text = " + ".join("one of (" + ", ".join(c) + ")" if len(c) > 1 else c[0]
                          for c in choice)
        out.append({"map": name, "scenario": scen, "choice_lists": choice,
                    "text": f"scenario {scen}: {text}"})
    return out


_MAPPERS: weakref.WeakKeyDictionary[Store, Mapper] = weakref.WeakKeyDictionary()


def mapper(store: Store) -> Mapper:
    m = _MAPPERS.get(store)
    if m is None:
        m = _MAPPERS[store] = Mapper(store)
    return m


def map_codes(store: Store, codes: list[str], to: str, frm: str | None = None,
              on: dt.date | None = None) -> list[dict[str, Any]]:
    """One answer per code (the ``medcode map --json`` contract). A code repeated in the
    batch is answered once (the same dict is returned for each occurrence)."""
    m = mapper(store)
    seen: dict[str, dict[str, Any]] = {}
    get = seen.get
    out: list[dict[str, Any]] = []
    append = out.append
    for c in codes:
        hit = get(c)
        if hit is None:
            hit = seen[c] = m.map(c, to, frm, on)
        append(hit)
    return out


def gem_targets(store: Store, icd9: str, on: dt.date | None = None) -> tuple[str, ...]:
    """The ICD-10-CM codes the 2018 GEM proposes for ICD-9-CM diagnosis ``icd9``, in the
    map's order; targets not valid on ``on`` are replaced by their current codes."""
    rows = mapper(store).table("gem-dx-9-10").get(icd9.replace(".", "").strip().upper(), [])
    out: list[str] = []
    try:
        rel = store.resolve(CM, on=on)
    except NoRelease:
        rel = store.resolve(CM)
    for row in rows:
        if row[0] and not row[2]:
            key = row[0]
            found = store.row(CM, key)
            if found is not None and found[5] & rel.bit:
                out.append(_show(CM, key, None))
            else:
                out.extend(c["code"] for c in mapper(store)._current(CM, key, rel.bit)[:5])
    return tuple(dict.fromkeys(out))
