"""The `automation` kind of an investor's timeline: the rule runs that moved it between lists
(from the memberships and the run log) and task reminders, newest first, paged."""
BASE = "/api/fundraising/investors"


def _investor(client, h, name, **fields):
    made = client.simulate_post(BASE, headers=h, json={"name": name, "fields": fields})
    assert made.status_code == 201, made.json
    return made.json


def _timeline(client, h, investor_id, **params):
    answer = client.simulate_get(f"{BASE}/{investor_id}/timeline", headers=h,
                                 params={"kind": "automation", **params})
    assert answer.status_code == 200, answer.json
    return answer.json


def test_record_timeline_automation_shows_rule_runs_that_moved_the_investor(crm, client, admin):
    h = admin["headers"]
    acme = _investor(client, h, "Acme")
    other = _investor(client, h, "Other")
    passed = client.simulate_patch(f"{BASE}/{acme['id']}", headers=h, json={
        "expected_version": acme["version"], "fields": {"Stage": "Passed"}})
    assert passed.status_code == 200, passed.json
    task = client.simulate_post("/api/automation/tasks", headers=h, json={
        "title": "Send the deck", "investor_id": acme["id"], "due_date": "2020-01-02"})
    assert task.status_code == 201, task.json
    run = client.simulate_post("/api/automation/run", headers=h)
    assert run.status_code == 200, run.json
    entries = _timeline(client, h, acme["id"])["entries"]
    rules = dict(crm.db.execute("SELECT type, name FROM automation_rules").fetchall())
    runs = {r[0]: r[1:] for r in crm.db.execute(
        "SELECT started_at, id, trigger FROM automation_runs")}
    assert [(e["event"], e.get("list"), e.get("rule_name")) for e in entries] == [
        ("reminder", None, None),
        ("list_added", "graveyard", rules["stage_in"]),  # one run, at one time
        ("list_removed", "main", rules["main_list"]),
        ("list_added", "main", rules["main_list"]),
    ]
    assert all(e["kind"] == "automation" and e["actor"] is None for e in entries)
    assert entries[0]["summary"] == "Reminder: 'Send the deck' was due 2020-01-02"
    assert entries[0]["task_id"] == task.json["id"]
    assert entries[1]["summary"] == f"Joined the graveyard (rule '{rules['stage_in']}')"
    assert entries[2]["summary"] == f"Left the main list (rule '{rules['main_list']}')"
    for entry in entries[1:]:
        assert (entry["run_id"], entry["trigger"]) == runs[entry["at"]]
        assert entry["trigger"] == "change"
    assert entries[1]["at"] == entries[2]["at"] > entries[3]["at"]
    # the other investor's moves stay on its own timeline
    theirs = _timeline(client, h, other["id"])["entries"]
    assert [(e["event"], e["list"]) for e in theirs] == [("list_added", "main")]
    # paged with the route's cursor: the same entries, none twice
    seen, cursor = [], None
    while True:
        page = _timeline(client, h, acme["id"], limit=1, **({"before": cursor} if cursor else {}))
        seen += page["entries"]
        cursor = page["next"]
        if not cursor:
            break
    assert [e["id"] for e in seen] == [e["id"] for e in entries]
    # another kind asked for: no automation entries
    changes = client.simulate_get(f"{BASE}/{acme['id']}/timeline", headers=h,
                                  params={"kind": "change"}).json["entries"]
    assert changes and all(e["kind"] == "change" for e in changes)
