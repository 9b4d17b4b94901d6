"""The public API: what `medcode` exports, and that importing it does no work."""

from __future__ import annotations

import subprocess
import sys

import medcode

EXPECTED = {"__version__", "open_store", "build", "lookup", "identify", "search", "suggest",
            "validate", "validate_many", "check_claims", "read_claims", "map", "MedcodeError",
            "InvalidCode",
            "UnknownCode", "StoreError", "SourceError", "ClaimFormatError", "NoRelease",
            "CodeSystem", "Claim", "ClaimLine", "Patient", "Finding", "Release"}


def test_all_is_the_declared_api():
    assert set(medcode.__all__) == EXPECTED
    for name in medcode.__all__:
        assert getattr(medcode, name) is not None, name


def test_errors_share_one_root():
    for name in ("InvalidCode", "UnknownCode", "StoreError", "SourceError", "ClaimFormatError",
                 "NoRelease"):
        assert issubclass(getattr(medcode, name), medcode.MedcodeError)


def test_import_is_light_and_opens_nothing(tmp_path):
    code = ("import sys, medcode; "
            "heavy = [m for m in ('sqlite3', 'click', 'fastapi', 'rich', 'medcode.store.db') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"MEDCODE_HOME": str(tmp_path), "PATH": ""}, check=True)
    assert out.stdout.strip() == "[]"
    assert not any(tmp_path.iterdir()), "importing medcode must not build a store"


def test_core_imports_without_web_dependencies():
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None; "
            "import medcode.cli, medcode.claims.engine, medcode.textsearch.engine, "
            "medcode.codes.identification; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
