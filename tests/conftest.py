"""Shared fixtures: one real store, built once per test session from the official files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# Official files that may be redistributed live in tests/data (each folder has a SOURCES.md);
# ../shared/data holds the others (CMS excerpts with CPT codes, other projects' X12 samples,
# CodiEsp), which tests skip without.
TEST_DATA = Path(__file__).resolve().parent / "data"
HCPCS_2020 = TEST_DATA / "cms/hcpcs/2020-Alpha-Numeric-HCPCS-File.zip"


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
def own_store(tmp_path: Path, store_path: Path) -> Path:
    """A private copy of the session store, as ``<tmp>/home/medcode.sqlite`` (imports and
    fetches change it)."""
    import shutil
    target = tmp_path / "home" / "medcode.sqlite"
    target.parent.mkdir()
    shutil.copyfile(store_path, target)
    return target


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: CMS excerpts with CPT codes and X12 samples "
                    "that may not be redistributed are not here")
    return SHARED_DATA


@pytest.fixture
def hcpcs_2020() -> Path:
    """The complete official 2020 HCPCS release (public domain, in tests/data)."""
    return HCPCS_2020


#: medcode answers for today by default; the suite freezes its clock (MEDCODE_TODAY) on a day
#: the bundled releases cover, so that it passes next year too. Tests that are about "today"
#: set their own day.
FROZEN_TODAY = "2026-12-02"
os.environ.setdefault("MEDCODE_TODAY", FROZEN_TODAY)


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


@pytest.fixture(scope="session")
def hcpcs_store_path(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session store with the real 2020 HCPCS release imported."""
    zip_path = HCPCS_2020
    if not zip_path.is_file():
        pytest.skip(f"{zip_path} is absent: the official HCPCS file is not here")
    import shutil

    from medcode.store.imports import import_files
    target = tmp_path_factory.mktemp("hcpcs-home") / "medcode.sqlite"
    shutil.copyfile(store_path, target)
    import_files(target, "hcpcs", [zip_path])
    return target


@pytest.fixture(scope="session")
def hcpcs_store(hcpcs_store_path: Path):
    import medcode
    s = medcode.open_store(hcpcs_store_path)
    yield s
    s.close()
