"""medcode's exceptions. Only the edges (CLI, HTTP) translate them.

Hierarchy::

    MedcodeError                  root of everything medcode raises on purpose
    ├── InvalidCode               the input cannot be a code (empty, too long, binary, bad shape)
    ├── UnknownCode               well-formed, but not in the loaded data for that system/release
    ├── StoreError                the compiled store is missing, corrupt or of another schema
    │   └── NoRelease             no release of a system is loaded for the date asked
    ├── SourceError               an official source file is missing, broken or unexpected
    ├── ClaimFormatError          a claim file cannot be read (names the place: line/segment)
    └── MissingExtra              a feature needs an optional extra that is not installed

Exit codes at the CLI edge: InvalidCode/ClaimFormatError/MissingExtra -> 2,
StoreError/SourceError -> 3.
"""

from __future__ import annotations


class MedcodeError(Exception):
    """Root of medcode's exceptions."""

    exit_code = 1


class InvalidCode(MedcodeError, ValueError):
    """The input cannot be a code at all."""

    exit_code = 2

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class UnknownCode(MedcodeError, LookupError):
    """Well-formed but not found in the loaded data."""

    exit_code = 1

    def __init__(self, message: str, code: str | None = None, system: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.system = system


class StoreError(MedcodeError):
    """The compiled store is missing, corrupt or unusable."""

    exit_code = 3


class NoRelease(StoreError):
    """No release of the code system is loaded for the requested date or name."""


class SourceError(MedcodeError):
    """An official source file is missing, broken or not what it claims to be."""

    exit_code = 3


class ClaimFormatError(MedcodeError):
    """A claim file or record cannot be read. ``where`` names the place. ``scope`` is
    "record" (one claim or record could not be read: it counts as a failed claim) or "file"
    (a problem of the file around the claims, such as an X12 envelope trailer whose control
    number does not match: reported once for the file, never counted as a claim)."""

    exit_code = 2

    def __init__(self, message: str, where: str | None = None, scope: str = "record") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.reason = message
        self.scope = scope


class MissingExtra(MedcodeError, ImportError):
    """A feature needs an optional extra (``[api]``, ``[parquet]``, ``[spark]``...)."""

    exit_code = 2


def require_extra(extra: str, *modules: str, feature: str = "") -> None:
    """Raise MissingExtra naming the pip command when any of ``modules`` is missing.

    Only looks the modules up (``find_spec``); nothing is imported."""
    import importlib.util
    def absent(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is None
        except (ImportError, ValueError):  # a parent package is missing, or import blocked
            return True
    missing = [m for m in modules if absent(m)]
    if missing:
        what = feature or "this feature"
        raise MissingExtra(f"{what} needs the [{extra}] extra ({', '.join(missing)} not "
                           f"installed): pip install \"medcode[{extra}]\"")
