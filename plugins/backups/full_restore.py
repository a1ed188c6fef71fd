"""`crm backup restore --full ID`: put a verified backup in place of a corrupt or lost crm.db.

Only while no process has the database open. The signal: every SQLite connection in WAL mode
holds a read lock on byte 128 of the `-shm` file (the "DMS" lock of SQLite's WAL format) for
as long as it is open, so a write lock there is refused while a server, a worker or a CLI
command has the file open, idle or not; and the writer lock file core/db.py uses is taken
too. Both stay held while the files are swapped, so nothing opens the database half-way.
The damaged file and its -wal/-shm are kept beside it, renamed together (SQLite still pairs
them: crm.db.damaged-<time> opens with its own WAL), owner-only.
"""
import contextlib
import fcntl
import os
import secrets
from pathlib import Path
from types import SimpleNamespace

from core import audit
from core.db import connect
from core.writer_queue import LOCK_SUFFIX
from core.errors import conflict, unprocessable
from core.files import fsync_folder
from plugins.backups.offsite import copy_file
from plugins.backups.store import PLUGIN, BackupStore, integrity_check, utc_now

DMS_BYTE = 128  # https://sqlite.org/walformat.html: the DMS lock slot of the -shm file
SIDE_FILES = ("", "-wal", "-shm", "-journal")


def in_use(reason: str):
    return conflict(f"The database is in use ({reason}): stop the CRM (every `crm serve` and "
                    "other `crm` commands) before a full restore", code="database_in_use")


@contextlib.contextmanager
def database_closed(db_path: Path):
    """Hold, for the block, locks no process gets while it has the database open; a 409
    when one does."""
    fds = []
    try:
        shm = Path(f"{db_path}-shm")
        if shm.exists():
            fds.append(os.open(shm, os.O_RDWR))
            try:
                fcntl.lockf(fds[-1], fcntl.LOCK_EX | fcntl.LOCK_NB, 1, DMS_BYTE, os.SEEK_SET)
            except OSError:
                raise in_use("a process has it open") from None
        fds.append(os.open(f"{db_path}{LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600))
        try:
            fcntl.flock(fds[-1], fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise in_use("a process is writing to it") from None
        yield
    finally:
        for fd in fds:  # closing drops the locks
            os.close(fd)


def offline_store(settings) -> BackupStore:
    """The backups folder without opening the database (which may be the broken part)."""
    return BackupStore(SimpleNamespace(settings=settings))


def full_restore(settings, backup_id: str, clock=utc_now) -> dict:
    """Replace the database file with backup `backup_id`; returns what was done."""
    store = offline_store(settings)
    meta = store.get(backup_id)
    result = store.verify(backup_id)
    if not result["ok"]:
        reason = "checksum mismatch" if not result["checksum_ok"] else result["integrity"]
        raise unprocessable(f"Backup {backup_id} failed verification ({reason}); it will not "
                            "be restored", field="backup_id", code="backup_corrupt")
    db_path = Path(settings.database_path)
    stamp = clock().strftime("%Y%m%dT%H%M%SZ")
    kept = []
    with database_closed(db_path):
        tmp = db_path.with_name(f".{db_path.name}.restore-{secrets.token_hex(4)}.tmp")
        try:
            copy_file(store.paths(backup_id)[0], tmp, meta["sha256"])
            integrity = integrity_check(tmp)
            if integrity != "ok":
                raise unprocessable(f"The copy of backup {backup_id} failed its integrity "
                                    f"check ({integrity})", field="backup_id",
                                    code="backup_corrupt")
            for suffix in SIDE_FILES:
                current = Path(f"{db_path}{suffix}")
                if current.exists():
                    aside = Path(f"{db_path}.damaged-{stamp}{suffix}")
                    os.replace(current, aside)
                    os.chmod(aside, 0o600)
                    kept.append(aside)
            os.replace(tmp, db_path)
            fsync_folder(db_path.parent)
        finally:
            tmp.unlink(missing_ok=True)
    _record(db_path, backup_id, [p.name for p in kept])
    return {"backup_id": backup_id, "sha256": meta["sha256"], "integrity": "ok",
            "kept": [str(p) for p in kept]}


def _record(db_path, backup_id, kept):
    """An audit entry in the restored database, for the activity feed."""
    db = connect(db_path)
    try:
        db.journal = []
        db.execute("BEGIN IMMEDIATE")
        audit.record_change(db, actor_id=None, plugin=PLUGIN, table="restores",
                            row_id=backup_id, action="create",
                            after={"full": True, "damaged_files_kept": kept},
                            summary=f"full restore of the database file from backup {backup_id}")
        db.execute("COMMIT")
    finally:
        db.conn.close()
