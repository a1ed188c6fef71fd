"""Recurring follow-ups: completing a task with repeat_days N makes the next one, due N days
after the investor's Last Contact (or after the completion day), in the same transaction."""
from datetime import datetime, timezone

import pytest
import time_machine

from core import audit
from plugins.automation import tasks as task_module
from plugins.fundraising.records import RecordStore

T = "/api/automation/tasks"
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)  # the 6th in Tokyo, the 5th in LA


def _investor(crm, name, **fields):
    with crm.write() as db:
        return RecordStore(db, "investors").create(name, fields, None)


def _made(client, h, **values):
    answer = client.simulate_post(T, headers=h, json={"title": "Follow up", **values})
    assert answer.status_code == 201, answer.json
    return answer.json


def _complete(client, h, task):
    return client.simulate_patch(f"{T}/{task['id']}", headers=h,
                                 json={"done": True, "expected_version": task["version"]})


def test_the_next_task_is_due_n_days_after_the_last_contact(client, crm, admin, member):
    acme = _investor(crm, "Acme", **{"Last Contact": "2026-12-01"})
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        task = _made(client, h, investor_id=acme["id"], assignee_id=member["id"],
                     due_date="2026-12-04", repeat_days=14, notes="ask about the close")
        done = _complete(client, member["headers"], task)
    assert done.status_code == 200, done.json
    assert done.json["done"] is True
    nxt = done.json["next_task"]
    assert (nxt["due_date"], nxt["due_at"], nxt["due_tz"]) == ("2026-12-15", None, "UTC")
    assert (nxt["title"], nxt["notes"], nxt["assignee_id"], nxt["investor_id"]) == (
        "Follow up", "ask about the close", member["id"], acme["id"])
    assert (nxt["repeat_days"], nxt["repeated_from"], nxt["done"]) == (14, task["id"], False)
    entry = audit.history(crm.db, "automation", "tasks", nxt["id"])[0]
    assert entry["kind"] == "create" and entry["actor"]["id"] == member["id"]
    assert entry["summary"] == "Task 'Follow up' repeats: next due 2026-12-15"
    listed = client.simulate_get(T, headers=h).json["tasks"]
    assert [t["id"] for t in listed] == [nxt["id"]]
    # reopened and completed again: no second next task
    reopened = client.simulate_patch(f"{T}/{task['id']}", headers=h, json={"done": False})
    again = _complete(client, h, reopened.json)
    assert again.status_code == 200 and again.json["next_task"] is None
    assert crm.db.execute("SELECT count(*) FROM tasks WHERE repeated_from = ?",
                          [task["id"]]).fetchone()[0] == 1


def test_without_a_last_contact_it_counts_from_the_completion_day_in_the_zone(
        client, crm, admin):
    never = _investor(crm, "Never met")
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        tokyo = _made(client, h, investor_id=never["id"], due_at="2026-12-05T09:00",
                      due_tz="Asia/Tokyo", repeat_days=7)
        la = _made(client, h, investor_id=never["id"], due_at="2026-12-05T09:00",
                   due_tz="America/Los_Angeles", repeat_days=7)
        tokyo_next = _complete(client, h, tokyo).json["next_task"]
        la_next = _complete(client, h, la).json["next_task"]
    # done on the 6th in Tokyo, at the same local time 09:00
    assert (tokyo_next["due_date"], tokyo_next["due_at"]) == (
        "2026-12-13", "2026-12-13T00:00:00.000000Z")
    # done on the 5th in Los Angeles
    assert (la_next["due_date"], la_next["due_at"]) == (
        "2026-12-12", "2026-12-12T17:00:00.000000Z")


def test_a_task_without_repeat_days_makes_no_next_one_and_repeat_days_is_checked(
        client, crm, admin):
    acme = _investor(crm, "Acme")
    h = admin["headers"]
    once = _made(client, h, investor_id=acme["id"], due_date="2026-12-04")
    done = _complete(client, h, once)
    assert done.status_code == 200 and done.json.get("next_task") is None
    assert crm.db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 1
    for bad in (0, 366, "weekly"):
        answer = client.simulate_post(T, headers=h, json={
            "title": "x", "investor_id": acme["id"], "repeat_days": bad})
        assert answer.status_code == 422 and answer.json["error"]["field"] == "repeat_days"
    task = _made(client, h, investor_id=acme["id"])
    stop = client.simulate_patch(f"{T}/{task['id']}", headers=h, json={"repeat_days": 3})
    assert stop.json["repeat_days"] == 3
    cleared = client.simulate_patch(f"{T}/{task['id']}", headers=h, json={"repeat_days": None})
    assert cleared.json["repeat_days"] is None


def test_completion_and_the_next_task_are_one_transaction(client, crm, admin, monkeypatch):
    acme = _investor(crm, "Acme")
    h = admin["headers"]
    task = _made(client, h, investor_id=acme["id"], repeat_days=5)

    def broken(*args, **kwargs):
        raise RuntimeError("the next task cannot be made")

    monkeypatch.setattr(task_module, "next_due", broken)
    with pytest.raises(RuntimeError):
        task_module.update_task(crm, task["id"], {"done": True}, admin["id"])
    row = crm.db.execute("SELECT done, version FROM tasks WHERE id = ?", [task["id"]]).fetchone()
    assert row == (0, 1)
    assert [e["kind"] for e in audit.history(crm.db, "automation", "tasks", task["id"])] == [
        "create"]
