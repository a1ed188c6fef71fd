"""When backups are taken: the policy in app_settings, the daily task and the go-live checks."""
import logging
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from core import ScheduledTask, SecurityCheck, audit
from core.db import utcnow
from plugins.backups.models import BackupPolicy
from plugins.backups.store import PLUGIN, BackupStore, utc_now

log = logging.getLogger(__name__)

# Named when backups were part of fundraising; stored (the key) and shown (the task) as such.
POLICY_KEY = "fundraising.backup_policy"
TASK_NAME = "fundraising.backup"
RECENT = timedelta(hours=48)


def zone(name: str):
    return timezone.utc if name == "UTC" else ZoneInfo(name)


def load_policy(db) -> BackupPolicy:
    """The stored policy; defaults for anything missing, and all defaults if it is unreadable."""
    row = db.execute("SELECT value FROM app_settings WHERE key = ? AND deleted_at IS NULL",
                     [POLICY_KEY]).fetchone()
    if row is None:
        return BackupPolicy()
    try:
        return BackupPolicy.model_validate_json(row[0])
    except ValidationError:
        log.warning("stored backup policy is invalid; using the defaults")
        return BackupPolicy()


def save_policy(db, changes: dict, actor_id) -> BackupPolicy:
    """Apply `changes` (already validated) to the policy; runs in the caller's transaction."""
    exists = db.execute("SELECT 1 FROM app_settings WHERE key = ?", [POLICY_KEY]).fetchone()
    before = load_policy(db)
    after = BackupPolicy.model_validate({**before.model_dump(), **changes})
    if after == before:  # nothing to store: an absent row means the defaults
        return after
    now = utcnow()
    if exists:
        db.execute("UPDATE app_settings SET value = ?, version = version + 1, updated_at = ?, "
                   "updated_by = ?, deleted_at = NULL WHERE key = ?",
                   [after.model_dump_json(), now, actor_id, POLICY_KEY])
    else:
        db.execute("INSERT INTO app_settings (key, value, version, created_at, created_by, "
                   "updated_at, updated_by) VALUES (?, ?, 1, ?, ?, ?, ?)",
                   [POLICY_KEY, after.model_dump_json(), now, actor_id, now, actor_id])
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="app_settings",
                        row_id=POLICY_KEY, action="update" if exists else "create",
                        before=before.model_dump() if exists else None, after=after.model_dump(),
                        summary="change the backup policy")
    return after


def run_scheduled_backup(store: BackupStore) -> dict | None:
    """Take today's scheduled backup if it is due and not yet taken; prune old ones. A new
    install (no backup at all) takes its first one at once rather than at tonight's time.

    Returns the new backup's metadata, or None when nothing was due.
    """
    policy = load_policy(store.crm.db)
    if not policy.enabled:
        return None
    local_zone = zone(policy.timezone)
    now = store.clock().astimezone(local_zone)
    if now.strftime("%H:%M") < policy.time and store.list_backups():
        return None
    def todays(meta):  # a first backup taken before the day's time is not the day's backup
        made = datetime.fromisoformat(meta["created_at"]).astimezone(local_zone)
        return made.date() == now.date() and made.strftime("%H:%M") >= policy.time

    taken_today = any(meta["kind"] == "scheduled" and todays(meta)
                      for meta in store.list_backups())
    made = None if taken_today else store.create("scheduled")
    store.prune(policy.keep_last)
    return made


def backup_tasks(crm, clock=utc_now) -> list[ScheduledTask]:
    """The every-minute check that takes the daily scheduled backup."""
    store = BackupStore(crm, clock)
    return [ScheduledTask(TASK_NAME, lambda s: s.every(1).minutes,
                          lambda: run_scheduled_backup(store), at_start=True)]


def backup_security_checks(crm, clock=utc_now) -> list[SecurityCheck]:
    store = BackupStore(crm, clock)

    def scheduled():
        policy = load_policy(crm.db)
        if not policy.enabled:
            return False, "scheduled backups are turned off"
        return True, (f"daily at {policy.time} {policy.timezone}, "
                      f"keeping the last {policy.keep_last}")

    def recent():
        since = clock() - RECENT
        for meta in store.list_backups():
            if datetime.fromisoformat(meta["created_at"]) < since:
                break
            if store.verify(meta["id"])["ok"]:
                return True, f"backup {meta['id']} verified"
        return False, "no verified backup in the last 48 hours"

    return [
        SecurityCheck("backups_scheduled", "Daily backups are scheduled", scheduled),
        SecurityCheck("recent_backup", "A verified backup from the last 48 hours", recent),
    ]
