"""The off-box copy (its retention, its failures) and the restore drill (pass and fail)."""
import json
import sqlite3
import stat
from datetime import timedelta

import pytest

from plugins.backups import offsite
from plugins.backups.drill import drill_due, recent_drills
from plugins.backups.store import BackupStore, file_digest
from plugins.fundraising.records import RecordStore
from tests.backups.conftest import Clock


def checks(client, admin):
    result = client.simulate_get("/api/admin/security", headers=admin["headers"])
    assert result.status_code == 200, result.json
    return {c["name"]: c for c in result.json["checks"]}


def backup(client, admin):
    result = client.simulate_post("/api/backups", headers=admin["headers"])
    assert result.status_code == 201, result.json
    return result.json


def status(client, admin):
    return client.simulate_get("/api/backups/drills", headers=admin["headers"]).json


@pytest.fixture
def share(tmp_path, monkeypatch):
    folder = tmp_path / "share"
    folder.mkdir()
    monkeypatch.setenv("CRM_BACKUPS_COPY_DIR", str(folder))
    monkeypatch.setenv("CRM_BACKUPS_COPY_KEEP", "2")
    return folder


def test_every_backup_is_copied_off_the_box_and_old_copies_pruned(share, crm, client, admin):
    made = [backup(client, admin) for _ in range(3)]
    copies = sorted(p.name for p in share.iterdir())
    assert copies == sorted(f"{m['id']}{ext}" for m in made[1:] for ext in (".db", ".json"))
    for meta in made[1:]:
        copy = share / f"{meta['id']}.db"
        assert file_digest(copy) == (meta["sha256"], meta["size"])
        assert json.loads((share / f"{meta['id']}.json").read_text())["sha256"] == meta["sha256"]
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    # local backups follow their own rules: the three manual ones are all kept
    assert len(BackupStore(crm).list_backups()) == 3
    shown = status(client, admin)["offsite"]
    assert shown["configured"] and shown["folder"] == str(share) and shown["keep"] == 2
    assert shown["last_ok_backup_id"] == made[-1]["id"] and shown["last_error"] is None
    assert checks(client, admin)["offsite_copy"]["passed"]


def test_a_missing_share_is_reported_and_never_breaks_the_backup(share, crm, client, admin,
                                                                 caplog):
    share.rmdir()  # the disk is not mounted
    meta = backup(client, admin)
    assert BackupStore(crm).verify(meta["id"])["ok"]
    shown = status(client, admin)["offsite"]
    assert "does not exist (is the disk mounted?)" in shown["last_error"]
    check = checks(client, admin)["offsite_copy"]
    assert not check["passed"] and "is the disk mounted?" in check["detail"]
    assert any("off-box copy of backup" in r.getMessage() for r in caplog.records)
    share.mkdir()  # mounted again: the next backup is copied and the error cleared
    again = backup(client, admin)
    assert (share / f"{again['id']}.db").is_file()
    assert status(client, admin)["offsite"]["last_error"] is None
    assert checks(client, admin)["offsite_copy"]["passed"]


def test_a_copy_that_does_not_match_never_takes_the_name(share, client, admin, monkeypatch):
    monkeypatch.setattr(offsite, "file_digest", lambda path: ("0" * 64, 0))
    meta = backup(client, admin)
    assert list(share.iterdir()) == []  # no half copy, no temp file left
    assert "does not match its checksum" in status(client, admin)["offsite"]["last_error"]
    assert meta["sha256"]


def test_no_folder_no_copy_and_the_check_says_it_is_optional(client, admin):
    backup(client, admin)
    shown = status(client, admin)["offsite"]
    assert shown["configured"] is False and shown["last_ok_at"] is None
    check = checks(client, admin)["offsite_copy"]
    assert check["passed"] and "CRM_BACKUPS_COPY_DIR" in check["detail"]


def test_a_drill_restores_the_newest_backup_and_passes(crm, client, admin, member, cli_runner):
    with crm.write() as db:
        RecordStore(db, "investors").create("Acme", {}, admin["id"])
    assert not checks(client, admin)["restore_drill"]["passed"]  # none yet
    meta = backup(client, admin)
    with crm.write() as db:
        RecordStore(db, "investors").create("Since", {}, admin["id"])
    out = cli_runner("backup", "drill").output
    assert f"Drill of backup {meta['id']} passed" in out
    assert "fundraising_investors      backup 1, restored 1, live now 2" in out
    drill = recent_drills(crm.db)[0]
    assert drill["ok"] and drill["backup_id"] == meta["id"] and drill["integrity"] == "ok"
    assert drill["tables"]["tasks"] == {"backup": 0, "restored": 0, "live": 0}
    assert checks(client, admin)["restore_drill"]["passed"]
    feed = client.simulate_get("/api/activity", headers=admin["headers"]).json["entries"]
    assert any(e["summary"] == f"Restore drill of backup {meta['id']} passed" for e in feed)
    assert not list((crm.settings.data_dir / "backups").glob(".drill-*"))  # scratch removed
    assert client.simulate_post("/api/backups/drills", headers=member["headers"],
                                json={}).status_code == 403
    now = client.simulate_post("/api/backups/drills", headers=admin["headers"], json={})
    assert now.status_code == 201 and now.json["ok"]


def test_a_drill_of_a_damaged_backup_fails_loudly(crm, client, admin, cli_runner):
    meta = backup(client, admin)
    path = crm.settings.data_dir / "backups" / f"{meta['id']}.db"
    with open(path, "r+b") as handle:
        handle.seek(2 * 4096)
        handle.write(b"\xff" * 4096)
    out = cli_runner("backup", "drill", code=1).output
    assert f"Drill of backup {meta['id']} FAILED" in out and "checksum" in out
    check = checks(client, admin)["restore_drill"]
    assert not check["passed"] and meta["id"] in check["detail"]
    feed = client.simulate_get("/api/activity", headers=admin["headers"]).json["entries"]
    assert any(e["summary"] == f"Restore drill of backup {meta['id']} FAILED" for e in feed)


def test_a_drill_finds_rows_missing_from_a_backup_whose_checksum_fits(crm, client, admin,
                                                                     cli_runner):
    with crm.write() as db:
        RecordStore(db, "investors").create("Acme", {}, admin["id"])
    meta = backup(client, admin)
    folder = crm.settings.data_dir / "backups"
    conn = sqlite3.connect(folder / f"{meta['id']}.db")  # rows lost after the counts were noted
    conn.execute("DELETE FROM fundraising_investors")
    conn.commit()
    conn.close()
    sha256, size = file_digest(folder / f"{meta['id']}.db")
    (folder / f"{meta['id']}.json").write_text(json.dumps({**meta, "sha256": sha256,
                                                           "size": size}))
    out = cli_runner("backup", "drill", code=1).output
    assert "row counts differ from the backup's: fundraising_investors" in out


def test_the_scheduled_drill_runs_once_a_day(crm, client, admin):
    clock = Clock("2026-12-05T03:00:00")
    assert drill_due(crm, clock) is None  # no backup: nothing to drill
    backup(client, admin)
    first = drill_due(crm, clock)
    assert first["ok"]
    clock.at += timedelta(hours=23)
    assert drill_due(crm, clock) is None
    clock.at += timedelta(hours=1)
    assert drill_due(crm, clock)["ok"]
    assert len(recent_drills(crm.db)) == 2
