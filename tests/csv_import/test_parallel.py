"""Column work shared with the helper process gives what this process alone gives, and a
helper that dies costs nothing but time."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from plugins.fundraising.imports.csv_import import parallel
from plugins.fundraising.imports.csv_import.cells import make_parser
from plugins.fundraising.imports.csv_import.parallel import ColumnJob, run_columns
from plugins.fundraising.imports.importer import plan_import
from tests.fundraising.test_import import export, sample_rows
from tests.test_workers import alive, children, wait_until

ROWS = 300


def jobs():
    """Columns of every kind: inferred, typed, with bad cells, and one parsed here."""
    amounts = tuple(f"${i:,}.00" if i % 7 else "lots" for i in range(ROWS))
    tags = tuple('Fintech,"Health, Bio"' if i % 3 else "Climate" for i in range(ROWS))
    days = tuple(f"{1 + i % 12}/{1 + i % 28}/2026" for i in range(ROWS))
    notes = tuple(f"note {i}\nsecond line" for i in range(ROWS))
    upper = make_parser("text")
    return [ColumnJob(None, None, amounts), ColumnJob(None, None, tags),
            ColumnJob(None, None, days), ColumnJob("currency", {"symbol": "$"}, amounts),
            ColumnJob("date", {}, days), ColumnJob(None, None, notes),
            ColumnJob("text", {}, notes, parse=lambda t: upper(t).upper())]


@pytest.fixture
def forced(monkeypatch):
    """Every file counts as large."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)


def test_the_helper_gives_what_this_process_gives(forced):
    alone = run_columns(jobs(), rows=0)
    assert run_columns(jobs(), rows=ROWS) == alone
    assert parallel.helper() is not None  # it ran (this machine has two cores)
    types = [r[0] for r in alone]
    assert types == ["text", "multi_select", "date", "currency", "date", "long_text", "text"]
    assert len(alone[3][3]) == len(range(0, ROWS, 7))  # 'lots' is no amount
    assert alone[6][2][0] == "NOTE 0\nSECOND LINE"


def test_a_plan_is_the_same_with_the_helper(crm, monkeypatch):
    data = export(sample_rows(40))
    with crm.write() as db:
        alone = plan_import(db, "investors", data)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    with crm.write() as db:
        shared = plan_import(db, "investors", data)
    assert shared.summary() == alone.summary()
    assert shared.creates == alone.creates
    assert shared.new_fields == alone.new_fields


def test_a_dead_helper_is_replaced(forced, caplog):
    alone = run_columns(jobs(), rows=0)
    run_columns(jobs(), rows=ROWS)
    pool = parallel.helper()
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    assert run_columns(jobs(), rows=ROWS) == alone  # done here, with a warning
    assert "import helper process" in caplog.text
    assert parallel.helper() is not pool
    assert run_columns(jobs(), rows=ROWS) == alone


HOLDER = """
import os, sys, time
from plugins.fundraising.imports.csv_import import parallel
pool = parallel.helper()
pool.submit(int).result()
print(" ".join(map(str, pool._processes)), flush=True)
time.sleep(60)
"""


def test_the_helper_ends_with_its_process_even_on_kill_9(tmp_path):
    """A server killed during a large import leaves no helper (nor forkserver) behind."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parents[2])
    try:
        helpers = [int(p) for p in proc.stdout.readline().split()]
        spawned = children(proc.pid)  # the forkserver
        assert helpers and spawned
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert wait_until(lambda: not any(map(alive, helpers + spawned)))

