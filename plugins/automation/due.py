"""Due dates with time zones: a task's due moment is stored as UTC text (`due_at`, optional:
a task may be due on a day with no time) with the writer's IANA zone (`due_tz`), and
`due_date` is the day it falls on in that zone. Due today and overdue are judged by the
day it is now in the task's zone; a task without a zone is judged in UTC."""
from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.db import utc_text
from core.errors import unprocessable

DEFAULT_TZ = "UTC"


@lru_cache(maxsize=1024)
def _known(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: a path, or not a zone file
        return None


def zone(name: str | None) -> ZoneInfo:
    """The ZoneInfo of `name` (UTC for None); a 422 naming due_tz for an unknown zone."""
    found = _known(name or DEFAULT_TZ)
    if found is None:
        raise unprocessable(f"due_tz: unknown time zone {name!r} (use an IANA name such as "
                            "Europe/Paris)", field="due_tz")
    return found


def local_today(tz_name: str | None, now: datetime) -> date:
    return now.astimezone(zone(tz_name)).date()


def due_fields(values: dict, row=None) -> dict:
    """The due columns a create or a change sets, from what the writer sent (`due_at` as ISO
    text with or without an offset: without one it is a time of `due_tz`), and the task's row
    before a change. Returns the changed keys among due_at, due_tz and due_date."""
    keys = {"due_at", "due_tz", "due_date"} & set(values)
    if not keys:
        return {}
    tz_name = values.get("due_tz", row["due_tz"] if row is not None else None) or DEFAULT_TZ
    tz = zone(tz_name)
    out = {"due_tz": tz_name}
    if "due_at" in values and values["due_at"] is not None:
        moment = _moment(values["due_at"], tz)
        out["due_at"] = utc_text(moment)
        out["due_date"] = moment.astimezone(tz).date().isoformat()
        if values.get("due_date") not in (None, out["due_date"]):
            raise unprocessable(f"due_date: {values['due_date']} is not the day of due_at in "
                                f"{tz_name} ({out['due_date']}); send one of them",
                                field="due_date")
    elif "due_date" in values or "due_at" in values:
        # a day without a time, or the time dropped (due_at null): the day stays
        out["due_at"] = None
        out["due_date"] = values["due_date"] if "due_date" in values else (
            row["due_date"] if row is not None else None)
    elif row is not None and row["due_at"]:
        # only the zone changed: the moment stays, its day is the day in the new zone
        moment = datetime.fromisoformat(row["due_at"].replace("Z", "+00:00"))
        out["due_date"] = moment.astimezone(tz).date().isoformat()
    return out


def _moment(value, tz) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(
        str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def local_today_sql(db, now: datetime, column="due_tz") -> tuple[str, list]:
    """SQL for the day it is now (ISO text) in each task's zone, and its params: a CASE over
    the zones the tasks use (few), UTC for tasks without one."""
    # every zone a task uses (an index walk: tasks_due_tz)
    zones = [r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM tasks WHERE {column} "
                                      "IS NOT NULL")]
    utc_today = now.astimezone(timezone.utc).date().isoformat()
    zones = [z for z in zones if z != DEFAULT_TZ and _known(z) is not None]
    if not zones:
        return "?", [utc_today]
    sql = f"CASE {column} " + " ".join("WHEN ? THEN ?" for _ in zones) + " ELSE ? END"
    params = [p for z in zones for p in (z, local_today(z, now).isoformat())]
    return sql, [*params, utc_today]


def due_status(task: dict, now: datetime) -> str | None:
    """'overdue', 'today' or None, for an open task, by the day in its zone."""
    if task["done"] or not task["due_date"]:
        return None
    today = local_today(task.get("due_tz"), now).isoformat()
    if task["due_date"] < today:
        return "overdue"
    return "today" if task["due_date"] == today else None


def next_due(day: date, row) -> dict:
    """The due columns of a task due on `day`, at the same local time as `row` when it had
    one, in its zone."""
    tz_name = row["due_tz"] or DEFAULT_TZ
    if not row["due_at"]:
        return {"due_date": day.isoformat(), "due_at": None, "due_tz": tz_name}
    tz = zone(tz_name)
    was = datetime.fromisoformat(row["due_at"].replace("Z", "+00:00")).astimezone(tz)
    moment = datetime.combine(day, time(was.hour, was.minute, was.second), tz)
    return {"due_date": day.isoformat(), "due_at": utc_text(moment), "due_tz": tz_name}
