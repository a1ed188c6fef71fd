"""Writers of several processes (server workers, CLI commands) take turns at one database.

SQLite's own busy handler sleeps and retries with sleeps growing to 100 ms, and a plain
try-and-sleep on one lock file is no fairer: a process whose threads hand the lock to each
other can keep it for a second while another process sleeps. Here a writer first takes a
gate, then the write lock, then lets the gate go. The one process waiting at the lock holds
the gate, so the process that just wrote cannot come back before it: with two processes
writers alternate, and with more each waits at most for the writers at the gate before it.

Both are flock() locks on files beside the database, so a process that dies drops them.
A writer that finds them taken does not poll: a waiter thread of its process blocks in
flock() (asleep in the kernel, no CPU) while the writer waits for it up to its deadline.
"""
import fcntl
import os
import sqlite3
import threading
import time

LOCK_SUFFIX = ".writer-lock"  # held from BEGIN IMMEDIATE to COMMIT
GATE_SUFFIX = ".writer-gate"  # held while waiting for the lock


class WriterQueue:
    """The cross-process half of core.db's write lock (threads queue on a threading lock
    before they come here, so one thread per process waits at a time)."""

    def __init__(self, path):
        self.path = str(path)
        self._gate = self._lock = None  # opened by the first write
        self._waiter = None

    def acquire(self, deadline: float):
        """Hold the write lock, or raise sqlite3.OperationalError at `deadline`
        (time.monotonic())."""
        if self._lock is None:
            self._gate = _open(self.path + GATE_SUFFIX)
            self._lock = _open(self.path + LOCK_SUFFIX)
        if _try(self._gate):
            taken = _try(self._lock)
            fcntl.flock(self._gate, fcntl.LOCK_UN)
            if taken:
                return
        if self._waiter is None or self._waiter.pid != os.getpid():  # none yet, or forked
            self._waiter = _Waiter(self._gate, self._lock)
        if not self._waiter.wait(deadline):
            raise sqlite3.OperationalError("database is locked")

    def release(self):
        fcntl.flock(self._lock, fcntl.LOCK_UN)

    def close(self):
        if self._waiter is not None:
            self._waiter.stop()
            self._waiter = None
        for fd in (self._gate, self._lock):
            if fd is not None:
                os.close(fd)
        self._gate = self._lock = None


def _open(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _try(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


class _Waiter:
    """A thread that waits for the gate then the lock in blocking flock() calls, for the one
    writer of this process waiting at a time. A writer whose deadline passes leaves; the lock,
    once got, goes to the next writer that asks, or is let go if none does."""

    def __init__(self, gate: int, lock: int):
        # Its own descriptors of the same open files: the same locks, closed by this thread.
        self.gate, self.lock, self.pid = os.dup(gate), os.dup(lock), os.getpid()
        self._changed = threading.Condition()
        self._wanted = None  # the waiting writer's ticket: [granted]
        self._stopped = False
        threading.Thread(target=self._run, name="writer-queue", daemon=True).start()

    def _run(self):
        try:
            while self._take():
                pass
        finally:
            os.close(self.gate)
            os.close(self.lock)

    def _take(self) -> bool:
        with self._changed:
            self._changed.wait_for(lambda: self._wanted is not None or self._stopped)
            if self._stopped:
                return False
        fcntl.flock(self.gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self.gate, fcntl.LOCK_UN)
        with self._changed:
            ticket, self._wanted = self._wanted, None
            if ticket is None or self._stopped:  # its writer left: not wanted now
                fcntl.flock(self.lock, fcntl.LOCK_UN)
            else:
                ticket[0] = True
                self._changed.notify_all()
            return not self._stopped

    def stop(self):
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def wait(self, deadline: float) -> bool:
        """True with the lock held; False (not held) once `deadline` has passed."""
        ticket = [False]
        with self._changed:
            self._wanted = ticket
            self._changed.notify_all()
            if self._changed.wait_for(lambda: ticket[0], max(0.0, deadline - time.monotonic())):
                return True
            if self._wanted is ticket:
                self._wanted = None
            return False
