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


def _search_index(db):
    """A full-text index of the notes' text (records are found by their notes), kept by
    triggers so every writer (the routes, a backup restore) keeps it current."""
    db.execute("CREATE VIRTUAL TABLE notes_search USING fts5(body, content = 'notes_notes', "
               "content_rowid = 'id', prefix = '2 3', "
               "tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO notes_search (notes_search) VALUES ('rebuild')")
    db.execute("CREATE TRIGGER notes_search_insert AFTER INSERT ON notes_notes BEGIN "
               "INSERT INTO notes_search (rowid, body) VALUES (NEW.id, NEW.body); END")
    db.execute("CREATE TRIGGER notes_search_update AFTER UPDATE OF body ON notes_notes BEGIN "
               "INSERT INTO notes_search (notes_search, rowid, body) "
               "VALUES ('delete', OLD.id, OLD.body); "
               "INSERT INTO notes_search (rowid, body) VALUES (NEW.id, NEW.body); END")
    db.execute("CREATE TRIGGER notes_search_delete AFTER DELETE ON notes_notes BEGIN "
               "INSERT INTO notes_search (notes_search, rowid, body) "
               "VALUES ('delete', OLD.id, OLD.body); END")


MIGRATIONS = [Migration(1, "notes and their mentions", _tables),
              Migration(2, "full-text search of the notes", _search_index)]
