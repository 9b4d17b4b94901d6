"""Command bodies shared by the click CLI and the fast start-up path in ``__main__``.

They write to the given streams and return the exit code; they import nothing heavy.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from typing import TextIO

    from medcode.store.db import Store


def lookup_cmd(store: "Store", codes: list[str], on: "dt.date | None", release: str | None,
               as_json: bool, out: "TextIO", err: "TextIO", system: str | None = None) -> int:
    """`medcode lookup`: one block (or JSON object) per code; exit 1 unknown, 2 malformed."""
    from medcode.codes.dispatch import lookup_any
    from medcode.errors import InvalidCode, UnknownCode
    results = []
    worst = 0
    seen: set[str] = set()
    for raw in codes:
        try:
            info = lookup_any(store, raw, system=system, on=on, release=release)
        except (UnknownCode, InvalidCode) as exc:
            worst = max(worst, exc.exit_code)
            if as_json:
                results.append({"input": raw, "error": str(exc)})
            else:
                err.write(f"medcode: {exc}\n")
            continue
        seen.add(info.system)
        if as_json:
            results.append(info.to_dict())
        else:
            from medcode.cli.render import lookup_text
            if getattr(out, "isatty", lambda: False)():
                from medcode.cli.render import print_rich
                print_rich(lookup_text(info), out)
            else:
                out.write(lookup_text(info) + "\n")
    if on is None and release is None:
        _newest_note(store, sorted(seen), err)
    if as_json:
        import json
        out.write(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
    return worst


def _newest_note(store: "Store", systems: list[str], err: "TextIO") -> None:
    """Without --on, lookup shows the newest release: say so when it does not cover today."""
    from medcode.store.freshness import advice, today
    day = today()
    for system in systems:
        rels = store.releases(system)
        if not rels or system in ("ICD-9-CM", "CPT") or any(r.covers(day) for r in rels):
            continue
        newest = max(rels, key=lambda r: r.effective_from)
        err.write(f"medcode: note: shown as of {system} {newest.name} ({newest.effective_from} "
                  f"to {newest.effective_to or 'open'}), the newest loaded; it does not cover "
                  f"today ({day}): {advice(system, day)}\n")
def search_cmd(store: "Store", query: str, system: str | None, billable: bool,
               on: "dt.date | None", limit: int, prefix: bool, as_json: bool, out: "TextIO"
               ) -> int:
    """`medcode search`: the hits as text or a JSON list; exit 1 when nothing matches."""
    from medcode.textsearch.engine import format_hits_text, search
    hits = search(store, query, system=system, billable=True if billable else None, on=on,
                  limit=limit, prefix=prefix)
    if as_json:
        import json
        out.write(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2,
                             default=str) + "\n")
    else:
        out.write(format_hits_text(hits) if hits else f"no code matches {query!r}\n")
    return 0 if hits else 1


def validate_cmd(store: "Store", codes: list[str], day: "dt.date | None", release: str | None,
                 system: str | None, as_json: bool, out: "TextIO") -> int:
    """`medcode validate`: one line (or JSON object) per code; the exit code (2 if a code is
    malformed, 1 if any is not valid, else 0). Without a date or release: today."""
    from medcode.cli.render import validation_text
    from medcode.codes.validity import validate
    if day is None and not release:
        from medcode.store.freshness import today
        day = today()  # a claim is checked against the code set in force, so is a code
    results = [validate(store, raw, on=day, release=release, system=system) for raw in codes]
    if as_json:
        import json
        out.write(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2,
                             default=str) + "\n")
    else:
        out.write(validation_text(results) + "\n")
    if any(r.status == "malformed" for r in results):
        return 2
    return 0 if all(r.valid for r in results) else 1

