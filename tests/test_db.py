"""core.db: write transactions, the writers' queue and the background WAL checkpoints."""
import os
import sqlite3
import threading
import time

import pytest

from core import db as core_db
from core.db import Database


def immutable_rows(path):
    """Rows of t in the database file itself, not counting what still sits in the WAL."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]
    except sqlite3.DatabaseError:  # no such table, or "malformed": the checkpoint is still
        return None                  # copying pages into the file this reads as immutable
    finally:
        conn.close()


def test_commits_reach_the_database_file_from_a_background_checkpoint(tmp_path):
    database = Database(tmp_path / "x.db")
    try:
        assert database.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        with database.write() as db:
            db.execute("CREATE TABLE t (n INTEGER)")
            db.conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(5000)])
        deadline = time.monotonic() + 10
        while immutable_rows(tmp_path / "x.db") != 5000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert immutable_rows(tmp_path / "x.db") == 5000
        thread = database._checkpointer._thread
        assert thread.is_alive() and thread.name == "wal-checkpoint"
    finally:
        database.close()
    assert not thread.is_alive()  # close() stops it


def mapped_files():
    with open("/proc/self/maps") as maps:
        return [line.split()[-1] for line in maps if len(line.split()) >= 6]


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc")
@pytest.mark.parametrize("workers, mapped", [(1, True), (2, False)])
def test_the_file_is_read_through_a_memory_map_by_one_server_process_only(
        make_crm, workers, mapped):
    # SQLite drops a connection's map whenever another connection has committed: with
    # writing worker processes each request remapped (core.db.MMAP_BYTES)
    crm = make_crm(workers=workers)
    path = str(crm.settings.database_path)
    with crm.write() as db:
        db.execute("CREATE TABLE t (n INTEGER)")
        db.conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(5000)])
    crm.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert crm.db.execute("SELECT sum(n) FROM t").fetchone()[0] == sum(range(5000))
    assert (path in mapped_files()) is mapped
    assert f"{path}-shm" in mapped_files()  # the WAL index is mapped either way


def test_writers_of_one_process_queue_instead_of_failing(tmp_path, monkeypatch):
    """Eight threads, each holding the write for a while: queued on the lock, every write
    lands, one at a time, none sent to SQLite's sleeping busy handler."""
    monkeypatch.setattr(core_db, "BUSY_TIMEOUT_MS", 2_000)
    database = Database(tmp_path / "x.db")
    with database.write() as db:
        db.execute("CREATE TABLE t (n INTEGER)")
    inside, most, errors = [0], [0], []
    lock = threading.Lock()

    def writer(n):
        try:
            for _ in range(5):
                with database.write() as db:
                    with lock:
                        inside[0] += 1
                        most[0] = max(most[0], inside[0])
                    db.execute("INSERT INTO t VALUES (?)", [n])
                    time.sleep(0.01)
                    with lock:
                        inside[0] -= 1
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == [] and most[0] == 1
        assert database.db.execute("SELECT count(*) FROM t").fetchone()[0] == 40
    finally:
        database.close()


def test_a_writer_waiting_too_long_gets_database_is_locked(tmp_path, monkeypatch):
    monkeypatch.setattr(core_db, "BUSY_TIMEOUT_MS", 200)
    database = Database(tmp_path / "x.db")
    held, release = threading.Event(), threading.Event()

    def hold():
        with database.write():
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            with database.write():
                pass
    finally:
        release.set()
        holder.join()
        database.close()


def test_query_reads_and_refuses_a_write_before_running_it(tmp_path):
    database = Database(tmp_path / "x.db")
    try:
        with database.write() as db:
            db.execute("CREATE TABLE t (n INTEGER)")
            db.execute("INSERT INTO t VALUES (1)")
        db = database.db
        assert list(db.query("SELECT n FROM t")) == [{"n": 1}]
        assert list(db.query("  with x AS (SELECT 2 AS n) SELECT n FROM x")) == [{"n": 2}]
        with pytest.raises(ValueError, match="for reads"):
            db.query("DELETE FROM t")
        assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # nothing was run
    finally:
        database.close()
