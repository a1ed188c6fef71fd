"""The off-box copy: every verified backup also goes to CRM_BACKUPS_COPY_DIR (a mounted disk
or network share), with its own retention (CRM_BACKUPS_COPY_KEEP).

Each copy is written to a temp name, checked against the backup's SHA-256 and renamed, the
metadata last: a half-written copy never looks like a backup. A failure (share not mounted,
disk full) is logged and kept in `backups/offsite.json` for the Backups page and the security
status; the local backup stands whatever happens here.
"""
import json
import logging
import os
import secrets
import time
from pathlib import Path

from core import SecurityCheck
from core.db import utc_text
from core.files import fsync_folder, write_owner_only
from plugins.backups.store import (ID_PATTERN, LEFTOVER_SECONDS, BackupStore, file_digest,
                                   utc_now)

log = logging.getLogger(__name__)
STATUS_FILE = "offsite.json"
CHUNK = 1024 * 1024


def copy_file(source: Path, target: Path, sha256: str | None = None):
    """Copy `source` to `target` (0600) through a temp file; with `sha256`, the copy must
    match it before it takes the name."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if sha256 is not None and file_digest(tmp)[0] != sha256:
            raise OSError(f"the copy of {source.name} does not match its checksum")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class OffsiteCopier:
    def __init__(self, folder: Path, keep: int, status_path: Path, clock=utc_now):
        self.folder, self.keep, self.status_path, self.clock = folder, keep, status_path, clock

    def copy(self, store, meta: dict) -> bool:
        """Copy one backup and prune old copies; False (logged, noted) when it failed."""
        try:
            self._copy(store, meta)
            pruned = self.prune()
        except Exception as exc:  # never breaks the local backup
            log.warning("off-box copy of backup %s to %s failed: %s", meta["id"], self.folder,
                        exc)
            self._note(error=f"{type(exc).__name__}: {exc}"[:500], backup_id=meta["id"])
            return False
        self._note(backup_id=meta["id"], pruned=pruned)
        return True

    def _copy(self, store, meta):
        if not self.folder.is_dir():
            raise FileNotFoundError(f"folder {self.folder} does not exist (is the disk mounted?)")
        result = store.verify(meta["id"])
        if not result["ok"]:
            raise ValueError(f"backup {meta['id']} failed verification; not copied")
        path, meta_path = store.paths(meta["id"])
        copy_file(path, self.folder / path.name, meta["sha256"])
        copy_file(meta_path, self.folder / meta_path.name)  # last: the copy is complete
        try:
            fsync_folder(self.folder)
        except OSError:  # some network file systems cannot sync a folder
            pass

    def copies(self) -> list[str]:
        """Ids of the complete copies in the folder, newest first (as the backups list)."""
        found = []
        for meta_path in self.folder.glob("*.json"):
            if ID_PATTERN.fullmatch(meta_path.stem) and meta_path.with_suffix(".db").is_file():
                made = read_status(meta_path).get("created_at") or ""
                found.append((str(made), meta_path.stem))
        return [backup_id for _made, backup_id in sorted(found, reverse=True)]

    def prune(self) -> list[str]:
        """Copies beyond the newest `keep`, and temp files a killed copy left an hour ago."""
        old = self.copies()[self.keep:]
        for backup_id in old:
            (self.folder / f"{backup_id}.json").unlink(missing_ok=True)
            (self.folder / f"{backup_id}.db").unlink(missing_ok=True)
        cutoff = time.time() - LEFTOVER_SECONDS
        for tmp in self.folder.glob(".*.tmp"):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink(missing_ok=True)
        return old

    def _note(self, backup_id, error=None, pruned=()):
        status = read_status(self.status_path)
        now = utc_text(self.clock())
        if error is None:
            status.update(last_ok_at=now, last_ok_backup_id=backup_id, last_error=None,
                          last_error_at=None)
        else:
            status.update(last_error=error, last_error_at=now, last_error_backup_id=backup_id)
        status.update(folder=str(self.folder), keep=self.keep)
        try:
            self.status_path.parent.mkdir(parents=True, exist_ok=True)
            write_owner_only(self.status_path, json.dumps(status, indent=2))
        except OSError as exc:
            log.warning("could not note the off-box copy's status: %s", exc)


def read_status(path: Path) -> dict:
    try:
        status = json.loads(path.read_text())
        return status if isinstance(status, dict) else {}
    except (OSError, ValueError):
        return {}


def copier_for(crm) -> OffsiteCopier | None:
    """The copier CRM_BACKUPS_COPY_DIR asks for, or None when it is not set."""
    settings = crm.plugin_settings("backups")
    if settings.copy_dir is None:
        return None
    return OffsiteCopier(settings.copy_dir, settings.copy_keep,
                         crm.settings.data_dir / "backups" / STATUS_FILE)


def offsite_status(crm) -> dict:
    """What the Backups page shows of the off-box copy."""
    settings = crm.plugin_settings("backups")
    status = read_status(crm.settings.data_dir / "backups" / STATUS_FILE)
    keys = ("last_ok_at", "last_ok_backup_id", "last_error", "last_error_at")
    return {"configured": settings.copy_dir is not None,
            "folder": str(settings.copy_dir) if settings.copy_dir else None,
            "keep": settings.copy_keep, **{k: status.get(k) for k in keys}}


def offsite_security_check(crm) -> SecurityCheck:
    def run():
        newest = BackupStore(crm, copier=False).list_backups()
        return offsite_check(crm, newest[0]["id"] if newest else None)
    return SecurityCheck("offsite_copy", "Backups are copied off the box", run)


def offsite_check(crm, newest_id):
    """(passed, detail) for the security status: the newest backup has its off-box copy."""
    status = offsite_status(crm)
    if not status["configured"]:
        return True, "off (optional): set CRM_BACKUPS_COPY_DIR to a mounted disk or share"
    if status["last_error"]:
        return False, f"the last copy failed at {status['last_error_at']}: {status['last_error']}"
    if newest_id is None or status["last_ok_backup_id"] == newest_id:
        return True, f"copied to {status['folder']} at {status['last_ok_at'] or 'never yet'}"
    return False, f"the newest backup {newest_id} has no copy in {status['folder']} yet"
