"""Migrations of the fundraising plugin."""
from core import Migration
from core.db import utcnow
from plugins.fundraising.percent_migration import percent_to_fraction
from plugins.fundraising.schema import BUILTIN_FIELDS
from plugins.fundraising.search import create_search_index, renew_update_trigger

RECORD_TABLES = ("investors", "contacts", "funds", "commitments")
# what a restore from a backup puts back: {SQL table: name in the audit log}
BACKED_UP_TABLES = {f"fundraising_{t}": t for t in (*RECORD_TABLES, "fields", "views")}
AUDIT_COLUMNS = """
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL, created_by INTEGER,
    updated_at TEXT NOT NULL, updated_by INTEGER,
    deleted_at TEXT"""


def table_name(table: str) -> str:
    return f"fundraising_{table}"


def _records(db):
    db.execute(f"""CREATE TABLE fundraising_investors (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
        stage TEXT, owner_id INTEGER REFERENCES users(id), check_size REAL, last_contact TEXT,
        data TEXT NOT NULL DEFAULT '{{}}',{AUDIT_COLUMNS})""")
    db.execute(f"""CREATE TABLE fundraising_funds (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', target_size REAL, vintage INTEGER,
        data TEXT NOT NULL DEFAULT '{{}}',{AUDIT_COLUMNS})""")
    db.execute(f"""CREATE TABLE fundraising_contacts (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
        investor_id INTEGER REFERENCES fundraising_investors(id), email TEXT, title TEXT,
        data TEXT NOT NULL DEFAULT '{{}}',{AUDIT_COLUMNS})""")
    db.execute(f"""CREATE TABLE fundraising_commitments (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
        investor_id INTEGER REFERENCES fundraising_investors(id),
        fund_id INTEGER REFERENCES fundraising_funds(id), amount REAL, status TEXT,
        data TEXT NOT NULL DEFAULT '{{}}',{AUDIT_COLUMNS})""")
    for table in RECORD_TABLES:
        db.execute(f"CREATE INDEX {table}_live ON fundraising_{table}(deleted_at, id)")
    db.execute("CREATE INDEX contacts_investor ON fundraising_contacts(investor_id)")
    db.execute("CREATE INDEX contacts_email ON fundraising_contacts(email COLLATE NOCASE)")
    db.execute("CREATE INDEX commitments_investor ON fundraising_commitments(investor_id)")
    db.execute("CREATE INDEX commitments_fund ON fundraising_commitments(fund_id)")


def _fields(db):
    db.execute(f"""CREATE TABLE fundraising_fields (
        id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{{}}', formula TEXT, builtin TEXT, column_name TEXT,
        position INTEGER NOT NULL DEFAULT 0,{AUDIT_COLUMNS})""")
    db.execute("CREATE UNIQUE INDEX fields_unique_name ON fundraising_fields"
               "(table_name, name COLLATE NOCASE) WHERE deleted_at IS NULL")
    db.execute(f"""CREATE TABLE fundraising_views (
        id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, name TEXT NOT NULL,
        owner_id INTEGER REFERENCES users(id), config TEXT NOT NULL DEFAULT '{{}}',
        position INTEGER NOT NULL DEFAULT 0,{AUDIT_COLUMNS})""")
    db.execute("""CREATE TABLE fundraising_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,
        updated_at TEXT NOT NULL, updated_by INTEGER)""")
    db.execute(f"""CREATE TABLE feature_requests (
        id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open', votes INTEGER NOT NULL DEFAULT 0,{AUDIT_COLUMNS})""")
    db.execute(f"""CREATE TABLE IF NOT EXISTS app_settings (
        key TEXT PRIMARY KEY, value TEXT NOT NULL,{AUDIT_COLUMNS})""")


def _builtin_fields(db):
    now = utcnow()
    db.execute("INSERT INTO fundraising_state (id, version, updated_at) VALUES (1, 1, ?)", [now])
    for table, specs in BUILTIN_FIELDS.items():
        for position, spec in enumerate(specs):
            db.table("fundraising_fields").insert({
                "table_name": table, "name": spec.name, "type": spec.type,
                "options": spec.options_json(), "builtin": spec.key, "column_name": spec.column,
                "position": position, "version": 1, "created_at": now, "updated_at": now})


def _view_indexes(db):
    """Indexes that let saved views filter and sort the built-in columns without a scan."""
    for table, columns in {
        "investors": ("stage", "owner_id", "check_size", "last_contact"),
        "commitments": ("status", "amount"),
        "funds": ("vintage",),
    }.items():
        for column in columns:
            db.execute(f"CREATE INDEX {table}_{column} ON fundraising_{table}({column})")
    db.execute("CREATE INDEX investors_stage_check ON fundraising_investors(stage, check_size)")
    for table in RECORD_TABLES:
        db.execute(f"CREATE INDEX {table}_name ON fundraising_{table}(name COLLATE NOCASE)")


def _external_ids(db):
    """The id a record had where it was imported from (an Airtable record id)."""
    for table in RECORD_TABLES:
        db.execute(f"ALTER TABLE fundraising_{table} ADD COLUMN external_id TEXT")
        db.execute(f"CREATE UNIQUE INDEX {table}_external_id ON fundraising_{table}(external_id)"
                   " WHERE external_id IS NOT NULL")


def _drop_stage_index(db):
    """investors_stage_check (stage, check_size) serves every lookup by stage as well."""
    db.execute("DROP INDEX IF EXISTS investors_stage")


def _vintage_without_separator(db):
    """A fund's Vintage is a year: shown "2026", not "2,026"."""
    db.execute("UPDATE fundraising_fields SET options = "
               "json_set(options, '$.separator', json('false')) "
               "WHERE builtin = 'vintage' AND table_name = 'funds'")


def _fields_version(db):
    """A counter every change to fundraising_fields moves (by trigger, whoever writes: the
    API, an import, a restore): what the field definitions cached per connection are keyed
    by, so a record edit (which moves the grid version) does not throw them away."""
    db.execute("CREATE TABLE fundraising_fields_version (id INTEGER PRIMARY KEY CHECK (id = 1),"
               " version INTEGER NOT NULL)")
    db.execute("INSERT INTO fundraising_fields_version (id, version) VALUES (1, 1)")
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER fundraising_fields_{event.lower()} AFTER {event} ON "
                   "fundraising_fields BEGIN UPDATE fundraising_fields_version SET version = "
                   "version + 1 WHERE id = 1; END")


def _search_triggers_compare_indexed(db):
    for table in RECORD_TABLES:
        renew_update_trigger(db, table)


def _search_indexes(db):
    """A full-text index of each record table, kept in sync by triggers (search.py)."""
    for table in RECORD_TABLES:
        create_search_index(db, table)


def _clock_days(db):
    """The day (UTC) each table's TODAY()/NOW() formulas were last computed for."""
    db.execute("CREATE TABLE fundraising_clock_days (table_name TEXT PRIMARY KEY, "
               "day TEXT NOT NULL)")


def _view_types(db):
    """A view is a grid or a board (its group field and cards are kept in its config)."""
    db.execute("ALTER TABLE fundraising_views ADD COLUMN type TEXT NOT NULL DEFAULT 'grid'")


def _fund_closes(db):
    """Funds' first and final close dates (built-in date fields, shown on the dashboard). A
    new install's migration 3 already made their field rows; a field already called so
    keeps its name and the built-in one takes "(close date)" after it."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(fundraising_funds)")}
    now = utcnow()
    for spec in BUILTIN_FIELDS["funds"]:
        if spec.key not in ("first_close", "final_close"):
            continue
        if spec.column not in columns:
            db.execute(f"ALTER TABLE fundraising_funds ADD COLUMN {spec.column} TEXT")
        if db.execute("SELECT 1 FROM fundraising_fields WHERE table_name = 'funds' AND "
                      "builtin = ?", [spec.key]).fetchone():
            continue
        taken = db.execute("SELECT 1 FROM fundraising_fields WHERE table_name = 'funds' AND "
                           "name = ? COLLATE NOCASE AND deleted_at IS NULL",
                           [spec.name]).fetchone()
        position = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM fundraising_fields "
                              "WHERE table_name = 'funds'").fetchone()[0]
        db.table("fundraising_fields").insert({
            "table_name": "funds", "name": f"{spec.name} (close date)" if taken else spec.name,
            "type": spec.type, "options": spec.options_json(), "builtin": spec.key,
            "column_name": spec.column, "position": position, "version": 1,
            "created_at": now, "updated_at": now})


MIGRATIONS = [
    Migration(1, "record tables", _records),
    Migration(2, "fields, views, state, feature requests, settings", _fields),
    Migration(3, "built-in fields", _builtin_fields),
    Migration(4, "indexes for views", _view_indexes),
    Migration(5, "external ids for imports", _external_ids),
    Migration(6, "one index for stage", _drop_stage_index),
    Migration(7, "Vintage shown without a thousands separator", _vintage_without_separator),
    Migration(8, "percent values on the 0-100 scale to fractions", percent_to_fraction),
    Migration(9, "a version of the field definitions, moved by trigger", _fields_version),
    Migration(10, "full-text search of each record table", _search_indexes),
    Migration(11, "the day TODAY() formulas were computed for", _clock_days),
    Migration(12, "views of type grid or board", _view_types),
    Migration(13, "funds' first and final close dates", _fund_closes),
    Migration(14, "search triggers compare a record's text with the text indexed",
              _search_triggers_compare_indexed),
]
