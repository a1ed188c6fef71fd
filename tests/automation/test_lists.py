"""The lists the rules fill: the graveyard wins over the other lists; lists and the run log
come a page at a time with their totals."""
from datetime import datetime, timezone

import time_machine

from tests.automation.test_rules import investor, members

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def test_graveyard_wins_over_follow_up_and_longshot(client, admin, crm):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        # stale and small, but passed: only the graveyard
        investor(crm, "Passed Stale", **{"Stage": "Passed", "Last Contact": "2026-09-01",
                                         "Check Size": 25_000})
        investor(crm, "Declined Stale", **{"Stage": "Declined", "Last Contact": "2026-09-01"})
        investor(crm, "Live Stale", **{"Stage": "Meeting", "Last Contact": "2026-09-01"})
        run = client.simulate_post("/api/automation/run", headers=h).json
    assert run["errors"] == 0
    assert members(client, h, "graveyard") == ["Declined Stale", "Passed Stale"]
    assert members(client, h, "follow_up") == ["Live Stale"]
    assert members(client, h, "longshot") == []
    assert members(client, h, "main") == []


def test_reopened_investor_leaves_the_graveyard_for_follow_up(client, admin, crm):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        passed = investor(crm, "Back Again", **{"Stage": "Passed", "Last Contact": "2026-09-01"})
        client.simulate_post("/api/automation/run", headers=h)
        assert members(client, h, "follow_up") == []
        stage = client.simulate_patch(f"/api/fundraising/investors/{passed['id']}", headers=h,
                                      json={"fields": {"Stage": "Meeting"},
                                            "expected_version": passed["version"]})
        assert stage.status_code == 200, stage.json
    # the edit re-ran the rules for this investor: off the graveyard, onto follow-up
    assert members(client, h, "graveyard") == []
    assert members(client, h, "follow_up") == ["Back Again"]


def test_lists_and_runs_are_paged_with_totals(client, admin, crm):
    h = admin["headers"]
    with time_machine.travel(NOW, tick=False):
        for n in range(7):
            investor(crm, f"Gone {n}", Stage="Declined")
        for _ in range(3):
            client.simulate_post("/api/automation/run", headers=h)
    first = client.simulate_get("/api/fundraising/lists/graveyard", headers=h,
                                params={"limit": "5"}).json
    second = client.simulate_get("/api/fundraising/lists/graveyard", headers=h,
                                 params={"limit": "5", "offset": "5"}).json
    assert first["total"] == second["total"] == 7
    assert [r["name"] for r in first["records"] + second["records"]] == \
        [f"Gone {n}" for n in range(7)]
    runs = client.simulate_get("/api/automation/runs", headers=h, params={"limit": "2"}).json
    assert len(runs["runs"]) == 2 and runs["total"] >= 3
    rest = client.simulate_get("/api/automation/runs", headers=h,
                               params={"limit": "2", "offset": "2"}).json
    assert rest["total"] == runs["total"]
    assert {r["id"] for r in runs["runs"]}.isdisjoint(r["id"] for r in rest["runs"])
    bad = client.simulate_get("/api/automation/runs", headers=h, params={"limit": "0"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "limit"
