"""Teammates: every signed-in user sees who is on the team and can assign work to them."""
from tests.conftest import add_user, login


def test_any_user_lists_teammates_without_roles_or_sign_in_data(crm, client, admin, member):
    add_user(crm, "olga@fund.example", "member", "Olga Former")
    olga = crm.db.execute("SELECT id FROM users WHERE email = 'olga@fund.example'").fetchone()[0]
    client.simulate_patch(f"/api/admin/users/{olga}", headers=admin["headers"],
                          json={"active": False})
    answer = client.simulate_get("/api/users", headers=member["headers"])
    assert answer.status_code == 200
    assert answer.json["users"] == [
        {"id": admin["id"], "name": "Ada Admin", "email": "ada@fund.example", "active": True},
        {"id": member["id"], "name": "Max Member", "email": "max@fund.example", "active": True},
        {"id": olga, "name": "Olga Former", "email": "olga@fund.example", "active": False}]
    assert client.simulate_get("/api/users").status_code == 401


def _investor(client, headers, **fields):
    answer = client.simulate_post("/api/fundraising/investors", headers=headers,
                                  json={"name": "Acme LP", "fields": fields})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_member_assigns_an_owner_and_a_task_to_a_teammate(client, admin, member):
    investor = _investor(client, member["headers"], Owner=admin["id"])
    assert investor["fields"]["Owner"] == admin["id"]
    task = client.simulate_post("/api/automation/tasks", headers=member["headers"], json={
        "title": "Call Acme", "investor_id": investor["id"], "assignee_id": admin["id"]})
    assert task.status_code == 201, task.json
    assert task.json["assignee_id"] == admin["id"]


def test_deactivated_users_are_kept_but_not_given_new_work(crm, client, admin, member):
    investor = _investor(client, admin["headers"], Owner=member["id"])
    task = client.simulate_post("/api/automation/tasks", headers=admin["headers"], json={
        "title": "Call Acme", "investor_id": investor["id"], "assignee_id": member["id"]}).json
    client.simulate_patch(f"/api/admin/users/{member['id']}", headers=admin["headers"],
                          json={"active": False})
    other = _investor(client, admin["headers"])
    refused = client.simulate_patch(f"/api/fundraising/investors/{other['id']}",
                                    headers=admin["headers"],
                                    json={"fields": {"Owner": member["id"]},
                                          "expected_version": other["version"]})
    assert refused.status_code == 422 and refused.json["error"]["field"] == "fields.Owner"
    assert "deactivated" in refused.json["error"]["message"]
    # the record that has them keeps them through edits of its other fields
    kept = client.simulate_patch(f"/api/fundraising/investors/{investor['id']}",
                                 headers=admin["headers"],
                                 json={"fields": {"Owner": member["id"], "Stage": "Meeting"},
                                       "expected_version": investor["version"]})
    assert kept.status_code == 200, kept.json
    new_task = client.simulate_post("/api/automation/tasks", headers=admin["headers"], json={
        "title": "Follow up", "investor_id": investor["id"], "assignee_id": member["id"]})
    assert new_task.status_code == 422 and new_task.json["error"]["field"] == "assignee_id"
    same = client.simulate_patch(f"/api/automation/tasks/{task['id']}", headers=admin["headers"],
                                 json={"assignee_id": member["id"], "title": "Call Acme soon",
                                       "expected_version": task["version"]})
    assert same.status_code == 200, same.json
    assert login(client, "ada@fund.example")
