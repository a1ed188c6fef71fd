import threading
import time

from plugins.spark.gate import GateTimeout, one_at_a_time

URL = "http://127.0.0.1:9/v1"


def test_second_request_waits_for_the_first():
    running, peak, lock = [0], [0], threading.Lock()

    def call():
        with one_at_a_time(URL, time.monotonic() + 5):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 1


def test_busy_endpoint_past_deadline_raises():
    with one_at_a_time(URL, time.monotonic() + 1):
        start = time.monotonic()
        errors = []
        t = threading.Thread(target=lambda: _try(errors))
        t.start()
        t.join()
        assert errors and 0.1 <= time.monotonic() - start < 1


def _try(errors):
    try:
        with one_at_a_time(URL, time.monotonic() + 0.15):
            pass
    except GateTimeout as exc:
        errors.append(exc)


def test_other_endpoint_is_not_blocked():
    with one_at_a_time(URL, time.monotonic() + 1):
        with one_at_a_time("http://127.0.0.1:10/v1", time.monotonic() + 0.1):
            pass
    # the same thread may hold it around its own requests (re-entrant); others still wait
    with one_at_a_time(URL, time.monotonic() + 1):
        with one_at_a_time(URL + "/", time.monotonic() + 0.05):
            errors = []
            t = threading.Thread(target=lambda: _try(errors))
            t.start()
            t.join()
            assert len(errors) == 1
