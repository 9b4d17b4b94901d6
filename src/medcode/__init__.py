"""medcode: the codes on a medical bill, offline, from the official files.

    >>> import medcode
    >>> medcode.lookup("E11.9").title
    'Type 2 diabetes mellitus without complications'

Nothing is opened or built at import time: the default store is built on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "open_store": "medcode._api", "build": "medcode._api", "lookup": "medcode._api",
    "validate": "medcode._api", "validate_many": "medcode._api", "identify": "medcode._api",
    "search": "medcode._api", "suggest": "medcode._api",
    "check_claims": "medcode._api", "read_claims": "medcode._api", "map": "medcode._api",
    "MedcodeError": "medcode.errors", "InvalidCode": "medcode.errors",
    "UnknownCode": "medcode.errors", "StoreError": "medcode.errors",
    "SourceError": "medcode.errors", "ClaimFormatError": "medcode.errors",
    "NoRelease": "medcode.errors",
    "CodeSystem": "medcode.models", "Claim": "medcode.models", "ClaimLine": "medcode.models",
    "Patient": "medcode.models", "Finding": "medcode.models", "Release": "medcode.models",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'medcode' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
