"""Opening the store: the default one is built on first use, once per process.

The claims engine, the API and the public functions all open stores through here, so that
nothing below the public face imports ``medcode._api``."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from medcode.errors import StoreError
from medcode.store.db import Store, default_path

_default: Store | None = None
_lock = threading.Lock()
_quiet = bool(os.environ.get("MEDCODE_QUIET"))


def set_quiet(quiet: bool = True) -> None:
    """Say nothing on stderr while building (``medcode --quiet``, or MEDCODE_QUIET=1)."""
    global _quiet
    _quiet = quiet


def _stderr_progress():
    if _quiet:
        return lambda step, fraction: None
    if not sys.stderr.isatty():
        return _stage_lines()
    def show(step: str, fraction: float) -> None:
        width = 30
        done = int(width * fraction)
        sys.stderr.write(f"\rbuilding medcode store [{'#' * done}{'.' * (width - done)}] "
                         f"{int(fraction * 100):3d}% {step:<28}")
        if fraction >= 1:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def _stage_lines():
    """Without a terminal (a log, CI, a pipe): one line per stage, no carriage returns."""
    last: list[str] = []

    def show(step: str, fraction: float) -> None:
        if last and last[0] == step:
            return
        last[:] = [step]
        sys.stderr.write(f"medcode: building the code store: {step} ({int(fraction * 100)}%)\n")
        sys.stderr.flush()
    return show


def build(path: Path | None = None, progress=None) -> dict:
    """(Re)build the store from the embedded official files and the user's imports."""
    from medcode.store.build import safe_build
    path = Path(path) if path else default_path()
    return safe_build(path, progress or _stderr_progress(), imports_dir=path.parent / "imports")


def open_store(path: Path | str | None = None, build_if_missing: bool = True) -> Store:
    """Open a store read-only; the default one is built on first use."""
    global _default
    if path is not None:
        return Store(path)
    if _default is not None:
        return _default
    with _lock:
        if _default is None:
            target = default_path()
            if not target.exists():
                if not build_if_missing or os.environ.get("MEDCODE_NO_AUTOBUILD"):
                    raise StoreError(f"no store at {target}; run `medcode data build`")
                build(target)
            try:
                _default = Store(target)
            except StoreError:
                if not build_if_missing:
                    raise
                build(target)  # a store of an older schema: rebuild from the sources
                _default = Store(target)
    return _default


def reset_default() -> None:
    """Forget the default store (after a rebuild or an import swapped the file)."""
    global _default
    with _lock:
        _default = None
