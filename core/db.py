"""The SQLite database: one file, WAL, a connection per thread, explicit write transactions."""
import contextlib
import logging
import os
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from core.writer_queue import GATE_SUFFIX, LOCK_SUFFIX, WriterQueue

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 10_000
# One server process reads the file through a memory map (a page costs no copy and no system
# call). Several do not: SQLite drops a connection's map whenever another connection has
# committed, so with worker processes that all write, each request paid an unmap, a new map
# and its page faults (100,000 records, 2 processes: server CPU per one-cell PATCH 0.90 ->
# 0.85 ms without the map; reads the same).
MMAP_BYTES = 256 * 1024 * 1024
COALESCE_SECONDS = 0.2  # a checkpoint waits this long after a commit for more commits
WAL_KEEP_BYTES = 64 * 1024 * 1024  # a larger WAL is cut back to this when it starts over


def utc_text(moment: datetime) -> str:
    """A timezone-aware moment in the one stored format: ISO-8601 UTC with microseconds and
    Z (2026-01-02T03:04:05.000006Z), so timestamps sort as text and compare as time."""
    if moment.tzinfo is None:
        raise ValueError("utc_text needs a timezone-aware datetime")
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"  # strftime's %Y drops a year's zeros


def utcnow() -> str:
    """Now in the one stored format (utc_text)."""
    return utc_text(datetime.now(timezone.utc))


OWN_FILES = ("", "-wal", "-shm", "-journal", LOCK_SUFFIX, GATE_SUFFIX)  # suffixes of its files


def make_owner_only(path: Path | str):
    """Create the database file 0600 if missing, and take group and other access off it and
    the files beside it (SQLite gives its -wal and -shm the database file's mode).

    An existing file is never opened here: closing any descriptor of a file drops every POSIX
    lock this process holds on it, so another connection's open transaction would lose its
    write lock."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in OWN_FILES:
        with contextlib.suppress(FileNotFoundError):
            if os.stat(f"{path}{suffix}").st_mode & 0o077:
                os.chmod(f"{path}{suffix}", 0o600)


def connect(path: Path | str, memory_map=True) -> sqlite_utils.Database:
    """Open the database with the pragmas every connection needs (`memory_map`: MMAP_BYTES)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        make_owner_only(path)
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES if memory_map else 0}")
    return SqliteDatabase(conn, execute_plugins=False)


class SqliteDatabase(sqlite_utils.Database):
    """sqlite_utils.Database whose query() runs a read as it is: sqlite-utils 4 wraps each
    query in a savepoint of its own (two more statements per read) to undo a write sent to
    query() by mistake; here query() refuses, before running it, what is not a read."""

    READS = ("SELECT", "WITH", "VALUES", "PRAGMA", "EXPLAIN")

    def query(self, sql, params=None):
        if not sql.lstrip()[:7].upper().startswith(self.READS):
            raise ValueError("query() is for reads (SELECT); use execute() for writes")
        cursor = self.conn.execute(sql, params or ())
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows - "
                             "use execute() for other statements")
        keys = [column[0] for column in cursor.description]
        return (dict(zip(keys, row)) for row in cursor)

    def one(self, sql, params=None) -> dict | None:
        """The first row of a read, or None; for a query that finds one row at most (a key).

        It steps once where query() steps twice (to learn there is no second row): a step
        lets this process's other threads run, and each switch costs a writer microseconds."""
        cursor = self.conn.execute(sql, params or ())
        row = cursor.fetchone()
        keys = [column[0] for column in cursor.description]
        cursor.close()  # resets the statement: no read transaction is left open
        return None if row is None else dict(zip(keys, row))


class Checkpointer:
    """Copies the WAL into the database file in a thread of its own after commits, instead of
    in the committing request (SQLite's advice for writers that must not pause: turn the
    automatic checkpoint off and run it in a separate thread). PASSIVE: it never blocks a
    reader or a writer, and whatever it cannot copy yet waits for the next commit."""

    def __init__(self, path):
        self.path = path
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def after_commit(self):
        self._wake.set()

    def _run(self):
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None)
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping.wait(COALESCE_SECONDS):  # commits close together: one pass
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:  # the next commit tries again
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            conn.close()

    def stop(self):
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)


class Database:
    """Hands each thread its own connection to one SQLite file."""

    def __init__(self, path: Path | str, memory_map=True):
        """`memory_map`: False when other processes write to the file all the time (MMAP_BYTES)."""
        self.path = path
        self.memory_map = memory_map
        self._local = threading.local()
        self._all: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()
        self._writer = threading.Lock()
        self._background_checkpoints = str(path) != ":memory:"
        self._checkpointer = None  # started by the first commit
        # Writers of other processes: a fair queue on files beside the database.
        self._queue = WriterQueue(path) if self._background_checkpoints else None

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, self.memory_map)
            db.journal = []
            if self._background_checkpoints:
                db.conn.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's work
                db.conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    @contextlib.contextmanager
    def write(self):
        """One write transaction (BEGIN IMMEDIATE); nested calls become savepoints.

        `db.journal` lists the audit entries the transaction made (core.audit.AuditEntry),
        for CRM.write to announce after the commit."""
        db = self.db
        if db.conn.in_transaction:
            mark = len(db.journal)
            try:
                with db.atomic():
                    yield db
            except BaseException:
                del db.journal[mark:]  # the savepoint's changes were undone
                raise
            return
        db.journal = []
        # Threads of this process queue here, woken as soon as the writer before is done;
        # SQLite's busy handler sleeps and retries, unfairly. Other processes: WriterQueue.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        if not self._writer.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked")
        queued = False
        try:
            if self._queue is not None:
                self._queue.acquire(deadline)
                queued = True
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            else:
                db.conn.execute("COMMIT")
        finally:
            if queued:
                self._queue.release()
            self._writer.release()
        if self._background_checkpoints:
            with self._lock:
                if self._checkpointer is None:
                    self._checkpointer = Checkpointer(self.path)
                checkpointer = self._checkpointer
            checkpointer.after_commit()

    def close(self):
        with self._lock:
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer:
            checkpointer.stop()
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()
        if self._queue is not None:
            self._queue.close()
