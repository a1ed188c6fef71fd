"""Backups of the whole database: online snapshots, verification and logical restore.

Each backup is `<id>.db`, a copy made with SQLite's online backup API, plus `<id>.json`, its
metadata. The metadata lives outside the database because a restore changes the database.
A restore puts back only the tables plugins register (restore.py).
"""
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from core import audit
from core.db import connect, utc_text
from core.errors import conflict, not_found, unprocessable
from core.files import fsync_folder, write_owner_only
from plugins.backups.restore import (attached, foreign_key_problems, plan_restore,
                                     restored_tables, table_names)

log = logging.getLogger(__name__)

PLUGIN = "backups"
KINDS = ("manual", "scheduled", "safety")
ID_REGEX = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$"  # ASCII digits: \d would take ٢ and ٣ too
ID_PATTERN = re.compile(ID_REGEX)
STEP_PAGES = 256
# A temp file, or a file without metadata, left by a backup killed midway: removed once
# this old, when no backup can still be writing it.
LEFTOVER_SECONDS = 3600


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size in bytes) of a file."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def live_counts(conn, tables, schema="main") -> dict[str, int]:
    """Live (not archived) rows of each of `tables` present in `schema`; every row of a table
    without `deleted_at`."""
    present = {r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")}
    counts = {}
    for table in (t for t in tables if t in present):
        names = {r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")}
        live = " WHERE deleted_at IS NULL" if "deleted_at" in names else ""
        counts[table] = conn.execute(f"SELECT count(*) FROM {schema}.{table}{live}").fetchone()[0]
    return counts


def snapshot(source_path: Path, target_path: Path, tables=(), progress=None) -> dict[str, int]:
    """Copy the database into a new file, consistently; return the live row counts of
    `tables` in the copy.

    `progress(done_pages, total_pages)` is called after each step of the backup API.
    """
    os.close(os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(str(source_path), isolation_level=None, timeout=10)
    target = sqlite3.connect(str(target_path), isolation_level=None)
    try:
        # A read transaction held across the steps pins one WAL snapshot while writers go
        # on, so the copy never restarts and the counts describe exactly what was copied.
        source.execute("BEGIN")
        counts = live_counts(source, tables)

        def step(_status, remaining, total):
            if progress is not None:
                progress(total - remaining, total)

        source.backup(target, pages=STEP_PAGES, progress=step, sleep=0.05)
        source.execute("COMMIT")
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
    finally:
        source.close()
        target.close()
    return counts


def integrity_check(path: Path) -> str:
    """'ok', or what PRAGMA integrity_check (or opening the file) reported."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"unreadable: {exc}"
    return "ok" if problems == ["ok"] else "; ".join(problems)


class BackupStore:
    """Backups under CRM_DATA_DIR/backups; `clock()` gives now (tests pass their own).
    Manual backups are never pruned: past `manual_limit` of them, taking one is a 409."""

    def __init__(self, crm, clock=utc_now, manual_limit: int | None = None, copier=None):
        self.crm, self.clock, self.manual_limit = crm, clock, manual_limit
        self.folder = crm.settings.data_dir / "backups"
        if copier is None and hasattr(crm, "pm"):
            from plugins.backups.offsite import copier_for
            copier = copier_for(crm)
        self.copier = copier or None  # the off-box copy (offsite.py); False: none

    def paths(self, backup_id) -> tuple[Path, Path]:
        """The backup file and its metadata; an id off the strict pattern is a 404."""
        if not isinstance(backup_id, str) or not ID_PATTERN.fullmatch(backup_id):
            raise not_found("No such backup")
        return self.folder / f"{backup_id}.db", self.folder / f"{backup_id}.json"

    def _read(self, meta_path: Path) -> dict | None:
        try:
            meta = json.loads(meta_path.read_text())
            datetime.fromisoformat(meta["created_at"])
            if meta["id"] == meta_path.stem and meta["kind"] in KINDS:
                return meta
        except (OSError, ValueError, TypeError, KeyError):
            pass
        log.warning("unreadable backup metadata %s", meta_path)
        return None

    def get(self, backup_id) -> dict:
        meta_path = self.paths(backup_id)[1]
        meta = self._read(meta_path) if meta_path.is_file() else None
        if meta is None:
            raise not_found(f"No backup {backup_id}")
        return meta

    def list_backups(self) -> list[dict]:
        """Every backup's metadata, newest first."""
        if not self.folder.is_dir():
            return []
        found = [self._read(p) for p in self.folder.glob("*.json") if ID_PATTERN.fullmatch(p.stem)]
        return sorted((m for m in found if m), key=lambda m: (m["created_at"], m["id"]),
                      reverse=True)

    def _check_manual_room(self):
        if self.manual_limit is None:
            return
        kept = sum(1 for m in self.list_backups() if m["kind"] == "manual")
        if kept >= self.manual_limit:
            raise conflict(
                f"{kept} manual backups are kept, the most allowed "
                f"(CRM_BACKUPS_MANUAL_LIMIT={self.manual_limit}); delete one you "
                "no longer need (Delete on the Backups page, or `crm backup delete ID`) "
                "before taking another", code="manual_backup_limit", limit=self.manual_limit,
                manual_backups=kept)

    def create(self, kind="manual", actor_id=None, progress=None, copy=True) -> dict:
        """Snapshot the live database while writes go on; return the new backup's metadata.
        With an off-box folder configured, `copy` puts a copy there too."""
        if kind == "manual":
            self._check_manual_room()  # before the copy: a refusal costs nothing
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.sweep()
        now = self.clock().astimezone(timezone.utc)
        backup_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        path, meta_path = self.paths(backup_id)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tables = table_names(self.crm.pm)
            counts = snapshot(self.crm.settings.database_path, tmp, tables, progress)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)  # SQLite synced the copy when it closed it
            fsync_folder(self.folder)
        finally:
            tmp.unlink(missing_ok=True)
        sha256, size = file_digest(path)
        meta = {"id": backup_id, "created_at": utc_text(now), "created_by": actor_id, "kind": kind,
                "sha256": sha256, "size": size, "tables": counts}
        try:
            with self.crm.write() as db:
                if kind == "manual":  # again under the write lock: two at once get one place
                    self._check_manual_room()
                write_owner_only(meta_path, json.dumps(meta, indent=2))
                audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="backups",
                                    row_id=backup_id, action="create",
                                    after={"kind": kind, "size": size, "sha256": sha256},
                                    summary=f"{kind} backup {backup_id}")
        except Exception:
            self.remove(backup_id)
            raise
        if copy and self.copier is not None:
            self.copier.copy(self, meta)  # never raises: a failure is logged and shown
        return meta

    def delete(self, backup_id, actor_id=None) -> dict:
        """Delete a backup of any kind (404 if unknown), audited; returns its metadata."""
        meta = self.get(backup_id)
        with self.crm.write() as db:
            audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="backups",
                                row_id=backup_id, action="delete",
                                before={"kind": meta["kind"], "size": meta.get("size"),
                                        "sha256": meta.get("sha256")},
                                summary=f"delete {meta['kind']} backup {backup_id}")
            self.remove(backup_id)  # in the transaction: if it fails, no audit entry stays
        fsync_folder(self.folder)
        return meta

    def sweep(self) -> list[str]:
        """Remove what backups killed midway left: never listed, it only takes disk space."""
        cutoff, removed = time.time() - LEFTOVER_SECONDS, []
        for path in self.folder.iterdir():
            temp = path.name.startswith(".") and ".db.tmp" in path.name
            orphan = (path.suffix == ".db" and ID_PATTERN.fullmatch(path.stem)
                      and not path.with_suffix(".json").exists())
            if (temp or orphan) and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed.append(path.name)
        if removed:
            log.info("removed %d leftover backup file(s): %s", len(removed), ", ".join(removed))
        return removed

    def remove(self, backup_id):
        """Delete a backup: metadata first, so it never lists without its file."""
        path, meta_path = self.paths(backup_id)
        meta_path.unlink(missing_ok=True)
        path.unlink(missing_ok=True)

    def prune(self, keep_last: int) -> list[str]:
        """Remove scheduled backups beyond the newest `keep_last`; others are never pruned."""
        old = [m["id"] for m in self.list_backups() if m["kind"] == "scheduled"][keep_last:]
        for backup_id in old:
            self.remove(backup_id)
        return old

    def verify(self, backup_id) -> dict:
        """Recompute the checksum, compare with the metadata, and run an integrity check."""
        meta = self.get(backup_id)
        path = self.paths(backup_id)[0]
        result = {"id": backup_id, "sha256": meta.get("sha256"), "size": meta.get("size"),
                  "actual_sha256": None, "actual_size": None}
        if not path.is_file():
            return {**result, "ok": False, "checksum_ok": False, "integrity": "file missing"}
        sha256, size = file_digest(path)
        checksum_ok = sha256 == meta.get("sha256") and size == meta.get("size")
        integrity = integrity_check(path)
        return {**result, "ok": checksum_ok and integrity == "ok", "checksum_ok": checksum_ok,
                "integrity": integrity, "actual_sha256": sha256, "actual_size": size}

    def _verified_path(self, backup_id) -> Path:
        result = self.verify(backup_id)
        if not result["ok"]:
            reason = "checksum mismatch" if not result["checksum_ok"] else result["integrity"]
            raise unprocessable(f"Backup {backup_id} failed verification ({reason}); "
                                "it will not be restored", field="backup_id",
                                code="backup_corrupt")
        return self.paths(backup_id)[0]

    def preview(self, backup_id) -> dict:
        """Per table, the rows a restore would add, change, archive and leave unchanged."""
        path = self._verified_path(backup_id)
        # Its own connection, so the ATTACH never touches a connection other code shares.
        db = connect(self.crm.settings.database_path)
        try:
            with attached(db, path):
                db.execute("BEGIN")  # one read snapshot for every table
                try:
                    plans = plan_restore(db, restored_tables(self.crm.pm))
                finally:
                    db.execute("COMMIT")
        finally:
            db.close()
        return {"backup_id": backup_id, "tables": {p.table: p.counts() for p in plans}}

    def restore(self, backup_id, actor_id=None, progress=None) -> dict:
        """Verify, take a safety backup, then make the live rows of the registered tables
        equal the backup's in one transaction. Users, sessions and the audit log are not
        touched."""
        path = self._verified_path(backup_id)
        groups = restored_tables(self.crm.pm)
        db = self.crm.db
        if db.conn.in_transaction:
            raise RuntimeError("restore must run outside a transaction")
        safety = None
        try:
            with attached(db, path), self.crm.write() as db:
                # Inside the write lock, the safety copy is exactly the state being replaced.
                safety = self.create("safety", actor_id, progress, copy=False)
                db.execute("PRAGMA defer_foreign_keys = ON")  # checked below, before commit
                plans = plan_restore(db, groups)
                for plan in plans:
                    plan.apply(db, actor_id, f"from backup {backup_id}")
                problems = foreign_key_problems(db, [p.table for p in plans])
                if problems:
                    raise sqlite3.IntegrityError(f"FOREIGN KEY constraint failed ({problems})")
                for group in groups:
                    if group.after_restore is not None:
                        group.after_restore(db, actor_id)
                counts = {p.table: p.counts() for p in plans}
                audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="restores",
                                    row_id=backup_id, action="create",
                                    after={"safety_backup_id": safety["id"], "tables": counts},
                                    summary=f"restore backup {backup_id}")
        except Exception as exc:
            if safety is not None:  # its audit entry was rolled back with the restore
                self.remove(safety["id"])
            if isinstance(exc, sqlite3.IntegrityError):
                raise conflict(f"The backup does not fit the current data: {exc}",
                               code="restore_conflict") from None
            raise
        if self.copier is not None:  # after the commit: never while holding the write lock
            self.copier.copy(self, safety)
        return {"backup_id": backup_id, "safety_backup_id": safety["id"], "tables": counts}
