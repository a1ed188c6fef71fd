"""`crm serve` with two worker processes: both serve, they share rate limits and the write
queue, a dead worker is replaced, and none outlives the parent (even after kill -9)."""
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.web.conftest import PASSWORD, _server_env, running_server, start_serve

pytestmark = pytest.mark.drill


def children(pid) -> list[int]:
    """The live child processes of `pid`, from every process's /proc stat."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                state, ppid = f.read().rpartition(")")[2].split()[:2]
        except (OSError, ValueError):
            continue  # it ended while we looked
        if int(ppid) == pid and state not in "ZX":
            found.append(int(entry))
    return sorted(found)


def cpu_ticks(pid) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def status_of(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def port_open(base) -> bool:
    host, port = base.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def workers_server(tmp_path):
    with running_server(tmp_path, workers=2) as server:
        yield server


def test_both_workers_serve(workers_server):
    parent = _parent_of(workers_server)
    workers = children(parent)
    assert len(workers) == 2
    before = {pid: cpu_ticks(pid) for pid in workers}
    token = workers_server.tokens["ada@fund.example"]
    with ThreadPoolExecutor(8) as pool:  # a new connection per request
        statuses = list(pool.map(lambda _: status_of(
            workers_server.base_url, "GET", "/api/fundraising/investors?limit=100",
            token=token), range(400)))
    assert statuses == [200] * 400
    busy = [pid for pid in workers if cpu_ticks(pid) > before[pid]]
    assert sorted(busy) == sorted(workers)


def test_rate_limits_are_shared_by_the_workers(tmp_path):
    with running_server(tmp_path, workers=2):
        pass  # an admin exists; the counts of its logins are dropped for a fresh start
    for leftover in (tmp_path / "data").glob("ratelimits.db*"):
        leftover.unlink()
    env = _server_env(tmp_path)
    env.update(CRM_WORKERS="2", CRM_LOGIN_RATE_LIMIT="4")
    proc, base = start_serve(env, tmp_path)
    try:
        bad = {"email": "ada@fund.example", "password": "wrong " + PASSWORD}
        with ThreadPoolExecutor(4) as pool:  # new connections, so both workers take some
            statuses = list(pool.map(lambda _: status_of(base, "POST", "/api/auth/login", bad),
                                     range(12)))
        assert sorted(statuses) == [401] * 4 + [429] * 8
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert oct(os.stat(tmp_path / "data" / "ratelimits.db").st_mode & 0o777) == "0o600"


def test_a_dead_worker_is_replaced(workers_server):
    parent = _parent_of(workers_server)
    first, second = children(parent)
    os.kill(first, signal.SIGKILL)
    assert wait_until(lambda: len(children(parent)) == 2 and first not in children(parent))
    assert second in children(parent)
    token = workers_server.tokens["ada@fund.example"]
    for _ in range(20):
        assert status_of(workers_server.base_url, "GET", "/api/fundraising/investors",
                         token=token) == 200


@pytest.fixture
def two_workers(tmp_path):
    """A `crm serve` with two workers: (parent process, base URL, worker pids)."""
    env = _server_env(tmp_path)
    env["CRM_WORKERS"] = "2"
    proc, base = start_serve(env, tmp_path)
    try:
        assert wait_until(lambda: len(children(proc.pid)) == 2)
        yield proc, base, children(proc.pid)
    finally:
        proc.kill()  # a test that failed midway leaves nothing behind
        proc.wait(timeout=10)


def test_workers_end_with_the_parent_even_on_kill_9(two_workers):
    proc, base, workers = two_workers
    assert port_open(base)
    proc.kill()
    proc.wait(timeout=10)
    assert wait_until(lambda: not any(alive(pid) for pid in workers))
    assert not port_open(base)


def test_sigterm_stops_every_worker(two_workers):
    proc, base, workers = two_workers
    proc.terminate()
    assert proc.wait(timeout=10) == 0
    assert not any(alive(pid) for pid in workers)
    assert not port_open(base)


def alive(pid) -> bool:
    """Whether any thread of the process still runs (a leader that has exited shows as a
    zombie while its other threads, holding its sockets, are still ending)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rpartition(")")[2].split()[0]
        return state not in "ZX" or len(os.listdir(f"/proc/{pid}/task")) > 1
    except FileNotFoundError:
        return False


def _parent_of(server) -> int:
    """The pid of the `crm serve` listening on the server's port (the test's child)."""
    mine = children(os.getpid())
    for pid in mine:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"serve" in f.read() and _data_dir_of(pid) == str(server.data_dir):
                return pid
    raise AssertionError("no crm serve among this test's children")


def _data_dir_of(pid) -> str | None:
    with open(f"/proc/{pid}/environ", "rb") as f:
        for item in f.read().split(b"\0"):
            if item.startswith(b"CRM_DATA_DIR="):
                return item.split(b"=", 1)[1].decode()
    return None
