"""Migrations of the notes plugin."""
from core import Migration


def _tables(db):
    db.execute("""CREATE TABLE notes_notes (
        id INTEGER PRIMARY KEY, record_table TEXT NOT NULL, record_id INTEGER NOT NULL,
        body TEXT NOT NULL, author_id INTEGER REFERENCES users(id),
        version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, created_by INTEGER,
        updated_at TEXT NOT NULL, updated_by INTEGER, deleted_at TEXT)""")
    db.execute("CREATE INDEX notes_record ON notes_notes(record_table, record_id)")
    db.execute("""CREATE TABLE notes_mentions (
        note_id INTEGER NOT NULL REFERENCES notes_notes(id),
        user_id INTEGER NOT NULL REFERENCES users(id), PRIMARY KEY (note_id, user_id))""")
    db.execute("CREATE INDEX notes_mentions_user ON notes_mentions(user_id)")


MIGRATIONS = [Migration(1, "notes and their mentions", _tables)]
