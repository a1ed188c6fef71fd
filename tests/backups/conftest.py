"""Helpers of the backup tests: a settable clock and a busy writer."""
import threading
from datetime import datetime, timezone

from plugins.fundraising.records import RecordStore

BOOKKEEPING = ("version", "updated_at", "updated_by")


class Clock:
    """A settable now for the store and the scheduled task."""

    def __init__(self, text):
        self.at = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    def __call__(self):
        return self.at


def live_rows(conn, table):
    """A table's live rows as a set of tuples, without the version/updated_* bookkeeping."""
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in BOOKKEEPING]
    return set(conn.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE deleted_at IS NULL"))


class Writer(threading.Thread):
    """Creates an investor and its contact in one transaction, again and again."""

    def __init__(self, crm):
        super().__init__(daemon=True)
        self.crm, self.count, self.error = crm, 0, None
        self.stop, self.progressed = threading.Event(), threading.Condition()

    def run(self):
        try:
            while not self.stop.is_set():
                with self.crm.write() as db:  # this thread's own connection
                    investor = RecordStore(db, "investors").create(f"Writer {self.count}",
                                                                   {}, None)
                    RecordStore(db, "contacts").create(f"Writer contact {self.count}",
                                                       {"Investor": investor["id"]}, None)
                with self.progressed:
                    self.count += 1
                    self.progressed.notify_all()
        except Exception as exc:  # reported by the test
            self.error = exc

    def wait_for(self, count):
        with self.progressed:
            assert self.progressed.wait_for(lambda: self.count >= count, timeout=20)

    def finish(self):
        self.stop.set()
        self.join(20)
        assert self.error is None


