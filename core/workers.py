"""`crm serve` with `workers` > 1: server processes sharing one port (pre-fork).

The parent reserves the port, forks the workers, each listening on it (SO_REUSEPORT), and
watches them: a worker that dies is replaced, SIGTERM or SIGINT stops them all. The parent
holds no database connection and runs no thread while it forks; each worker opens its own
connections. Workers die with the parent, even when it is killed with -9, so none is left
holding the port.
"""
import ctypes
import logging
import os
import select
import signal
import socket
import sys
import time

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
CRASH_LOOP = (5, 60.0)  # this many worker deaths within these seconds stop the server
START_SECONDS = 60


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound to the port (0: a free one), not listening: it keeps the port for the
    workers, each of which listens on a socket of its own (worker_socket)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def worker_socket(host: str, port: int) -> socket.socket:
    """A worker's listening socket on the reserved port. With SO_REUSEPORT the kernel spreads
    new connections evenly over the workers' sockets; on one shared socket, whichever
    worker woke first took them, and a keep-alive client stayed with it."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _die_with(parent: int):
    """Ask Linux to end this process when its parent ends (elsewhere: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def _fork(number: int, run_worker, ready_fd: int) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _die_with(parent)
        run_worker(number, lambda: os.write(ready_fd, b"."))
        code = 0
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        log.exception("worker %d failed", number)
    finally:
        logging.shutdown()
        os._exit(code)


def supervise(count: int, run_worker, on_ready) -> int:
    """Fork `count` workers running run_worker(number, ready), call on_ready() once each has
    called its ready() (it listens), replace any worker that dies, and stop them all on
    SIGTERM or SIGINT; return the exit status."""
    ready_in, ready_out = os.pipe()
    workers = {_fork(n, run_worker, ready_out): n for n in range(count)}
    stopping = False
    deaths = []
    _wait_ready(ready_in, count)
    on_ready()

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while workers:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        number = workers.pop(pid, None)
        if number is None or stopping:
            continue
        now = time.monotonic()
        deaths = [t for t in deaths if t > now - CRASH_LOOP[1]] + [now]
        if len(deaths) >= CRASH_LOOP[0]:
            log.error("workers keep dying (%d in %.0f s); stopping", len(deaths), CRASH_LOOP[1])
            status = 1
            stop(None, None)
            continue
        log.warning("worker %d (pid %d) ended; starting another", number, pid)
        workers[_fork(number, run_worker, ready_out)] = number
    return status


def _wait_ready(ready_in: int, count: int):
    """Until `count` workers said they listen (or START_SECONDS pass: a worker that cannot
    start is then replaced, and logged, in the loop that follows)."""
    deadline = time.monotonic() + START_SECONDS
    heard = 0
    while heard < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([ready_in], [], [], left)[0]:
            log.warning("%d of %d workers ready after %d s", heard, count, START_SECONDS)
            return
        heard += len(os.read(ready_in, count - heard))


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
