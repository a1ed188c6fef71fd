"""The restore drill: the newest backup restored into a scratch file, checked, and counted.

A drill copies the backup (checksum first) into a scratch file the way a full restore does,
runs PRAGMA integrity_check on it, and compares its rows per backed-up table with the counts
the backup noted when it was taken; the live database's counts are reported beside them.
The result goes in backup_drills, the audit log (the activity feed) and the security status.
"""
import json
import logging
import secrets
import sqlite3
import time
from datetime import datetime, timedelta

from core import ScheduledTask, SecurityCheck, audit
from core.db import utc_text
from plugins.backups.offsite import copy_file
from plugins.backups.restore import table_names
from plugins.backups.store import (PLUGIN, BackupStore, file_digest, integrity_check,
                                   live_counts, utc_now)

log = logging.getLogger(__name__)
TASK_NAME = "backups.drill"
EVERY = timedelta(hours=24)  # a drill a day
RECENT = timedelta(days=8)  # the security check wants a passed drill this recent
COLUMNS = ("id", "at", "backup_id", "ok", "checksum_ok", "integrity", "tables", "error",
           "seconds", "actor_id")


def _counts(path, tables) -> dict[str, int]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return live_counts(conn, tables)
    finally:
        conn.close()


def drill(crm, backup_id=None, clock=utc_now) -> dict:
    """Check one backup (the newest by default) without touching the live database."""
    store = BackupStore(crm, clock, copier=False)
    meta = store.get(backup_id) if backup_id else store.list_backups()[0]
    started, names = time.monotonic(), table_names(crm.pm)
    result = {"at": utc_text(clock()), "backup_id": meta["id"], "ok": False,
              "checksum_ok": False, "integrity": None, "tables": {}, "error": None}
    path = store.paths(meta["id"])[0]
    scratch = store.folder / f".drill-{secrets.token_hex(4)}.db.tmp"
    try:
        sha256, size = file_digest(path)
        result["checksum_ok"] = sha256 == meta["sha256"] and size == meta["size"]
        copy_file(path, scratch)
        result["integrity"] = integrity_check(scratch)
        restored = _counts(scratch, names) if result["integrity"] == "ok" else {}
        live = live_counts(crm.db.conn, names)
        noted = meta.get("tables") or {}
        result["tables"] = {t: {"backup": noted.get(t), "restored": restored.get(t),
                                "live": live.get(t)} for t in dict.fromkeys([*noted, *names])}
        wrong = [t for t in noted if restored.get(t) != noted[t]]
        if not result["checksum_ok"]:
            result["error"] = "the file does not match its checksum"
        elif result["integrity"] != "ok":
            result["error"] = f"integrity check: {result['integrity']}"
        elif wrong:
            result["error"] = "row counts differ from the backup's: " + ", ".join(wrong)
        result["ok"] = result["error"] is None
    except (OSError, sqlite3.Error) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
    finally:
        scratch.unlink(missing_ok=True)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def record(crm, result, actor_id=None) -> dict:
    """Keep a drill's result and its audit entry; returns it with its id."""
    with crm.write() as db:
        drill_id = db.execute(
            "INSERT INTO backup_drills (at, backup_id, ok, checksum_ok, integrity, tables, "
            "error, seconds, actor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [result["at"], result["backup_id"], int(result["ok"]), int(result["checksum_ok"]),
             result["integrity"], json.dumps(result["tables"]), result["error"],
             result["seconds"], actor_id]).lastrowid
        audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="drills",
                            row_id=drill_id, action="create",
                            after={"backup_id": result["backup_id"], "ok": result["ok"],
                                   "error": result["error"]},
                            summary=f"restore drill of backup {result['backup_id']}: "
                                    + ("passed" if result["ok"] else "FAILED"))
    if not result["ok"]:
        log.warning("restore drill of backup %s failed: %s", result["backup_id"],
                    result["error"])
    return {"id": drill_id, **result}


def run_drill(crm, actor_id=None, clock=utc_now) -> dict | None:
    """Drill the newest backup now and keep the result; None when there is no backup."""
    if not BackupStore(crm, clock, copier=False).list_backups():
        return None
    return record(crm, drill(crm, clock=clock), actor_id)


def recent_drills(db, limit=20) -> list[dict]:
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM backup_drills ORDER BY at DESC, id "
                      "DESC LIMIT ?", [limit]).fetchall()
    drills = [dict(zip(COLUMNS, row)) for row in rows]
    for d in drills:
        d["ok"], d["checksum_ok"] = bool(d["ok"]), bool(d["checksum_ok"])
        d["tables"] = json.loads(d["tables"])
    return drills


def drill_due(crm, clock=utc_now):
    """The scheduled task's body: a drill when the last one is a day old (or there is none)."""
    last = recent_drills(crm.db, 1)
    if last and datetime.fromisoformat(last[0]["at"]) > clock() - EVERY:
        return None
    return run_drill(crm, clock=clock)


def drill_tasks(crm, clock=utc_now) -> list[ScheduledTask]:
    """Checked every 15 minutes, and as the scheduler starts (after the backup task, which
    takes a new install's first backup then): a fresh install has its drill at once."""
    return [ScheduledTask(TASK_NAME, lambda s: s.every(15).minutes,
                          lambda: drill_due(crm, clock), at_start=True)]


def drill_check(crm, clock=utc_now) -> SecurityCheck:
    def run():
        last = recent_drills(crm.db, 1)
        if not last:
            return False, "no restore drill yet (`crm backup drill` runs one now)"
        d = last[0]
        if not d["ok"]:
            return False, f"the drill of backup {d['backup_id']} at {d['at']} failed: {d['error']}"
        if datetime.fromisoformat(d["at"]) < clock() - RECENT:
            return False, f"the last drill passed at {d['at']}, over {RECENT.days} days ago"
        return True, f"backup {d['backup_id']} restored and checked at {d['at']}"

    return SecurityCheck("restore_drill", f"A restore drill passed in the last {RECENT.days} "
                         "days", run)
