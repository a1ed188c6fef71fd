"""The automation plugin's part of My day: the user's open tasks due today and overdue,
and the investors they own with no contact for STALE_DAYS days."""
from datetime import datetime, timedelta, timezone

from plugins.automation.tasks import list_tasks
from plugins.fundraising.api import Condition, FilterGroup, fundraising


def tasks_of_day(crm, user, today=None) -> dict:
    """Open tasks assigned to `user`, due today and overdue (dates in UTC for now)."""
    today = today or datetime.now(timezone.utc).date()
    part = {}
    for key, due in (("tasks_due", "today"), ("tasks_overdue", "overdue")):
        part[key] = list_tasks(crm.db, assignee_id=user["id"], due=due, today=today,
                               limit=200)["tasks"]
    part["stale_investors"] = stale_investors(crm, user, today)
    return part


STALE_DAYS = 30  # no contact for this many days makes an owned investor stale


def stale_investors(crm, user, today=None, days=STALE_DAYS) -> list[dict]:
    """Live investors `user` owns whose Last Contact is empty or older than `days` days."""
    today = today or datetime.now(timezone.utc).date()
    cutoff = (today - timedelta(days=days)).isoformat()
    api = fundraising(crm)
    stale = FilterGroup((Condition("last_contact", "before", cutoff),
                         Condition("last_contact", "is_empty")), "or")
    filters = FilterGroup((Condition("owner", "is", user["id"]), stale))
    ids = sorted(api.select_ids("investors", filters, today=today))
    names = api.names("investors", ids, archived=False)
    out = []
    for investor_id in ids:
        record = api.find("investors", investor_id)
        if record is not None:
            out.append({"id": investor_id, "name": names.get(investor_id, record.name),
                        "last_contact": record.value("last_contact")})
    return out
