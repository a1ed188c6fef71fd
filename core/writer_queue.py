"""Writers of several processes (server workers, CLI commands) take turns at one database.

SQLite's own busy handler sleeps and retries with sleeps growing to 100 ms, and a plain
try-and-sleep on one lock file is no fairer: a process whose threads hand the lock to each
other can keep it for a second while another process sleeps. Here a writer first takes a
gate, then the write lock, then lets the gate go. The one process waiting at the lock holds
the gate, so the process that just wrote cannot come back before it: with two processes
writers alternate, and with more each waits at most for the writers at the gate before it.

Both are flock() locks on files beside the database, so a process that dies drops them.
"""
import fcntl
import os
import sqlite3
import time

LOCK_SUFFIX = ".writer-lock"  # held from BEGIN IMMEDIATE to COMMIT
GATE_SUFFIX = ".writer-gate"  # held while waiting for the lock

# Polling pauses (seconds): the gate holder alone waits at the lock, so it polls finely;
# the writers at the gate wait for a whole transaction at least.
LOCK_PAUSES = (0.00005, 0.0005)
GATE_PAUSES = (0.0001, 0.001)


class WriterQueue:
    """The cross-process half of core.db's write lock (threads queue on a threading lock
    before they come here, so one thread per process waits at a time)."""

    def __init__(self, path):
        self.path = str(path)
        self._gate = self._lock = None  # opened by the first write

    def acquire(self, deadline: float):
        """Hold the write lock, or raise sqlite3.OperationalError at `deadline`
        (time.monotonic())."""
        if self._lock is None:
            self._gate = _open(self.path + GATE_SUFFIX)
            self._lock = _open(self.path + LOCK_SUFFIX)
        _take(self._gate, deadline, GATE_PAUSES)
        try:
            _take(self._lock, deadline, LOCK_PAUSES)
        finally:
            fcntl.flock(self._gate, fcntl.LOCK_UN)

    def release(self):
        fcntl.flock(self._lock, fcntl.LOCK_UN)

    def close(self):
        for fd in (self._gate, self._lock):
            if fd is not None:
                os.close(fd)
        self._gate = self._lock = None


def _open(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _take(fd: int, deadline: float, pauses: tuple[float, float]):
    pause, longest = pauses
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError("database is locked") from None
            time.sleep(pause)
            pause = min(pause * 1.5, longest)
