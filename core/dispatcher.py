"""The server's worker threads: one serves, the others step in when it is held up.

Python runs one thread at a time, so two threads serving at once do not serve more: each
SQLite call hands the interpreter to the other thread and takes it back, and each request
wakes a thread of its own. Measured (two processes, wrk at 8 connections): a one-cell edit
cost 1.12 ms of server CPU with waitress's two threads per process, 0.98 ms with one.
One thread, though, would keep every request waiting behind an import or a backup.

Here the first thread takes the requests in the order they came. Another takes one only
while the first has been on a single request for SPILL_SECONDS (an import, a backup, an
export), or when the next request has waited QUEUE_SECONDS (more requests than one thread
serves in time); a helper with nothing queued looks again every SPILL_SECONDS.
waitress takes a dispatcher through create_server's `_dispatcher` (pinned: waitress 3.0.2).
"""
import time

from waitress.task import ThreadedTaskDispatcher

SPILL_SECONDS = 0.05
QUEUE_SECONDS = 0.02


class SpillDispatcher(ThreadedTaskDispatcher):
    def __init__(self, spill: float = SPILL_SECONDS, queued: float = QUEUE_SECONDS):
        super().__init__()
        self.spill, self.queued = spill, queued
        self.busy_since = None  # time.monotonic() the first thread took its request

    def add_task(self, task):
        task.queued_at = time.monotonic()
        super().add_task(task)  # wakes the first thread: only it waits on queue_cv

    def handler_thread(self, thread_no):
        serve = self._next_task if thread_no == 0 else self._late_task
        while True:
            with self.lock:
                if self.stop_count > 0:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    return
                task = serve()
                if task is None:  # a helper with nothing to take: idle, as waitress counts
                    self.active_count -= 1
                    pause = min(self.queued / 4, SPILL_SECONDS) if self.queue else SPILL_SECONDS
            if task is None:
                time.sleep(pause)
                with self.lock:
                    self.active_count += 1
                continue
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)
            finally:
                if thread_no == 0:
                    self.busy_since = None

    def _next_task(self):
        """The next request, waiting for one (under self.lock); None when asked to stop."""
        while not self.queue and self.stop_count == 0:
            self.active_count -= 1
            self.queue_cv.wait()
            self.active_count += 1
        if self.stop_count > 0:
            return None
        self.busy_since = time.monotonic()
        return self.queue.popleft()

    def _late_task(self):
        """The next request if the first thread is held up (under self.lock)."""
        if not self.queue:
            return None
        now, since = time.monotonic(), self.busy_since
        if (since is not None and now - since >= self.spill
                or now - self.queue[0].queued_at >= self.queued):
            return self.queue.popleft()
        return None
