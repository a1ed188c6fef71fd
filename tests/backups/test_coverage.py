"""A backup covers every plugin's tables: filled, backed up, changed and deleted, restored,
and every table equals the backup again; the JSON export lists the same tables."""
import json
import sqlite3
import stat

import pytest

from core.db import utcnow
from plugins.backups.restore import restored_tables, table_info
from plugins.fundraising.records import RecordStore

# Tables a backup file holds but a restore leaves alone, and why.
NOT_RESTORED = {
    "users", "sessions", "invites", "recovery_codes", "login_challenges",  # the box's accounts
    "audit_log", "backup_drills", "crm_migrations",  # history, and the schema's own state
    "fundraising_state", "fundraising_fields_version",  # counters a restore moves itself
    "fundraising_clock_days",  # when TODAY() was computed: a restore clears it
    "digest_runs", "digest_deliveries",  # what was sent: an older ledger would send twice
    "dashboard_stage_moves", "dashboard_stage_weeks",  # kept from audit_log by its triggers
}
BOOKKEEPING = {"version", "updated_at", "updated_by", "deleted_at"}


def table_state(conn, table):
    """(live rows, keys of the rows that are not live): whole rows for a table without
    deleted_at; for one with it, every column but what a restore moves itself."""
    info = table_info(conn, "main", table)
    names = [name for name, _pk in info]
    key = [name for name, pk in info if pk]
    if "deleted_at" not in names:
        return set(conn.execute(f"SELECT * FROM {table}")), set()
    cols = [n for n in names if n not in BOOKKEEPING]
    live = set(conn.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE deleted_at IS NULL"))
    gone = set(conn.execute(f"SELECT {', '.join(key)} FROM {table} "
                            "WHERE deleted_at IS NOT NULL"))
    return live, gone


def ok(result, status=200):
    assert result.status_code == status, result.json
    return result.json


def fill(crm, client, admin, member):
    """Rows in every backed-up table, through the API where there is one."""
    a, m = admin["headers"], member["headers"]
    with crm.write() as db:
        investors = RecordStore(db, "investors")
        acme = investors.create("Acme", {"Stage": "Intro", "Check Size": 500000}, admin["id"])
        birch = investors.create("Birch", {"Check Size": 50000}, admin["id"])
        fund = RecordStore(db, "funds").create("Fund I", {"Vintage": 2026}, admin["id"])
        ann = RecordStore(db, "contacts").create("Ann", {"Investor": acme["id"]}, admin["id"])
        RecordStore(db, "commitments").create("Acme in I", {"Investor": acme["id"], "Fund":
                                              fund["id"], "Amount": 1000}, admin["id"])
    ok(client.simulate_post("/api/fundraising/fields", headers=a,
                            json={"table": "investors", "name": "Sector", "type": "text"}), 201)
    ok(client.simulate_post("/api/fundraising/views", headers=a,
                            json={"table": "investors", "name": "Pipeline"}), 201)
    wish = ok(client.simulate_post("/api/fundraising/feature-requests", headers=m,
                                   json={"title": "Dark mode"}), 201)
    ok(client.simulate_post("/api/automation/run", headers=a, json={}))
    task = ok(client.simulate_post("/api/automation/tasks", headers=a, json={
        "title": "Call Ann", "investor_id": acme["id"], "contact_id": ann["id"],
        "assignee_id": member["id"], "due_date": "2026-12-24"}), 201)
    other = ok(client.simulate_post("/api/automation/tasks", headers=m, json={
        "title": "Send deck", "investor_id": birch["id"]}), 201)
    ok(client.simulate_put(f"/api/admin/gmail/accounts/{member['id']}", headers=a,
                           json={"enabled": True}))
    ok(client.simulate_patch("/api/backups/policy", headers=a, json={"keep_last": 5}))
    note = ok(client.simulate_post(f"/api/fundraising/investors/{acme['id']}/notes", headers=a,
                                   json={"body": "Ask @max@fund.example to call"}), 201)
    now = utcnow()
    with crm.write() as db:
        for n in (1, 2):
            db.execute("INSERT INTO gmail_proposals (id, user_id, message_id, direction, "
                       "from_address, subject, sent_at, investor_id, contact_id, created_at) "
                       "VALUES (?, ?, ?, 'in', 'ann@acme.example', ?, ?, ?, ?, ?)",
                       [n, member["id"], f"m{n}", f"Terms {n}", now, acme["id"], ann["id"], now])
        db.execute("INSERT INTO app_settings (key, value, version, created_at, updated_at) "
                   "VALUES ('import.people', '{\"Jo\": 1}', 1, ?, ?)", [now, now])
        db.execute("INSERT INTO gmail_drafts (id, table_name, record_id, contact_id, user_id, "
                   "draft_id, to_address, subject, body, origin, created_at) VALUES (1, "
                   "'investors', ?, ?, ?, 'r1', 'ann@acme.example', 'Terms', 'Hi Ann', "
                   "'person', ?)", [acme["id"], ann["id"], member["id"], now])
    ok(client.simulate_post("/api/gmail/proposals/1/approve", headers=m, json={}))
    return {"acme": acme, "birch": birch, "fund": fund, "ann": ann, "task": task,
            "other": other, "wish": wish, "note": note}


def change_everything(crm, client, admin, member, ids):
    """After the backup: every table edited, added to, archived and hard-deleted from."""
    a = admin["headers"]
    with crm.write() as db:
        investors = RecordStore(db, "investors")
        investors.update(ids["acme"]["id"], None, "Acme II", {"Stage": "Passed"}, admin["id"])
        investors.archive(ids["birch"]["id"], admin["id"])
        investors.create("Newcomer", {}, admin["id"])
        RecordStore(db, "funds").update(ids["fund"]["id"], None, "Fund One", {}, admin["id"])
    fields = ok(client.simulate_get("/api/fundraising/fields", headers=a))["fields"]
    sector = next(f for f in fields if f["name"] == "Sector")
    ok(client.simulate_patch(f"/api/fundraising/fields/{sector['id']}", headers=a,
                             json={"name": "Industry"}))
    ok(client.simulate_patch(f"/api/fundraising/feature-requests/{ids['wish']['id']}",
                             headers=a, json={"status": "planned", "votes": 9}))
    ok(client.simulate_post("/api/fundraising/feature-requests", headers=a,
                            json={"title": "Export"}), 201)
    ok(client.simulate_patch(f"/api/automation/tasks/{ids['task']['id']}", headers=a,
                             json={"done": True, "title": "Called Ann"}))
    ok(client.simulate_delete(f"/api/automation/tasks/{ids['other']['id']}", headers=a))
    ok(client.simulate_post("/api/automation/tasks", headers=a, json={
        "title": "New", "investor_id": ids["acme"]["id"]}), 201)
    rules = ok(client.simulate_get("/api/automation/rules", headers=a))["rules"]
    ok(client.simulate_patch(f"/api/automation/rules/{rules[0]['id']}", headers=a,
                             json={"enabled": False}))
    ok(client.simulate_post("/api/automation/run", headers=a, json={}))
    ok(client.simulate_put(f"/api/admin/gmail/accounts/{member['id']}", headers=a,
                           json={"enabled": False}))
    ok(client.simulate_put(f"/api/admin/gmail/accounts/{admin['id']}", headers=a,
                           json={"enabled": True}))
    ok(client.simulate_post("/api/gmail/proposals/2/reject", headers=member["headers"],
                            json={}))
    ok(client.simulate_patch("/api/backups/policy", headers=a, json={"time": "04:00"}))
    note = ids["note"]
    ok(client.simulate_patch(f"/api/notes/{note['id']}", headers=a, json={
        "body": "Ask @ada@fund.example instead", "expected_version": note["version"]}))
    with crm.write() as db:  # lost outright, as a bad script or a broken disk would
        db.execute("DELETE FROM email_links")
        db.execute("DELETE FROM email_activity")
        db.execute("DELETE FROM gmail_drafts")
        db.execute("DELETE FROM app_settings WHERE key = 'import.people'")
        db.execute("DELETE FROM list_memberships WHERE id = (SELECT min(id) FROM "
                   "list_memberships)")
        db.execute("DELETE FROM automation_runs WHERE id = 1")
        db.execute("DELETE FROM fundraising_views")


@pytest.fixture
def tables(crm):
    return [t for group in restored_tables(crm.pm) for t in group.tables]


def test_every_table_is_backed_up_or_left_out_on_purpose(crm, tables):
    present = {r[0] for r in crm.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    search = {t for t in present if "_search" in t}  # full-text indexes, kept by triggers
    assert present - NOT_RESTORED - search == set(tables)
    for table in ("tasks", "automation_rules", "automation_runs", "list_memberships",
                  "email_activity", "gmail_proposals", "gmail_accounts", "feature_requests",
                  "app_settings", "fundraising_views", "fundraising_fields"):
        assert table in tables


def test_restore_makes_every_plugins_tables_equal_the_backup(crm, client, admin, member,
                                                            tables):
    ids = fill(crm, client, admin, member)
    meta = ok(client.simulate_post("/api/backups", headers=admin["headers"]), 201)
    path = crm.settings.data_dir / "backups" / f"{meta['id']}.db"
    backup = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        wanted = {t: table_state(backup, t) for t in tables}
    finally:
        backup.close()
    for table, (live, _gone) in wanted.items():
        assert live, f"the test left {table} empty"
        if table != "gmail_accounts":
            assert meta["tables"][table] == len(live), table

    change_everything(crm, client, admin, member, ids)
    differ = [t for t in tables if table_state(crm.db.conn, t) != wanted[t]]
    assert set(differ) == set(tables) - {"fundraising_contacts", "fundraising_commitments"}

    preview = ok(client.simulate_post("/api/backups/restore-preview", headers=admin["headers"],
                                      json={"backup_id": meta["id"]}))["tables"]
    assert preview["tasks"] == {"added": 1, "changed": 1, "archived": 1, "removed": 0,
                                "unchanged": 0}
    assert preview["email_activity"]["added"] == 1
    assert preview["gmail_accounts"] == {"added": 0, "changed": 1, "archived": 0, "removed": 1,
                                         "unchanged": 0}
    assert preview["automation_runs"]["added"] == 1 and preview["automation_runs"]["removed"]
    assert preview["app_settings"]["added"] == 1 and preview["app_settings"]["changed"] == 1

    restored = ok(client.simulate_post("/api/backups/restore", headers=admin["headers"],
                                       json={"backup_id": meta["id"], "confirm": True}))
    assert restored["tables"] == preview
    for table in tables:  # rows made since the backup stay, archived, in archiving tables
        live, gone = table_state(crm.db.conn, table)
        assert live == wanted[table][0], table
        assert gone >= wanted[table][1], table
    again = ok(client.simulate_post("/api/backups/restore-preview", headers=admin["headers"],
                                    json={"backup_id": meta["id"]}))["tables"]
    assert all(c["added"] == c["changed"] == c["archived"] == c["removed"] == 0
               for c in again.values())
    feed = ok(client.simulate_get("/api/activity", headers=admin["headers"]))["entries"]
    assert any(e["summary"] == f"Ada Admin restored every plugin's data from backup "
               f"{meta['id']}" for e in feed)


def test_json_export_lists_every_backed_up_table(crm, client, admin, member, tables):
    fill(crm, client, admin, member)
    assert client.simulate_get("/api/backups/export",
                               headers=member["headers"]).status_code == 403
    result = client.simulate_get("/api/backups/export", headers=admin["headers"])
    assert result.status_code == 200
    assert "attachment" in result.headers["content-disposition"]
    doc = result.json
    assert (doc["format"], doc["format_version"]) == ("venture-crm-export", 2)
    assert list(doc["tables"]) == tables
    for table in tables:
        exported = doc["tables"][table]
        rows = [tuple(r[c] for c in exported["columns"]) for r in exported["rows"]]
        assert set(rows) == set(crm.db.execute(f"SELECT * FROM {table}")), table
    assert doc["tables"]["tasks"]["plugin"] == "automation"
    assert "users" not in doc["tables"] and "sessions" not in doc["tables"]
    old = client.simulate_get("/api/fundraising/export", headers=member["headers"])
    assert old.status_code == 200 and old.json["investors"]  # the old export still works


def test_cli_export_writes_the_same_tables_owner_only(crm, client, admin, member, tables,
                                                      cli_runner, tmp_path):
    fill(crm, client, admin, member)
    target = tmp_path / "export.json"
    cli_runner("backup", "export", "-o", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    doc = json.loads(target.read_text())
    assert list(doc["tables"]) == tables
    assert len(doc["tables"]["email_activity"]["rows"]) == 1
    assert doc["tables"]["app_settings"]["key"] == ["key"]
