"""The SQLite database: one file, WAL, a connection per thread, explicit write transactions."""
import contextlib
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


def utcnow() -> str:
    """Now as ISO-8601 UTC with microseconds: sorts as text, compares as time."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open the database with the pragmas every connection needs."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


class Database:
    """Hands each thread its own connection to one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path)
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    @contextlib.contextmanager
    def write(self):
        """One write transaction (BEGIN IMMEDIATE); nested calls become savepoints."""
        db = self.db
        if db.conn.in_transaction:
            with db.atomic():
                yield db
            return
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        else:
            db.conn.execute("COMMIT")

    def close(self):
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()
