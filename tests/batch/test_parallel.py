"""``--jobs``: worker processes write the report one process writes, byte for byte."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medcode.batch.parallel import run_parallel
from medcode.batch.parts import split
from medcode.claims.formats import read_claims
from medcode.claims.report import run_check

from ._claims import jsonl

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _both(src: Any, fmt_out: str, store: Any, tmp_path: Path, per: int = 7,
          fmt_in: str | None = None) -> tuple[bytes, bytes, int, int]:
    one, many = tmp_path / f"one.{fmt_out}", tmp_path / f"many.{fmt_out}"
    e1 = run_check(src, fmt_in, fmt_out, str(one), store, err=io.StringIO())
    e2 = run_parallel(src, fmt_in, fmt_out, str(many), store, 2, err=io.StringIO(),
                      claims_per_part=per)
    return one.read_bytes(), many.read_bytes(), e1, e2


def _no_time(report: bytes) -> bytes:
    return re.sub(rb'"seconds": [0-9.]+|\n[0-9.]+ s, [0-9,]+ claims/s\n', b"", report)


@pytest.mark.parametrize("fmt_out", ["json", "csv", "text", "html"])
def test_jsonl_same_report_as_one_process(store: Any, tmp_path: Path, fmt_out: str) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(jsonl(150, bad_every=40))
    a, b, e1, e2 = _both(src, fmt_out, store, tmp_path)
    assert e1 == e2 == 1
    assert _no_time(a) == _no_time(b)
    if fmt_out == "json":
        doc = json.loads(b)
        assert len(doc["claims"]) == 150 and doc["summary"]["unreadable_records"] == 3
        # unreadable records keep their place and number: line 41 is the 40th record + a blank
        bad = [c for c in doc["claims"]
               if any(f["edit"] == "CLAIM-FORMAT" for f in c["findings"])]
        assert [c["claim"] for c in bad] == ["#40", "#80", "#120"]
        assert "line 41" in bad[0]["findings"][0]["message"]


def test_parts_number_items_as_one_reader(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(jsonl(30))
    parts = list(split(src, claims_per_part=4))
    # cut every 4 lines; the blank line after record 6 is not a record
    assert [p.count for p in parts][:3] == [4, 3, 4]
    assert all(b.first == a.first + a.count for a, b in zip(parts, parts[1:]))
    assert sum(p.count for p in parts) == 30 == sum(1 for _ in read_claims(src))
    assert parts[-1].done == src.stat().st_size


@pytest.mark.parametrize("layout", ["nested", "flat"])
def test_parquet_both_layouts(store: Any, tmp_path: Path, layout: str) -> None:
    from medcode.claims.formats.arrowfmt import claims_table
    claims = list(read_claims(jsonl(120)))
    src = tmp_path / f"{layout}.parquet"
    pq.write_table(claims_table(claims, layout), src, row_group_size=13)
    a, b, e1, e2 = _both(src, "csv", store, tmp_path, per=10)
    assert e1 == e2 == 1 and a == b
    # the same findings as the JSON Lines input (the source column names rows instead)
    ref = tmp_path / "ref.csv"
    run_check(jsonl(120), "jsonl", "csv", str(ref), store)
    cut = lambda data: [r.split(",")[:6] for r in data.decode().splitlines()]  # noqa: E731
    assert cut(a) == cut(ref.read_bytes())


def test_flat_claim_ids_that_come_back_and_rows_without_id(store: Any, tmp_path: Path) -> None:
    """A claim id met in an earlier part is still reported as coming back."""
    ids = ["A", "A", "B", None, "B", "C", "A", "D", "D", None, "E", "B"]
    table = pa.table({"claim_id": ids, "code": ["99213"] * len(ids),
                      "dx1": ["E11.9"] * len(ids), "date": ["2026-01-05"] * len(ids)})
    src = tmp_path / "f.parquet"
    pq.write_table(table, src, row_group_size=2)
    for per in (1, 2, 3, 5):
        a, b, _, _ = _both(src, "json", store, tmp_path, per=per)
        assert _no_time(a) == _no_time(b), per
    claims = json.loads(a)["claims"]
    again = [c["claim"] for c in claims
             if any("appears again" in f["message"] for f in c["findings"])]
    assert len(again) == 2 and len(claims) == 9


def test_csv_and_x12_are_read_here_and_checked_there(store: Any, tmp_path: Path,
                                                     shared_data: Path) -> None:
    x12 = shared_data / "x12" / "imsweb" / "x12_many_claims.txt"
    a, b, e1, e2 = _both(x12, "json", store, tmp_path, per=50)
    assert e1 == e2 and _no_time(a) == _no_time(b)
    assert len(json.loads(b)["claims"]) == 820


def test_table_report_same_rows(store: Any, tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(jsonl(90))
    a, b, _, _ = _both(src, "parquet", store, tmp_path, per=11)
    ta, tb = pq.read_table(io.BytesIO(a)), pq.read_table(io.BytesIO(b))
    assert ta.equals(tb) and ta.num_rows > 90
    assert ta.schema.names[:8] == ["claim", "status", "line", "edit", "severity", "codes",
                                   "message", "fix"]
    edits = set(ta.column("edit").to_pylist())
    assert {"DX-HEADER", "LINE-DATE"} <= edits         # E11 is a header; 2025-02-30 no date


def test_unreadable_input_exit_2(store: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 broken")
    err = io.StringIO()
    assert run_parallel(bad, None, "json", str(tmp_path / "o.json"), store, 2, err=err) == 2
    assert "bad.parquet" in err.getvalue() and "Parquet" in err.getvalue()


def test_cli_jobs_and_parquet_out(store_path: Path, tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(jsonl(40))
    out = tmp_path / "f.parquet"
    run = subprocess.run([sys.executable, "-m", "medcode", "--store", str(store_path), "check",
                          str(src), "--jobs", "2", "--format", "parquet", "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    t = pq.read_table(out)
    assert set(t.column("claim").to_pylist()) <= {f"C{i:04d}" for i in range(40)}
    # to stdout (a pipe): the same table
    piped = subprocess.run([sys.executable, "-m", "medcode", "--store", str(store_path),
                            "check", str(src), "--format", "parquet"], capture_output=True)
    assert piped.returncode == 1
    assert pq.read_table(io.BytesIO(piped.stdout)).equals(t)


def test_progress_line_shows_rate_share_and_time_left() -> None:
    from medcode.cli.batch import Progress
    out = io.StringIO()
    bar = Progress(out)
    bar.t0 -= 10.0                          # as if 10 s had passed
    bar(20_000, 0.25)
    bar.end()
    text = out.getvalue()
    assert text.startswith("\rchecked 20,000 claims") and text.endswith("\n")
    rate = int(re.search(r"([0-9,]+) claims/s", text).group(1).replace(",", ""))
    assert 1_900 <= rate <= 2_000
    assert "25%" in text and "ETA 0:00:3" in text      # 30 s left at that pace


def test_spark_check_without_pyspark_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyspark'] = None; from medcode.cli.app import main; "
            f"sys.argv = ['medcode', 'spark-check', {str(tmp_path / 'in.parquet')!r}, "
            f"{str(tmp_path / 'out')!r}]; main()")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2
    assert 'pip install "medcode[spark]"' in run.stderr and "Traceback" not in run.stderr
