"""`medcode suggest`: codes for clinical notes, with the words that justify each."""

from __future__ import annotations

import sys
from typing import Any

import click


@click.command("suggest")
@click.argument("files", nargs=-1)
@click.option("--text", "texts", multiple=True, help="A note given inline (repeatable).")
@click.option("--system", type=click.Choice(["ICD-10-CM", "ICD-10-PCS"], case_sensitive=False),
              help="Only diagnoses (ICD-10-CM) or only procedures (ICD-10-PCS).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help="Suggestions per note.")
@click.option("--on", "on", help="Date of service (YYYY-MM-DD): only codes valid then.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per input.")
@click.pass_context
def suggest(ctx: click.Context, files: tuple[str, ...], texts: tuple[str, ...],
            system: str | None, limit: int, on: str | None, as_json: bool) -> None:
    """Suggest ICD-10-CM/PCS codes for clinical notes (files, '-' for stdin, or --text)."""
    from medcode.cli.app import _date, _emit_json, _store
    from medcode.suggester import suggest as do_suggest
    inputs: list[tuple[str, str]] = []
    for f in files:
        if f == "-":
            inputs.append(("-", sys.stdin.read()))
            continue
        try:
            with open(f, encoding="utf-8") as fh:
                inputs.append((f, fh.read()))
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {f}: {exc}", param_hint="FILE") from None
    inputs.extend(("--text", t) for t in texts)
    if not inputs:
        raise click.UsageError("give a note: FILE..., '-' for stdin, or --text TEXT")
    day = _date(on)
    store = _store(ctx)
    out: list[dict[str, Any]] = []
    for name, text in inputs:
        sug = do_suggest(store, text, system=system, limit=limit, on=day)
        out.append({"input": name, "suggestions": [s.to_dict() for s in sug]})
    if as_json:
        _emit_json(out)
        return
    for doc in out:
        click.echo(f"{doc['input']}:")
        if not doc["suggestions"]:
            click.echo("  (no codes found)")
        for s in doc["suggestions"]:
            words = "; ".join(repr(e["text"]) for e in s["evidence"][:3])
            flag = "" if s["assertion"] == "present" else f" [{s['assertion']}]"
            click.echo(f"  {s['code']:<9} {s['score']:.2f}  {s['title']}{flag}")
            click.echo(f"            {words}")
