"""One request at a time per model endpoint, across the threads of this process.

A real llama.cpp server serves one completion at a time and keeps generating for a client
that gave up, so we never send a second request to the same endpoint while one runs. Across
worker processes each process has its own gate (at most one request per process).
client.complete() takes it for every request."""
import threading
import time
from contextlib import contextmanager

_gates: dict[str, threading.RLock] = {}
_gates_lock = threading.Lock()


class GateTimeout(Exception):
    """The endpoint stayed busy past the caller's deadline."""


def _gate(base_url: str) -> threading.RLock:
    # re-entrant: client.complete() holds it for every request, so a caller that holds it
    # around several requests (a map-reduce, a draft) does not wait on itself
    with _gates_lock:
        return _gates.setdefault(base_url.rstrip("/"), threading.RLock())


@contextmanager
def one_at_a_time(base_url: str, deadline: float):
    """Hold the endpoint's gate; deadline is a time.monotonic() value."""
    gate = _gate(base_url)
    if not gate.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise GateTimeout(base_url)
    try:
        yield
    finally:
        gate.release()
