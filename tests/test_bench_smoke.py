"""The benchmarks still run: a quick pass at small sizes (figures are for `make bench`)."""
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
