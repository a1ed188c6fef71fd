"""The rate-limit file shared by server processes: workers starting together all start, the
limit slides, and a hit costs the same whatever the limit."""
import subprocess
import sys
import time

import pytest

from core.ratelimit import SharedRateLimiter


START = """
import sys, time
from pathlib import Path
from core.ratelimit import RateLimitMiddleware
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all at once
limits = RateLimitMiddleware(10, 600, shared=Path(sys.argv[1]))  # as each worker makes it
limits.login.hit("127.0.0.1")
limits.writes.hit("127.0.0.1")
print("started")
"""


@pytest.mark.drill  # processes started together
def test_processes_opening_a_new_file_together_all_start(tmp_path):
    for attempt in range(10):  # the race is narrow: fresh files, two workers each
        path = tmp_path / f"ratelimits-{attempt}.db"
        at = str(time.time() + 1.0)
        procs = [subprocess.Popen([sys.executable, "-c", START, str(path), at],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        results = [proc.communicate(timeout=60) for proc in procs]
        failed = [err.strip().splitlines()[-1] for out, err in results if out.strip() != "started"]
        assert failed == [], failed
        assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_the_shared_limit_slides_like_the_one_in_memory(tmp_path):
    now = [0.0]
    limiter = SharedRateLimiter(tmp_path / "r.db", "writes", 2, window=60,
                                clock=lambda: now[0])
    assert limiter.hit("ip") == 0 and limiter.hit("ip") == 0
    assert limiter.hit("ip") == pytest.approx(60)
    assert limiter.hit("other") == 0  # keys apart
    now[0] = 30
    assert limiter.hit("ip") == pytest.approx(30)
    now[0] = 60.5
    assert limiter.hit("ip") == 0 and limiter.hit("ip") == 0 and limiter.hit("ip") > 0
    # a restart counts what the file holds
    again = SharedRateLimiter(tmp_path / "r.db", "writes", 2, window=60, clock=lambda: now[0])
    assert again.hit("ip") == pytest.approx(60)


def _steps(limiter, key) -> int:
    """SQLite virtual machine steps of one hit."""
    steps = [0]

    def count():
        steps[0] += 1
    limiter._conn.set_progress_handler(count, 1)
    try:
        assert limiter.hit(key) == 0
    finally:
        limiter._conn.set_progress_handler(None, 1)
    return steps[0]


def test_a_hit_costs_the_same_whatever_the_live_hits(tmp_path):
    """Every write request hits the limiter: it must not count the key's whole log (a
    limit of thousands made each write scan thousands of index entries)."""
    now = [1000.0]
    limiter = SharedRateLimiter(tmp_path / "r.db", "writes", 100_000, clock=lambda: now[0])
    for _ in range(10):
        limiter.hit("few")
    for _ in range(5_000):
        limiter.hit("many")
    now[0] += limiter.LEASE_SECONDS  # both leases ran out: each measured hit takes a new one
    few, many = _steps(limiter, "few"), _steps(limiter, "many")
    assert few > 0 and many <= 2 * few + 50


def test_a_lease_spends_hits_without_the_file_and_gives_back_the_rest(tmp_path):
    """A write request takes no transaction of its own: a process takes hits a lease at a
    time, and what a lease leaves unspent goes back, so two processes still share the whole
    limit between them."""
    now = [1000.0]
    one = SharedRateLimiter(tmp_path / "r.db", "writes", 200, clock=lambda: now[0])
    two = SharedRateLimiter(tmp_path / "r.db", "writes", 200, clock=lambda: now[0])
    assert one.lease_size == 10
    assert one.hit("ip") == 0
    assert _steps(one, "ip") == 0  # spent from the lease: the file is not touched
    live = lambda: one._conn.execute("SELECT n FROM hit_counts").fetchone()[0]  # noqa: E731
    assert live() == 10  # the lease is counted whole, at once
    now[0] += one.LEASE_SECONDS
    assert two.hit("ip") == 0 and live() == 20
    assert one.hit("ip") == 0 and live() == 22  # 8 unspent given back, 10 taken
    spent = 4  # hits granted so far
    while two.hit("ip") == 0:
        spent += 1
        assert spent <= 200
    while one.hit("ip") == 0:  # what `one` holds is still its to spend
        spent += 1
    assert spent == 200  # the window's whole limit, shared by the two processes
    now[0] += 60
    assert two.hit("ip") == 0
