"""The servers under test, as real processes: `crm serve` and `datasette serve`."""
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.client import Http

READY = re.compile(r"Venture CRM serving on http://[\d.]+:(\d+)")
START_TIMEOUT = 60


def _bin(name: str) -> Path:
    return Path(sys.executable).with_name(name)


def _stop(process, log):
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if log:
        log.close()


class CrmServer:
    """`crm serve --port 0 --no-scheduler` in its own data dir, with an admin logged in.

    Use as a context manager; `client()` gives a keep-alive client with the admin's token.
    """

    EMAIL = "bench-admin@example.com"

    def __init__(self, root: Path, workers: int = 1):
        self.root = root
        self.workers = workers  # crm serve's processes (CRM_WORKERS)
        self.data_dir = root / "data"
        self.password = secrets.token_urlsafe(18)
        self.secret_key = secrets.token_urlsafe(48)
        self.port = None
        self.token = None
        self.user_id = None
        self._process = self._log = None

    @property
    def database_path(self) -> Path:
        return self.data_dir / "crm.db"

    def env(self) -> dict:
        # Only this run's configuration: no CRM_* setting leaks in from the caller.
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
        env.update(CRM_DATA_DIR=str(self.data_dir), CRM_SECRETS_DIR=str(self.root / "secrets"),
                   CRM_SECRET_KEY=self.secret_key, CRM_WRITE_RATE_LIMIT="1000000",
                   CRM_LOGIN_RATE_LIMIT="1000000", CRM_WORKERS=str(self.workers))
        return env

    def _crm(self, *args):
        command = [str(_bin("crm"))] if _bin("crm").exists() else [sys.executable, "-m", "core"]
        return command + list(args)

    def __enter__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        subprocess.run(self._crm("users", "create-admin", "--email", self.EMAIL, "--name",
                                 "Bench Admin"),
                       input=self.password + "\n", text=True, env=self.env(), cwd=self.root,
                       check=True, capture_output=True)
        self._start()
        try:
            http = Http(self.port)
            login, _, _ = http.json("POST", "/api/auth/login",
                                    {"email": self.EMAIL, "password": self.password})
            http.close()
        except BaseException:
            _stop(self._process, self._log)
            raise
        self.token, self.user_id = login["token"], login["user"]["id"]
        return self

    def _start(self):
        self._log = open(self.root / "crm-serve.log", "a+")
        self._process = subprocess.Popen(self._crm("serve", "--port", "0", "--no-scheduler"),
                                         env=self.env(), cwd=self.root, stdin=subprocess.DEVNULL,
                                         stdout=self._log, stderr=subprocess.STDOUT)
        self._log_start = self._log.tell()
        try:
            self.port = self._wait_for_port()
        except BaseException:
            _stop(self._process, self._log)
            raise

    def restart(self, workers: int):
        """The same data served again by `workers` processes (on a new port); the admin's
        token still holds."""
        _stop(self._process, self._log)
        self.workers = workers
        self._start()

    def pids(self) -> list[int]:
        """The server's process and its workers' (from /proc), for their CPU time."""
        pid = self._process.pid
        found = [pid]
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # not a process, or it ended while we looked
            if ppid == pid:
                found.append(int(entry))
        return found

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._log.seek(self._log_start)
            found = READY.search(self._log.read())
            if found:
                return int(found.group(1))
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        self._log.seek(0)
        raise RuntimeError(f"crm serve did not start:\n{self._log.read()[-2000:]}")

    def client(self) -> Http:
        return Http(self.port, self.token)

    def __exit__(self, *exc):
        _stop(self._process, self._log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def datasette_available() -> bool:
    return _bin("datasette").exists()


class DatasetteServer:
    """`datasette serve FILE` (read-only connections, as datasette opens a mutable file)."""

    def __init__(self, database: Path, log_path: Path):
        self.database, self.log_path = database, log_path
        self.name = database.stem
        self.port = None
        self._process = self._log = None

    def __enter__(self):
        self.port = free_port()
        self._log = open(self.log_path, "w+")
        self._process = subprocess.Popen(
            [str(_bin("datasette")), "serve", str(self.database), "--port", str(self.port),
             "--setting", "sql_time_limit_ms", "10000", "--setting", "max_returned_rows", "1000"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self._process.poll() is None:
            probe = Http(self.port, timeout=5)
            try:
                if probe.request("GET", "/-/versions.json")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
            finally:
                probe.close()
        self._log.seek(0)
        output = self._log.read()[-2000:]
        _stop(self._process, self._log)
        raise RuntimeError(f"datasette did not start:\n{output}")

    def __exit__(self, *exc):
        _stop(self._process, self._log)
