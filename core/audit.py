"""Who changed what and when: field-level before/after, written in the caller's transaction."""
from dataclasses import dataclass

import orjson

from core import activity_text
from core.db import utcnow
from core.plugin_types import ActivitySource

ACTIONS = ("create", "update", "archive", "restore", "delete")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit_log row a write made, noted in the write's journal for changes_committed."""

    id: int
    plugin: str
    table_name: str
    row_id: str  # text, as audit_log stores it
    action: str
    actor_id: int | None
    fields: tuple[str, ...] | None = None  # the names an entry's changes hold; None: unknown

    def as_dict(self) -> dict:
        """The changes_committed payload: a dict of the seven fields."""
        return {"id": self.id, "plugin": self.plugin, "table_name": self.table_name,
                "row_id": self.row_id, "action": self.action, "actor_id": self.actor_id,
                "fields": None if self.fields is None else list(self.fields)}


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [before, after]} for every field whose value differs."""
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record_change(db, *, actor_id, plugin, table, row_id, action, before=None, after=None,
                  summary=None) -> int | None:
    """Write one audit entry; must run inside the write's own transaction.

    Returns the entry id, or None when an update changed nothing.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("audit.record_change must run inside the write's transaction")
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    changes = diff(before, after)
    if action == "update" and not changes:
        return None
    cursor = db.execute(
        "INSERT INTO audit_log (at, actor_id, plugin, table_name, row_id, action, changes, summary)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [utcnow(), actor_id, plugin, table, str(row_id), action,
         orjson.dumps(changes, default=str).decode(), summary],
    )
    journal(db, [AuditEntry(cursor.lastrowid, plugin, table, str(row_id), action, actor_id,
                            tuple(changes))])
    return cursor.lastrowid


def record_event(db, *, actor_id, plugin, table, row_id, event, **facts) -> int | None:
    """An audit entry for something that is not a field change (a password changed, sessions
    ended): changes {"event": [None, event], fact: [None, value]...}."""
    return record_change(db, actor_id=actor_id, plugin=plugin, table=table, row_id=row_id,
                         action="update", after={"event": event, **facts})


def journal(db, entries):
    """Note AuditEntry items written without record_change (in bulk) for changes_committed.

    A plain (id, plugin, table, row id, action, actor id) tuple is taken too, as before."""
    noted = getattr(db, "journal", None)  # a connection outside core.db.Database has none
    if noted is not None:
        noted.extend(e if isinstance(e, AuditEntry) else AuditEntry(*e) for e in entries)


def _entry(row) -> dict:
    entry = {
        "id": row["id"], "at": row["at"], "kind": row["action"], "plugin": row["plugin"],
        "table": row["table_name"], "row_id": row["row_id"], "summary": row["summary"],
        "actor": {"id": row["actor_id"], "name": row["actor_name"]} if row["actor_id"] else None,
        "changes": orjson.loads(row["changes"]),
    }
    if not entry["summary"]:
        entry["summary"] = activity_text.sentence(entry, f"{row['table_name']} {row['row_id']}")
    return entry


_SELECT = (
    "SELECT audit_log.*, users.name AS actor_name FROM audit_log "
    "LEFT JOIN users ON users.id = audit_log.actor_id "
)


def history(db, plugin, table, row_id, limit=200, offset=0) -> list[dict]:
    """One row's changes, newest first."""
    rows = db.query(
        _SELECT + "WHERE plugin = ? AND table_name = ? AND row_id = ? "
        "ORDER BY audit_log.id DESC LIMIT ? OFFSET ?",
        [plugin, table, str(row_id), limit, offset],
    )
    return [_entry(row) for row in rows]


def activity_source(crm, plugin, name=None, admin_only=False,
                    describe=None) -> ActivitySource:
    """An activity-feed source listing a plugin's audit entries; `describe(db, entries)` puts
    them in words (activity_text.describe_plain when not given)."""

    def fetch(limit, before=None):
        rows = crm.db.query(
            _SELECT + "WHERE plugin = ? AND at <= coalesce(?, at) "
            "ORDER BY audit_log.at DESC, audit_log.id DESC LIMIT ?", [plugin, before, limit])
        return [{**_entry(row), "source": name or plugin} for row in rows]

    words = describe or activity_text.describe_plain
    return ActivitySource(name or plugin, fetch, admin_only, lambda e: words(crm.db, e))
