"""Migrations of the gmail plugin."""
from core import Migration


def _tables(db):
    db.execute("""CREATE TABLE gmail_accounts (
        user_id INTEGER PRIMARY KEY REFERENCES users(id), enabled INTEGER NOT NULL DEFAULT 0,
        address TEXT, history_id TEXT, last_sync_at TEXT, last_error TEXT, last_error_at TEXT,
        messages_seen INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by INTEGER)""")
    db.execute("""CREATE TABLE gmail_proposals (
        id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
        message_id TEXT NOT NULL, thread_id TEXT, direction TEXT NOT NULL,
        from_address TEXT, to_addresses TEXT NOT NULL DEFAULT '[]',
        subject TEXT, excerpt TEXT, sent_at TEXT NOT NULL,
        investor_id INTEGER REFERENCES fundraising_investors(id),
        contact_id INTEGER REFERENCES fundraising_contacts(id),
        matched TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'pending',
        decided_by INTEGER, decided_at TEXT, created_at TEXT NOT NULL, deleted_at TEXT,
        UNIQUE (user_id, message_id))""")
    db.execute("CREATE INDEX proposals_status ON gmail_proposals(status, user_id)")
    db.execute("""CREATE TABLE email_activity (
        id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
        investor_id INTEGER REFERENCES fundraising_investors(id),
        contact_id INTEGER REFERENCES fundraising_contacts(id),
        message_id TEXT NOT NULL, thread_id TEXT, direction TEXT NOT NULL, subject TEXT,
        excerpt TEXT, sent_at TEXT NOT NULL, proposal_id INTEGER REFERENCES gmail_proposals(id),
        created_at TEXT NOT NULL, created_by INTEGER, deleted_at TEXT,
        UNIQUE (user_id, message_id))""")
    db.execute("CREATE INDEX email_activity_sent ON email_activity(sent_at)")
    db.execute("CREATE INDEX email_activity_investor ON email_activity(investor_id, sent_at)")


def _sent_at_with_microseconds(db):
    # sync wrote whole seconds (…:05Z); every stored timestamp now has microseconds
    for table in ("gmail_proposals", "email_activity"):
        db.execute(f"UPDATE {table} SET sent_at = substr(sent_at, 1, 19) || '.000000Z' "
                   "WHERE length(sent_at) = 20 AND sent_at LIKE '%Z'")


def _every_matched_contact(db):
    # a message can match contacts of several investors: proposals keep all of them
    # ([[contact_id, investor_id], ...]) and an approved email is linked to each
    db.execute("ALTER TABLE gmail_proposals ADD COLUMN links TEXT NOT NULL DEFAULT '[]'")
    db.execute("""UPDATE gmail_proposals SET links = json_array(json_array(contact_id, investor_id))
                  WHERE contact_id IS NOT NULL""")
    db.execute("""CREATE TABLE email_links (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL REFERENCES email_activity(id),
        contact_id INTEGER REFERENCES fundraising_contacts(id),
        investor_id INTEGER REFERENCES fundraising_investors(id),
        last_contact_before TEXT,
        UNIQUE (activity_id, contact_id, investor_id))""")
    db.execute("CREATE INDEX email_links_investor ON email_links(investor_id, activity_id)")
    db.execute("CREATE INDEX email_links_contact ON email_links(contact_id, activity_id)")
    db.execute("""INSERT OR IGNORE INTO email_links (activity_id, contact_id, investor_id)
                  SELECT id, contact_id, investor_id FROM email_activity
                  WHERE contact_id IS NOT NULL OR investor_id IS NOT NULL""")


def _sync_cursor(db):
    # where an unfinished sync stopped (JSON: mode, start or since, page token, target
    # history id), so the next sync resumes there instead of skipping the rest
    db.execute("ALTER TABLE gmail_accounts ADD COLUMN sync_cursor TEXT")


def _record_drafts(db):
    # drafts created in a user's own mailbox from a record's panel: who, to whom, the subject
    # (the team sees these) and the body (only its writer does); origin: written by the person
    # or started by Spark
    db.execute("""CREATE TABLE gmail_drafts (
        id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, record_id INTEGER NOT NULL,
        contact_id INTEGER REFERENCES fundraising_contacts(id),
        user_id INTEGER NOT NULL REFERENCES users(id), draft_id TEXT NOT NULL,
        to_address TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'person' CHECK (origin IN ('person', 'spark')),
        created_at TEXT NOT NULL, deleted_at TEXT)""")
    db.execute("CREATE INDEX gmail_drafts_record ON gmail_drafts(table_name, record_id, "
               "created_at)")


MIGRATIONS = [Migration(1, "accounts, proposals and email activity", _tables),
              Migration(2, "sent_at in the one timestamp format", _sent_at_with_microseconds),
              Migration(3, "every matched contact of a message kept", _every_matched_contact),
              Migration(4, "a resumable sync cursor", _sync_cursor),
              Migration(5, "drafts made from a record", _record_drafts)]
