"""Sliding-window rate limits per client address: in memory for one server process, in a small
SQLite file of their own when several worker processes must share the counts."""
import contextlib
import math
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

import falcon

from core.db import make_owner_only
from core.errors import APIError
from core.writer_queue import WriterQueue


class RateLimiter:
    """At most `limit` hits per `window` seconds per key."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one hit; return 0 when allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return 0.0

    def _forget_idle(self, now):
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]


def _into_wal(conn, seconds=5.0):
    """Switch a new file to WAL. Workers starting together race for it, and the switch does
    not wait on SQLite's busy handler: the loser retries instead of failing its start."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class SharedRateLimiter:
    """RateLimiter's counts kept in an SQLite file that every worker process opens.

    The file holds nothing worth keeping (hits of the last window), so it is written without
    waiting for the disk; it is apart from the CRM's database so that a long write there
    never holds up a login. Processes take turns through a WriterQueue rather than SQLite's
    busy handler (whose sleeps grow to 100 ms), and a hit costs the same whatever the limit:
    a key's live hits are counted in a row of their own, not by scanning its log.

    A process takes hits from the file a lease at a time (a twentieth of the limit, at most
    LEASE_MOST, one when the limit is under 40, as logins' is) and spends them for up to
    LEASE_SECONDS: a write request costs no transaction of its own here. What a lease leaves
    unspent is given back with the next one; no more than `limit` hits are ever granted per
    window, and a hit is counted at most LEASE_SECONDS before it happens."""

    CLEAN_EVERY = 1000  # leases between sweeps of keys that went quiet
    LEASE_MOST = 100
    LEASE_SECONDS = 1.0

    def __init__(self, path: Path, name: str, limit: int, window: float = 60.0,
                 clock=time.time):
        self.name, self.limit, self.window, self.clock = name, limit, window, clock
        self.lease_size = max(1, min(self.LEASE_MOST, limit // 20))
        make_owner_only(path)  # client addresses: owner only
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                     timeout=5.0)
        _into_wal(self._conn)
        self._conn.execute("PRAGMA synchronous = OFF")
        self._queue = WriterQueue(path)
        self._lock = threading.Lock()
        self._leases: dict[str, list] = {}  # key -> [hits left, taken at]
        self._count = 0
        with self._turn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def _turn(self):
        """The file to this thread, in turn with the other processes (and this process's
        leases to it alone)."""
        with self._lock:
            self._queue.acquire(time.monotonic() + 5.0)
            try:
                yield self._conn
            finally:
                self._queue.release()

    def hit(self, key: str) -> float:
        now = self.clock()
        with self._lock:
            lease = self._leases.get(key)
            if lease and lease[0] > 0 and now - lease[1] < self.LEASE_SECONDS:
                lease[0] -= 1
                return 0.0
        with self._turn() as conn:
            return self._take(conn, key, now)

    def _take(self, conn, key, now) -> float:
        """A new lease for `key` with this hit spent from it (0), or the seconds to wait."""
        start = now - self.window
        unspent = self._leases.pop(key, None)
        if len(self._leases) > 10_000:
            self._leases = {k: v for k, v in self._leases.items()
                            if now - v[1] < self.LEASE_SECONDS}
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._count += 1
            if self._count % self.CLEAN_EVERY == 0:
                conn.execute("DELETE FROM hits WHERE at <= ?", [start])
            if unspent and unspent[0] > 0:  # given back: they were never used
                conn.execute("DELETE FROM hits WHERE rowid IN (SELECT rowid FROM hits WHERE "
                             "name = ? AND key = ? AND at = ? LIMIT ?)",
                             [self.name, key, unspent[1], unspent[0]])
            live = self._live(conn, key)
            if live >= self.limit:  # a key's old hits are kept until it is near its limit
                conn.execute("DELETE FROM hits WHERE name = ? AND key = ? AND at <= ?",
                             [self.name, key, start])
                live = self._live(conn, key)
            granted = min(self.lease_size, self.limit - live)
            if granted <= 0:
                first = conn.execute("SELECT min(at) FROM hits WHERE name = ? AND key = ?",
                                     [self.name, key]).fetchone()[0]
                return max(first + self.window - now, 0.001)
            conn.executemany("INSERT INTO hits (name, key, at) VALUES (?, ?, ?)",
                             [(self.name, key, now)] * granted)
            self._leases[key] = [granted - 1, now]
            return 0.0
        finally:
            conn.execute("COMMIT")

    def _live(self, conn, key) -> int:
        """The key's hits in the log (a row kept by trigger: no scan of the log)."""
        row = conn.execute("SELECT n FROM hit_counts WHERE name = ? AND key = ?",
                           [self.name, key]).fetchone()
        return row[0] if row else 0


SCHEMA = (  # counts kept by triggers, rebuilt from the log at each start
    "CREATE TABLE IF NOT EXISTS hits (name TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hits_key ON hits(name, key, at)",
    "CREATE TABLE IF NOT EXISTS hit_counts (name TEXT NOT NULL, key TEXT NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (name, key))",
    "CREATE TRIGGER IF NOT EXISTS hits_added AFTER INSERT ON hits BEGIN INSERT INTO hit_counts "
    "(name, key, n) VALUES (new.name, new.key, 1) ON CONFLICT (name, key) DO UPDATE SET "
    "n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS hits_gone AFTER DELETE ON hits BEGIN UPDATE hit_counts SET "
    "n = n - 1 WHERE name = old.name AND key = old.key; DELETE FROM hit_counts WHERE "
    "name = old.name AND key = old.key AND n <= 0; END",
    "DELETE FROM hit_counts",
    "INSERT INTO hit_counts SELECT name, key, count(*) FROM hits GROUP BY name, key",
)


def too_many(wait: float):
    return APIError(falcon.HTTP_429, "rate_limited", "Too many requests; slow down",
                    headers={"Retry-After": str(math.ceil(wait))})


class RateLimitMiddleware:
    """Login attempts and writes are limited per client address (`req.context.client_ip`, set
    by core.client_ip.ClientAddressMiddleware: behind a proxy, not the proxy's)."""

    WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, login_limit: int, write_limit: int, shared: Path | None = None):
        if shared is None:
            self.login, self.writes = RateLimiter(login_limit), RateLimiter(write_limit)
        else:  # counted across worker processes
            self.login = SharedRateLimiter(shared, "login", login_limit)
            self.writes = SharedRateLimiter(shared, "writes", write_limit)

    def process_resource(self, req, resp, resource, params):
        responder = getattr(resource, f"on_{req.method.lower()}", None)
        op = getattr(responder, "operation", None)
        ip = req.context.client_ip
        if op is not None and op.extra.get("rate_limit") == "login":
            wait = self.login.hit(ip)
            if wait:
                raise too_many(wait)
        if req.method in self.WRITE_METHODS:
            wait = self.writes.hit(ip)
            if wait:
                raise too_many(wait)
