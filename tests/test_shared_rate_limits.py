"""The rate-limit file shared by server processes: workers starting together all start."""
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.drill  # processes started together

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
