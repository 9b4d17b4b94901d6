"""Display forms of codes (E11.9, 250.00, 36.06): a system module's own rule wins."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from medcode.errors import MedcodeError

_MODULES = {"ICD-10-CM": "icd10cm", "ICD-9-CM": "icd9cm", "ICD-10-PCS": "icd10pcs",
            "HCPCS": "hcpcs", "CPT": "cpt"}
#: kinds that name a range or a grouping rather than a code
HEADER_KINDS = frozenset({"chapter", "block", "section", "body system"})


def fallback(system: str, code: str, kind: str) -> str:
    """medcode's own rule, for systems whose module has no ``display``."""
    if kind in HEADER_KINDS or "-" in code or "." in code:
        return code
    if system == "ICD-10-CM":
        return code[:3] + "." + code[3:] if len(code) > 3 else code
    if system == "ICD-9-CM":  # procedures: 2 digits before the dot; diagnoses 3 (E codes 4)
        split = 2 if "proc" in kind.lower() else 4 if code.startswith("E") else 3
        return code[:split] + "." + code[split:] if len(code) > split else code
    return code


def _module_rule(system: str) -> Callable[[str, str], str] | None:
    name = _MODULES.get(system)
    if not name:
        return None
    try:
        mod = importlib.import_module(f"medcode.systems.{name}")
    except ImportError:
        return None
    fn = getattr(mod, "display", None)
    if not callable(fn):
        return None
    # the code object, not inspect.signature: importing inspect costs a one-shot CLI search
    # about 8 ms
    code = getattr(fn, "__code__", None)
    takes_kind = code is not None and code.co_argcount >= 2
    return (lambda c, k: str(fn(c, k))) if takes_kind else (lambda c, k: str(fn(c)))


class Displayer:
    """``show(system, code, kind)`` with each system's rule looked up once."""

    def __init__(self) -> None:
        self._rules: dict[str, Callable[[str, str], str] | None] = {}

    def __call__(self, system: str, code: str, kind: str) -> str:
        if kind in HEADER_KINDS or "." in code or "-" in code:
            return code
        if system not in self._rules:
            self._rules[system] = _module_rule(system)
        rule = self._rules[system]
        if rule is not None:
            try:
                return rule(code, kind)
            except (ValueError, TypeError, IndexError, KeyError, MedcodeError):
                pass  # a module refusing a code keeps medcode's generic rule
        return fallback(system, code, kind)
