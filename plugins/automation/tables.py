"""Migrations of the automation plugin."""
import orjson

from core import Migration
from core.db import utcnow
from plugins.fundraising.api import builtin_field_ids, field_ids_of_type

LISTS = ("main", "follow_up", "graveyard", "longshot")


def _tables(db):
    db.execute("""CREATE TABLE automation_rules (
        id INTEGER PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL,
        config TEXT NOT NULL DEFAULT '{}', enabled INTEGER NOT NULL DEFAULT 1,
        position INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, created_by INTEGER, updated_at TEXT NOT NULL,
        updated_by INTEGER, deleted_at TEXT)""")
    db.execute("""CREATE TABLE automation_runs (
        id INTEGER PRIMARY KEY, trigger TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT, results TEXT NOT NULL DEFAULT '[]', changed INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0)""")
    db.execute("""CREATE TABLE list_memberships (
        id INTEGER PRIMARY KEY, investor_id INTEGER NOT NULL REFERENCES fundraising_investors(id),
        list TEXT NOT NULL, rule_id INTEGER REFERENCES automation_rules(id),
        added_at TEXT NOT NULL, removed_at TEXT)""")
    db.execute("CREATE UNIQUE INDEX memberships_current ON list_memberships(list, investor_id)"
               " WHERE removed_at IS NULL")
    db.execute("CREATE INDEX memberships_investor ON list_memberships(investor_id)")
    db.execute("""CREATE TABLE tasks (
        id INTEGER PRIMARY KEY, title TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '',
        due_date TEXT, assignee_id INTEGER REFERENCES users(id),
        investor_id INTEGER REFERENCES fundraising_investors(id),
        contact_id INTEGER REFERENCES fundraising_contacts(id),
        done INTEGER NOT NULL DEFAULT 0, done_at TEXT, reminded_for TEXT,
        version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, created_by INTEGER,
        updated_at TEXT NOT NULL, updated_by INTEGER, deleted_at TEXT)""")
    db.execute("CREATE INDEX tasks_due ON tasks(done, due_date)")


def _builtin_rules(db):
    fields = builtin_field_ids(db, "investors")
    now = utcnow()
    rules = [
        ("last_contact_older", "Follow up after 30 days without contact",
         {"field": fields["last_contact"], "days": 30, "list": "follow_up"}),
        ("stage_in", "Passed and declined go to the graveyard",
         {"field": fields["stage"], "stages": ["Passed", "Declined"], "list": "graveyard"}),
        ("amount_below", "Small checks are longshots",
         {"field": fields["check_size"], "threshold": 100_000, "list": "longshot"}),
        ("main_list", "Everyone else is on the main list", {}),
        ("task_overdue", "Remind the assignee of overdue tasks", {}),
    ]
    for position, (rule_type, name, config) in enumerate(rules):
        db.execute("INSERT INTO automation_rules (type, name, config, enabled, position, "
                   "created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)",
                   [rule_type, name, orjson.dumps(config).decode(), position, now, now])


def _percent_thresholds(db):
    """Percent fields hold fractions (fundraising migration 8): a rule's threshold over 1 on
    a percent field was written as a percentage (25 for 25%) and becomes 0.25."""
    percent = field_ids_of_type(db, "investors", "percent")  # rules read investors only
    for rule_id, config in list(db.execute(
            "SELECT id, config FROM automation_rules WHERE type = 'amount_below'")):
        config = orjson.loads(config)
        threshold = config.get("threshold")
        if config.get("field") in percent and isinstance(threshold, (int, float)) \
                and threshold > 1:
            config["threshold"] = float(repr(threshold) + "e-2")
            db.execute("UPDATE automation_rules SET config = ?, version = version + 1 "
                       "WHERE id = ?", [orjson.dumps(config).decode(), rule_id])


def _due_zones_repeats(db):
    """Due moments with the writer's zone, recurring tasks, and when a reminder was made
    (My day lists it). Tasks written before keep a day and no zone: judged in UTC."""
    for column in ("due_at TEXT", "due_tz TEXT", "repeat_days INTEGER",
                   "repeated_from INTEGER REFERENCES tasks(id)", "reminded_at TEXT"):
        db.execute(f"ALTER TABLE tasks ADD COLUMN {column}")
    db.execute("CREATE INDEX tasks_assignee ON tasks(assignee_id, done, due_date)")
    db.execute("CREATE INDEX tasks_repeated_from ON tasks(repeated_from)")
    db.execute("CREATE INDEX tasks_due_tz ON tasks(due_tz)")
    db.execute("CREATE INDEX automation_runs_started ON automation_runs(started_at)")


MIGRATIONS = [
    Migration(1, "rules, runs, list memberships and tasks", _tables),
    Migration(2, "built-in rules", _builtin_rules),
    Migration(3, "percent thresholds as fractions", _percent_thresholds),
    Migration(4, "due zones, recurring tasks, reminder times", _due_zones_repeats),
]
