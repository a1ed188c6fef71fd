"""`crm backup restore --full ID`: a corrupt, truncated or lost crm.db replaced by a verified
backup, by the real CLI in a subprocess; refused while a real server has the database open."""
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from plugins.backups.store import file_digest, integrity_check
from tests.web.conftest import _server_env, running_server


def crm_cli(env, *args):
    return subprocess.run([sys.executable, "-m", "core", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def investors(path):
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM fundraising_investors "
                                           "WHERE deleted_at IS NULL ORDER BY id")]
    finally:
        conn.close()


def damage(path, how):
    if how == "lost":
        path.unlink()
    elif how == "truncated":
        os.truncate(path, path.stat().st_size // 3)
    else:  # bytes overwritten in the middle of the file, whole pages of it
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.seek((size // 2) // 4096 * 4096)
            handle.write(b"\xa5" * 3 * 4096)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server's data with a backup taken over HTTP while it ran, and an edit after it; the
    refusal of a full restore while it still runs is checked here, then it is stopped."""
    tmp_path = tmp_path_factory.mktemp("full")
    with running_server(tmp_path) as server:
        server.call("POST", "/api/fundraising/investors", {"name": "Acme", "fields": {}})
        backup = server.call("POST", "/api/backups")
        server.call("POST", "/api/fundraising/investors", {"name": "After", "fields": {}})
        refused = crm_cli(server.env, "backup", "restore", "--full", backup["id"], "--yes")
        assert refused.returncode == 1
        assert "in use" in refused.stderr and "stop the CRM" in refused.stderr
        assert server.call("GET", "/api/ready") is not None  # the server is untouched
        assert not list((tmp_path / "data").glob("crm.db.damaged-*"))
    return tmp_path, server.env, backup


@pytest.mark.parametrize("how", ["overwritten", "truncated", "lost"])
def test_full_restore_replaces_a_broken_database(served, tmp_path, how):
    source, env, backup = served
    data = tmp_path / "data"
    subprocess.run(["cp", "-a", str(source / "data"), str(data)], check=True)
    env = _server_env(tmp_path, env)
    db_path = data / "crm.db"
    assert investors(db_path) == ["Acme", "After"]
    damage(db_path, how)
    if how != "lost":
        assert integrity_check(db_path) != "ok"

    listed = crm_cli(env, "backup", "list")  # works without opening the broken database
    assert listed.returncode == 0 and backup["id"] in listed.stdout
    done = crm_cli(env, "backup", "restore", "--full", backup["id"], "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Restored {db_path} from backup {backup['id']}" in done.stdout

    assert integrity_check(db_path) == "ok"
    assert investors(db_path) == ["Acme"]
    kept = sorted(data.glob("crm.db.damaged-*"))  # with its -wal and -shm, named alike
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert all(f"Kept the damaged file as {p}" in done.stdout for p in kept)
    main = [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
    if how == "lost":
        assert main == []
    else:
        assert len(main) == 1 and file_digest(main[0]) != file_digest(db_path)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    conn = sqlite3.connect(db_path)
    try:
        summary = conn.execute("SELECT summary FROM audit_log WHERE table_name = 'restores'"
                               ).fetchone()[0]
    finally:
        conn.close()
    assert summary == f"full restore of the database file from backup {backup['id']}"
    migrated = crm_cli(env, "migrate")  # the CRM opens the restored file again
    assert migrated.returncode == 0, migrated.stderr


def test_a_damaged_backup_is_not_put_in_place(served, tmp_path):
    source, env, backup = served
    subprocess.run(["cp", "-a", str(source / "data"), str(tmp_path / "data")], check=True)
    env = _server_env(tmp_path, env)
    path = tmp_path / "data" / "backups" / f"{backup['id']}.db"
    with open(path, "r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00" * 100)
    before = file_digest(tmp_path / "data" / "crm.db")
    failed = crm_cli(env, "backup", "restore", "--full", backup["id"], "--yes")
    assert failed.returncode == 1 and "failed verification" in failed.stderr
    assert file_digest(tmp_path / "data" / "crm.db") == before
    assert not list((tmp_path / "data").glob("crm.db.damaged-*"))
