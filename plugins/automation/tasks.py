"""Tasks and reminders tied to an investor or a contact."""
from datetime import date, datetime, timedelta, timezone

from core import audit
from core.db import utcnow
from core.errors import not_found, unprocessable
from core.versioning import check_version
from plugins.automation.due import (due_fields, due_status, local_today, local_today_sql,
                                    next_due)
from plugins.fundraising.api import fundraising, live_record_sql

PLUGIN = "automation"
COLUMNS = ("id", "version", "title", "notes", "due_date", "due_at", "due_tz", "assignee_id",
           "investor_id", "contact_id", "done", "done_at", "repeat_days", "repeated_from",
           "reminded_for", "reminded_at", "created_at", "created_by", "updated_at",
           "updated_by")
# a task of an archived investor or contact leaves every list (and the digest and reminders)
# until the record is restored
OF_LIVE_RECORDS = (f"{live_record_sql('investors', 'tasks.investor_id')} AND "
                   f"{live_record_sql('contacts', 'tasks.contact_id')}")


def task_json(row, now=None) -> dict:
    """A task; `due_status` ('overdue', 'today' or null) by the day it is now in its zone."""
    out = {k: row[k] for k in COLUMNS}
    out["done"] = bool(out["done"])
    out["due_status"] = due_status(out, now or datetime.now(timezone.utc))
    return out


def repeat_task(crm, db, done: dict, actor_id) -> dict | None:
    """The next task of a recurring one just completed, in the caller's transaction: due
    `repeat_days` days after the investor's Last Contact, or after the completion day (in
    the task's zone) when there is none. None when this completion already made one."""
    made = db.execute("SELECT id FROM tasks WHERE repeated_from = ? AND deleted_at IS NULL",
                      [done["id"]]).fetchone()
    if made:
        return None  # reopened and completed again: its next task exists
    start = None
    if done["investor_id"]:
        record = fundraising(crm).find("investors", done["investor_id"])
        start = record.value("last_contact") if record else None
    start = date.fromisoformat(start[:10]) if start else local_today(
        done["due_tz"], datetime.fromisoformat(done["done_at"].replace("Z", "+00:00")))
    values = {k: done[k] for k in ("title", "notes", "assignee_id", "investor_id",
                                   "contact_id", "repeat_days")}
    values.update(next_due(start + timedelta(days=done["repeat_days"]), done),
                  repeated_from=done["id"])
    return _insert_task(db, values, actor_id,
                        summary=f"Task '{done['title']}' repeats: next due {values['due_date']}")


def _check_links(crm, values, row=None):
    api = fundraising(crm)
    for key, table in (("investor_id", "investors"), ("contact_id", "contacts")):
        value = values.get(key)
        if value is not None and not api.live_ids(table, [value]):
            raise unprocessable(f"{key}: no such record", field=key)
    user = values.get("assignee_id")
    if user is None or (row is not None and row["assignee_id"] == user):
        return  # unchanged: a task keeps a deactivated assignee until someone changes it
    found = crm.db.execute("SELECT active FROM users WHERE id = ?", [user]).fetchone()
    if not found:
        raise unprocessable("assignee_id: no such record", field="assignee_id")
    if not found[0]:
        raise unprocessable("assignee_id: this user is deactivated; pick an active teammate",
                            field="assignee_id")


def list_tasks(db, status="open", assignee_id=None, investor_id=None, due=None, now=None,
               limit=100, offset=0) -> dict:
    """Tasks; `due` 'today' or 'overdue' by the day it is `now` in each task's zone."""
    now = now or datetime.now(timezone.utc)
    where, params = [OF_LIVE_RECORDS], []
    where.append("deleted_at IS NOT NULL" if status == "archived" else "deleted_at IS NULL")
    if status not in ("all", "archived"):
        where.append("done = ?")
        params.append(1 if status == "done" else 0)
    for column, value in (("assignee_id", assignee_id), ("investor_id", investor_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if due in ("overdue", "today"):
        today_sql, today_params = local_today_sql(db, now)
        where.append(f"due_date {'<' if due == 'overdue' else '='} {today_sql}")
        params += today_params
    cond = " AND ".join(where)
    total = db.execute(f"SELECT count(*) FROM tasks WHERE {cond}", params).fetchone()[0]
    order = "deleted_at DESC, id DESC" if status == "archived" else \
        "due_date IS NULL, due_date, id"
    rows = db.query(f"SELECT * FROM tasks WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*params, limit, offset])
    return {"tasks": [task_json(r, now) for r in rows], "total": total}


def create_task(crm, values: dict, actor_id) -> dict:
    """A new task, in one transaction (a savepoint of the caller's when one is open)."""
    if not values.get("investor_id") and not values.get("contact_id"):
        raise unprocessable("A task belongs to an investor or a contact", field="investor_id")
    _check_links(crm, values)
    values = {**values, **due_fields(values)}
    with crm.write() as db:
        return _insert_task(db, values, actor_id)


def _insert_task(db, values, actor_id, summary=None):
    now = utcnow()
    task_id = db.table("tasks").insert({
        **values, "done": 0, "version": 1, "created_at": now, "created_by": actor_id,
        "updated_at": now, "updated_by": actor_id}).last_pk
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="tasks", row_id=task_id,
                        action="create", after=values,
                        summary=summary or f"Task '{values['title']}' created")
    return task_json(next(db.query("SELECT * FROM tasks WHERE id = ?", [task_id])))


def update_task(crm, task_id, changes: dict, actor_id) -> dict:
    """Change a task, in one transaction; a 409 naming who changed it when
    `expected_version` is stale."""
    with crm.write() as db:
        return _update_task(crm, db, task_id, changes, actor_id)


def _update_task(crm, db, task_id, changes, actor_id):
    rows = list(db.query("SELECT * FROM tasks WHERE id = ? AND deleted_at IS NULL", [task_id]))
    if not rows:
        raise not_found("No such task")
    row = rows[0]
    check_version(db, row, changes.pop("expected_version", None), "task")
    _check_links(crm, changes, row)
    changes.update(due_fields(changes, row))
    if "done" in changes:
        changes["done"] = int(changes["done"])
        if changes["done"] != row["done"]:
            changes["done_at"] = utcnow() if changes["done"] else None
    changes = {k: v for k, v in changes.items() if row[k] != v}
    if not changes:
        return task_json(row)
    db.table("tasks").update(task_id, {**changes, "version": row["version"] + 1,
                                       "updated_at": utcnow(), "updated_by": actor_id})
    summary = f"Task '{changes.get('title', row['title'])}' " + (
        "done" if changes.get("done") else "changed")
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="tasks", row_id=task_id,
                        action="update", before={k: row[k] for k in changes}, after=changes,
                        summary=summary)
    out = task_json(next(db.query("SELECT * FROM tasks WHERE id = ?", [task_id])))
    if changes.get("done") and out["repeat_days"]:
        out["next_task"] = repeat_task(crm, db, out, actor_id)
    return out


def archive_task(crm, task_id, actor_id, expected_version=None) -> dict:
    """Archive a task (it leaves every list; restore brings it back), in one transaction."""
    return _set_archived(crm, task_id, actor_id, expected_version, archive=True)


def restore_task(crm, task_id, actor_id) -> dict:
    return _set_archived(crm, task_id, actor_id, None, archive=False)


def _set_archived(crm, task_id, actor_id, expected_version, archive):
    with crm.write() as db:
        rows = list(db.query("SELECT * FROM tasks WHERE id = ?", [task_id]))
        if not rows:
            raise not_found("No such task")
        row = rows[0]
        if (row["deleted_at"] is None) != archive:
            raise not_found(f"Task {task_id} is " + ("already archived" if archive
                                                     else "not archived"))
        check_version(db, row, expected_version, "task")
        db.execute("UPDATE tasks SET deleted_at = ?, version = version + 1, updated_at = ?, "
                   "updated_by = ? WHERE id = ?",
                   [utcnow() if archive else None, utcnow(), actor_id, task_id])
        action = "archive" if archive else "restore"
        audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="tasks", row_id=task_id,
                            action=action, summary=f"Task '{row['title']}' {action}d")
        return task_json(next(db.query("SELECT * FROM tasks WHERE id = ?", [task_id])))


def due_tasks(db, today: date, limit=200) -> list[dict]:
    """Open tasks due today or overdue, most overdue first."""
    rows = db.query(f"SELECT * FROM tasks WHERE deleted_at IS NULL AND done = 0 AND "
                    f"due_date <= ? AND {OF_LIVE_RECORDS} ORDER BY due_date, id LIMIT ?",
                    [today.isoformat(), limit])
    return [task_json(r) for r in rows]
