"""One-cell PATCHes measured in process on the server's database (breakdown.open_crm, the
server idle): how long each holds the write lock, and (with --profile) where its time goes.

Each PATCH goes through the app as a WSGI call (no server, no socket). The write transaction
and the changes_committed listeners are timed inside those calls; auth and body parsing are
timed apart, on the same token and bodies, as bench/breakdown.py times the list endpoint.
"""
import contextlib
import re
import time

import falcon.testing
import orjson

from bench.breakdown import guarded, open_crm
from bench.hotspots import profile_rows
from bench.report import Row, percentile, verdict

NAME = "api_throughput"
TARGET_LOCK_HOLD = 0.001  # seconds, per single-record write
WARMUP_EDITS = 20
VERSION = re.compile(rb'^{"id":(\d+),"version":(\d+)')


class WriteTimes:
    """Times this thread's outermost write transactions of `crm`: the core.db write context
    from enter to exit (a wait for the lock included), and the lock hold, from BEGIN
    IMMEDIATE (SQLite's trace callback) to that context's return after COMMIT; and the
    changes_committed listeners (pluggy's hook-call monitoring)."""

    def __init__(self, crm):
        self.crm = crm
        self.transactions, self.holds, self.listeners = [], [], []
        self.hold_cpu = []  # the same holds in this thread's CPU time
        self._began = self._began_cpu = self._heard = None
        self._undo_monitoring = None

    def _trace(self, sql):
        if sql.startswith("BEGIN IMMEDIATE"):
            self._began, self._began_cpu = time.perf_counter(), time.thread_time()

    def _timed_write(self):
        database, original = self.crm.database, type(self.crm.database).write

        @contextlib.contextmanager
        def write():
            outermost = not database.db.conn.in_transaction
            start = time.perf_counter()
            with original(database) as db:
                yield db
            if outermost:
                end, end_cpu = time.perf_counter(), time.thread_time()
                self.transactions.append(end - start)
                self.holds.append(end - self._began)
                self.hold_cpu.append(end_cpu - self._began_cpu)
        return write

    def _before(self, hook_name, hook_impls, kwargs):
        if hook_name == "changes_committed":
            self._heard = time.perf_counter()

    def _after(self, outcome, hook_name, hook_impls, kwargs):
        if hook_name == "changes_committed":
            self.listeners.append(time.perf_counter() - self._heard)

    def __enter__(self):
        self.crm.database.db.conn.set_trace_callback(self._trace)
        self.crm.database.write = self._timed_write()  # this instance only
        self._undo_monitoring = self.crm.pm.add_hookcall_monitoring(self._before, self._after)
        return self

    def __exit__(self, *exc):
        self._undo_monitoring()
        del self.crm.database.write
        self.crm.database.db.conn.set_trace_callback(None)

    def clear(self):
        for times in (self.transactions, self.holds, self.hold_cpu, self.listeners):
            times.clear()


class Editor:
    """patch(id) sets `field_name` of investor `id` to a value it never had, with the version
    the last answer gave; returns the WSGI call's seconds."""

    def __init__(self, app, token, field_name, versions, record_path):
        self.app, self.field_name, self.versions = app, field_name, versions
        self.record_path = record_path
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.value = 7_000_000_000
        self.bodies = []  # the bodies sent, for timing their parsing apart

    def body(self, record_id) -> bytes:
        self.value += 1
        return orjson.dumps({"expected_version": self.versions[record_id],
                             "fields": {self.field_name: self.value}})

    def patch(self, record_id) -> float:
        body = self.body(record_id)
        self.bodies.append(body)
        environ = falcon.testing.create_environ(f"{self.record_path}{record_id}",
                                                method="PATCH", body=body, headers=self.headers)
        statuses = []

        def start_response(status, response_headers, exc_info=None):
            statuses.append(status)

        start = time.perf_counter()
        data = b"".join(self.app(environ, start_response))
        elapsed = time.perf_counter() - start
        found = VERSION.match(data)
        if not statuses[0].startswith("200") or not found or int(found[1]) != record_id:
            raise AssertionError(f"in-process PATCH: {statuses[0]} {data[:300]!r}")
        self.versions[record_id] = int(found[2])
        return elapsed


def run(server, ids, versions, field_name, record_path, full, breakdown) -> list[Row]:
    """The lock-hold row; with `breakdown`, the per-edit phases and a cProfile too."""
    return guarded(NAME, _run, server, ids, versions, field_name, record_path, full, breakdown)


def _run(server, ids, versions, field_name, record_path, full, breakdown) -> list[Row]:
    from core.db import COALESCE_SECONDS

    crm, app = open_crm(server)
    editor = Editor(app, server.token, field_name, versions, record_path)
    try:
        with WriteTimes(crm) as timed:
            for record_id in ids[:WARMUP_EDITS]:  # caches of this process's connection
                editor.patch(record_id)
            timed.clear()
            measured = ids[WARMUP_EDITS:]
            cpu_before = time.process_time()
            wholes = [editor.patch(i) for i in measured]
            time.sleep(COALESCE_SECONDS + 0.1)  # the WAL checkpoint thread runs after commits
            cpu = (time.process_time() - cpu_before) / len(measured)
        rows = lock_rows(timed, len(measured), full)
        if breakdown:
            rows += phase_rows(crm, server.token, editor, wholes, timed, cpu)
            rows += profile_rows(NAME, f"{len(measured)} in-process one-cell PATCHes",
                                 lambda: [editor.patch(i) for i in measured], len(measured),
                                 unit="edit")
        return rows
    finally:
        crm.database.close()


def lock_rows(timed, count, full) -> list[Row]:
    """The hold in wall time (the target), then in the writer's CPU time: a wall-time tail far
    above the CPU time's is the writer waiting (preempted on a busy box, or on I/O)."""
    median, p99 = percentile(timed.holds, 50), percentile(timed.holds, 99)
    cpu = timed.hold_cpu
    return [
        Row(NAME, f"write lock held per one-cell PATCH (BEGIN IMMEDIATE to COMMIT, in "
                  f"process, {count} edits): median / p99", f"{ms3(median)} / {ms3(p99)}",
            f"<= {ms3(TARGET_LOCK_HOLD)} (both)",
            verdict(p99 <= TARGET_LOCK_HOLD if full else None)),
        Row(NAME, "  the same holds: p90 / max; in the writer thread's CPU time: median / p99",
            f"{ms3(percentile(timed.holds, 90))} / {ms3(max(timed.holds))}; "
            f"{ms3(percentile(cpu, 50))} / {ms3(percentile(cpu, 99))}"),
    ]


def ms3(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def phase_rows(crm, token, editor, wholes, timed, cpu) -> list[Row]:
    from core.accounts import Accounts
    from plugins.fundraising.models import RecordPatch

    def median_of(function, items):
        times = []
        for item in items:
            start = time.perf_counter()
            function(item)
            times.append(time.perf_counter() - start)
        return percentile(times, 50)

    bodies = editor.bodies[-len(wholes):]
    whole = percentile(wholes, 50)
    parts = [
        ("  auth: Accounts.user_for_token (timed apart)",
         median_of(lambda _: Accounts(crm).user_for_token(token), bodies)),
        ("  body: RecordPatch.model_validate_json, parse + validate (timed apart)",
         median_of(RecordPatch.model_validate_json, bodies)),
        ("  write transaction: core.db write context, enter to exit",
         percentile(timed.transactions, 50)),
        ("    of which the write lock held (BEGIN IMMEDIATE to COMMIT)",
         percentile(timed.holds, 50)),
        ("  changes_committed listeners (after the commit)", percentile(timed.listeners, 50)),
    ]
    rest = whole - sum(seconds for label, seconds in parts if not label.startswith("    "))
    parts.append(("  the rest: routing, middleware, response JSON (whole minus the above)",
                  rest))
    rows = [Row(NAME, f"where a one-cell PATCH's time goes ({len(wholes)} edits, medians, "
                      "share of the in-process request)", ""),
            Row(NAME, "whole PATCH in-process (WSGI call, no server, no socket)", ms3(whole))]
    rows += [Row(NAME, label, f"{ms3(seconds)} ({seconds / whole:.0%})")
             for label, seconds in parts]
    return rows + [Row(NAME, "CPU per edit in this process, all threads (the WAL checkpoint "
                             "thread's copying included; no HTTP)", ms3(cpu))]
