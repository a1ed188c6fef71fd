"""The automation plugin's part of My day: the user's open tasks due today and overdue (by
the day in each task's zone), the reminders made for their overdue tasks, and the investors
they own with no contact for `stale_days` days."""
from datetime import date, datetime, timedelta, timezone

from core.errors import unprocessable
from plugins.automation.settings import STALE_DAYS
from plugins.automation.tasks import OF_LIVE_RECORDS, list_tasks, task_json
from plugins.fundraising.api import Condition, FilterGroup, fundraising

MAX_STALE_DAYS = 365


def stale_days_of(crm, params: dict | None) -> int:
    """`?stale_days=` (1..365) or the AUTOMATION_STALE_DAYS setting; a 422 naming it."""
    value = (params or {}).get("stale_days")
    if value is None:
        return crm.plugin_settings("automation").stale_days
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_STALE_DAYS:
        raise unprocessable(f"stale_days: a whole number of days from 1 to {MAX_STALE_DAYS}",
                            field="stale_days")
    return days


def tasks_of_day(crm, user, params=None, now=None) -> dict:
    """Open tasks assigned to `user` due today and overdue, their reminders, and the stale
    investors they own."""
    now = now or datetime.now(timezone.utc)
    days = stale_days_of(crm, params)
    part = {}
    for key, due in (("tasks_due", "today"), ("tasks_overdue", "overdue")):
        part[key] = list_tasks(crm.db, assignee_id=user["id"], due=due, now=now,
                               limit=200)["tasks"]
    part["reminders"] = reminders(crm, user, now)
    part["stale_investors"] = stale_investors(crm, user, now.date(), days)
    return part


def reminders(crm, user, now=None, limit=100) -> list[dict]:
    """The reminders of `user`'s open tasks still due on the day they were reminded for,
    newest first: what the task_overdue rule made."""
    rows = crm.db.query(
        "SELECT * FROM tasks WHERE assignee_id = ? AND deleted_at IS NULL AND done = 0 AND "
        f"reminded_for IS NOT NULL AND reminded_for = due_date AND {OF_LIVE_RECORDS} "
        "ORDER BY reminded_at DESC, id DESC LIMIT ?", [user["id"], limit])
    return [{**task_json(r, now), "task_id": r["id"], "at": r["reminded_at"],
             "summary": f"Reminder: '{r['title']}' was due {r['due_date']}"} for r in rows]


STALE_SHOWN = 50  # of a long list, those the longest without contact


def stale_investors(crm, user, today: date | None = None, days=STALE_DAYS) -> list[dict]:
    """Live investors `user` owns whose Last Contact is empty or older than `days` days: the
    STALE_SHOWN longest without contact (never contacted first). The dashboard's stale card
    lists them all."""
    today = today or datetime.now(timezone.utc).date()
    cutoff = (today - timedelta(days=days)).isoformat()
    api = fundraising(crm)
    last_contact = api.field_name("investors", "last_contact")
    stale = FilterGroup((Condition("last_contact", "before", cutoff),
                         Condition("last_contact", "is_empty")), "or")
    filters = FilterGroup((Condition("owner", "is", user["id"]), stale))
    ids = api.first_ids("investors", filters, "last_contact", STALE_SHOWN, today=today)
    return [{"id": r["id"], "name": r["name"], "last_contact": r["fields"].get(last_contact),
             "stale_days": days} for r in api.records_json("investors", ids)]
