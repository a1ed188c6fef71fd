"""Due dates with time zones: due_at stored in UTC with the writer's zone, due today and
overdue judged by the day in the task's zone (task lists, My day, reminders); assignees must
be active teammates."""
from datetime import datetime, timezone

import time_machine

from core import audit

from plugins.fundraising.records import RecordStore

T = "/api/automation/tasks"
# 02:00 UTC: 11:00 on the 6th in Tokyo, 18:00 on the 5th in Los Angeles
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)


def _investor(crm, name="Acme"):
    with crm.write() as db:
        return RecordStore(db, "investors").create(name, {}, None)


def _post(client, h, **values):
    return client.simulate_post(T, headers=h, json={"title": "Call", **values})


def _made(client, h, **values):
    answer = _post(client, h, **values)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_due_at_is_stored_in_utc_with_the_writers_zone(client, crm, admin):
    acme, h = _investor(crm), admin["headers"]
    tokyo = _made(client, h, investor_id=acme["id"], due_at="2026-12-06T09:00",
                  due_tz="Asia/Tokyo")
    assert (tokyo["due_at"], tokyo["due_tz"], tokyo["due_date"]) == (
        "2026-12-06T00:00:00.000000Z", "Asia/Tokyo", "2026-12-06")
    # an offset in due_at is honoured; the day is the day in due_tz
    la = _made(client, h, investor_id=acme["id"], due_at="2026-12-05T23:30:00-08:00",
               due_tz="America/Los_Angeles")
    assert (la["due_at"], la["due_date"]) == ("2026-12-06T07:30:00.000000Z", "2026-12-05")
    stored = crm.db.execute("SELECT due_at, due_tz, due_date FROM tasks WHERE id = ?",
                            [la["id"]]).fetchone()
    assert stored == ("2026-12-06T07:30:00.000000Z", "America/Los_Angeles", "2026-12-05")
    # the zone changes: the moment stays, its day is the day in the new zone
    moved = client.simulate_patch(f"{T}/{la['id']}", headers=h, json={"due_tz": "Asia/Tokyo"})
    assert moved.status_code == 200, moved.json
    assert (moved.json["due_at"], moved.json["due_date"]) == (
        "2026-12-06T07:30:00.000000Z", "2026-12-06")
    # the time dropped (due_at null): the day stays
    untimed = client.simulate_patch(f"{T}/{tokyo['id']}", headers=h, json={"due_at": None})
    assert (untimed.json["due_at"], untimed.json["due_date"]) == (None, "2026-12-06")
    # a day alone drops the time
    day = client.simulate_patch(f"{T}/{la['id']}", headers=h, json={"due_date": "2026-12-09"})
    assert (day.json["due_at"], day.json["due_date"], day.json["due_tz"]) == (
        None, "2026-12-09", "Asia/Tokyo")
    changes = [e["changes"] for e in audit.history(crm.db, "automation", "tasks", la["id"])]
    assert changes[1]["due_tz"] == ["America/Los_Angeles", "Asia/Tokyo"]
    assert changes[0]["due_at"] == ["2026-12-06T07:30:00.000000Z", None]


def test_an_unknown_zone_or_a_day_that_is_not_due_ats_is_a_422(client, crm, admin):
    acme, h = _investor(crm), admin["headers"]
    for zone in ("Mars/Base", "../../etc/passwd", "utc+2"):
        bad = _post(client, h, investor_id=acme["id"], due_date="2026-12-06", due_tz=zone)
        assert bad.status_code == 422, zone
        assert bad.json["error"]["field"] == "due_tz"
    task = _made(client, h, investor_id=acme["id"], due_date="2026-12-06")
    assert task["due_tz"] == "UTC" and task["due_at"] is None  # no zone sent: UTC
    bad = client.simulate_patch(f"{T}/{task['id']}", headers=h, json={"due_tz": "Nowhere/X"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "due_tz"
    both = _post(client, h, investor_id=acme["id"], due_at="2026-12-06T23:00:00Z",
                 due_tz="Asia/Tokyo", due_date="2026-12-06")
    assert both.status_code == 422 and both.json["error"]["field"] == "due_date"
    assert crm.db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 1


def test_due_today_and_overdue_follow_the_day_in_the_tasks_zone(client, crm, admin, member):
    acme, h = _investor(crm), admin["headers"]
    cases = {  # title: (due_date, due_tz, what it is at NOW)
        "la-5th": ("2026-12-05", "America/Los_Angeles", "today"),
        "tokyo-5th": ("2026-12-05", "Asia/Tokyo", "overdue"),
        "tokyo-6th": ("2026-12-06", "Asia/Tokyo", "today"),
        "la-6th": ("2026-12-06", "America/Los_Angeles", None),
        "utc-5th": ("2026-12-05", None, "overdue"),
        "utc-6th": ("2026-12-06", None, "today"),
    }
    with time_machine.travel(NOW, tick=False):
        for title, (day, zone, _) in cases.items():
            extra = {"due_tz": zone} if zone else {}
            _made(client, h, title=title, investor_id=acme["id"], due_date=day,
                  assignee_id=member["id"], **extra)
        listed = {due: {t["title"] for t in client.simulate_get(
            T, headers=h, params={"due": due}).json["tasks"]} for due in ("today", "overdue")}
        every = client.simulate_get(T, headers=h).json["tasks"]
        day = client.simulate_get("/api/me/day", headers=member["headers"]).json
        mine = client.simulate_get("/api/me/day", headers=h).json
    for due in ("today", "overdue"):
        assert listed[due] == {t for t, (_, _, state) in cases.items() if state == due}
    assert {t["title"]: t["due_status"] for t in every} == {
        t: state for t, (_, _, state) in cases.items()}
    assert {t["title"] for t in day["tasks_due"]} == listed["today"]
    assert {t["title"] for t in day["tasks_overdue"]} == listed["overdue"]
    assert mine["tasks_due"] == [] and mine["tasks_overdue"] == []


def test_reminders_follow_the_zone_and_reach_the_assignees_my_day(client, crm, admin, member):
    acme, h = _investor(crm), admin["headers"]
    with time_machine.travel(NOW, tick=False):
        late = _made(client, h, title="Tokyo call", investor_id=acme["id"],
                     due_date="2026-12-05", due_tz="Asia/Tokyo", assignee_id=member["id"])
        _made(client, h, title="LA call", investor_id=acme["id"], due_date="2026-12-05",
              due_tz="America/Los_Angeles", assignee_id=member["id"])
        run = client.simulate_post("/api/automation/run", headers=h).json
        theirs = client.simulate_get("/api/me/day", headers=member["headers"]).json
        mine = client.simulate_get("/api/me/day", headers=h).json
    reminded = next(r for r in run["rules"] if r["name"].startswith("Remind"))
    assert (reminded["matched"], reminded["changed"]) == (1, 1)
    assert [(r["task_id"], r["at"]) for r in theirs["reminders"]] == [
        (late["id"], "2026-12-06T02:00:00.000000Z")]
    assert theirs["reminders"][0]["summary"] == "Reminder: 'Tokyo call' was due 2026-12-05"
    assert mine["reminders"] == []
    # moved to a later day, the reminder leaves My day until that day is overdue too
    client.simulate_patch(f"{T}/{late['id']}", headers=h, json={"due_date": "2026-12-20"})
    again = client.simulate_get("/api/me/day", headers=member["headers"]).json
    assert again["reminders"] == []


def test_a_task_is_assigned_to_an_active_teammate_only(client, crm, admin, member):
    acme, h = _investor(crm), admin["headers"]
    task = _made(client, h, investor_id=acme["id"], assignee_id=member["id"])
    ghost = _post(client, h, investor_id=acme["id"], assignee_id=999)
    assert ghost.status_code == 422 and ghost.json["error"]["field"] == "assignee_id"
    with crm.write() as db:
        db.execute("UPDATE users SET active = 0 WHERE id = ?", [member["id"]])
    gone = _post(client, h, investor_id=acme["id"], assignee_id=member["id"])
    assert gone.status_code == 422 and gone.json["error"]["field"] == "assignee_id"
    # the task keeps its deactivated assignee until someone picks another
    kept = client.simulate_patch(f"{T}/{task['id']}", headers=h, json={"title": "Call again"})
    assert kept.status_code == 200 and kept.json["assignee_id"] == member["id"]
    moved = client.simulate_patch(f"{T}/{task['id']}", headers=h,
                                  json={"assignee_id": admin["id"]})
    assert moved.status_code == 200 and moved.json["assignee_id"] == admin["id"]
    back = client.simulate_patch(f"{T}/{task['id']}", headers=h,
                                 json={"assignee_id": member["id"]})
    assert back.status_code == 422 and back.json["error"]["field"] == "assignee_id"
