"""Automation rules with the clock held still (time-machine)."""
from datetime import datetime, timezone

import pytest
import time_machine
from falcon import testing
from pydantic import BaseModel

from core import hookimpl
from core.app import create_app
from plugins.automation.engine import run_rules
from plugins.automation.rules import RuleType
from plugins.fundraising.records import RecordStore
from tests.conftest import add_user, login

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def investor(crm, name, **fields):
    with crm.write() as db:
        return RecordStore(db, "investors").create(name, fields, None)


def members(client, headers, name):
    result = client.simulate_get(f"/api/fundraising/lists/{name}", headers=headers,
                                 params={"limit": "1000"})
    assert result.status_code == 200, result.json
    return sorted(r["name"] for r in result.json["records"])


def rules_by_type(client, headers):
    return {r["type"]: r for r in client.simulate_get("/api/automation/rules",
                                                      headers=headers).json["rules"]}


@pytest.fixture
def seeded(crm):
    with time_machine.travel(NOW, tick=False):
        investor(crm, "Stale", **{"Last Contact": "2026-10-01", "Check Size": 500_000})
        investor(crm, "Fresh", **{"Last Contact": "2026-11-20", "Check Size": 500_000})
        investor(crm, "Passed Co", **{"Stage": "Passed", "Check Size": 500_000})
        investor(crm, "Tiny", **{"Check Size": 25_000, "Last Contact": "2026-11-25"})
        investor(crm, "Unknown")
    return crm


def test_each_builtin_list_rule(client, admin, seeded):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        run = client.simulate_post("/api/automation/run", headers=h).json
    assert run["errors"] == 0 and run["trigger"] == "manual"
    assert members(client, h, "follow_up") == ["Stale"]
    assert members(client, h, "graveyard") == ["Passed Co"]
    assert members(client, h, "longshot") == ["Tiny"]
    assert members(client, h, "main") == ["Fresh", "Unknown"]
    assert members(client, h, "all") == ["Fresh", "Passed Co", "Stale", "Tiny", "Unknown"]


def test_time_moves_investors_to_follow_up(client, admin, seeded):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        client.simulate_post("/api/automation/run", headers=h)
    assert "Fresh" not in members(client, h, "follow_up")
    with time_machine.travel(datetime(2026, 12, 21, tzinfo=timezone.utc), tick=False):
        run = run_rules(seeded, "manual")  # (the session would have expired by then)
    assert members(client, h, "follow_up") == ["Fresh", "Stale"]
    assert "Fresh" not in members(client, h, "main")
    follow = next(r for r in run["rules"] if r["name"].startswith("Follow up"))
    assert follow["matched"] == 2 and follow["changed"] == 1


def test_a_run_is_idempotent(client, admin, seeded):
    h = admin["headers"]
    with time_machine.travel(datetime(2026, 12, 21, tzinfo=timezone.utc), tick=False):
        first = run_rules(seeded, "manual")  # Fresh's last contact is now 31 days old
        second = run_rules(seeded, "manual")
    assert first["changed"] == 2  # Fresh left main and joined follow_up
    assert second["changed"] == 0 and all(r["changed"] == 0 for r in second["rules"])
    runs = client.simulate_get("/api/automation/runs", headers=h).json["runs"]
    assert [r["id"] for r in runs][:2] == [second["id"], first["id"]]


def test_toggle_a_rule_off_and_on(client, admin, member, seeded):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        client.simulate_post("/api/automation/run", headers=h)
        graveyard = rules_by_type(client, h)["stage_in"]
        denied = client.simulate_patch(f"/api/automation/rules/{graveyard['id']}",
                                       headers=member["headers"], json={"enabled": False})
        assert denied.status_code == 403
        off = client.simulate_patch(f"/api/automation/rules/{graveyard['id']}", headers=h,
                                    json={"enabled": False, "expected_version": 1})
        assert off.status_code == 200 and off.json["enabled"] is False
        assert members(client, h, "graveyard") == []
        assert "Passed Co" in members(client, h, "main")
        client.simulate_patch(f"/api/automation/rules/{graveyard['id']}", headers=h,
                              json={"enabled": True})
        assert members(client, h, "graveyard") == ["Passed Co"]


def test_config_change_and_bad_config(client, admin, seeded):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        longshot = rules_by_type(client, h)["amount_below"]
        bad = client.simulate_patch(f"/api/automation/rules/{longshot['id']}", headers=h,
                                    json={"config": {**longshot["config"], "threshold": -1}})
        assert bad.status_code == 422 and bad.json["error"]["field"] == "config.threshold"
        client.simulate_patch(f"/api/automation/rules/{longshot['id']}", headers=h,
                              json={"config": {**longshot["config"], "threshold": 600_000}})
        # Passed Co is below the threshold too, but the graveyard wins
        assert members(client, h, "longshot") == ["Fresh", "Stale", "Tiny"]


def test_record_change_moves_the_investor_at_once(client, admin, seeded):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        client.simulate_post("/api/automation/run", headers=h)
        fresh = next(r for r in client.simulate_get(
            "/api/fundraising/investors", headers=h).json["records"] if r["name"] == "Fresh")
        client.simulate_patch(f"/api/fundraising/investors/{fresh['id']}", headers=h,
                              json={"expected_version": fresh["version"],
                                    "fields": {"Stage": "Declined"}})
    assert members(client, h, "graveyard") == ["Fresh", "Passed Co"]
    assert "Fresh" not in members(client, h, "main")
    runs = client.simulate_get("/api/automation/runs", headers=h).json["runs"]
    assert runs[0]["trigger"] == "change" and runs[0]["changed"] == 2


def test_renamed_field_keeps_rules_working(client, admin, seeded):
    h = admin["headers"]
    fields = client.simulate_get("/api/fundraising/fields", headers=h,
                                 params={"table": "investors"}).json["fields"]
    stage = next(f for f in fields if f["builtin"] == "stage")
    client.simulate_patch(f"/api/fundraising/fields/{stage['id']}", headers=h,
                          json={"name": "Pipeline Stage"})
    with time_machine.travel(NOW, tick=False):
        run = client.simulate_post("/api/automation/run", headers=h).json
    assert run["errors"] == 0 and members(client, h, "graveyard") == ["Passed Co"]


def test_archived_investors_leave_every_list(client, admin, seeded):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        client.simulate_post("/api/automation/run", headers=h)
        stale = next(r for r in client.simulate_get(
            "/api/fundraising/investors", headers=h).json["records"] if r["name"] == "Stale")
        client.simulate_delete(f"/api/fundraising/investors/{stale['id']}", headers=h)
    assert members(client, h, "follow_up") == []


class Broken(BaseModel):
    pass


def _explode(db, config, today, only_ids):
    raise RuntimeError("the rule blew up")


def _rich(db, config, today, only_ids):
    return {r[0] for r in db.execute("SELECT id FROM fundraising_investors WHERE "
                                     "check_size >= 500000 AND deleted_at IS NULL")}


class ExtraRules:
    @hookimpl
    def register_rule_types(self, crm):
        return [RuleType("explodes", "Always fails", Broken, members=_explode,
                         target=lambda c: "longshot"),
                RuleType("rich", "Big checks to follow-up", Broken, members=_rich,
                         target=lambda c: "follow_up")]


def test_plugin_rule_type_is_listed_and_a_failing_rule_is_contained(make_crm):
    crm = make_crm(extra_plugins={"extra": ExtraRules()})
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    h = login(client, "ada@fund.example")
    types = {t["name"] for t in client.simulate_get("/api/automation/rules",
                                                    headers=h).json["types"]}
    assert {"explodes", "rich", "last_contact_older", "task_overdue"} <= types
    with time_machine.travel(NOW, tick=False):
        investor(crm, "Tiny", **{"Check Size": 25_000})
        investor(crm, "Big", **{"Check Size": 900_000})
        client.simulate_post("/api/automation/run", headers=h)  # longshot gets Tiny
        for rule_type in ("explodes", "rich"):
            made = client.simulate_post("/api/automation/rules", headers=h, json={
                "type": rule_type, "name": rule_type, "config": {}})
            assert made.status_code == 201
        run = client.simulate_post("/api/automation/run", headers=h).json
    failed = [r for r in run["rules"] if r["error"]]
    assert [r["name"] for r in failed] == ["explodes"] and "blew up" in failed[0]["error"]
    assert run["errors"] == 1
    assert members(client, h, "longshot") == ["Tiny"]  # the failed rule's list is kept
    assert members(client, h, "follow_up") == ["Big"]  # the others still ran
    unknown = client.simulate_post("/api/automation/rules", headers=h, json={
        "type": "nope", "name": "x"})
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "type"
    feed = client.simulate_get("/api/activity", headers=h).json["entries"]
    assert any(e["kind"] == "rule_run" and e["failed"] == ["explodes"] for e in feed)


def test_scheduled_task_runs_the_rules(seeded):
    from core.scheduler import collect_tasks
    with time_machine.travel(NOW, tick=False):
        collect_tasks(seeded)["automation.rules"].run()
    runs = list(seeded.db.query("SELECT trigger, errors FROM automation_runs"))
    assert runs[-1] == {"trigger": "schedule", "errors": 0}


def test_run_rules_directly_with_a_given_now(seeded):
    run = run_rules(seeded, "manual", now=datetime(2027, 6, 1, tzinfo=timezone.utc))
    lists = {r["name"]: r["matched"] for r in run["rules"]}
    assert lists["Follow up after 30 days without contact"] == 3


def test_a_bulk_write_sorts_every_investor_like_single_edits(client, admin, seeded):
    """An import-sized write re-checks the whole table instead of naming every id: the lists
    come out as one-by-one edits would make them, and action rules wait for the schedule."""
    from plugins.automation.plugin import WHOLE_TABLE_FROM
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        stale = next(r for r in client.simulate_get("/api/fundraising/investors", headers=h)
                     .json["records"] if r["name"] == "Stale")
        made = client.simulate_post("/api/tasks", headers=h, json={
            "title": "Call", "due_date": "2026-11-01", "investor_id": stale["id"]})
        assert made.status_code == 201, made.json
        with seeded.write() as db:  # one write, as an import makes
            store = RecordStore(db, "investors")
            for n in range(WHOLE_TABLE_FROM):
                fields = [{"Stage": "Passed"}, {"Check Size": 10}, {"Last Contact": "2026-01-02"},
                          {"Last Contact": "2026-11-25", "Check Size": 900_000}][n % 4]
                store.create(f"Bulk {n:04}", fields, None)
    runs = client.simulate_get("/api/automation/runs", headers=h).json["runs"]
    assert runs[0]["trigger"] == "change" and runs[0]["errors"] == 0
    lists = {name: [m for m in members(client, h, name) if m.startswith("Bulk")]
             for name in ("graveyard", "longshot", "follow_up", "main")}
    assert {name: len(found) for name, found in lists.items()} == {
        "graveyard": 250, "longshot": 250, "follow_up": 250, "main": 250}
    assert lists["graveyard"][0] == "Bulk 0000" and lists["main"][0] == "Bulk 0003"
    # the seeded investors were never run before; the whole-table pass sorted them too
    assert members(client, h, "follow_up")[-1] == "Stale"
    reminded = seeded.db.execute("SELECT reminded_for FROM tasks WHERE id = ?",
                                 [made.json["id"]]).fetchone()[0]
    assert reminded is None  # the reminder rule did not act on a record change
