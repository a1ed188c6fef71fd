"""GET /api/me/day: every plugin's my_day parts merged; the automation plugin's tasks."""
from datetime import datetime, timedelta, timezone

from core.day_resources import DAY_KEYS, merge_day


def _investor(client, headers, name):
    answer = client.simulate_post("/api/fundraising/investors", headers=headers,
                                  json={"name": name, "fields": {}})
    assert answer.status_code == 201, answer.json
    return answer.json


def _task(client, headers, **values):
    answer = client.simulate_post("/api/automation/tasks", headers=headers, json=values)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_my_day_merges_plugin_parts_key_by_key():
    day = merge_day([{"tasks_due": [1]}, None, {"tasks_due": [2], "extra": [3]}])
    assert day["tasks_due"] == [1, 2] and day["extra"] == [3]
    assert all(day[key] == [] for key in DAY_KEYS if key != "tasks_due")


def test_my_day_lists_my_tasks_due_today_and_overdue(client, admin, member):
    today = datetime.now(timezone.utc).date()
    days = {"yesterday": today - timedelta(days=1), "today": today,
            "tomorrow": today + timedelta(days=1)}
    investor = _investor(client, admin["headers"], "Acme LP")
    tasks = []
    for who in (admin, member):
        for label, day in days.items():
            task = _task(client, admin["headers"], title=f"{label} for {who['id']}",
                         investor_id=investor["id"], assignee_id=who["id"],
                         due_date=day.isoformat())
            tasks.append(task)
    done = tasks[0]
    patched = client.simulate_patch(f"/api/automation/tasks/{done['id']}",
                                    headers=admin["headers"],
                                    json={"done": True, "expected_version": done["version"]})
    assert patched.status_code == 200, patched.json
    open_tasks = [t for t in tasks if t["id"] != done["id"]]
    for who in (admin, member):
        answer = client.simulate_get("/api/me/day", headers=who["headers"])
        assert answer.status_code == 200, answer.json
        assert set(DAY_KEYS) <= set(answer.json)
        mine = [t for t in open_tasks if t["assignee_id"] == who["id"]]
        expect_due = {t["id"] for t in mine if t["due_date"] == today.isoformat()}
        expect_over = {t["id"] for t in mine if t["due_date"] < today.isoformat()}
        assert {t["id"] for t in answer.json["tasks_due"]} == expect_due
        assert {t["id"] for t in answer.json["tasks_overdue"]} == expect_over
    assert client.simulate_get("/api/me/day").status_code == 401


def test_my_day_lists_investors_i_own_with_no_contact_for_30_days(client, admin, member):
    today = datetime.now(timezone.utc).date()
    cases = [("Never", admin, None), ("Old", admin, 45), ("Recent", admin, 3),
             ("Edge", admin, 30), ("Theirs", member, 60)]
    made = []
    for name, owner, ago in cases:
        fields = {"Owner": owner["id"]}
        if ago is not None:
            fields["Last Contact"] = (today - timedelta(days=ago)).isoformat()
        answer = client.simulate_post("/api/fundraising/investors", headers=admin["headers"],
                                      json={"name": name, "fields": fields})
        assert answer.status_code == 201, answer.json
        made.append((answer.json["id"], owner["id"], ago))
    archived = made[0][0]
    gone = client.simulate_delete(f"/api/fundraising/investors/{archived}",
                                  headers=admin["headers"])
    assert gone.status_code in (200, 204), gone.text
    for who in (admin, member):
        expected = {i for i, owner, ago in made if owner == who["id"] and i != archived
                    and (ago is None or ago > 30)}
        answer = client.simulate_get("/api/me/day", headers=who["headers"])
        assert answer.status_code == 200, answer.json
        assert {s["id"] for s in answer.json["stale_investors"]} == expected


def test_record_timeline_task_entries_created_and_completed_newest_first(crm, client, admin,
                                                                           member):
    investor = _investor(client, admin["headers"], "Timeline LP")
    other = _investor(client, admin["headers"], "Other LP")
    first = _task(client, admin["headers"], title="Send deck", investor_id=investor["id"],
                  assignee_id=member["id"], due_date="2026-01-05")
    _task(client, admin["headers"], title="Elsewhere", investor_id=other["id"])
    client.simulate_patch(f"/api/automation/tasks/{first['id']}", headers=member["headers"],
                          json={"done": True, "expected_version": first["version"]})
    answers = crm.pm.hook.record_timeline(crm=crm, table="investors", record_id=investor["id"],
                                          kinds={"task"}, before=None, limit=10)
    entries = [e for part in answers for e in part if e["kind"] == "task"]
    assert [(e["event"], e["task_id"]) for e in entries] == [
        ("completed", first["id"]), ("created", first["id"])]
    assert entries[0]["actor"] == member["id"] and entries[1]["actor"] == admin["id"]
    assert entries[0]["assignee_id"] == member["id"] and entries[0]["due_date"] == "2026-01-05"
    none = crm.pm.hook.record_timeline(crm=crm, table="investors", record_id=investor["id"],
                                       kinds={"note"}, before=None, limit=10)
    assert [e for part in none for e in part if e["kind"] == "task"] == []
