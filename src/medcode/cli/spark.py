"""``medcode spark-check INPUT OUTPUT``: a batch job on Apache Spark (the ``[spark]`` extra).

Reads claims (Parquet, a directory of Parquet files, JSON Lines, or CSV with a header),
checks them with ``medcode.spark.check_claims`` and writes the findings as Parquet to
OUTPUT (a directory, Spark's way); ``--status DIR`` writes one row per claim too. Runs
locally (``--master local[*]``, the default) or under ``spark-submit`` (the master then comes
from spark-submit)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import click

__all__ = ["spark_check"]


def _read(spark: Any, path: str) -> Any:
    reader = spark.read
    low = path.lower().rstrip("/")
    if low.endswith((".jsonl", ".ndjson", ".json")):
        return reader.json(path)
    if low.endswith((".csv", ".tsv")):
        return reader.option("header", True).option("sep", "\t" if low.endswith(".tsv")
                                                     else ",").csv(path)
    return reader.parquet(path)


@click.command("spark-check")
@click.argument("input_path", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@click.option("--master", default=None, help="Spark master (default: local[*], or the one "
              "spark-submit gives).")
@click.option("--status", "status_out", help="Also write one row per claim (Parquet) here.")
@click.option("--store-shared", is_flag=True, help="Executors read the store at its path "
              "(shared storage) instead of receiving a copy.")
@click.option("--edits", help="Only these edit IDs, comma-separated.")
@click.pass_context
def spark_check(ctx: click.Context, input_path: str, output: str, master: str | None,
                status_out: str | None, store_shared: bool, edits: str | None) -> None:
    """Check a table of claims on Apache Spark; write the findings as Parquet."""
    from medcode.errors import require_extra
    require_extra("spark", "pyspark", "pyarrow", feature="`medcode spark-check`")
    from medcode.store.open import open_store
    store = open_store(ctx.obj.get("store") if ctx.obj else None)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from medcode.spark import check_claims, claim_status
    builder = SparkSession.builder.appName("medcode spark-check")
    if master or not os.environ.get("SPARK_ENV_LOADED"):   # not under spark-submit
        master = master or "local[*]"
        builder = builder.master(master)
    if master and master.startswith("local"):              # one machine: stay on loopback
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
            "spark.driver.host", "127.0.0.1")
    t0 = time.perf_counter()
    spark = builder.getOrCreate()
    try:
        claims = _read(spark, input_path)
        wanted = [e for e in (edits or "").split(",") if e.strip()] or None
        try:
            findings = check_claims(claims, store.path, store_shared=store_shared,
                                    edits=wanted)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        findings.write.mode("overwrite").parquet(output)
        if status_out:
            claim_status(claims, store.path, store_shared=store_shared,
                         edits=wanted).write.mode("overwrite").parquet(status_out)
        rows = spark.read.parquet(output).groupBy("severity").count().collect()
        counts = {r["severity"]: r["count"] for r in rows}
        click.echo(f"{sum(counts.values()):,} findings ({counts.get('error', 0):,} errors, "
                   f"{counts.get('warning', 0):,} warnings) written to {output} in "
                   f"{time.perf_counter() - t0:.1f} s", err=True)
    finally:
        spark.stop()
