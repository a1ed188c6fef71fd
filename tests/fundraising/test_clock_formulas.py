"""Formulas with TODAY()/NOW() are current when read: computed again once the day has changed,
on the first read of the table that day or by the scheduled task."""
import json
from datetime import datetime, timezone

import time_machine

from core.scheduler import collect_tasks
from plugins.fundraising import clock_formulas

F = "/api/fundraising"
LATE = datetime(2026, 11, 26, 23, 59, tzinfo=timezone.utc)
AFTER_MIDNIGHT = datetime(2026, 11, 27, 0, 1, tzinfo=timezone.utc)
NEXT_DAY = datetime(2026, 11, 28, 0, 1, tzinfo=timezone.utc)


def _setup(client, h):
    for name, formula in (("Days Since", "DATETIME_DIFF(TODAY(), {Last Contact}, 'days')"),
                          ("Overdue", "IF({Days Since} > 6, 'call', 'ok')"),
                          ("Plain", "UPPER({Name})")):
        made = client.simulate_post(f"{F}/fields", headers=h, json={
            "table": "investors", "name": name, "type": "formula", "formula": formula})
        assert made.status_code == 201, made.json
    acme = client.simulate_post(f"{F}/investors", headers=h, json={
        "name": "Acme", "fields": {"Last Contact": "2026-11-20"}})
    assert acme.status_code == 201, acme.json
    return acme.json


def _state_version(crm):
    return crm.db.execute("SELECT version FROM fundraising_state").fetchone()[0]


def test_days_since_is_current_after_midnight_on_every_read(crm, client, admin):
    h = admin["headers"]
    overdue = json.dumps({"op": "and", "conditions": [
        {"field": "Overdue", "operator": "is", "value": "call"}]})
    with time_machine.travel(LATE, tick=False):
        acme = _setup(client, h)
        assert acme["fields"]["Days Since"] == 6 and acme["fields"]["Overdue"] == "ok"
        listed = client.simulate_get(f"{F}/investors", headers=h, params={"filters": overdue})
        assert listed.json["total"] == 0  # and the count is cached at this grid version
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        listed = client.simulate_get(f"{F}/investors", headers=h, params={"filters": overdue})
        assert listed.json["total"] == 1
        record = listed.json["records"][0]
        assert record["fields"]["Days Since"] == 7 and record["fields"]["Overdue"] == "call"
        assert record["version"] == acme["version"]  # nobody edited it
        assert record["fields"]["Plain"] == "ACME"
        version = _state_version(crm)
        again = client.simulate_get(f"{F}/investors/{acme['id']}", headers=h).json
        assert again["fields"]["Days Since"] == 7
        assert _state_version(crm) == version  # the same day: nothing computed again
        assert clock_formulas.refresh_clock_formulas(crm, "investors") is False
    with time_machine.travel(NEXT_DAY, tick=False):
        assert client.simulate_get(f"{F}/investors/{acme['id']}",
                                   headers=h).json["fields"]["Days Since"] == 8
        state = client.simulate_get(f"{F}/state", headers=h).json["state"]
        assert state["investors"][0]["fields"]["Days Since"] == 8


def test_the_scheduled_task_computes_them_once_the_day_changes(crm, client, admin):
    h = admin["headers"]
    with time_machine.travel(LATE, tick=False):
        acme = _setup(client, h)
    task = collect_tasks(crm)["fundraising.clock_formulas"]
    assert task.at_start
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        task.run()
        assert clock_formulas.computed_day(crm.db, "investors") == "2026-11-27"
        assert clock_formulas.computed_day(crm.db, "funds") is None  # no such formula there
    stored = crm.db.execute("SELECT data FROM fundraising_investors WHERE id = ?",
                            [acme["id"]]).fetchone()[0]
    assert 7 in json.loads(stored).values() and "call" in json.loads(stored).values()


def test_a_restore_forgets_the_day_its_values_were_computed_for(crm, client, admin):
    h = admin["headers"]
    with time_machine.travel(LATE, tick=False):
        acme = _setup(client, h)
        backup = client.simulate_post(f"{F}/backup", headers=h)
        assert backup.status_code == 201, backup.json
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        client.simulate_get(f"{F}/investors", headers=h)
        restored = client.simulate_post(f"{F}/restore", headers=h, json={
            "backup_id": backup.json["id"], "confirm": True})
        assert restored.status_code == 200, restored.json
        assert client.simulate_get(f"{F}/investors/{acme['id']}",
                                   headers=h).json["fields"]["Days Since"] == 7
