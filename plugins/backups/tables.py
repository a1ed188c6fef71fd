"""Migrations of the backups plugin: the policy's table, and its audit entries as its own."""
from core import Migration
from plugins.backups.policy import POLICY_KEY


def _settings_table(db):
    """app_settings holds the backup policy; fundraising makes the same table for itself."""
    db.execute("""CREATE TABLE IF NOT EXISTS app_settings (
        key TEXT PRIMARY KEY, value TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, created_by INTEGER,
        updated_at TEXT NOT NULL, updated_by INTEGER,
        deleted_at TEXT)""")


def _own_audit_entries(db):
    """Backups and the policy were audited as fundraising's before they had a plugin."""
    db.execute("UPDATE audit_log SET plugin = 'backups' WHERE plugin = 'fundraising' AND "
               "(table_name = 'backups' OR (table_name = 'app_settings' AND row_id = ?))",
               [POLICY_KEY])


def _drills(db):
    """The restore drills' results (drill.py): history, not backed up."""
    db.execute("""CREATE TABLE backup_drills (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, backup_id TEXT NOT NULL,
        ok INTEGER NOT NULL, checksum_ok INTEGER NOT NULL, integrity TEXT,
        tables TEXT NOT NULL DEFAULT '{}', error TEXT, seconds REAL, actor_id INTEGER)""")
    db.execute("CREATE INDEX backup_drills_at ON backup_drills(at)")


MIGRATIONS = [
    Migration(1, "settings table for the backup policy", _settings_table),
    Migration(2, "backup audit entries moved from fundraising", _own_audit_entries),
    Migration(3, "restore drills", _drills),
]
