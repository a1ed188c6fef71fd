"""Tasks are archived and restored; tasks of an archived investor or contact leave task lists,
reminders and the digest, and come back when it is restored."""
from datetime import date, datetime, timezone

import time_machine

from plugins.automation.plugin import digest_sections
from plugins.fundraising.records import RecordStore

T = "/api/automation/tasks"
DAY = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def _record(crm, table, name, **fields):
    with crm.write() as db:
        return RecordStore(db, table).create(name, fields, None)


def _task(client, h, title, **links):
    made = client.simulate_post(T, headers=h, json={"title": title, "due_date": "2026-11-20",
                                                    **links})
    assert made.status_code == 201, made.json
    return made.json


def _titles(client, h, **params):
    answer = client.simulate_get(T, headers=h, params=params)
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == len(answer.json["tasks"])
    return [t["title"] for t in answer.json["tasks"]]


def test_a_task_is_archived_and_restored(crm, client, member):
    h = member["headers"]
    acme = _record(crm, "investors", "Acme")
    task = _task(client, h, "Send the deck", investor_id=acme["id"])
    stale = client.simulate_delete(f"{T}/{task['id']}", headers=h,
                                   params={"expected_version": "9"})
    assert stale.status_code == 409
    gone = client.simulate_delete(f"{T}/{task['id']}", headers=h,
                                  params={"expected_version": str(task["version"])})
    assert gone.status_code == 200 and gone.json["version"] == task["version"] + 1
    assert _titles(client, h) == [] and _titles(client, h, status="all") == []
    assert _titles(client, h, status="archived") == ["Send the deck"]
    assert client.simulate_patch(f"{T}/{task['id']}", headers=h,
                                 json={"title": "x"}).status_code == 404
    assert client.simulate_delete(f"{T}/{task['id']}", headers=h).status_code == 404
    back = client.simulate_post(f"{T}/{task['id']}/restore", headers=h)
    assert back.status_code == 200, back.json
    assert _titles(client, h) == ["Send the deck"]
    assert _titles(client, h, status="archived") == []
    assert client.simulate_post(f"{T}/{task['id']}/restore", headers=h).status_code == 404
    assert client.simulate_post(f"{T}/999999/restore", headers=h).status_code == 404
    actions = [r[0] for r in crm.db.execute(
        "SELECT action FROM audit_log WHERE plugin = 'automation' AND table_name = 'tasks' "
        "AND row_id = ? ORDER BY id", [str(task["id"])])]
    assert actions == ["create", "archive", "restore"]


def test_tasks_of_an_archived_investor_or_contact_leave_lists_reminders_and_digest(
        crm, client, admin):
    h = admin["headers"]
    acme, birch = _record(crm, "investors", "Acme"), _record(crm, "investors", "Birch")
    ann = _record(crm, "contacts", "Ann", Investor=birch["id"])
    with time_machine.travel(DAY, tick=False):
        _task(client, h, "Call Acme", investor_id=acme["id"])
        _task(client, h, "Call Birch", investor_id=birch["id"])
        _task(client, h, "Email Ann", contact_id=ann["id"])
        with crm.write() as db:
            RecordStore(db, "investors").archive(acme["id"], None)
            RecordStore(db, "contacts").archive(ann["id"], None)
        assert _titles(client, h) == ["Call Birch"]
        assert _titles(client, h, due="overdue") == ["Call Birch"]
        assert _titles(client, h, investor_id=str(acme["id"])) == []
        run = client.simulate_post("/api/automation/run", headers=h).json
        reminders = next(r for r in run["rules"] if r["name"].startswith("Remind"))
        assert (reminders["matched"], reminders["changed"]) == (1, 1)
        sections = digest_sections(crm=crm, start="2026-11-25", end="2026-11-27",
                                   day=date(2026, 11, 26))
        assert sections[0]["items"] == ["Call Birch (due 2026-11-20)"]
        with crm.write() as db:
            RecordStore(db, "investors").restore(acme["id"], None)
        assert _titles(client, h) == ["Call Acme", "Call Birch"]
