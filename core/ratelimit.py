"""Sliding-window rate limits per client address: in memory for one server process, in a small
SQLite file of their own when several worker processes must share the counts."""
import math
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

import falcon

from core.db import make_owner_only
from core.errors import APIError


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
    never holds up a login."""

    def __init__(self, path: Path, name: str, limit: int, window: float = 60.0,
                 clock=time.time):
        self.name, self.limit, self.window, self.clock = name, limit, window, clock
        make_owner_only(path)  # client addresses: owner only
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                     timeout=5.0)
        _into_wal(self._conn)
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute("CREATE TABLE IF NOT EXISTS hits (name TEXT NOT NULL, key TEXT NOT "
                           "NULL, at REAL NOT NULL)")
        self._conn.execute("CREATE INDEX IF NOT EXISTS hits_key ON hits(name, key, at)")
        self._lock = threading.Lock()
        self._count = 0

    def hit(self, key: str) -> float:
        now = self.clock()
        start = now - self.window
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._count += 1
                if self._count % 1000 == 0:  # keys that went quiet
                    conn.execute("DELETE FROM hits WHERE at <= ?", [start])
                conn.execute("DELETE FROM hits WHERE name = ? AND key = ? AND at <= ?",
                             [self.name, key, start])
                hits, first = conn.execute("SELECT count(*), min(at) FROM hits WHERE name = ? "
                                           "AND key = ?", [self.name, key]).fetchone()
                if hits >= self.limit:
                    return max(first + self.window - now, 0.001)
                conn.execute("INSERT INTO hits (name, key, at) VALUES (?, ?, ?)",
                             [self.name, key, now])
                return 0.0
            finally:
                conn.execute("COMMIT")


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
