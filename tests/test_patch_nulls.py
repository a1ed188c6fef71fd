"""PATCH bodies: a null where null means nothing is a 422 naming the field, never a 500."""
import pytest


@pytest.fixture
def targets(client, admin):
    h = admin["headers"]
    field = client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Region", "type": "text"}).json
    view = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "Mine", "personal": True}).json
    rule = client.simulate_get("/api/automation/rules", headers=h).json["rules"][0]
    return {"field": f"/api/fundraising/fields/{field['id']}",
            "view": f"/api/fundraising/views/{view['id']}",
            "rule": f"/api/automation/rules/{rule['id']}"}


@pytest.mark.parametrize("target, name", [
    ("field", "name"), ("field", "position"), ("view", "name"), ("view", "sorts"),
    ("view", "pinned"), ("rule", "enabled"), ("rule", "name"), ("rule", "config"),
])
def test_null_is_a_422_naming_the_field(client, admin, targets, target, name):
    result = client.simulate_patch(targets[target], headers=admin["headers"], json={name: None})
    assert result.status_code == 422, result.text
    assert result.json["error"]["field"] == name


def test_null_filters_clear_a_views_filters(client, admin, targets):
    h = admin["headers"]
    filtered = client.simulate_patch(targets["view"], headers=h, json={"filters": {
        "conditions": [{"field": "Stage", "operator": "is", "value": "Intro"}]}})
    assert filtered.status_code == 200 and filtered.json["filters"]
    cleared = client.simulate_patch(targets["view"], headers=h, json={"filters": None})
    assert cleared.status_code == 200, cleared.text
    assert not cleared.json["filters"]


def test_null_clears_a_tasks_due_date(client, admin):
    h = admin["headers"]
    investor = client.simulate_post("/api/fundraising/investors", headers=h,
                                    json={"name": "Acme LP"}).json
    task = client.simulate_post("/api/tasks", headers=h, json={
        "title": "Send deck", "due_date": "2026-12-10", "investor_id": investor["id"]}).json
    cleared = client.simulate_patch(f"/api/tasks/{task['id']}", headers=h, json={
        "due_date": None, "expected_version": task["version"]})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json["due_date"] is None
    refused = client.simulate_patch(f"/api/tasks/{task['id']}", headers=h, json={"title": None})
    assert refused.status_code == 422 and refused.json["error"]["field"] == "title"
