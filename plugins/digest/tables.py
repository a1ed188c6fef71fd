"""The digest ledger: one row per local day, one per (day, admin) delivery."""
from core import Migration


def _tables(db):
    db.execute("""CREATE TABLE digest_runs (
        day TEXT PRIMARY KEY, status TEXT NOT NULL CHECK (status IN
        ('pending', 'sent', 'failed', 'skipped')), attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, people INTEGER NOT NULL DEFAULT 0, investors INTEGER NOT NULL DEFAULT 0,
        model_calls INTEGER NOT NULL DEFAULT 0, fallback INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, next_attempt_at TEXT,
        sent_at TEXT)""")
    db.execute("""CREATE TABLE digest_deliveries (
        day TEXT NOT NULL REFERENCES digest_runs(day), user_id INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        message_id TEXT, error TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (day, user_id))""")


def _rejected(db):
    # summaries the guard replaced by the extractive one (see guard.py)
    db.execute("ALTER TABLE digest_runs ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0")


def _log(db):
    # what wrote each (person, investor) summary of the last attempt, and why an extract
    db.execute("ALTER TABLE digest_runs ADD COLUMN log TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS = [Migration(1, "digest ledger", _tables),
              Migration(2, "summaries rejected by the guard", _rejected),
              Migration(3, "the run's summary log", _log)]
