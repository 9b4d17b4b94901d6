"""`medcode map`: take codes to another system with the official maps (GEMs, WHO maps)."""

from __future__ import annotations

import sys
from typing import Any

import click

_SYSTEMS_HELP = "ICD-9-CM, ICD-10-CM, ICD-10-PCS, ICD-10 (WHO) or ICD-11"


def _flags(t: dict[str, Any]) -> str:
    out = []
    for name in ("approximate", "no_map", "combination", "derived"):
        if t.get(name):
            out.append(name.replace("_", " "))
    if t.get("combination"):
        out.append(f"scenario {t['scenario']} list {t['choice_list']}")
    if t.get("kind"):
        out.append(str(t["kind"]))
    if t.get("via"):
        out.append("via " + " > ".join(t["via"]))
    return ", ".join(out)


def map_text(answers: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for a in answers:
        head = f"{a['input']}"
        if a.get("code"):
            head = f"{a['code']} ({a['from']}) {a.get('title') or ''}".rstrip()
        lines.append(f"{head}  ->  {a['to']}")
        if a.get("message"):
            lines.append(f"  {a['message']}")
        for t in a["targets"]:
            if t.get("no_map"):
                continue
            valid = "" if t.get("valid") else "  NOT valid" + (
                f" in {t['release']}" if t.get("release") else "")
            lines.append(f"  {t['code']:<9} {t.get('title') or ''}  [{_flags(t)}]{valid}")
            if t.get("current"):
                shown = ", ".join(c["code"] for c in t["current"][:8])
                more = "" if len(t["current"]) <= 8 else f" (+{len(t['current']) - 8} more)"
                lines.append(f"            now: {shown}{more}")
        for c in a.get("combinations", []):
            lines.append(f"  combination {c['text']}")
    return "\n".join(lines)


@click.command("map")
@click.argument("codes", nargs=-1)
@click.option("--to", "to", required=True, help=f"Target system: {_SYSTEMS_HELP}.")
@click.option("--from", "frm", help="Source system, when a code could be read several ways.")
@click.option("--on", "on", help="Date (YYYY-MM-DD): judge the targets in the release in "
              "force then (default: the newest loaded).")
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per input.")
@click.option("--file", "file", help="Read codes from this file, one per line.")
@click.pass_context
def map_cmd(ctx: click.Context, codes: tuple[str, ...], to: str, frm: str | None,
            on: str | None, as_json: bool, file: str | None) -> None:
    """Map CODES to another system with the official maps (CMS GEMs, WHO ICD-10/ICD-11 maps),
    keeping every target and flag (approximate, no map, combination scenarios)."""
    from medcode.cli.app import _date, _emit_json, _inputs, _store, _system
    from medcode.codes.crosswalk import map_codes
    answers = map_codes(_store(ctx), _inputs(codes, file), _system(to),
                        _system(frm) if frm else None, _date(on))
    if as_json:
        _emit_json(answers)
    else:
        click.echo(map_text(answers))
    sys.exit(0 if all(any(not t.get("no_map") for t in a["targets"]) for a in answers) else 1)
