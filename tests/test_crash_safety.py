"""Crash drills: kill -9 the real server during a write, restart it on the same data, and check
the database is whole and the write happened completely or not at all.

The kill is timed by watching the server from outside rather than by a fixed sleep: the SQLite
write lock (held from BEGIN IMMEDIATE to COMMIT), the WAL file growing, and backup files
appearing. Cases whose moment is surely inside the transaction also assert which outcome won.
"""
import csv
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, WebServer, _server_env, start_serve

pytestmark = pytest.mark.drill

ADMIN = "ada@fund.example"
SEEDED = 10_000    # investors in the template's backup
EXTRA = 2_000      # investors added after that backup
IMPORTED = 20_000  # rows of the import drill (enough to drop and rebuild the indexes)
CHANGED = 6_000    # investors one state PUT changes (long enough to be killed midway)
PREFIX = "/api/fundraising"
BACKUP_TMP = r"\.\d{8}T\d{6}Z-[0-9a-f]{6}\.db\.tmp"
BACKUP_DB = r"\d{8}T\d{6}Z-[0-9a-f]{6}\.db"


class Server:
    """`crm serve` on one data dir, which can be killed with SIGKILL and started again."""

    def __init__(self, root: Path, token=None):
        self.env = _server_env(root)
        self.db_path = root / "data" / "crm.db"
        self.backups = root / "data" / "backups"
        self.root, self.token = root, token
        self.proc = self.api = self.probe = None

    def start(self):
        self.proc, base = start_serve(self.env, self.root)
        self.api = WebServer(base, self.db_path.parent, self.env)
        if self.token:
            self.api.tokens[ADMIN] = self.token

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.probe:
            self.probe.close()
            self.probe = None

    def write_locked(self) -> bool:
        """Whether some connection holds the database's write lock (probed without waiting)."""
        if self.probe is None:
            self.probe = sqlite3.connect(self.db_path, timeout=0, isolation_level=None)
        try:
            self.probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        self.probe.execute("ROLLBACK")
        return False

    def wal_size(self) -> int:
        try:
            return os.path.getsize(f"{self.db_path}-wal")
        except FileNotFoundError:
            return 0

    def backup_files(self) -> list[str]:
        return os.listdir(self.backups) if self.backups.is_dir() else []


def send(server, method, path, body):
    """(status, answer) of one request with the admin's token; (None, error) if it broke off."""
    req = urllib.request.Request(server.api.base_url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", f"Bearer {server.token}")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except Exception as exc:  # the kill resets the connection
        return None, exc


def query(path, sql, params=()):
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def investors(path) -> dict:
    """Live investors as {id: (name, stage, version)}."""
    return {r[0]: r[1:] for r in query(path, "SELECT id, name, stage, version FROM "
                                             "fundraising_investors WHERE deleted_at IS NULL")}


def grid_version(path) -> int:
    return query(path, "SELECT version FROM fundraising_state WHERE id = 1")[0][0]


def indexes(path) -> set:
    return set(query(path, "SELECT name, sql FROM sqlite_master WHERE type = 'index'"))


def integrity(path) -> list[str]:
    conn = sqlite3.connect(path)  # read-write: recovers the WAL as a restarted server would
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def investors_csv(prefix, count, stage="Prospect") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "Stage", "Check Size", "Notes"])
    writer.writerows([f"{prefix} {i:05d}", stage, 1000 + i, f"row {i} of a crash drill"]
                     for i in range(count))
    return out.getvalue()


def import_body(prefix, count, stage="Prospect"):
    return {"table": "investors", "csv": investors_csv(prefix, count, stage), "confirm": True}


# --- when to kill: each builds a fresh `ready()` for one drill --------------------------------

def lock_taken(server):
    """The request's transaction has begun."""
    return server.write_locked


def lock_held_for(seconds):
    """The transaction has run for `seconds` and is still open."""
    def build(server):
        since = None

        def ready():
            nonlocal since
            if not server.write_locked():
                return False
            since = since or time.monotonic()
            return time.monotonic() - since >= seconds
        return ready
    return build


def lock_released(server):
    """The transaction has committed (held for several polls, then free)."""
    held = 0

    def ready():
        nonlocal held
        if server.write_locked():
            held += 1
            return False
        return held >= 5
    return ready


def wal_beyond(nbytes):
    """Pages of the open transaction spill into the WAL (which the drill starts empty)."""
    return lambda server: lambda: server.wal_size() > nbytes and server.write_locked()


def backup_file(pattern):
    """A new backup file whose name matches `pattern` exists."""
    def build(server):
        before = set(server.backup_files())
        return lambda: any(re.fullmatch(pattern, n) for n in set(server.backup_files()) - before)
    return build


def drill(server, method, path, body, moment):
    """Send the request from a thread and SIGKILL the server once `moment` says so; return the
    request's status if it had answered before the kill, else None."""
    conn = sqlite3.connect(server.db_path)
    try:  # an empty WAL, so any growth is this request's
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        conn.close()
    ready = moment(server)
    answer = []
    thread = threading.Thread(target=lambda: answer.append(send(server, method, path, body)),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not ready():
        if not thread.is_alive() and not ready():
            pytest.fail(f"the request ended before the moment to kill: {answer[0]}")
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.001)
    answered = answer[0][0] if answer else None
    server.kill()
    server.stop()  # closes the probe connection
    thread.join(timeout=10)
    return answered


def check_outcome(outcome, expected, answered):
    """The outcome is the one this kill moment must give (when it must give one); a write
    killed before it committed was never answered."""
    if expected:
        assert outcome == expected
    if expected == "none":
        assert answered is None


def restart_and_check(server) -> list[dict]:
    """Restart on the same data: ready, writable, and every listed backup verifies."""
    server.start()
    status, ready = send(server, "GET", "/api/ready", None)
    assert (status, ready["ready"]) == (200, True)
    status, fresh = send(server, "POST", f"{PREFIX}/investors", {"name": "Written after"})
    assert (status, fresh["name"]) == (201, "Written after")
    listed = server.api.call("GET", f"{PREFIX}/backups")["backups"]
    for meta in listed:
        check = server.api.call("GET", f"{PREFIX}/backups/{meta['id']}/verify")
        assert check["ok"], check
    return listed


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A stopped server's data: SEEDED investors, a backup of them, then EXTRA more."""
    root = tmp_path_factory.mktemp("template")
    server = Server(root)
    server.start()
    try:
        server.api.cli("users", "create-admin", "--email", ADMIN, "--name", "Ada Admin",
                       input=PASSWORD + "\n")
        server.token = server.api.call("POST", "/api/auth/login",
                                       {"email": ADMIN, "password": PASSWORD})["token"]
        server.api.tokens[ADMIN] = server.token
        assert send(server, "POST", f"{PREFIX}/import", import_body("Seed", SEEDED))[0] == 200
        backup = server.api.call("POST", f"{PREFIX}/backup", {})
        assert send(server, "POST", f"{PREFIX}/import",
                    import_body("Extra", EXTRA, "Intro"))[0] == 200
    finally:
        server.stop()
    integrity(server.db_path)  # the last connection to close folds the WAL into the file
    return root, server.token, backup["id"]


@pytest.fixture
def server(template, tmp_path):
    """A running server on a copy of the template's data."""
    root, token, _ = template
    shutil.copytree(root / "data", tmp_path / "data")
    server = Server(tmp_path, token)
    server.start()
    yield server
    server.stop()


# Each case: the moment of the kill, and the outcome it must give (None: either is legal).

@pytest.mark.parametrize("moment, expected", [
    (wal_beyond(1 << 20), "none"),    # inserting: uncommitted pages already in the WAL
    (lock_released, "all"),           # committed, not yet answered: must survive the kill
], ids=["inserting", "committed"])
def test_kill_during_large_import(server, moment, expected):
    db = server.db_path
    before, version, before_indexes = investors(db), grid_version(db), indexes(db)
    answered = drill(server, "POST", f"{PREFIX}/import", import_body("Drill", IMPORTED), moment)

    assert integrity(db) == ["ok"]
    after = investors(db)
    assert indexes(db) == before_indexes  # dropped for the bulk insert, made again or rolled back
    if after == before:
        outcome = "none"
        assert grid_version(db) == version
    else:
        outcome = "all"
        added = sorted(after[i][0] for i in set(after) - set(before))
        assert added == [f"Drill {i:05d}" for i in range(IMPORTED)]
        assert {i: after[i] for i in before} == before
        assert grid_version(db) == version + 1
    check_outcome(outcome, expected, answered)
    restart_and_check(server)


@pytest.mark.parametrize("moment, expected", [
    (lock_held_for(0.1), "none"),     # part of the rows written, none committed
    (lock_released, "all"),
], ids=["midway", "committed"])
def test_kill_during_state_put(server, moment, expected):
    db = server.db_path
    got = server.api.call("GET", f"{PREFIX}/state")
    records = [{"id": r["id"], "name": r["name"], "fields": r["fields"]}
               for r in got["state"]["investors"]]
    changed = {r["id"] for r in records[:CHANGED]}
    for record in records[:CHANGED]:
        record["fields"]["Stage"] = "Diligence"
    before, version = investors(db), grid_version(db)
    audits = query(db, "SELECT count(*) FROM audit_log")[0][0]
    assert all(before[i][1] != "Diligence" for i in changed)
    body = {"expected_version": got["version"], "state": {"investors": records}}
    answered = drill(server, "PUT", f"{PREFIX}/state", body, moment)

    assert integrity(db) == ["ok"]
    after = investors(db)
    all_changed = {i: (name, "Diligence", v + 1) if i in changed else (name, stage, v)
                   for i, (name, stage, v) in before.items()}
    new_audits = query(db, "SELECT count(*) FROM audit_log")[0][0] - audits
    if after == before:
        outcome = "none"
        assert (grid_version(db), new_audits) == (version, 0)
    else:
        outcome = "all"
        assert after == all_changed  # every row changed, each version moved exactly once
        assert (grid_version(db), new_audits) == (version + CHANGED, CHANGED)
    check_outcome(outcome, expected, answered)
    restart_and_check(server)


@pytest.mark.parametrize("moment, expected", [
    (backup_file(BACKUP_TMP), "unlisted"),       # copying into the temp file
    (backup_file(BACKUP_DB), None),              # in place, metadata not yet written
    (backup_file(r"\d{8}T.*\.json"), "listed"),  # metadata written, audit entry pending
], ids=["copying", "checksumming", "described"])
def test_kill_during_backup(server, template, moment, expected):
    old_id = template[2]
    live = investors(server.db_path)
    answered = drill(server, "POST", f"{PREFIX}/backup", {}, moment)

    assert integrity(server.db_path) == ["ok"]
    assert investors(server.db_path) == live
    listed = restart_and_check(server)  # every listed backup verifies
    ids = {m["id"] for m in listed}
    assert old_id in ids and len(ids) <= 2
    new = [m for m in listed if m["id"] != old_id]
    for meta in new:  # a complete copy of the live data
        assert meta["tables"]["fundraising_investors"] == len(live)
        assert investors(server.backups / f"{meta['id']}.db") == live
    if expected:
        assert ("listed" if new else "unlisted") == expected
    if expected == "unlisted":
        assert answered is None


@pytest.mark.parametrize("moment, expected", [
    (lock_taken, "none"),                        # taking the safety backup
    (backup_file(r"\d{8}T.*\.json"), "none"),    # safety backup done, rows being restored
    (lock_released, "all"),
], ids=["safety-backup", "restoring", "committed"])
def test_kill_during_restore(server, template, moment, expected):
    backup_id = template[2]
    db = server.db_path
    before, version = investors(db), grid_version(db)
    wanted = investors(server.backups / f"{backup_id}.db")
    assert len(before) == SEEDED + EXTRA and len(wanted) == SEEDED
    answered = drill(server, "POST", f"{PREFIX}/restore", {"backup_id": backup_id,
                                                          "confirm": True}, moment)

    assert integrity(db) == ["ok"]
    after = investors(db)
    if after == before:
        outcome = "none"
        assert grid_version(db) == version
    else:
        outcome = "all"
        assert after == wanted  # the backup's live rows exactly, versions included
        assert grid_version(db) == version + 1
    check_outcome(outcome, expected, answered)
    listed = restart_and_check(server)  # the backup and any safety backup still verify
    assert backup_id in {m["id"] for m in listed}
    for meta in listed:  # a safety backup that made it to the list holds the state replaced
        if meta["kind"] == "safety":
            assert investors(server.backups / f"{meta['id']}.db") == before
