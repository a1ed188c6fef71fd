"""What one record edit costs: the field definitions are read once, not per edit, and list
rules run only when an edit changes a field some rule reads (or a record comes or goes)."""
import pytest
from falcon import testing

from core.app import create_app
from plugins.automation import plugin as automation_plugin
from plugins.fundraising import field_defs
from tests.automation.test_rules import ExtraRules, members
from tests.conftest import add_user, login


@pytest.fixture
def team(make_crm):
    def make(**kwargs):
        crm = make_crm(**kwargs)
        client = testing.TestClient(create_app(crm))
        add_user(crm, "ada@fund.example")
        headers = login(client, "ada@fund.example")
        made = client.simulate_post("/api/fundraising/fields", headers=headers, json={
            "table": "investors", "name": "Notes", "type": "text"})
        assert made.status_code == 201
        return crm, client, headers
    return make


def _new(client, headers, name, **fields):
    answer = client.simulate_post("/api/fundraising/investors", headers=headers,
                                  json={"name": name, "fields": fields})
    assert answer.status_code == 201, answer.json
    return answer.json


def _edit(client, headers, record, **fields):
    answer = client.simulate_patch(f"/api/fundraising/investors/{record['id']}",
                                   headers=headers, json={"fields": fields,
                                                          "expected_version": record["version"]})
    assert answer.status_code == 200, answer.json
    return answer.json


def _spy(monkeypatch, module, name):
    calls, real = [], getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_record_edits_do_not_reload_the_field_definitions(team, monkeypatch):
    crm, client, headers = team()
    record = _new(client, headers, "Acme LP")
    record = _edit(client, headers, record, Notes="warm")
    loads = _spy(monkeypatch, field_defs, "load_fields")
    for i in range(20):
        record = _edit(client, headers, record, Notes=f"edit {i}", **{"Check Size": 1000 + i})
    assert loads == []
    # a field change, by whatever writer, is seen at once
    client.simulate_post("/api/fundraising/fields", headers=headers, json={
        "table": "investors", "name": "Sector", "type": "text"})
    record = _edit(client, headers, record, Sector="Climate")
    assert record["fields"]["Sector"] == "Climate" and loads
    with crm.write() as db:
        db.execute("UPDATE fundraising_fields SET name = 'Industry' WHERE name = 'Sector'")
    assert _edit(client, headers, record, Industry="Health")["fields"]["Industry"] == "Health"


def test_list_rules_run_only_when_an_edit_changes_what_they_read(team, monkeypatch):
    crm, client, headers = team()
    record = _new(client, headers, "Acme LP", **{"Check Size": 500_000})
    runs = _spy(monkeypatch, automation_plugin, "run_rules")
    record = _edit(client, headers, record, Notes="met at the AGM")
    assert runs == []  # no rule reads Notes: no membership can move
    record = _edit(client, headers, record, **{"Check Size": 10_000})
    assert len(runs) == 1
    assert members(client, headers, "longshot") == ["Acme LP"]
    record = _edit(client, headers, record, Stage="Passed")
    assert len(runs) == 2 and members(client, headers, "graveyard") == ["Acme LP"]
    _new(client, headers, "Birch Partners")
    assert len(runs) == 3  # a new record: every rule may take it


def test_a_rule_type_that_does_not_say_what_it_reads_runs_on_every_edit(team, monkeypatch):
    crm, client, headers = team(extra_plugins={"extra": ExtraRules()})
    made = client.simulate_post("/api/automation/rules", headers=headers, json={
        "type": "rich", "name": "rich", "config": {}})
    assert made.status_code == 201
    record = _new(client, headers, "Acme LP", **{"Check Size": 900_000})
    runs = _spy(monkeypatch, automation_plugin, "run_rules")
    _edit(client, headers, record, Notes="anything")
    assert len(runs) == 1
