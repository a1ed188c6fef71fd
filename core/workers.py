"""`crm serve` with `workers` > 1: server processes sharing one listening socket (pre-fork).

The parent binds the socket, forks the workers and watches them: a worker that dies is
replaced, SIGTERM or SIGINT stops them all. The parent holds no database connection and
runs no thread while it forks; each worker opens its own connections. Workers die with the
parent, even when it is killed with -9, so none is left holding the port.
"""
import ctypes
import logging
import os
import signal
import socket
import sys
import time

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
CRASH_LOOP = (5, 60.0)  # this many worker deaths within these seconds stop the server


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _die_with(parent: int):
    """Ask Linux to end this process when its parent ends (elsewhere: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def _fork(number: int, run_worker) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _die_with(parent)
        run_worker(number)
        code = 0
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        log.exception("worker %d failed", number)
    finally:
        logging.shutdown()
        os._exit(code)


def supervise(count: int, run_worker) -> int:
    """Fork `count` workers running run_worker(number), replace any that dies, and stop them
    all on SIGTERM or SIGINT; return the exit status."""
    workers = {_fork(n, run_worker): n for n in range(count)}
    stopping = False
    deaths = []

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
        workers[_fork(number, run_worker)] = number
    return status


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
