"""`medcode data fetch KIND`: download an official release from its publisher, then import it."""

from __future__ import annotations

import sys

import click

KINDS = ["icd10cm", "icd10pcs", "hcpcs", "ncci-ptp", "ncci-ptp-hospital", "mue"]


@click.command("fetch")
@click.argument("kind", type=click.Choice(KINDS, case_sensitive=False))
@click.option("--year", type=int, help="icd10cm/icd10pcs: the fiscal year, e.g. 2027 "
              "(default: the one in force today).")
@click.option("--quarter", help="hcpcs/ncci/mue: e.g. 2026Q4 (default: the current one).")
@click.option("--base-url", envvar="MEDCODE_CMS_BASE_URL",
              help="Download from this address instead of cms.gov (a mirror).")
@click.pass_context
def fetch_cmd(ctx: click.Context, kind: str, year: int | None, quarter: str | None,
              base_url: str | None) -> None:
    """Download an official release from its publisher (needs the network), then import it.

    Interrupted downloads resume; each file's sha256 is recorded. Without network it says so
    and exits 3."""
    from medcode.cli.app import _store_file
    from medcode.store.freshness import fiscal_year, today
    from medcode.store.imports import import_files
    from medcode.store.publishers import DATASETS, fetch, parse_quarter
    kind = kind.lower()
    ds = DATASETS[kind]
    if ds.period == "year":
        y, q = (year or fiscal_year(today())), 4
        if quarter:
            raise click.BadParameter("use --year for icd10cm and icd10pcs", param_hint="--quarter")
    else:
        if year:
            raise click.BadParameter(f"use --quarter for {kind}", param_hint="--year")
        try:
            y, q = parse_quarter(quarter, today())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--quarter") from None
    store_file = _store_file(ctx)
    bar = _bar() if sys.stderr.isatty() else None
    files = fetch(kind, y, q, store_file.parent / "downloads", base_url, bar)
    if bar:
        sys.stderr.write("\n")
    counts = import_files(store_file, ds.import_kind, files)
    shown = ", ".join(f"{k} {v}" for k, v in counts.items())
    click.echo(f"fetched {', '.join(f.name for f in files)} and imported it: {shown}")


def _bar():
    def show(name: str, done: int, total: int | None) -> None:
        if total:
            width = 30
            n = int(width * done / total)
            sys.stderr.write(f"\r{name[:40]:<40} [{'#' * n}{'.' * (width - n)}] "
                             f"{done / 1e6:6.1f} / {total / 1e6:.1f} MB")
        else:
            sys.stderr.write(f"\r{name[:40]:<40} {done / 1e6:6.1f} MB")
        sys.stderr.flush()
    return show
