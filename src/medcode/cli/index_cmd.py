"""`medcode index TERM [--table drug|neoplasm|external|index]`: the ICD-10-CM index path."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click


@click.command("index")
@click.argument("term")
@click.option("--table", type=click.Choice(["drug", "neoplasm", "external", "index"],
                                           case_sensitive=False),
              help="Only this index table (default: all that are loaded).")
@click.option("--on", "on", help="Codes valid on this date of service (YYYY-MM-DD).")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 1000),
              help="At most this many index entries.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def index_cmd(ctx: click.Context, term: str, table: str | None, on: str | None, limit: int,
              as_json: bool) -> None:
    """Look TERM up in the ICD-10-CM Alphabetic Index and its tables, the way a coder does
    ("acetaminophen" -> Poisoning > Acetaminophen > accidental (unintentional): T39.1X1-)."""
    from medcode.store.open import open_store
    from medcode.textsearch.index_view import format_index_text, index_lookup
    day = None
    if on is not None:
        try:
            day = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise click.BadParameter(f"{on!r} is not a date: use YYYY-MM-DD") from None
    store = open_store((ctx.obj or {}).get("store"))
    hits = index_lookup(store, term, table=table.lower() if table else None, on=day,
                        limit=limit)
    if as_json:
        click.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        click.echo(format_index_text(hits) if hits else f"no index entry matches {term!r}")
    sys.exit(0 if hits else 1)
