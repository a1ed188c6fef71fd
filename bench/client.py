"""A keep-alive HTTP/1.1 client that times each request (send until the body is read)."""
import http.client
import time

import orjson


class HttpError(Exception):
    """A benchmark request did not get the status it expected."""


class Http:
    """One persistent connection to 127.0.0.1:port; counts the connections it opened."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 300):
        self.port, self.token, self.timeout = port, token, timeout
        self.connections = 0
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.connections += 1
        return self._conn

    def request(self, method: str, path: str, body: bytes | None = None):
        """Return (status, body bytes, seconds); the body is encoded before the clock starts."""
        headers = {"Connection": "keep-alive"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn = self._connection()
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        if response.will_close:
            self.close()
        return response.status, data, elapsed

    def json(self, method: str, path: str, payload=None, expect: int = 200):
        """Return (decoded JSON, seconds, response bytes); another status raises HttpError.

        `payload` is an object to encode as JSON, or bytes already encoded.
        """
        body = payload
        if payload is not None and not isinstance(payload, bytes):
            body = orjson.dumps(payload)
        status, data, elapsed = self.request(method, path, body)
        if status != expect:
            raise HttpError(f"{method} {path}: {status} {data[:500]!r}")
        return orjson.loads(data), elapsed, len(data)

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
