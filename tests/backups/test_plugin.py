"""The backups plugin as a plugin: its own paths (the old ones kept), its settings, its
activity, and the register_backup_tables hook that tells it what a restore puts back."""
import sqlite3

from click.testing import CliRunner
from falcon import testing

from core import Migration, hookimpl
from core.app import create_app
from core.cli import build_cli
from plugins.backups.store import BackupStore
from tests.conftest import add_user, login

PREFIX = "/api/backups"


def test_new_paths_and_the_old_ones_reach_the_same_backups(crm, client, admin, member):
    made = client.simulate_post(PREFIX, headers=admin["headers"], json={})
    assert made.status_code == 201, made.json
    backup_id = made.json["id"]
    new = client.simulate_get(PREFIX, headers=member["headers"]).json["backups"]
    old = client.simulate_get("/api/fundraising/backups", headers=member["headers"]).json
    assert [b["id"] for b in new] == [b["id"] for b in old["backups"]] == [backup_id]
    check = client.simulate_get(f"{PREFIX}/{backup_id}/verify", headers=member["headers"])
    assert check.status_code == 200 and check.json["ok"] is True
    preview = client.simulate_post(f"{PREFIX}/restore-preview", headers=admin["headers"],
                                   json={"backup_id": backup_id})
    assert preview.status_code == 200, preview.json
    assert "fundraising_investors" in preview.json["tables"]
    changed = client.simulate_patch(f"{PREFIX}/policy", headers=admin["headers"],
                                    json={"keep_last": 5})
    assert changed.status_code == 200 and changed.json["keep_last"] == 5
    assert client.simulate_get("/api/fundraising/backup-policy",
                               headers=member["headers"]).json["keep_last"] == 5
    # a literal segment wins over a backup id
    assert client.simulate_delete(f"{PREFIX}/policy", headers=admin["headers"]).status_code == 405
    gone = client.simulate_delete(f"{PREFIX}/{backup_id}", headers=admin["headers"])
    assert gone.status_code == 200 and gone.json["id"] == backup_id


def test_backup_entries_are_the_backups_plugins_activity(client, admin):
    client.simulate_post(PREFIX, headers=admin["headers"], json={})
    client.simulate_patch(f"{PREFIX}/policy", headers=admin["headers"], json={"keep_last": 3})
    entries = client.simulate_get("/api/activity", headers=admin["headers"]).json["entries"]
    mine = [e["summary"] for e in entries if e["source"] == "backups"]
    assert mine == ["Ada Admin changed the backup policy", "Ada Admin made a manual backup"]


def test_the_limit_reads_its_new_name(make_crm, make_settings, monkeypatch):
    monkeypatch.setenv("CRM_BACKUPS_MANUAL_LIMIT", "0")
    crm = make_crm()
    assert crm.plugin_settings("backups").manual_limit == 0
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    refused = client.simulate_post(PREFIX, headers=login(client, "ada@fund.example"), json={})
    assert refused.status_code == 409 and "CRM_BACKUPS_MANUAL_LIMIT" in refused.json["error"][
        "message"]
    monkeypatch.setenv("CRM_BACKUPS_MANUAL_LIMIT", "-2")
    bad = CliRunner().invoke(build_cli(make_settings()), ["backup", "create"])
    assert bad.exit_code == 1 and "CRM_BACKUPS_MANUAL_LIMIT" in bad.output


class Notes:
    """An outside plugin with a table of its own, which a restore puts back."""

    def __init__(self):
        self.restored_by = []

    @hookimpl
    def register_migrations(self):
        def tables(db):
            db.execute("CREATE TABLE notes_items (id INTEGER PRIMARY KEY, body TEXT, "
                       "version INTEGER NOT NULL DEFAULT 1, updated_at TEXT, updated_by "
                       "INTEGER, deleted_at TEXT)")
        return [Migration(1, "notes", tables)]

    @hookimpl
    def register_backup_tables(self, register):
        register("notes", {"notes_items": "items"}, after_restore=self.after_restore)

    def after_restore(self, db, actor_id):
        self.restored_by.append((actor_id, db.conn.in_transaction))


def test_register_backup_tables_puts_a_plugins_tables_back(make_crm):
    notes = Notes()
    crm = make_crm(extra_plugins={"notes": notes})
    with crm.write() as db:
        db.execute("INSERT INTO notes_items (id, body) VALUES (1, 'kept'), (2, 'edited')")
    store = BackupStore(crm)
    meta = store.create("manual")
    assert meta["tables"]["notes_items"] == 2 and "fundraising_investors" in meta["tables"]
    with crm.write() as db:
        db.execute("UPDATE notes_items SET body = 'changed' WHERE id = 2")
        db.execute("INSERT INTO notes_items (id, body) VALUES (3, 'new')")
    preview = store.preview(meta["id"])["tables"]["notes_items"]
    assert preview == {"added": 0, "changed": 1, "archived": 1, "removed": 0,
                       "unchanged": 1}
    store.restore(meta["id"], None)
    rows = crm.db.execute("SELECT id, body, deleted_at IS NULL FROM notes_items ORDER BY id")
    assert [tuple(r) for r in rows] == [(1, "kept", 1), (2, "edited", 1), (3, "new", 0)]
    assert notes.restored_by == [(None, True)]
    logged = crm.db.execute("SELECT count(*) FROM audit_log WHERE plugin = 'notes' AND "
                            "table_name = 'items'").fetchone()[0]
    assert logged == 2  # one update, one archive


def test_backups_alone_snapshot_the_database_and_restore_nothing(make_crm):
    crm = make_crm(plugins=["backups"])
    with crm.write() as db:
        db.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY)")
    store = BackupStore(crm)
    meta = store.create("manual")
    assert meta["tables"] == {"app_settings": 0}  # its own policy's table, nothing else
    path = crm.settings.data_dir / "backups" / f"{meta['id']}.db"
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'"
                            ).fetchone()[0] == 1
    finally:
        copy.close()
    assert list(store.restore(meta["id"])["tables"]) == ["app_settings"]


def test_backup_audit_entries_written_as_fundraising_become_the_backups_plugins(crm):
    from plugins.backups.tables import MIGRATIONS

    with crm.write() as db:
        for table, row_id in [("backups", "20261126T113800Z-ab12cd"),
                              ("app_settings", "fundraising.backup_policy"),
                              ("app_settings", "import.people"), ("investors", "1")]:
            db.execute("INSERT INTO audit_log (at, actor_id, plugin, table_name, row_id, action,"
                       " changes) VALUES ('2026-01-01T00:00:00.000000Z', NULL, 'fundraising', "
                       "?, ?, 'create', '{}')", [table, row_id])
        next(m for m in MIGRATIONS if m.version == 2).apply(db)
    rows = crm.db.execute("SELECT table_name, row_id, plugin FROM audit_log WHERE at = "
                          "'2026-01-01T00:00:00.000000Z' ORDER BY id")
    assert [r[2] for r in rows] == ["backups", "backups", "fundraising", "fundraising"]
