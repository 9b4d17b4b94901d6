"""Entry point of the `medcode` command.

`medcode lookup CODE...` is what people type most, so it has a fast path that answers
without importing the CLI framework (about 20 ms less start-up). Anything the fast path does
not understand (other commands, --help, stdin, a store still to be built) goes to the full
click CLI, which gives the same output.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime


def _simple_args(argv: list[str], command: str
                 ) -> tuple[str, list[str], datetime.date | None, str | None, bool] | None:
    """(store path, codes, day, release, --json) of `medcode [--store F] COMMAND CODE...
    [--on DATE] [--release R] [--json]`, or None for anything the full CLI must handle
    (another command or option, a bad date, no codes, no store yet)."""
    store_path = os.environ.get("MEDCODE_STORE")
    if len(argv) >= 2 and argv[0] == "--store":
        store_path, argv = argv[1], argv[2:]
    if not argv or argv[0] != command:
        return None
    codes: list[str] = []
    as_json = False
    on = release = None
    args = iter(argv[1:])
    for a in args:
        if a == "--json":
            as_json = True
        elif a in ("--on", "--release"):
            value = next(args, None)
            if value is None:
                return None
            if a == "--on":
                on = value
            else:
                release = value
        elif a.startswith("-"):
            return None
        else:
            codes.append(a)
    if not codes:
        return None
    day = None
    if on is not None:
        import datetime as dt
        try:
            day = dt.date.fromisoformat(on.strip())
        except ValueError:
            return None  # the full CLI reports the bad date
    if store_path is None:
        from medcode.store.db import default_path_str
        store_path = default_path_str()
    if not os.path.isfile(store_path):
        return None  # first use: the full CLI builds the store and says so
    return store_path, codes, day, release, as_json


def _fast(argv: list[str]) -> int | None:
    """`lookup` and `validate` without click (the commonest cold calls)."""
    for command in ("lookup", "validate"):
        parsed = _simple_args(argv, command)
        if parsed is not None:
            break
    else:
        return None
    store_path, codes, day, release, as_json = parsed
    from medcode.cli import commands
    from medcode.errors import MedcodeError
    from medcode.store.db import Store
    try:
        store = Store(store_path)
        if command == "lookup":
            return commands.lookup_cmd(store, codes, day, release, as_json, sys.stdout,
                                       sys.stderr)
        return commands.validate_cmd(store, codes, day, release, None, as_json, sys.stdout)
    except MedcodeError as exc:
        sys.stderr.write(f"medcode: {exc}\n")
        return exc.exit_code


#: `medcode search` options the fast path understands: name -> takes a value
_SEARCH_OPTS = {"--system": True, "--on": True, "--limit": True, "--billable": False,
                "--prefix": False, "--json": False}
#: system names as `--system` takes them (the full CLI handles anything else)
_SYSTEMS = {"icd-10-cm": "ICD-10-CM", "icd10cm": "ICD-10-CM", "icd-10-pcs": "ICD-10-PCS",
            "icd10pcs": "ICD-10-PCS", "pcs": "ICD-10-PCS", "cpt": "CPT", "hcpcs": "HCPCS",
            "icd-9-cm": "ICD-9-CM", "icd9cm": "ICD-9-CM", "icd9": "ICD-9-CM"}


def _fast_search(argv: list[str]) -> int | None:
    """`medcode search QUERY [options]` without click; None: let the full CLI answer."""
    store_path = os.environ.get("MEDCODE_STORE")
    if len(argv) >= 2 and argv[0] == "--store":
        store_path, argv = argv[1], argv[2:]
    if not argv or argv[0] != "search":
        return None
    opts: dict[str, str | bool] = {}
    words: list[str] = []
    args = iter(argv[1:])
    for a in args:
        name, eq, inline = a.partition("=")
        if name in _SEARCH_OPTS:
            if _SEARCH_OPTS[name]:
                value = inline if eq else next(args, None)
                if value is None:
                    return None
                opts[name] = value
            elif eq:
                return None
            else:
                opts[name] = True
        elif a.startswith("-"):
            return None
        else:
            words.append(a)
    if len(words) != 1:
        return None
    system = None
    if "--system" in opts:
        system = _SYSTEMS.get(str(opts["--system"]).strip().lower())
        if system is None:
            return None
    try:
        limit = int(opts.get("--limit", 20))
    except ValueError:
        return None
    if not 1 <= limit <= 500:
        return None
    day = None
    if "--on" in opts:
        import datetime as dt
        try:
            day = dt.date.fromisoformat(str(opts["--on"]).strip())
        except ValueError:
            return None
    if store_path is None:
        from medcode.store.db import default_path_str
        store_path = default_path_str()
    if not os.path.isfile(store_path):
        return None
    from medcode.cli.commands import search_cmd
    from medcode.errors import MedcodeError
    from medcode.store.db import Store
    try:
        store = Store(store_path)
        return search_cmd(store, words[0], system, bool(opts.get("--billable")), day, limit,
                          bool(opts.get("--prefix")), bool(opts.get("--json")), sys.stdout)
    except MedcodeError as exc:
        sys.stderr.write(f"medcode: {exc}\n")
        return exc.exit_code


def main() -> None:
    try:
        code = _fast(sys.argv[1:])
        if code is None:
            code = _fast_search(sys.argv[1:])
        if code is not None:
            sys.stdout.flush()
            sys.exit(code)
    except BrokenPipeError:
        sys.exit(0)
    from medcode.cli.app import main as full_cli
    full_cli()


if __name__ == "__main__":
    main()
