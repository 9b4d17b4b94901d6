"""The `medcode` command: a thin layer over the library.

Each command opens the store, calls one library function and formats the result.
Domain errors become one line on stderr and an exit code: 0 ok, 1 checked and found
invalid, 2 usage or unreadable input, 3 store/source problem. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from medcode.errors import MedcodeError


class _Group(click.Group):
    """Turns MedcodeError into a one-line message and its exit code, and lists commands with
    their whole first paragraph of help (click cuts it at the terminal width with "...")."""

    group_class = type  # sub-groups (`medcode data`) list their commands the same way

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            text = cmd.short_help or (cmd.help or "").split("\n\n")[0]
            rows.append((name, " ".join(text.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedcodeError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _fail(str(exc), exc.exit_code)
        except BrokenPipeError:
            sys.exit(0)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"medcode: {message}", err=True)
    sys.exit(code)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from None


def _inputs(codes: Iterable[str], file: str | None = None) -> list[str]:
    """Codes from arguments; '-' reads one per line from stdin; --file reads a file."""
    out: list[str] = []
    for c in codes:
        if c == "-":
            out.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            out.append(c)
    if file:
        try:
            with open(file, encoding="utf-8") as fh:
                out.extend(line.strip() for line in fh if line.strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {file}: {exc}") from None
    if not out:
        raise click.UsageError("give at least one code (or '-' to read them from stdin)")
    return out


def _store(ctx: click.Context):
    from medcode.store.open import open_store
    path = ctx.obj.get("store") if ctx.obj else None
    return open_store(path)


def _emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`medcode --version`: the package version and the releases of the store (never builds)."""
    if not value or ctx.resilient_parsing:
        return
    from medcode import __version__
    click.echo(f"medcode {__version__}")
    from medcode.store.db import Store, default_path
    path = Path(ctx.params.get("store_path") or default_path())
    if not path.is_file():
        click.echo(f"no code store yet at {path}: `medcode data build` makes it")
        ctx.exit(0)
    try:
        store = Store(path)
        releases = store.releases()
    except MedcodeError as exc:
        click.echo(f"store {path}: {exc}")
        ctx.exit(0)
    click.echo(f"store {path}:")
    for r in releases:
        end = r.effective_to.isoformat() if r.effective_to else "open"
        click.echo(f"  {r.system:<10} {r.name:<10} {r.effective_from.isoformat()} to {end}")
    ctx.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"],
                                           "max_content_width": 100})
@click.option("--store", "store_path", type=click.Path(dir_okay=False), envvar="MEDCODE_STORE",
              is_eager=True, help="Use this store file instead of the default one.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--quiet", "-q", is_flag=True, envvar="MEDCODE_QUIET",
              help="Say nothing on stderr while the store is built on first use.")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show medcode's version and the code-set releases loaded, then exit.")
@click.pass_context
def cli(ctx: click.Context, store_path: str | None, debug: bool, quiet: bool) -> None:
    """medcode: look up, identify, search and check the codes on a medical bill."""
    ctx.ensure_object(dict)
    ctx.obj["store"] = store_path
    ctx.obj["debug"] = debug
    if quiet:
        from medcode.store.open import set_quiet
        set_quiet(True)


@cli.command()
@click.argument("codes", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per code (a list).")
@click.option("--on", "on", help="Date of service (YYYY-MM-DD): use the release in force then.")
@click.option("--release", help="A release by name, e.g. FY2025.")
@click.option("--file", "file", help="Read codes from this file, one per line.")
@click.option("--system", help="Only this code system (ICD-10-CM, ICD-10-PCS, CPT, HCPCS, "
              "ICD-9-CM).")
@click.pass_context
def lookup(ctx: click.Context, codes: tuple[str, ...], as_json: bool, on: str | None,
           release: str | None, file: str | None, system: str | None) -> None:
    """Show everything the official files say about CODES (any code system)."""
    from medcode.cli.commands import lookup_cmd
    store = _store(ctx)
    sys.exit(lookup_cmd(store, _inputs(codes, file), _date(on), release, as_json,
                        sys.stdout, sys.stderr, system=_system(system) if system else None))


@cli.command()
@click.argument("codes", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per input.")
@click.option("--file", "file", help="Read codes from this file, one per line.")
@click.pass_context
def identify(ctx: click.Context, codes: tuple[str, ...], as_json: bool, file: str | None) -> None:
    """Tell which code system(s) each code belongs to, and why (most likely first)."""
    from medcode.codes.identification import identify as do_identify
    store = _store(ctx)
    results = [do_identify(store, raw) for raw in _inputs(codes, file)]
    if as_json:
        _emit_json([r.as_dict() for r in results])
    else:
        from medcode.cli.render import identify_text
        click.echo(identify_text(results))
    if any(r.error for r in results):
        sys.exit(2)
    # 1: some input is not a code of any system (by shape or in the loaded data)
    sys.exit(0 if all(r.candidates for r in results) else 1)


@cli.command()
@click.argument("query")
@click.option("--system", help="Only this code system (ICD-10-CM, ICD-10-PCS, CPT, HCPCS, "
              "ICD-9-CM).")
@click.option("--billable", is_flag=True, help="Only billable codes.")
@click.option("--on", "on", help="Only codes valid on this date of service (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help="At most this many results.")
@click.option("--prefix", is_flag=True, help="Search-as-you-type: the last word is unfinished.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def search(ctx: click.Context, query: str, system: str | None, billable: bool, on: str | None,
           limit: int, prefix: bool, as_json: bool) -> None:
    """Find codes from the words a coder types ("type 2 diabetes with neuropathy", "CHF")."""
    from medcode.cli.commands import search_cmd
    code = search_cmd(_store(ctx), query, _system(system) if system else None, billable,
                      _date(on), limit, prefix, as_json, sys.stdout)
    sys.exit(code)


@cli.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "fmt_out",
              type=click.Choice(["text", "json", "csv", "html", "parquet", "arrow"]),
              default="text", show_default=True, help="Report format (parquet/arrow: one row "
              "per finding, needs --output).")
@click.option("--input-format", "fmt_in",
              type=click.Choice(["json", "jsonl", "csv", "x12", "fhir", "parquet", "arrow"],
                                case_sensitive=False),
              help="Claim file format (detected when not given).")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the report here instead of stdout.")
@click.option("--edits", help="Only these edit IDs, comma-separated (e.g. DX-HEADER,NCCI-PTP).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs; small files use one).")
@click.pass_context
def check(ctx: click.Context, file: str, fmt_out: str, fmt_in: str | None, output: str | None,
          edits: str | None, jobs: int | None) -> None:
    """Check claims (JSON, JSON Lines, CSV, X12 837P, FHIR Claim, Parquet, Arrow) against the
    coding rules.

    Exit 1 when any claim has an error finding, 2 when the file cannot be read."""
    from medcode.cli.batch import run as run_batch
    store = _store(ctx)
    if file == "-":
        source: object = sys.stdin.buffer
    else:
        if not Path(file).is_file():
            _fail(f"{file}: no such file", 2)
        source = Path(file)
    wanted = {e.strip().upper() for e in edits.split(",") if e.strip()} if edits else None
    target: object = output if output and output != "-" else sys.stdout
    show = sys.stderr.isatty() and bool(output) and output != "-"
    sys.exit(run_batch(source, fmt_in, fmt_out, target, store, jobs, show, wanted))


@cli.command()
@click.argument("names", nargs=-1)
def systems(names: tuple[str, ...]) -> None:
    """Print a short factual card per code system (who, what, structure, updates, claims)."""
    from medcode.systems.cards import render_cards
    wanted = [_system(n) for n in names] or None
    click.echo(render_cards(wanted))


@cli.command()
@click.argument("codes", nargs=-1)
@click.option("--on", "on", help="Date of service (YYYY-MM-DD); default: today.")
@click.option("--release", help="A release by name, e.g. FY2025.")
@click.option("--system", help="Read every code in this system (ICD-10-CM, ICD-10-PCS, "
              "ICD-9-CM, CPT, HCPCS); without it every plausible reading counts.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--file", "file", help="Read codes from this file, one per line.")
@click.pass_context
def validate(ctx: click.Context, codes: tuple[str, ...], on: str | None, release: str | None,
             system: str | None, as_json: bool, file: str | None) -> None:
    """Say whether each code is valid on the date, and why not. Exit 1 if any is not (a code
    whose readings disagree, such as J1100, counts as not valid unless --system picks one)."""
    from medcode.cli.commands import validate_cmd
    store = _store(ctx)
    sysname = _system(system) if system else None
    sys.stdout.flush()
    sys.exit(validate_cmd(store, _inputs(codes, file), _date(on), release, sysname, as_json,
                          sys.stdout))


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--system", default="ICD-10-CM", show_default=True, help="Code system.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, system: str, as_json: bool) -> None:
    """List codes added, deleted and turned into headers between two releases."""
    from medcode.codes.releases import diff_releases
    result = diff_releases(_store(ctx), _system(system), old, new)
    if as_json:
        _emit_json(result)
        return
    from medcode.cli.render import diff_text
    click.echo(diff_text(result))


def _system(name: str) -> str:
    from medcode.models import CodeSystem
    try:
        return CodeSystem.parse(name).value
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.group()
def data() -> None:
    """Build, inspect and extend the code store."""


@data.command("build")
@click.pass_context
def data_build(ctx: click.Context) -> None:
    """Compile the store from the embedded official files (and your imports)."""
    from medcode.store.open import build
    path = ctx.obj.get("store")
    summary = build(Path(path) if path else None)
    from medcode.store.db import default_path
    click.echo(f"store built at {path or default_path()} in {summary['build_seconds']} s")


@data.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--check", is_flag=True, help="Exit 1 when any system's loaded releases do not "
              "cover today (for cron or CI).")
@click.pass_context
def data_status(ctx: click.Context, as_json: bool, check: bool) -> None:
    """Show the store's releases, whether today is covered, sources and build facts."""
    from medcode.codes.releases import status
    result = status(_store(ctx))
    stale = [c for c in result["coverage"] if c["stale"]]
    if as_json:
        _emit_json(result)
    else:
        from medcode.cli.render import status_text
        click.echo(status_text(result))
    if check and stale:
        click.echo("medcode: stale for today: " + "; ".join(
            f"{c['system']} (newest {c['newest']} ends {c['effective_to']}): {c['advice']}"
            for c in stale), err=True)
        sys.exit(1)


def _store_file(ctx: click.Context) -> Path:
    from medcode.store.open import open_store
    open_store(ctx.obj.get("store"))  # builds the default store on first use
    path = ctx.obj.get("store")
    if path:
        return Path(path)
    from medcode.store.db import default_path
    return default_path()


_KIND_HELP = ("hcpcs: CMS Alpha-Numeric HCPCS file (zip/TXT/XLSX/XLS/CSV); ncci-ptp: NCCI "
              "procedure-to-procedure edits (one or more f1..f4 files or the zip); mue: NCCI "
              "medically unlikely edits (CSV); cpt: your licensed AMA descriptor file; aoc: "
              "NCCI add-on code edits (XLSX/CSV); icd11: "
              "WHO ICD-11 SimpleTabulation (+ WHO map tables); gem: CMS GEM files; "
              "icd10cm: an ICD-10-CM release (order file, tabular XML, addenda or the CMS zips); "
              "icd10pcs: an ICD-10-PCS release (order file, tables XML or the zips); "
              "icd10cm-index: the ICD-10-CM index XML files or the CMS tabular-and-index zip.")
#: one entry per import kind (medcode.store.imports.KINDS has the loaders)
IMPORT_KINDS = ["hcpcs", "ncci-ptp", "mue", "cpt", "aoc", "icd11", "gem", "icd10cm", "icd10pcs",
                "icd10cm-index"]


@data.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS, case_sensitive=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--release", help="icd10cm/icd10pcs: the release's name (default FYYYYY from "
              "the file names).")
@click.option("--effective-from", help="icd10cm/icd10pcs: first day in force (default October "
              "1 before the fiscal year), e.g. 2027-04-01 for an April update.")
@click.pass_context
def data_import(ctx: click.Context, kind: str, files: tuple[str, ...], as_json: bool,
                release: str | None, effective_from: str | None) -> None:
    """Import an official file no package carries into your store.

    KIND is one of: hcpcs, ncci-ptp, mue, cpt, aoc, icd11, gem, icd10cm, icd10pcs,
    icd10cm-index. A broken file is refused with a message naming what is wrong, and the
    store is left as it was."""
    from medcode.store.imports import import_files
    store_file = _store_file(ctx)
    if sys.stderr.isatty():
        click.echo(f"importing {kind}: reading, loading a copy of the store and re-indexing "
                   "search (a few seconds)...", err=True)
    options = {"release": release, "effective_from": effective_from}
    if (release or effective_from) and kind.lower() not in ("icd10cm", "icd10pcs"):
        _fail("--release and --effective-from apply to icd10cm and icd10pcs only", 2)
    counts = import_files(store_file, kind.lower(), [Path(f) for f in files],
                          {k: v for k, v in options.items() if v} or None)
    if as_json:
        _emit_json(counts)
    else:
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        click.echo(f"imported {kind} from {', '.join(Path(f).name for f in files)}: {shown}")


from medcode.cli.fetch import fetch_cmd  # noqa: E402

data.add_command(fetch_cmd)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.option("--token-file", type=click.Path(dir_okay=False),
              help="File holding the bearer token clients must send (default: $MEDCODE_TOKEN); "
                   "required beyond localhost.")
@click.option("--no-auth", is_flag=True, help="Serve beyond localhost without a token, on purpose.")
@click.option("--rate-limit", type=float, default=None,
              help="Requests/second per client (default 100 beyond localhost, none on it; "
                   "0 turns it off).")
@click.option("--access-log", is_flag=True,
              help="Log one line per request (no query strings, no bodies); off by default.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, token_file: str | None,
          no_auth: bool, rate_limit: float | None, access_log: bool) -> None:
    """Serve the HTTP API, FHIR terminology operations and the web page."""
    from medcode.errors import require_extra
    require_extra("api", "fastapi", "uvicorn", feature="`medcode serve`")
    from medcode.api import serve as run_server
    from medcode.api.security import read_token
    try:
        token = read_token(token_file) if token_file else (
            os.environ.get("MEDCODE_TOKEN", "").strip() or None)
    except ValueError as exc:
        _fail(str(exc), 2)
    _store(ctx)  # build the store first if needed, and fail early if it is unusable
    try:
        run_server(host=host, port=port, store_path=ctx.obj.get("store"), workers=workers,
                   token=token, no_auth=no_auth, rate_limit=rate_limit, access_log=access_log)
    except ValueError as exc:
        _fail(str(exc), 2)


from medcode.cli.index_cmd import index_cmd  # noqa: E402
from medcode.cli.mapping import map_cmd  # noqa: E402  (issue 12: crosswalks)

cli.add_command(map_cmd)
cli.add_command(index_cmd)
from medcode.cli.suggest import suggest as _suggest  # noqa: E402

cli.add_command(_suggest)
from medcode.cli.spark import spark_check  # noqa: E402

cli.add_command(spark_check)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="medcode")
