"""What an import's updates change, field by field (old -> new), and which of those changes
would overwrite an edit made in the CRM since the record's last import.

The audit log tells imports apart by their summary: an import writes "import <table> '...'"
on each entry it makes (creates and updates); any other create or update of the record is
an edit in the CRM. A record that was never imported counts as edited in the CRM (its values
came from the CRM). Import updates written before this summary existed read as CRM edits.
"""
import csv
import io
from dataclasses import dataclass

import orjson

from plugins.fundraising.field_defs import PLUGIN
from plugins.fundraising.value_text import value_text

SAMPLE = 50  # changes listed in an answer; the full list is GET as CSV (import/changes)
CHUNK = 500  # record ids per audit query


def import_summary(table, name) -> str:
    """The summary of an audit entry written by an import."""
    return f"import {table} '{name}'"


@dataclass
class Change:
    row: int
    record_id: int
    record: str  # the record's name before the import
    field: str
    old: object
    new: object
    edited_at: str | None = None  # when the CRM last changed this field since the import
    edited_by: str | None = None

    def answer(self, display) -> dict:
        return {"row": self.row, "record_id": self.record_id, "record": self.record,
                "field": self.field, "old": display(self.field, self.old),
                "new": display(self.field, self.new),
                "edited_in_crm": self.edited_at is not None,
                "edited_at": self.edited_at, "edited_by": self.edited_by}


def list_changes(db, plan, name_field) -> list[Change]:
    """Every field each update of `plan` changes, with CRM edits since the last import."""
    changes = []
    for number, record_id, new_name, values, _ext in plan.updates:
        old_name, old = plan.replaced[record_id]
        if new_name is not None:
            changes.append(Change(number, record_id, old_name, name_field, old_name, new_name))
        for field_name, value in values.items():
            changes.append(Change(number, record_id, old_name, field_name,
                                  old.get(field_name), value))
    edits = crm_edits(db, plan.table, list(plan.replaced))
    for change in changes:
        edit = edits.get(change.record_id, {}).get(change.field.casefold())
        if edit:
            change.edited_at, change.edited_by = edit
    return changes


def crm_edits(db, table, record_ids) -> dict:
    """record id -> {casefolded field name: (at, who)} of the fields changed outside an
    import after the record's last import entry (every field, if it was never imported)."""
    edits = {}
    prefix = f"import {table} '"
    for start in range(0, len(record_ids), CHUNK):
        ids = [str(i) for i in record_ids[start:start + CHUNK]]
        rows = db.execute(
            "SELECT audit_log.row_id, audit_log.at, audit_log.changes, audit_log.summary, "
            "users.name FROM audit_log LEFT JOIN users ON users.id = audit_log.actor_id "
            f"WHERE plugin = ? AND table_name = ? AND row_id IN ({', '.join('?' * len(ids))}) "
            "AND action IN ('create', 'update') ORDER BY audit_log.id",
            [PLUGIN, table, *ids])
        for row_id, at, changed, summary, who in rows:
            fields = edits.setdefault(int(row_id), {})
            if summary and summary.startswith(prefix):
                fields.clear()  # only edits after the last import count
                continue
            for name in orjson.loads(changed):
                fields[name.casefold()] = (at, who or "a script")
    return edits


class ValueText:
    """A stored value as the grid shows it (value_text): user and record names, 12.5%,
    $1,250,000; empty as ''."""

    def __init__(self, db, fieldset):
        self.db, self.fieldset = db, fieldset
        self.users = dict(db.execute("SELECT id, name FROM users"))
        self.records = {}

    def user(self, user_id):
        return self.users.get(user_id, f"user {user_id}")

    def record(self, table, record_id):
        if table not in self.records:
            self.records[table] = dict(self.db.execute(f"SELECT id, name FROM fundraising_{table}"))
        return self.records[table].get(record_id, f"record {record_id}")

    def __call__(self, field_name, value):
        if value is None or value == [] or value == "":
            return ""
        text = value_text(self.fieldset.get(field_name), value, self)
        return text if isinstance(text, str) else ", ".join(text)


def changes_csv(changes, display) -> str:
    """The full change list as CSV, one line per changed field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Row", "Record id", "Record", "Field", "Old value", "New value",
                     "Edited in the CRM since the last import"])
    for change in changes:
        edited = (f"{change.edited_at} by {change.edited_by}" if change.edited_at else "")
        writer.writerow([change.row, change.record_id, change.record, change.field,
                         display(change.field, change.old), display(change.field, change.new),
                         edited])
    return out.getvalue()


def change_counts(changes) -> dict:
    return {"changed_fields": len(changes),
            "overwrites": sum(1 for c in changes if c.edited_at),
            "overwrite_rows": len({c.record_id for c in changes if c.edited_at})}
