"""Locate data files inside installed packages without running the packages' code.

``importlib.resources.files(pkg)`` imports ``pkg``; some of the packages that carry the
official files load their whole data set on import (seconds, hundreds of MB). ``find_spec``
on a top-level package only finds where it lives.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from medcode.errors import SourceError


def package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(f"the package {module!r} that carries official data files is not "
                          "installed; reinstall medcode to get it")
    return Path(next(iter(spec.submodule_search_locations)))


def package_file(module: str, relative: str) -> Path:
    path = package_dir(module) / relative
    if not path.is_file():
        raise SourceError(f"{path}: missing from the installed package {module!r}")
    return path
