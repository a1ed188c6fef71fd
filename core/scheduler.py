"""The scheduler loop: plugins' ScheduledTasks on the `schedule` library, in one thread."""
import logging
import threading

import schedule

from core.plugins import collect_named

log = logging.getLogger(__name__)


def collect_tasks(crm) -> dict:
    """name -> ScheduledTask from every enabled plugin; a duplicate name is an error."""
    return collect_named(crm.pm.hook.register_scheduled_tasks(crm=crm), "scheduled tasks")


def run_task(task) -> bool:
    """Run one task now; an error is logged, never raised into the loop."""
    try:
        task.run()
        return True
    except Exception:
        log.exception("scheduled task %s failed", task.name)
        return False


def build_scheduler(tasks: dict) -> schedule.Scheduler:
    scheduler = schedule.Scheduler()
    for task in tasks.values():
        task.when(scheduler).do(run_task, task).tag(task.name)
    return scheduler


class SchedulerThread(threading.Thread):
    """Runs the `at_start` tasks once, then due jobs every `interval` seconds until stopped."""

    def __init__(self, scheduler: schedule.Scheduler, interval: float = 1.0, at_start=()):
        super().__init__(name="crm-scheduler", daemon=True)
        self.scheduler = scheduler
        self.interval = interval
        self.at_start = list(at_start)
        self.stopped = threading.Event()

    def run(self):
        for task in self.at_start:
            if not self.stopped.is_set():
                run_task(task)
        while not self.stopped.wait(self.interval):
            self.scheduler.run_pending()

    def stop(self):
        self.stopped.set()
