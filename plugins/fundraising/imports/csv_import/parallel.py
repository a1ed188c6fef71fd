"""Column work of a large import shared with a helper process: inferring a new column's type
and parsing its cells is pure Python, so one process does it on one core, and the columns
of a file do not depend on each other.

The helper is a forkserver child, started on the first large import and kept for the next
ones. It gets the cells of its columns and sends back their values; a column whose parser
needs this process (links and users look records up) is always parsed here.
"""
import logging
import multiprocessing
import os
import select
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable

from plugins.fundraising.imports.csv_import.cells import make_parser, parse_column
from plugins.fundraising.imports.csv_import.infer import infer_field

log = logging.getLogger(__name__)
# Below this many rows, sending the cells over costs more than the second core gives back.
PARALLEL_FROM = 20_000
_helper = None
_helper_lock = threading.Lock()


@dataclass
class ColumnJob:
    """One column's cells to parse: with its field's type and options, or with None to infer
    them first; `parse`, when given, is a parser that must run in this process."""
    field_type: str | None
    options: dict | None
    texts: tuple
    parse: Callable | None = None

    @property
    def weight(self) -> int:
        return 2 if self.field_type is None else 1  # inferring reads the cells once more


def column_result(field_type, options, texts) -> tuple:
    """(field type, options, values, errors) of one column, its type inferred when None."""
    if field_type is None:
        field_type, options = infer_field(texts)
    values, errors = parse_column(make_parser(field_type, options), texts)
    return field_type, options, values, errors


def _column_results(jobs) -> list[tuple]:  # runs in the helper
    return [column_result(*job) for job in jobs]


def _end_with(parent: int):
    """In the helper: end when the process that started it ends, even by kill -9. A
    ProcessPoolExecutor worker does not (it holds its own queue's write end), and while it
    lives the forkserver lives too."""
    def watch():
        try:
            select.select([os.pidfd_open(parent)], [], [])  # readable once it has ended
        except (AttributeError, OSError):  # no pidfd here, or it has ended already
            while _alive(parent):
                time.sleep(1)
        os._exit(0)
    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _alive(pid) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _run_here(job: ColumnJob) -> tuple:
    if job.parse is None:
        return column_result(job.field_type, job.options, job.texts)
    values, errors = parse_column(job.parse, job.texts)
    return job.field_type, job.options, values, errors


def helper() -> ProcessPoolExecutor | None:
    """The helper process's executor, started on first use; None with a single core."""
    global _helper
    if len(os.sched_getaffinity(0)) < 2:
        return None
    with _helper_lock:
        if _helper is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _helper = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                          initializer=_end_with, initargs=(os.getpid(),))
        return _helper


def warm_up(data: bytes | str):
    """Start the helper while a large file is being read, if it is not running yet."""
    lines = data.count(b"\n" if isinstance(data, bytes) else "\n")
    if lines >= PARALLEL_FROM:
        _submit(int)  # the first task starts the process


def run_columns(jobs: list[ColumnJob], rows: int) -> list[tuple]:
    """(field type, options, values, errors) of each job, in order: from a file of `rows`
    rows on, about half the work goes to the helper while this process does the rest."""
    half = sum(job.weight for job in jobs) / 2
    sent, load = [], 0
    for i in sorted((i for i, job in enumerate(jobs) if job.parse is None),
                    key=lambda i: -jobs[i].weight):
        if load + jobs[i].weight <= half:
            sent.append(i)
            load += jobs[i].weight
    future = _submit(_column_results, [(jobs[i].field_type, jobs[i].options, jobs[i].texts)
                                       for i in sent]) if rows >= PARALLEL_FROM else None
    remote = set(sent) if future else set()
    results = {i: _run_here(job) for i, job in enumerate(jobs) if i not in remote}
    if future:
        try:
            results.update(zip(sent, future.result()))
        except (BrokenProcessPool, OSError) as exc:
            _forget(exc)
            results.update((i, _run_here(jobs[i])) for i in sent)
    return [results[i] for i in range(len(jobs))]


def _submit(fn, *args):
    """fn(*args) sent to the helper: its future, or None (one core, or no helper to be had)."""
    pool = helper()
    if pool is None:
        return None
    try:
        return pool.submit(fn, *args)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        _forget(exc)
        return None


def _forget(exc):
    """Drop a failed helper (its work is done here); the next large import starts another."""
    global _helper
    log.warning("import helper process failed (%s); parsing in this process", exc)
    with _helper_lock:
        pool, _helper = _helper, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
