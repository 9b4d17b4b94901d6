"""Shared fixtures: one real store, built once per test session from the official files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store compiled from the pinned packages' official files (about 5-10 s)."""
    import medcode
    home = tmp_path_factory.mktemp("medcode-home")
    path = home / "medcode.sqlite"
    medcode.build(path)
    return path


@pytest.fixture(scope="session")
def store(store_path: Path):
    import medcode
    s = medcode.open_store(store_path)
    yield s
    s.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: the official CMS/X12 sample files are not here")
    return SHARED_DATA


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory: pytest.TempPathFactory):
    """Never touch the developer's own store: the default home is a session temp dir,
    pointing at the session store once built."""
    old = os.environ.get("MEDCODE_HOME")
    os.environ["MEDCODE_HOME"] = str(tmp_path_factory.mktemp("default-home"))
    yield
    if old is None:
        os.environ.pop("MEDCODE_HOME", None)
    else:
        os.environ["MEDCODE_HOME"] = old
