"""Per-IP sliding-window rate limits kept in memory (one server process)."""
import math
import threading
import time
from collections import deque

import falcon

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


def too_many(wait: float):
    return APIError(falcon.HTTP_429, "rate_limited", "Too many requests; slow down",
                    headers={"Retry-After": str(math.ceil(wait))})


class RateLimitMiddleware:
    """Login attempts and writes are limited per client IP."""

    WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, login_limit: int, write_limit: int):
        self.login = RateLimiter(login_limit)
        self.writes = RateLimiter(write_limit)

    def process_resource(self, req, resp, resource, params):
        responder = getattr(resource, f"on_{req.method.lower()}", None)
        op = getattr(responder, "operation", None)
        ip = req.remote_addr or "unknown"
        if op is not None and op.extra.get("rate_limit") == "login":
            wait = self.login.hit(ip)
            if wait:
                raise too_many(wait)
        if req.method in self.WRITE_METHODS:
            wait = self.writes.hit(ip)
            if wait:
                raise too_many(wait)
