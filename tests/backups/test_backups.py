"""Backups: online snapshots under writes, verify, restore preview and restore, policy, CLI."""
import json
import os
import sqlite3
import stat
import time
from datetime import datetime, timedelta, timezone

import pytest
import schedule
from click.testing import CliRunner

from core.cli import build_cli
from core.context import build_crm
from plugins.backups.policy import backup_security_checks, backup_tasks
from plugins.backups.store import BackupStore, file_digest
from plugins.fundraising.records import RecordStore
from plugins.fundraising.tables import BACKED_UP_TABLES as RESTORED_TABLES
from tests.backups.conftest import Clock, Writer, live_rows

PREFIX = "/api/fundraising"


@pytest.fixture
def crm(make_crm):
    return make_crm()


def open_backup(crm, backup_id):
    path = crm.settings.data_dir / "backups" / f"{backup_id}.db"
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def take_backup(client, user):
    result = client.simulate_post(f"{PREFIX}/backup", headers=user["headers"])
    assert result.status_code == 201, result.json
    return result.json


def seed(crm, actor_id):
    with crm.write() as db:
        investors = RecordStore(db, "investors")
        acme = investors.create("Acme Capital", {"Stage": "Intro", "Check Size": 500000}, actor_id)
        birch = investors.create("Birch Partners", {}, actor_id)
        fund = RecordStore(db, "funds").create("Fund I", {"Vintage": 2026}, actor_id)
        contacts = RecordStore(db, "contacts")
        contacts.create("Ann", {"Investor": acme["id"], "Email": "ann@acme.example"}, actor_id)
        gone = contacts.create("Gone", {}, actor_id)
        contacts.archive(gone["id"], actor_id)
        deal = RecordStore(db, "commitments").create(
            "Acme in Fund I", {"Investor": acme["id"], "Fund": fund["id"], "Amount": 250000,
                               "Status": "Committed"}, actor_id)
    return {"acme": acme, "birch": birch, "gone": gone, "deal": deal}


def test_backup_under_writes_then_restore_matches_preview_and_backup(crm, client, admin, member):
    ids = seed(crm, admin["id"])
    client.simulate_post(f"{PREFIX}/fields", headers=admin["headers"],
                         json={"table": "investors", "name": "Sector", "type": "text"})
    view = client.simulate_post(f"{PREFIX}/views", headers=admin["headers"],
                                json={"table": "investors", "name": "Pipeline"}).json
    writer = Writer(crm)
    writer.start()
    writer.wait_for(5)
    meta = take_backup(client, admin)  # manual backups are taken by admins
    writer.wait_for(writer.count + 5)
    writer.finish()

    check = client.simulate_get(f"{PREFIX}/backups/{meta['id']}/verify", headers=member["headers"])
    assert (check.json["ok"], check.json["checksum_ok"], check.json["integrity"]) == (
        True, True, "ok")
    assert meta["kind"] == "manual" and meta["created_by"] == admin["id"]
    backup = open_backup(crm, meta["id"])
    try:
        # A consistent snapshot: each writer transaction is in the copy whole or not at all.
        investors = backup.execute("SELECT count(*) FROM fundraising_investors "
                                   "WHERE name LIKE 'Writer %'").fetchone()[0]
        contacts = backup.execute("SELECT count(*) FROM fundraising_contacts "
                                  "WHERE name LIKE 'Writer contact %'").fetchone()[0]
        assert investors == contacts >= 5
        for table in RESTORED_TABLES:
            count = backup.execute(f"SELECT count(*) FROM {table} "
                                   "WHERE deleted_at IS NULL").fetchone()[0]
            assert meta["tables"][table] == count
        wanted = {table: live_rows(backup, table) for table in RESTORED_TABLES}
    finally:
        backup.close()

    # After the backup: edits, creates, archives and a revived record.
    acme, birch, deal = ids["acme"], ids["birch"], ids["deal"]
    with crm.write() as db:
        RecordStore(db, "investors").update(acme["id"], None, "Acme Capital II", {}, admin["id"])
        RecordStore(db, "investors").archive(birch["id"], admin["id"])
        RecordStore(db, "investors").create("Newcomer", {}, admin["id"])
        RecordStore(db, "contacts").restore(ids["gone"]["id"], admin["id"])
        RecordStore(db, "commitments").update(deal["id"], None, None, {"Amount": 1}, admin["id"])
    sector = next(f for f in client.simulate_get(f"{PREFIX}/fields", headers=admin["headers"])
                  .json["fields"] if f["name"] == "Sector")
    client.simulate_patch(f"{PREFIX}/fields/{sector['id']}", headers=admin["headers"],
                          json={"name": "Industry"})
    client.simulate_delete(f"{PREFIX}/views/{view['id']}", headers=admin["headers"])
    client.simulate_post(f"{PREFIX}/views", headers=admin["headers"],
                         json={"table": "funds", "name": "Funds"})
    state_before = crm.db.execute("SELECT version FROM fundraising_state").fetchone()[0]
    users_before = list(crm.db.query("SELECT * FROM users ORDER BY id"))

    preview = client.simulate_post(f"{PREFIX}/restore-preview", headers=admin["headers"],
                                   json={"backup_id": meta["id"]})
    assert preview.status_code == 200, preview.json
    tables = preview.json["tables"]
    assert tables["fundraising_investors"]["added"] == 1  # Birch, archived since
    assert tables["fundraising_investors"]["changed"] == 1  # Acme renamed
    assert tables["fundraising_investors"]["archived"] == 1 + writer.count - investors
    assert tables["fundraising_contacts"]["archived"] == 1 + writer.count - contacts
    assert tables["fundraising_commitments"] == {"added": 0, "changed": 1, "archived": 0,
                                                 "removed": 0, "unchanged": 0}
    assert tables["fundraising_fields"]["changed"] == 1
    assert tables["fundraising_views"] == {"added": 1, "changed": 0, "archived": 1, "removed": 0,
                                          "unchanged": 0}

    restored = client.simulate_post(f"{PREFIX}/restore", headers=admin["headers"],
                                    json={"backup_id": meta["id"], "confirm": True})
    assert restored.status_code == 200, restored.json
    assert restored.json["tables"] == tables
    for table in RESTORED_TABLES:
        assert live_rows(crm.db, table) == wanted[table], table

    applied = sum(c["added"] + c["changed"] + c["archived"] for t, c in tables.items()
                  if t in RESTORED_TABLES)  # tables with an audit entry per restored row
    logged = crm.db.execute("SELECT count(*) FROM audit_log WHERE summary LIKE ?",
                            [f"% from backup {meta['id']}"]).fetchone()[0]
    assert logged == applied
    assert crm.db.execute("SELECT version FROM fundraising_state").fetchone()[0] > state_before
    assert list(crm.db.query("SELECT * FROM users ORDER BY id")) == users_before
    assert client.simulate_get("/api/auth/me", headers=admin["headers"]).status_code == 200
    history = client.simulate_get(f"{PREFIX}/investors/{birch['id']}/history",
                                  headers=admin["headers"]).json["entries"]
    assert history[0]["kind"] == "restore"

    safety = BackupStore(crm).get(restored.json["safety_backup_id"])
    assert safety["kind"] == "safety" and BackupStore(crm).verify(safety["id"])["ok"]
    again = client.simulate_post(f"{PREFIX}/restore-preview", headers=admin["headers"],
                                 json={"backup_id": meta["id"]}).json["tables"]
    assert all(c["added"] == c["changed"] == c["archived"] == 0 for c in again.values())


def test_writes_go_on_while_a_backup_holds_its_snapshot(crm):
    seed(crm, None)
    writer = Writer(crm)
    writer.start()
    writer.wait_for(2)
    counts_at_step = []

    def progress(done, total):
        counts_at_step.append(writer.count)
        writer.wait_for(writer.count + 3)  # the writer commits while the copy is open

    meta = BackupStore(crm).create(progress=progress)
    writer.finish()
    assert counts_at_step and writer.count >= counts_at_step[0] + 3
    backup = open_backup(crm, meta["id"])
    try:
        copied = backup.execute("SELECT count(*) FROM fundraising_investors "
                                "WHERE name LIKE 'Writer %'").fetchone()[0]
    finally:
        backup.close()
    assert copied <= counts_at_step[0]
    assert BackupStore(crm).verify(meta["id"])["ok"]


def test_files_are_owner_only_and_listed_newest_first(crm, client, admin, member):
    first, second = take_backup(client, admin), take_backup(client, admin)
    folder = crm.settings.data_dir / "backups"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in (f"{first['id']}.db", f"{first['id']}.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    listed = client.simulate_get(f"{PREFIX}/backups", headers=member["headers"]).json["backups"]
    assert [b["id"] for b in listed] == [second["id"], first["id"]]
    assert json.loads((folder / f"{first['id']}.json").read_text()) == first
    feed = client.simulate_get("/api/activity", headers=member["headers"]).json["entries"]
    assert any(e["table"] == "backups" and e["row_id"] == second["id"] for e in feed)


def test_leftovers_of_a_killed_backup_are_swept_once_old(crm, client, admin):
    """A backup killed midway leaves a temp file or a file without metadata; the next backup
    removes those an hour old, and leaves young ones (a backup may still be writing them)."""
    first = take_backup(client, admin)
    folder = crm.settings.data_dir / "backups"
    old = [folder / ".20261101T000000Z-aaaaaa.db.tmp", folder / "20261101T000000Z-bbbbbb.db",
           folder / ".20261101T000000Z-cccccc.db.tmp-journal"]
    young = folder / ".20261126T000000Z-dddddd.db.tmp"
    for path in [*old, young]:
        path.write_bytes(b"half a copy")
    for path in old:
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    second = take_backup(client, admin)
    assert not any(path.exists() for path in old) and young.exists()
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        f"{b['id']}.{ext}" for b in (first, second) for ext in ("db", "json"))


def test_tampered_backup_fails_verify_and_is_not_restored(crm, client, admin):
    meta = take_backup(client, admin)
    with crm.write() as db:
        newcomer = RecordStore(db, "investors").create("After the backup", {}, admin["id"])
    path = crm.settings.data_dir / "backups" / f"{meta['id']}.db"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    check = client.simulate_get(f"{PREFIX}/backups/{meta['id']}/verify", headers=admin["headers"])
    assert check.json["checksum_ok"] is False and check.json["ok"] is False
    for route, body in (("restore", {"backup_id": meta["id"], "confirm": True}),
                        ("restore-preview", {"backup_id": meta["id"]})):
        refused = client.simulate_post(f"{PREFIX}/{route}", headers=admin["headers"], json=body)
        assert refused.status_code == 422
        assert refused.json["error"]["code"] == "backup_corrupt"
        assert refused.json["error"]["field"] == "backup_id"
    assert RecordStore(crm.db, "investors").get(newcomer["id"])["name"] == "After the backup"
    assert [b["id"] for b in BackupStore(crm).list_backups()] == [meta["id"]]


def test_restore_that_breaks_a_link_is_409_and_changes_nothing(crm, client, admin):
    with crm.write() as db:
        ghost = RecordStore(db, "investors").create("Ghost", {}, None)
        RecordStore(db, "contacts").create("Casper", {"Investor": ghost["id"]}, None)
        RecordStore(db, "investors").archive(ghost["id"], None)
        kept = RecordStore(db, "investors").create("Kept", {}, None)
    meta = take_backup(client, admin)
    with crm.write() as db:  # rows gone for good, as in a database rebuilt since the backup
        db.execute("DELETE FROM fundraising_contacts")
        db.execute("DELETE FROM fundraising_investors WHERE id = ?", [ghost["id"]])
    refused = client.simulate_post(f"{PREFIX}/restore", headers=admin["headers"],
                                   json={"backup_id": meta["id"], "confirm": True})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "restore_conflict"
    assert RecordStore(crm.db, "investors").get(kept["id"])["name"] == "Kept"
    assert [b["id"] for b in BackupStore(crm).list_backups()] == [meta["id"]]


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_file_with_matching_checksum_fails_integrity(crm, client, admin, damage):
    seed(crm, admin["id"])
    meta = take_backup(client, admin)
    folder = crm.settings.data_dir / "backups"
    path = folder / f"{meta['id']}.db"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"not sqlite " * 500)
    store = BackupStore(crm)
    sha256, size = file_digest(path)
    (folder / f"{meta['id']}.json").write_text(json.dumps({**meta, "sha256": sha256,
                                                           "size": size}))
    result = client.simulate_get(f"{PREFIX}/backups/{meta['id']}/verify",
                                 headers=admin["headers"]).json
    assert result["checksum_ok"] is True
    assert result["ok"] is False and result["integrity"] != "ok"
    refused = client.simulate_post(f"{PREFIX}/restore", headers=admin["headers"],
                                   json={"backup_id": meta["id"], "confirm": True})
    assert refused.status_code == 422 and len(store.list_backups()) == 1  # no safety backup


def test_unknown_and_path_traversal_ids_are_404(crm, client, admin):
    take_backup(client, admin)
    for backup_id in ("..", "..%2F..%2Fcrm", "%2e%2e", "crm", "20261126T113800Z-ab12cd",
                      "20261126T113800Z-AB12CD", "20261126T113800Z-ab12cd.db"):
        result = client.simulate_get(f"{PREFIX}/backups/{backup_id}/verify",
                                     headers=admin["headers"])
        assert result.status_code == 404, backup_id
    bad = client.simulate_post(f"{PREFIX}/restore-preview", headers=admin["headers"],
                               json={"backup_id": "../../crm"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "backup_id"
    unknown = client.simulate_post(f"{PREFIX}/restore", headers=admin["headers"],
                                   json={"backup_id": "20261126T113800Z-ab12cd", "confirm": True})
    assert unknown.status_code == 404


def test_members_read_but_only_admins_create_delete_restore_or_change_policy(crm, client, admin,
                                                                             member):
    meta = take_backup(client, admin)
    assert client.simulate_get(f"{PREFIX}/backup-policy", headers=member["headers"]).json == {
        "enabled": True, "time": "02:00", "timezone": "UTC", "keep_last": 14}
    for method, route, body in (("POST", "backup", {}), ("DELETE", f"backups/{meta['id']}", None),
                                ("POST", "restore", {"backup_id": meta["id"], "confirm": True}),
                                ("POST", "restore-preview", {"backup_id": meta["id"]}),
                                ("PATCH", "backup-policy", {"keep_last": 3})):
        result = client.simulate_request(method, f"{PREFIX}/{route}", headers=member["headers"],
                                         json=body)
        assert result.status_code == 403, route
    assert client.simulate_get(f"{PREFIX}/backups", headers={}).status_code == 401


@pytest.mark.parametrize("body", [{}, {"confirm": False}, {"confirm": "true"}, {"confirm": 1},
                                  {"confirm": None}])
def test_restore_needs_confirm_literally_true(client, admin, body):
    meta = take_backup(client, admin)
    result = client.simulate_post(f"{PREFIX}/restore", headers=admin["headers"],
                                  json={"backup_id": meta["id"], **body})
    assert result.status_code == 422
    assert result.json["error"]["field"] == "confirm"


def test_bad_bodies_are_4xx_never_500(client, admin):
    h = admin["headers"]
    cases = [("POST", "backup", {"x": 1}, 422), ("POST", "backup", "nope", 400),
             ("POST", "restore-preview", {"backup_id": 5}, 422),
             ("POST", "restore", [], 422), ("PATCH", "backup-policy", {"time": None}, 422),
             ("PATCH", "backup-policy", {"time": "24:00"}, 422),
             ("PATCH", "backup-policy", {"timezone": "../../etc/passwd"}, 422),
             ("PATCH", "backup-policy", {"timezone": "Mars/Olympus"}, 422),
             ("PATCH", "backup-policy", {"keep_last": 0}, 422),
             ("PATCH", "backup-policy", {"enabled": "yes"}, 422)]
    for method, route, body, status in cases:
        kwargs = {"body": body, "content_type": "application/json"} if isinstance(body, str) \
            else {"json": body}
        result = client.simulate_request(method, f"{PREFIX}/{route}", headers=h, **kwargs)
        assert result.status_code == status, (route, body, result.json)
        if status == 422 and isinstance(body, dict):
            assert result.json["error"]["field"] == next(iter(body))


def test_policy_patch_is_stored_in_app_settings(crm, client, admin):
    result = client.simulate_patch(f"{PREFIX}/backup-policy", headers=admin["headers"],
                                   json={"time": "03:30", "timezone": "Europe/Paris"})
    assert result.json == {"enabled": True, "time": "03:30", "timezone": "Europe/Paris",
                           "keep_last": 14}
    row = crm.db.execute("SELECT value, version FROM app_settings "
                         "WHERE key = 'fundraising.backup_policy'").fetchone()
    assert json.loads(row[0])["timezone"] == "Europe/Paris" and row[1] == 1
    client.simulate_patch(f"{PREFIX}/backup-policy", headers=admin["headers"],
                          json={"keep_last": 3})
    assert client.simulate_get(f"{PREFIX}/backup-policy", headers=admin["headers"]).json == {
        "enabled": True, "time": "03:30", "timezone": "Europe/Paris", "keep_last": 3}


def test_task_takes_one_scheduled_backup_per_local_day_and_prunes(crm, client, admin):
    client.simulate_patch(f"{PREFIX}/backup-policy", headers=admin["headers"],
                          json={"timezone": "Europe/Paris", "keep_last": 2})
    clock = Clock("2026-03-01T00:30:00")  # 01:30 in Paris: not yet due
    store = BackupStore(crm, clock)
    store.create("manual")
    store.create("safety")
    task = backup_tasks(crm, clock)[0]
    job = task.when(schedule.Scheduler())
    assert task.name == "fundraising.backup" and (job.interval, job.unit) == (1, "minutes")

    def scheduled():
        return [m["id"] for m in store.list_backups() if m["kind"] == "scheduled"]

    task.run()
    assert scheduled() == []
    for minutes in (30, 31, 90):  # 02:00, 02:01 and 03:00 in Paris
        clock.at = datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc) + timedelta(minutes=minutes)
        task.run()
    assert len(scheduled()) == 1 and scheduled()[0].startswith("20260301T010000Z")
    clock.at = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 2nd in Paris
    task.run()
    assert len(scheduled()) == 1
    for day in (2, 3, 4):
        for hour in (1, 5):
            clock.at = datetime(2026, 3, day, hour, 0, tzinfo=timezone.utc)
            task.run()
    assert [i[:9] for i in scheduled()] == ["20260304T", "20260303T"]
    assert sorted(m["kind"] for m in store.list_backups()) == [
        "manual", "safety", "scheduled", "scheduled"]
    client.simulate_patch(f"{PREFIX}/backup-policy", headers=admin["headers"],
                          json={"enabled": False})
    clock.at = datetime(2026, 3, 5, 3, 0, tzinfo=timezone.utc)
    task.run()
    assert [i[:9] for i in scheduled()] == ["20260304T", "20260303T"]


def test_security_checks(crm, client, admin):
    clock = Clock("2026-05-01T12:00:00")
    checks = {c.name: c for c in backup_security_checks(crm, clock)}
    assert checks["backups_scheduled"].run()[0] is True
    assert checks["recent_backup"].run()[0] is False
    meta = BackupStore(crm, clock).create("manual")
    assert checks["recent_backup"].run() == (True, f"backup {meta['id']} verified")
    clock.at += timedelta(hours=49)
    assert checks["recent_backup"].run()[0] is False
    client.simulate_patch(f"{PREFIX}/backup-policy", headers=admin["headers"],
                          json={"enabled": False})
    assert checks["backups_scheduled"].run()[0] is False


def test_openapi_describes_the_backup_routes(client):
    spec = client.simulate_get("/api/openapi.json").json
    verify = spec["paths"][f"{PREFIX}/backups/{{backup_id}}/verify"]["get"]
    assert "404" in verify["responses"]
    assert "403" in spec["paths"][f"{PREFIX}/restore"]["post"]["responses"]


def test_cli_create_list_verify_restore(make_settings):
    settings = make_settings()

    def run(*args, input=None):
        return CliRunner().invoke(build_cli(settings), list(args),
                                  input=input)

    created = run("backup", "create")
    assert created.exit_code == 0, created.output
    backup_id = created.output.split("Created backup ")[1].split()[0]
    assert backup_id in run("backup", "list").output
    verified = run("backup", "verify", backup_id)
    assert verified.exit_code == 0 and f"Backup {backup_id} is good" in verified.output
    assert run("backup", "verify", "../crm").exit_code == 1

    crm = build_crm(settings)  # the CLI opens its own CRM; this one checks the data
    try:
        with crm.write() as db:
            late = RecordStore(db, "investors").create("Late", {}, None)
        declined = run("backup", "restore", backup_id, input="n\n")
        assert declined.exit_code == 1 and "Aborted" in declined.output
        assert "fundraising_investors" in declined.output
        restored = run("backup", "restore", backup_id, "--yes")
        assert restored.exit_code == 0, restored.output
        assert f"Restored {backup_id}" in restored.output
        row = crm.db.execute("SELECT deleted_at FROM fundraising_investors WHERE id = ?",
                             [late["id"]]).fetchone()
        assert row[0] is not None
    finally:
        crm.database.close()
    path = settings.data_dir / "backups" / f"{backup_id}.db"
    path.write_bytes(path.read_bytes()[:-1])
    failed = run("backup", "verify", backup_id)
    assert failed.exit_code == 1 and "MISMATCH" in failed.output
