"""The benchmarks still run: a quick pass at small sizes (figures are for `make bench`)."""
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_bench_quick_runs_and_prints_its_table():
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-datasette"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "state_put" in result.stdout and "list_page" in result.stdout
    assert "PUT state" in result.stdout and "p50" in result.stdout


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_bench_prints_the_write_rows_and_the_edit_breakdown():
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-datasette",
                             "--only", "api_throughput", "--profile"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout
    for metric in ("PATCH: server CPU per edit", "PATCH throughput / GET-by-id throughput",
                   "PATCH latency p99 at 8 connections", "batch: one POST /investors/batch",
                   "reads under writes: page p99 with PATCHes / page p99 alone",
                   "write lock held per one-cell PATCH", "where a one-cell PATCH's time goes",
                   "changes_committed listeners", "in-process one-cell PATCHes"):
        assert metric in table, metric
    assert "breakdown failed" not in table and "FAIL" not in table
