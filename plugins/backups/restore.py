"""What a restore puts back: the tables plugins register, compared row by row with a backup.

A plugin registers its tables through the `register_backup_tables` hook; the backups plugin
knows nothing of what they hold. Every other table (users, sessions, the audit log) is left
as it is.
"""
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core import audit
from core.db import utcnow
from core.errors import unprocessable

BOOKKEEPING = ("id", "version", "updated_at", "updated_by", "deleted_at")  # never compared
SNAPSHOT = "backup_snapshot"  # schema name of the backup while it is attached


@dataclass
class RestoredTables:
    """One plugin's tables: {SQL table: name in its audit entries}, and what to do after a
    restore wrote them, in its transaction (`after_restore(db, actor_id)`)."""
    plugin: str
    tables: dict[str, str]
    after_restore: Callable | None = None


def restored_tables(pm) -> list[RestoredTables]:
    """What every enabled plugin registered, in plugin order (a table once)."""
    found, seen = [], set()

    def register(plugin: str, tables: dict[str, str], after_restore=None):
        clash = seen & set(tables)
        if clash:
            raise ValueError(f"backup table {sorted(clash)[0]} registered twice")
        seen.update(tables)
        found.append(RestoredTables(plugin, dict(tables), after_restore))

    hook = getattr(pm.hook, "register_backup_tables", None)
    if hook is not None:
        hook(register=register)
    return found


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def columns(db, schema, table) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA {schema}.table_info({quote(table)})")]


@contextlib.contextmanager
def attached(db, path: Path):
    """The backup file attached as schema SNAPSHOT for the duration of the block."""
    db.execute(f"ATTACH DATABASE ? AS {SNAPSHOT}", [str(path)])
    try:
        yield
    finally:
        db.execute(f"DETACH DATABASE {SNAPSHOT}")


class TablePlan:
    """What restoring one table does: compares the backup's live rows with the live table."""

    def __init__(self, db, table: str, plugin: str, audit_name: str):
        backup_columns = columns(db, SNAPSHOT, table)
        if not {"id", "deleted_at"} <= set(backup_columns):
            raise unprocessable(f"The backup has no usable table {table}", field="backup_id",
                                code="backup_unusable")
        self.table, self.plugin, self.audit_name = table, plugin, audit_name
        self.compared = [c for c in columns(db, "main", table)
                         if c in backup_columns and c not in BOOKKEEPING]
        select = ", ".join(["id", *map(quote, self.compared)])

        def rows(schema, condition):
            sql = f"SELECT {select} FROM {schema}.{table} WHERE deleted_at IS {condition}"
            return {row[0]: tuple(row[1:]) for row in db.execute(sql)}

        self.wanted = rows(SNAPSHOT, "NULL")
        self.live = rows("main", "NULL")
        self.archived_now = rows("main", "NOT NULL")
        self.insert = sorted(set(self.wanted) - set(self.live) - set(self.archived_now))
        self.revive = sorted(set(self.wanted) & set(self.archived_now))
        both = set(self.wanted) & set(self.live)
        self.changed = sorted(i for i in both if self.wanted[i] != self.live[i])
        self.unchanged = len(both) - len(self.changed)
        self.archive = sorted(set(self.live) - set(self.wanted))

    def counts(self) -> dict[str, int]:
        return {"added": len(self.insert) + len(self.revive), "changed": len(self.changed),
                "archived": len(self.archive), "unchanged": self.unchanged}

    def apply(self, db, actor_id, note: str):
        """Make the live rows equal the backup's; archive, never delete. One audit entry each."""
        table, name = self.table, self.audit_name
        now = utcnow()

        def log_change(row_id, action, before=None, after=None):
            audit.record_change(db, actor_id=actor_id, plugin=self.plugin, table=name,
                                row_id=row_id, action=action, before=before, after=after,
                                summary=f"{action} {name} {row_id} {note}")

        def values(row):
            return dict(zip(self.compared, row))

        # Archive first: a live row may hold a unique name that a restored row needs.
        for row_id in self.archive:
            db.execute(f"UPDATE {table} SET deleted_at = ?, version = version + 1, "
                       "updated_at = ?, updated_by = ? WHERE id = ?",
                       [now, now, actor_id, row_id])
            log_change(row_id, "archive")
        sets = "".join(f"{quote(c)} = ?, " for c in self.compared)
        for row_id in self.changed + self.revive:
            before = self.live[row_id] if row_id in self.live else self.archived_now[row_id]
            db.execute(f"UPDATE {table} SET {sets}deleted_at = NULL, version = version + 1, "
                       "updated_at = ?, updated_by = ? WHERE id = ?",
                       [*self.wanted[row_id], now, actor_id, row_id])
            log_change(row_id, "update" if row_id in self.live else "restore",
                       values(before), values(self.wanted[row_id]))
        names = ", ".join(["id", *map(quote, self.compared), "updated_at", "updated_by"])
        marks = ", ".join("?" * (len(self.compared) + 3))
        for row_id in self.insert:
            db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                       [row_id, *self.wanted[row_id], now, actor_id])
            log_change(row_id, "create", after=values(self.wanted[row_id]))


def plan_restore(db, groups: list[RestoredTables]) -> list[TablePlan]:
    """A plan per registered table, the backup attached to `db` as SNAPSHOT."""
    return [TablePlan(db, table, group.plugin, audit_name)
            for group in groups for table, audit_name in group.tables.items()]
