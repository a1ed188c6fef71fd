"""Tasks, overdue reminders and what reaches the activity feed."""
from datetime import datetime, timezone

import time_machine

from plugins.fundraising.records import RecordStore

DAY = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def make_investor(crm):
    with crm.write() as db:
        return RecordStore(db, "investors").create("Acme", {}, None)


def test_create_list_patch_tasks(client, crm, admin, member):
    acme = make_investor(crm)
    h = member["headers"]
    made = client.simulate_post("/api/tasks", headers=h, json={
        "title": "Send the deck", "due_date": "2026-11-30", "assignee_id": member["id"],
        "investor_id": acme["id"]})
    assert made.status_code == 201 and made.json["done"] is False
    no_target = client.simulate_post("/api/tasks", headers=h, json={"title": "Orphan"})
    assert no_target.status_code == 422 and no_target.json["error"]["field"] == "investor_id"
    ghost = client.simulate_post("/api/tasks", headers=h, json={"title": "x", "investor_id": 99})
    assert ghost.status_code == 422 and ghost.json["error"]["field"] == "investor_id"
    bad_date = client.simulate_post("/api/tasks", headers=h, json={
        "title": "x", "investor_id": acme["id"], "due_date": "soon"})
    assert bad_date.status_code == 422 and bad_date.json["error"]["field"] == "due_date"
    mine = client.simulate_get("/api/tasks", headers=h, params={"assignee": "me"}).json
    assert [t["title"] for t in mine["tasks"]] == ["Send the deck"]
    url = f"/api/tasks/{made.json['id']}"
    done = client.simulate_patch(url, headers=h, json={"done": True, "expected_version": 1})
    assert done.json["done"] is True and done.json["done_at"]
    stale = client.simulate_patch(url, headers=h, json={"title": "x", "expected_version": 1})
    assert stale.status_code == 409
    assert client.simulate_get("/api/tasks", headers=h).json["tasks"] == []
    assert len(client.simulate_get("/api/tasks", headers=h,
                                   params={"status": "done"}).json["tasks"]) == 1


def test_overdue_task_gets_one_reminder_and_reaches_the_feed(client, crm, admin):
    acme = make_investor(crm)
    h = admin["headers"]
    with time_machine.travel(DAY, tick=False):
        client.simulate_post("/api/tasks", headers=h, json={
            "title": "Call back", "due_date": "2026-11-20", "investor_id": acme["id"]})
        client.simulate_post("/api/tasks", headers=h, json={
            "title": "Send terms", "due_date": "2026-11-26", "investor_id": acme["id"]})
        client.simulate_post("/api/tasks", headers=h, json={
            "title": "Later", "due_date": "2026-12-20", "investor_id": acme["id"]})
        first = client.simulate_post("/api/automation/run", headers=h).json
        second = client.simulate_post("/api/automation/run", headers=h).json
        overdue = client.simulate_get("/api/tasks", headers=h, params={"due": "overdue"}).json
        today = client.simulate_get("/api/tasks", headers=h, params={"due": "today"}).json
        feed = client.simulate_get("/api/activity", headers=h,
                                   params={"limit": "100"}).json["entries"]
    reminders = next(r for r in first["rules"] if r["name"].startswith("Remind"))
    assert (reminders["matched"], reminders["changed"]) == (1, 1)
    again = next(r for r in second["rules"] if r["name"].startswith("Remind"))
    assert again["changed"] == 0
    assert [t["title"] for t in overdue["tasks"]] == ["Call back"]
    assert overdue["tasks"][0]["reminded_for"] == "2026-11-20"
    assert [t["title"] for t in today["tasks"]] == ["Send terms"]
    kinds = {(e["kind"], e["summary"]) for e in feed}
    assert ("task_overdue", "Task 'Call back' is overdue (due 2026-11-20)") in kinds
    assert ("task_due_today", "Task 'Send terms' is due today") in kinds
    assert any(e["summary"] == "Reminder: 'Call back' was due 2026-11-20" for e in feed)
    assert any(e["kind"] == "list_added" and e["summary"] == "Acme joined the main list"
               for e in feed)


def test_moving_the_due_date_allows_a_new_reminder(client, crm, admin):
    acme = make_investor(crm)
    h = admin["headers"]
    with time_machine.travel(DAY, tick=False):
        task = client.simulate_post("/api/tasks", headers=h, json={
            "title": "Call back", "due_date": "2026-11-20", "investor_id": acme["id"]}).json
        client.simulate_post("/api/automation/run", headers=h)
        client.simulate_patch(f"/api/tasks/{task['id']}", headers=h,
                              json={"due_date": "2026-11-24"})
        run = client.simulate_post("/api/automation/run", headers=h).json
    assert next(r for r in run["rules"] if r["name"].startswith("Remind"))["changed"] == 1
