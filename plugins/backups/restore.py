"""What a restore puts back: the tables plugins register, compared row by row with a backup.

A plugin registers its tables through the `register_backup_tables` hook; the backups plugin
knows nothing of what they hold. Every other table (users, sessions, the audit log) is left
as it is.

Two plans, chosen by a table's columns:
- a table with `deleted_at` is restored by archiving: rows the backup lacks are archived, not
  deleted, and each changed row gets an audit entry (records, fields, tasks, proposals...);
- a table without it (a log such as automation runs, or list memberships) is replaced
  wholesale: its rows become exactly the backup's, summed up in the restore's own entry.
Rows are matched by the table's primary key. Foreign keys are checked at the commit
(PRAGMA defer_foreign_keys), so the order of the tables does not matter.
"""
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core import audit
from core.db import utcnow
from core.errors import unprocessable

# never compared in an archiving plan: the restore moves them itself
BOOKKEEPING = ("version", "updated_at", "updated_by", "deleted_at")
SNAPSHOT = "backup_snapshot"  # schema name of the backup while it is attached


@dataclass
class RestoredTables:
    """One plugin's tables: {SQL table: name in its audit entries, or None for no entry per
    row}, and what to do after a restore wrote them, in its transaction
    (`after_restore(db, actor_id)`)."""
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


def table_names(pm) -> list[str]:
    """Every registered table, in registration order."""
    return [t for group in restored_tables(pm) for t in group.tables]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_info(db, schema, table) -> list[tuple[str, int]]:
    """(column, position in the primary key or 0) of each column; [] when there is no table."""
    return [(row[1], row[5]) for row in db.execute(f"PRAGMA {schema}.table_info({quote(table)})")]


def columns(db, schema, table) -> list[str]:
    return [name for name, _pk in table_info(db, schema, table)]


@contextlib.contextmanager
def attached(db, path: Path):
    """The backup file attached as schema SNAPSHOT for the duration of the block."""
    db.execute(f"ATTACH DATABASE ? AS {SNAPSHOT}", [str(path)])
    try:
        yield
    finally:
        db.execute(f"DETACH DATABASE {SNAPSHOT}")


class TablePlan:
    """What restoring one table does: compares the backup's rows with the live table."""

    def __init__(self, db, table: str, plugin: str, audit_name: str):
        info = table_info(db, "main", table)
        backup_columns = set(columns(db, SNAPSHOT, table))
        # a backup older than the table (a later migration, a plugin enabled since) had none
        self.in_backup = bool(backup_columns)
        self.key = [name for name, pk in sorted(info, key=lambda c: c[1]) if pk]
        if not self.key or (self.in_backup and not set(self.key) <= backup_columns):
            raise unprocessable(f"The backup has no usable table {table}", field="backup_id",
                                code="backup_unusable")
        self.table, self.plugin, self.audit_name = table, plugin, audit_name
        live_columns = [name for name, _pk in info]
        self.archiving = "deleted_at" in live_columns
        if self.archiving and self.in_backup and "deleted_at" not in backup_columns:
            raise unprocessable(f"The backup's table {table} has no deleted_at",
                                field="backup_id", code="backup_unusable")
        skip = set(self.key) | (set(BOOKKEEPING) if self.archiving else set())
        self.compared = [c for c in live_columns
                         if c in (backup_columns or live_columns) and c not in skip]
        self.has = set(live_columns)
        select = ", ".join(map(quote, [*self.key, *self.compared]))
        width = len(self.key)

        def rows(schema, condition=""):
            if schema == SNAPSHOT and not self.in_backup:
                return {}
            sql = f"SELECT {select} FROM {schema}.{quote(table)} {condition}"
            return {tuple(row[:width]): tuple(row[width:]) for row in db.execute(sql)}

        if self.archiving:
            self.wanted = rows(SNAPSHOT, "WHERE deleted_at IS NULL")
            self.live = rows("main", "WHERE deleted_at IS NULL")
            self.archived_now = rows("main", "WHERE deleted_at IS NOT NULL")
        else:
            self.wanted, self.live, self.archived_now = rows(SNAPSHOT), rows("main"), {}
        self.insert = sorted(set(self.wanted) - set(self.live) - set(self.archived_now))
        self.revive = sorted(set(self.wanted) & set(self.archived_now))
        both = set(self.wanted) & set(self.live)
        self.changed = sorted(k for k in both if self.wanted[k] != self.live[k])
        self.unchanged = len(both) - len(self.changed)
        self.drop = sorted(set(self.live) - set(self.wanted))  # archived, or removed

    def counts(self) -> dict[str, int]:
        return {"added": len(self.insert) + len(self.revive), "changed": len(self.changed),
                "archived": len(self.drop) if self.archiving else 0,
                "removed": 0 if self.archiving else len(self.drop),
                "unchanged": self.unchanged}

    def _where(self):
        return " AND ".join(f"{quote(c)} = ?" for c in self.key)

    def _row_id(self, key):
        return key[0] if len(key) == 1 else "/".join(map(str, key))

    def apply(self, db, actor_id, note: str):
        """Make the table's rows equal the backup's (see the module's comment)."""
        if self.archiving:
            self._apply_archiving(db, actor_id, note)
            return
        for key in self.drop:
            db.execute(f"DELETE FROM {quote(self.table)} WHERE {self._where()}", list(key))
        sets = ", ".join(f"{quote(c)} = ?" for c in self.compared)
        for key in self.changed:
            db.execute(f"UPDATE {quote(self.table)} SET {sets} WHERE {self._where()}",
                       [*self.wanted[key], *key])
        names = ", ".join(map(quote, [*self.key, *self.compared]))
        marks = ", ".join("?" * (len(self.key) + len(self.compared)))
        for key in self.insert:
            db.execute(f"INSERT INTO {quote(self.table)} ({names}) VALUES ({marks})",
                       [*key, *self.wanted[key]])

    def _apply_archiving(self, db, actor_id, note):
        """Make the live rows equal the backup's; archive, never delete. One audit entry each."""
        table, name, now = quote(self.table), self.audit_name, utcnow()
        stamps = [c for c in ("updated_at", "updated_by") if c in self.has]
        stamp_sql = "".join(f", {c} = ?" for c in stamps)
        stamp_values = [{"updated_at": now, "updated_by": actor_id}[c] for c in stamps]
        bump = ", version = version + 1" if "version" in self.has else ""

        def log_change(key, action, before=None, after=None):
            if name is None:  # summed up in the restore's own entry only
                return
            row_id = self._row_id(key)
            audit.record_change(db, actor_id=actor_id, plugin=self.plugin, table=name,
                                row_id=row_id, action=action, before=before, after=after,
                                summary=f"{action} {name} {row_id} {note}")

        def values(row):
            return dict(zip(self.compared, row))

        # Archive first: a live row may hold a unique name that a restored row needs.
        for key in self.drop:
            db.execute(f"UPDATE {table} SET deleted_at = ?{bump}{stamp_sql} WHERE "
                       f"{self._where()}", [now, *stamp_values, *key])
            log_change(key, "archive")
        sets = "".join(f", {quote(c)} = ?" for c in self.compared)
        for key in self.changed + self.revive:
            before = self.live[key] if key in self.live else self.archived_now[key]
            db.execute(f"UPDATE {table} SET deleted_at = NULL{bump}{stamp_sql}{sets} WHERE "
                       f"{self._where()}", [*stamp_values, *self.wanted[key], *key])
            log_change(key, "update" if key in self.live else "restore",
                       values(before), values(self.wanted[key]))
        names = ", ".join(map(quote, [*self.key, *self.compared, *stamps]))
        marks = ", ".join("?" * (len(self.key) + len(self.compared) + len(stamps)))
        for key in self.insert:
            db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                       [*key, *self.wanted[key], *stamp_values])
            log_change(key, "create", after=values(self.wanted[key]))


def plan_restore(db, groups: list[RestoredTables]) -> list[TablePlan]:
    """A plan per registered table, the backup attached to `db` as SNAPSHOT."""
    return [TablePlan(db, table, group.plugin, audit_name)
            for group in groups for table, audit_name in group.tables.items()
            if table_info(db, "main", table)]  # a table no migration has made yet: nothing


def foreign_key_problems(db, tables) -> str:
    """The first few rows of `tables`, or of tables linking to them, whose link points at no
    row, in words ('' when none): a violation left for the commit would fail it."""
    every = [r[0] for r in db.execute("SELECT name FROM main.sqlite_master WHERE type = "
                                      "'table' AND name NOT LIKE 'sqlite_%'")]
    linking = [t for t in every if t not in tables and any(
        row[2] in tables for row in db.execute(f"PRAGMA main.foreign_key_list({quote(t)})"))]
    found = []
    for table in [*tables, *linking]:
        for row in db.execute(f"PRAGMA foreign_key_check({quote(table)})").fetchmany(3):
            found.append(f"{row[0]} row {row[1]} -> {row[2]}")
    return "; ".join(found[:5])
