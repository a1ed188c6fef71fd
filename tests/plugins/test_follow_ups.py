"""The outside plugin of docs/plugins.md's "Fundraising public API", loaded and used."""
import ast
import logging
from datetime import date, timedelta

import pytest
from falcon import testing

from core.app import create_app
from core.context import build_crm
from tests.conftest import add_user, login
from tests.plugins import follow_ups

EXTRA = {"follow_ups": follow_ups}


def test_the_example_imports_nothing_of_fundraising_but_its_api():
    tree = ast.parse(open(follow_ups.__file__).read())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {m for m in imported if m.startswith("plugins.")} == {"plugins.fundraising.api"}


def test_follow_ups_through_the_public_api_only(make_crm, caplog):
    crm = make_crm(extra_plugins=EXTRA)
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    h = login(client, "ada@fund.example")
    old = (date.today() - timedelta(days=60)).isoformat()
    made = {}
    for name, fields in (("Stale", {"Last Contact": old}), ("Never", {}),
                         ("Recent", {"Last Contact": date.today().isoformat()})):
        made[name] = client.simulate_post("/api/fundraising/investors", headers=h,
                                          json={"name": name, "fields": fields}).json
    client.simulate_post("/api/fundraising/contacts", headers=h, json={
        "name": "Jo", "fields": {"Email": "Jo@Stale.example", "Investor": made["Stale"]["id"]}})
    # a renamed built-in field changes nothing for a plugin that uses keys
    fields = client.simulate_get("/api/fundraising/fields", headers=h,
                                 params={"table": "investors"}).json["fields"]
    last = next(f for f in fields if f["builtin"] == "last_contact")
    assert client.simulate_patch(f"/api/fundraising/fields/{last['id']}", headers=h,
                                 json={"name": "Last Touch"}).status_code == 200

    listed = client.simulate_get("/api/follow-ups", headers=h)
    assert listed.status_code == 200
    assert [i["name"] for i in listed.json["investors"]] == ["Stale", "Never"]

    found = client.simulate_get("/api/follow-ups/contact", headers=h,
                                params={"email": "jo@stale.example"}).json
    assert (found["name"], found["investor"]["name"]) == ("Jo", "Stale")
    assert client.simulate_get("/api/follow-ups/contact", headers=h,
                               params={"email": "no@one.example"}).status_code == 404

    stale = made["Stale"]
    with caplog.at_level(logging.INFO, logger=follow_ups.__name__):
        touched = client.simulate_post(f"/api/follow-ups/{stale['id']}", headers=h,
                                       json={"expected_version": stale["version"]})
    assert touched.status_code == 200
    assert touched.json["last_contact"] == date.today().isoformat()
    assert f"investors changed: {stale['id']}" in caplog.text  # heard through the hook
    record = client.simulate_get(f"/api/fundraising/investors/{stale['id']}", headers=h).json
    assert record["fields"]["Last Touch"] == date.today().isoformat()
    assert record["version"] == stale["version"] + 1
    history = client.simulate_get(f"/api/fundraising/investors/{stale['id']}/history",
                                  headers=h).json
    assert "Ada" in str(history)  # audited with the actor
    again = client.simulate_post(f"/api/follow-ups/{stale['id']}", headers=h,
                                 json={"expected_version": stale["version"]})
    assert again.status_code == 409 and again.json["error"]["code"] == "version_conflict"
    assert [i["name"] for i in client.simulate_get(
        "/api/follow-ups", headers=h).json["investors"]] == ["Never"]


def test_the_example_needs_the_fundraising_plugin(make_settings):
    with pytest.raises(ValueError, match="follow_ups needs fundraising"):
        build_crm(make_settings(plugins=["follow_ups"]), extra_plugins=EXTRA)
