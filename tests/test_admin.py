import re

from tests.conftest import add_user

METHODS = ("get", "post", "put", "patch", "delete")


def admin_operations(crm):
    """(method, path) of every route under /api/admin of every enabled plugin."""
    from core.app import collect_routes
    found = []
    for template, resource in collect_routes(crm):
        if template.startswith("/api/admin"):
            for method in METHODS:
                if hasattr(resource, f"on_{method}"):
                    found.append((method.upper(), re.sub(r"{[^}]+}", "1", template)))
    return found


def test_admin_routes_are_found(crm):
    paths = {path for _, path in admin_operations(crm)}
    assert {"/api/admin/users", "/api/admin/users/1", "/api/admin/invites",
            "/api/admin/security"} <= paths


def test_member_gets_403_and_anonymous_401_on_every_admin_route(client, crm, admin, member):
    operations = admin_operations(crm)
    assert len(operations) >= 6
    for method, path in operations:
        as_member = client.simulate_request(method, path, headers=member["headers"], json={})
        assert as_member.status_code == 403, (method, path)
        assert as_member.json["error"]["code"] == "forbidden"
        assert client.simulate_request(method, path, json={}).status_code == 401, (method, path)


def test_list_users_shows_roles_and_activity(client, admin, member):
    users = client.simulate_get("/api/admin/users", headers=admin["headers"]).json["users"]
    assert [(u["email"], u["role"], u["active"]) for u in users] == [
        ("ada@fund.example", "admin", True), ("max@fund.example", "member", True)]
    assert all("password_hash" not in u for u in users)
    assert users[0]["last_login_at"]


def test_promote_member_to_admin(client, admin, member):
    result = client.simulate_patch(f"/api/admin/users/{member['id']}", headers=admin["headers"],
                                   json={"role": "admin"})
    assert result.json["role"] == "admin"
    assert client.simulate_get("/api/admin/users", headers=member["headers"]).status_code == 200


def test_last_admin_cannot_demote_or_deactivate_self(client, admin):
    for body, field in (({"role": "member"}, "role"), ({"active": False}, "active")):
        result = client.simulate_patch(f"/api/admin/users/{admin['id']}",
                                       headers=admin["headers"], json=body)
        assert result.status_code == 422
        assert result.json["error"] == {**result.json["error"], "code": "last_admin",
                                        "field": field}


def test_patch_user_validation(client, admin, member):
    url = f"/api/admin/users/{member['id']}"
    bad_role = client.simulate_patch(url, headers=admin["headers"], json={"role": "owner"})
    assert bad_role.status_code == 422 and bad_role.json["error"]["field"] == "role"
    unknown = client.simulate_patch(url, headers=admin["headers"], json={"password": "x"})
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "password"
    missing = client.simulate_patch("/api/admin/users/999", headers=admin["headers"],
                                    json={"role": "admin"})
    assert missing.status_code == 404
    not_a_number = client.simulate_patch("/api/admin/users/abc", headers=admin["headers"],
                                         json={"role": "admin"})
    assert not_a_number.status_code == 404


def test_user_changes_are_audited_in_activity(client, admin, member):
    client.simulate_patch(f"/api/admin/users/{member['id']}", headers=admin["headers"],
                          json={"role": "admin"})
    feed = client.simulate_get("/api/activity", headers=admin["headers"]).json
    change = feed["entries"][0]
    assert change["table"] == "users" and change["kind"] == "update"
    assert change["changes"] == {"role": ["member", "admin"]}
    assert change["actor"] == {"id": admin["id"], "name": "Ada Admin"}


def test_security_report_lists_pass_and_fail(make_crm, make_settings):
    from falcon import testing

    from core.app import create_app
    crm = make_crm(env="production", secret_key="s" * 48, cors_origin="https://crm.fund.example",
                   require_2fa="none")  # two-factor's own tests: tests/test_two_factor.py
    add_user(crm, "root@fund.example", "admin")
    client = testing.TestClient(create_app(crm))
    headers = {"Authorization": "Bearer " + client.simulate_post(
        "/api/auth/login", json={"email": "root@fund.example",
                                 "password": "correct horse battery"}).json["token"]}
    report = client.simulate_get("/api/admin/security", headers=headers).json
    by_name = {c["name"]: c for c in report["checks"]}
    assert set(by_name) >= {"production_mode", "secret_key", "transport", "cors", "secret_files",
                            "database_file", "admin_exists", "setup_closed", "rate_limits"}
    assert by_name["production_mode"]["passed"] and by_name["secret_key"]["passed"]
    assert by_name["admin_exists"]["passed"] and by_name["cors"]["passed"]
    assert not by_name["two_factor"]["passed"]
    assert report["passed"] == all(c["passed"] for c in report["checks"])


def test_security_report_fails_weak_settings(client, admin, crm):
    crm.settings = crm.settings.model_copy(update={"cors_origin": ["*"], "host": "0.0.0.0"})
    report = client.simulate_get("/api/admin/security", headers=admin["headers"]).json
    failed = {c["name"] for c in report["checks"] if not c["passed"]}
    assert {"production_mode", "cors", "transport"} <= failed
    assert report["passed"] is False
