"""medcode.spark on a real local Spark (local[2], Java 17): the findings equal the ones one
process gives for the same claims, in both table layouts."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from medcode.claims.formats import read_claims  # noqa: E402
from medcode.claims.formats.arrowfmt import claims_table  # noqa: E402
from medcode.claims.report import run_check  # noqa: E402

from ._claims import jsonl  # noqa: E402

N = 120
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (17 or later)", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")       # loopback only
    from pyspark.sql import SparkSession
    s = (SparkSession.builder.master("local[2]").appName("medcode-tests")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.driver.host", "127.0.0.1")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
         .getOrCreate())
    yield s
    s.stop()


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("spark-claims")
    claims = list(read_claims(jsonl(N)))
    out = {}
    for layout in ("nested", "flat"):
        out[layout] = d / f"{layout}.parquet"
        pq.write_table(claims_table(claims, layout), out[layout], row_group_size=17)
    return out


def _cli_rows(store: Any) -> list[tuple]:
    """The findings of one process (medcode check --format parquet), without the source."""
    buf = io.BytesIO()
    run_check(jsonl(N), "jsonl", "parquet", buf, store)
    t = pq.read_table(io.BytesIO(buf.getvalue()))
    return sorted((tuple(tuple(v) if isinstance(v, list) else v for v in r.values())[:-1]
                   for r in t.to_pylist()), key=repr)


def _spark_rows(df: Any) -> list[tuple]:
    return sorted((tuple(tuple(v) if isinstance(v, list) else v for v in r)[:-1]
                   for r in df.collect()), key=repr)


@pytest.mark.parametrize("layout", ["nested", "flat"])
def test_findings_equal_one_process(spark: Any, store: Any, tables: dict[str, Path],
                                    layout: str) -> None:
    from medcode.spark import check_claims
    df = spark.read.parquet(str(tables[layout])).repartition(3)
    if layout == "flat":       # scatter a claim's lines over partitions: they are regrouped
        df = spark.read.parquet(str(tables[layout])).repartition(4)
    got = check_claims(df, store.path)
    assert got.columns[:8] == ["claim", "status", "line", "edit", "severity", "codes",
                               "message", "fix"]
    want = _cli_rows(store)
    assert len(want) > N                       # every claim has findings to compare
    assert _spark_rows(got) == want


def test_claim_status_and_shared_store(spark: Any, store: Any,
                                       tables: dict[str, Path]) -> None:
    from medcode.spark import claim_status
    df = spark.read.parquet(str(tables["nested"]))
    rows = claim_status(df, store.path, store_shared=True).collect()
    assert len(rows) == N and len({r["claim"] for r in rows}) == N
    from medcode.claims.engine import check_claims as check_here
    want = {r.claim: (r.status, r.errors) for r in check_here(read_claims(jsonl(N)), store)}
    assert {r["claim"]: (r["status"], r["errors"]) for r in rows} == want


def test_only_some_edits_and_unknown_edit(spark: Any, store: Any,
                                          tables: dict[str, Path]) -> None:
    from medcode.spark import check_claims
    df = spark.read.parquet(str(tables["nested"]))
    edits = {r["edit"] for r in check_claims(df, store.path, edits=["dx-header"]).collect()}
    assert edits == {"DX-HEADER"}                 # E11 is a category, not a code
    with pytest.raises(ValueError, match="unknown edit ID"):
        check_claims(df, store.path, edits=["NO-SUCH-EDIT"])


def test_not_a_claims_table(spark: Any, store: Any) -> None:
    from medcode.errors import ClaimFormatError
    from medcode.spark import check_claims
    df = spark.createDataFrame([("x", 1.0)], "member string, amount double")
    with pytest.raises(ClaimFormatError, match="not a claims table"):
        check_claims(df, store.path)


def test_spark_check_command(store_path: Path, tables: dict[str, Path], tmp_path: Path
                             ) -> None:
    out, status = tmp_path / "findings", tmp_path / "status"
    run = subprocess.run([sys.executable, "-m", "medcode", "--store", str(store_path),
                          "spark-check", str(tables["flat"]), str(out), "--master", "local[2]",
                          "--status", str(status)], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "findings" in run.stderr and "errors" in run.stderr
    assert pq.read_table(status).num_rows == N
    assert pq.read_table(out).num_rows > N
