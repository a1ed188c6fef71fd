"""core.dispatcher: waitress's first thread serves the requests in turn; another thread steps
in only while the first has been on one request for SPILL_SECONDS, or for a request that has
waited QUEUE_SECONDS."""
import http.client
import threading
import time

import pytest
from waitress.server import create_server

from core.dispatcher import SpillDispatcher

SPILL = 0.05


@pytest.fixture
def servers():
    """start(queued, spill) runs a real waitress server with two SpillDispatcher threads; /slow
    holds its thread until the test releases it, /work computes for 20 ms, every path
    answers with the name of the thread that served it."""
    started = []

    def start(queued: float, spill: float = SPILL):
        release = threading.Event()

        def app(environ, start_response):
            if environ["PATH_INFO"] == "/slow":
                release.wait(10)
            elif environ["PATH_INFO"] == "/work":
                deadline = time.monotonic() + 0.02
                while time.monotonic() < deadline:  # holds the interpreter, as a request does
                    pass
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [threading.current_thread().name.encode()]

        dispatcher = SpillDispatcher(spill=spill, queued=queued)
        dispatcher.set_thread_count(2)
        srv = create_server(app, host="127.0.0.1", port=0, threads=2, _dispatcher=dispatcher)
        runner = threading.Thread(target=srv.run, daemon=True)
        runner.start()
        srv.release = release
        started.append((srv, runner))
        return srv

    yield start
    for srv, runner in started:
        srv.release.set()
        # closed in the loop's own thread: closed from here, its socket could go while the
        # loop waits on it in select() (EBADF in that thread)
        srv.trigger.pull_trigger(srv.close)
        runner.join(5)
        assert not runner.is_alive()
        srv.task_dispatcher.shutdown()


@pytest.fixture
def server(servers):
    """A server whose requests never wait long enough in the queue for a helper to take
    one (QUEUE_SECONDS a minute): only the first thread being held up counts."""
    return servers(queued=60.0)


def get(port, path) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        assert resp.status == 200
        return resp.read().decode()
    finally:
        conn.close()


def test_the_first_thread_serves_requests_that_come_one_at_a_time(server):
    """waitress's own dispatcher wakes its threads in turn (one switch per request)."""
    names = {get(server.effective_port, "/") for _ in range(20)}
    assert names == {"waitress-0"}


def test_a_request_behind_a_long_one_is_served_after_the_spill_wait(server):
    port = server.effective_port
    slow = {}
    slow_thread = threading.Thread(target=lambda: slow.update(name=get(port, "/slow")))
    slow_thread.start()
    time.sleep(0.1)  # the first thread is now held by /slow
    started = time.monotonic()
    name = get(port, "/")
    waited = time.monotonic() - started
    assert name == "waitress-1"
    assert waited < 2  # it did not wait for /slow
    assert not slow  # /slow is still running
    server.release.set()
    slow_thread.join(5)
    assert slow == {"name": "waitress-0"}


def at_once(port, path, count) -> list[str]:
    """`count` requests at once; the names of the threads that served them."""
    results = []
    clients = [threading.Thread(target=lambda: results.append(get(port, path)))
               for _ in range(count)]
    for c in clients:
        c.start()
    for c in clients:
        c.join(10)
    assert len(results) == count
    return results


def twelve_at_once(port) -> list[str]:
    """Twelve requests at once, each 20 ms of work: the last waits 220 ms at least."""
    return at_once(port, "/work", 12)


def test_requests_stay_with_the_first_thread_until_it_is_held_up(servers):
    """With both limits a minute, the helper never takes a request, however many queue
    (waitress's own dispatcher hands them to whichever thread waits)."""
    port = servers(queued=60.0, spill=60.0).effective_port
    assert twelve_at_once(port) == ["waitress-0"] * 12


def test_a_helper_takes_requests_that_waited_queue_seconds(servers):
    names = twelve_at_once(servers(queued=0.05).effective_port)
    assert "waitress-0" in names and "waitress-1" in names


def test_several_requests_behind_a_long_one_are_all_served(server):
    port = server.effective_port
    slow_thread = threading.Thread(target=get, args=(port, "/slow"))
    slow_thread.start()
    time.sleep(0.1)
    assert at_once(port, "/", 5) == ["waitress-1"] * 5
    server.release.set()
    slow_thread.join(5)


def test_shutdown_ends_every_thread():
    dispatcher = SpillDispatcher(spill=SPILL)
    dispatcher.set_thread_count(3)
    time.sleep(0.1)
    assert dispatcher.shutdown(timeout=5) is True
    assert dispatcher.threads == set()
