"""Changing a password, and admin reset links (API and CLI)."""
import time_machine
from datetime import datetime, timedelta, timezone

from tests.conftest import PASSWORD_DEFAULT, login

NEW = "a brand new passphrase"


def _login(client, email, password):
    return client.simulate_post("/api/auth/login", json={"email": email, "password": password})


def test_change_password_needs_the_current_one_and_ends_other_sessions(client, member):
    other = login(client, "max@fund.example")
    wrong = client.simulate_post("/api/auth/password", headers=member["headers"],
                                 json={"current_password": "not it at all",
                                       "new_password": NEW})
    assert wrong.status_code == 422
    assert wrong.json["error"]["field"] == "current_password"
    short = client.simulate_post("/api/auth/password", headers=member["headers"],
                                 json={"current_password": PASSWORD_DEFAULT, "new_password": "short"})
    assert short.status_code == 422 and short.json["error"]["field"] == "new_password"
    assert _login(client, "max@fund.example", PASSWORD_DEFAULT).status_code == 200

    done = client.simulate_post("/api/auth/password", headers=member["headers"],
                                json={"current_password": PASSWORD_DEFAULT, "new_password": NEW})
    assert done.status_code == 200
    assert done.json == {"ok": True, "sessions_ended": 2}  # `other` and the check's login
    # this session goes on; the other one ends at its next request
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 200
    assert client.simulate_get("/api/auth/me", headers=other).status_code == 401
    assert _login(client, "max@fund.example", PASSWORD_DEFAULT).status_code == 401
    assert _login(client, "max@fund.example", NEW).status_code == 200


def test_reset_link_sets_a_password_once_and_ends_every_session(client, admin, member):
    made = client.simulate_post(f"/api/admin/users/{member['id']}/reset-link",
                                headers=admin["headers"])
    assert made.status_code == 201
    token = made.json["reset_token"]
    assert made.json["reset_url"].endswith(f"/reset#token={token}")
    used = client.simulate_post("/api/auth/reset", json={"token": token, "password": NEW})
    assert used.status_code == 200 and used.json == {"ok": True, "email": "max@fund.example"}
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 401
    assert _login(client, "max@fund.example", NEW).status_code == 200
    again = client.simulate_post("/api/auth/reset", json={"token": token, "password": NEW + "!"})
    assert again.status_code == 410 and again.json["error"]["code"] == "link_invalid"
    assert _login(client, "max@fund.example", NEW).status_code == 200


def test_a_reset_link_expires_and_a_newer_one_voids_it(crm, client, admin, member):
    first = client.simulate_post(f"/api/admin/users/{member['id']}/reset-link",
                                 headers=admin["headers"]).json["reset_token"]
    second = client.simulate_post(f"/api/admin/users/{member['id']}/reset-link",
                                  headers=admin["headers"]).json["reset_token"]
    lapsed = client.simulate_post("/api/auth/reset", json={"token": first, "password": NEW})
    assert lapsed.status_code == 410
    later = datetime.now(timezone.utc) + timedelta(hours=crm.settings.invite_hours, minutes=1)
    with time_machine.travel(later):
        expired = client.simulate_post("/api/auth/reset", json={"token": second, "password": NEW})
    assert expired.status_code == 410
    assert _login(client, "max@fund.example", PASSWORD_DEFAULT).status_code == 200


def test_only_admins_make_reset_links(client, admin, member):
    denied = client.simulate_post(f"/api/admin/users/{admin['id']}/reset-link",
                                  headers=member["headers"])
    assert denied.status_code == 403
    missing = client.simulate_post("/api/admin/users/999/reset-link", headers=admin["headers"])
    assert missing.status_code == 404


def test_reset_needs_a_good_password_and_keeps_the_link(client, admin, member):
    token = client.simulate_post(f"/api/admin/users/{member['id']}/reset-link",
                                 headers=admin["headers"]).json["reset_token"]
    short = client.simulate_post("/api/auth/reset", json={"token": token, "password": "short"})
    assert short.status_code == 422 and short.json["error"]["field"] == "password"
    ok = client.simulate_post("/api/auth/reset", json={"token": token, "password": NEW})
    assert ok.status_code == 200


def test_cli_reset_link_recovers_the_last_admin(crm, client, admin, cli_runner):
    result = cli_runner("users", "reset-link", "--email", "ada@fund.example")
    link = result.stdout.strip()
    token = link.split("#token=")[1]
    assert client.simulate_post("/api/auth/reset",
                                json={"token": token, "password": NEW}).status_code == 200
    assert _login(client, "ada@fund.example", NEW).status_code == 200
    missing = cli_runner("users", "reset-link", "--email", "who@fund.example", code=1)
    assert "No user with the email who@fund.example" in missing.output


def test_password_events_show_in_the_admins_feed_only(client, admin, member):
    client.simulate_post("/api/auth/password", headers=member["headers"],
                         json={"current_password": PASSWORD_DEFAULT, "new_password": NEW})
    client.simulate_post(f"/api/admin/users/{member['id']}/reset-link", headers=admin["headers"])
    summaries = [e["summary"] for e in client.simulate_get(
        "/api/activity", headers=admin["headers"]).json["entries"]]
    assert "Max Member changed their password" in summaries
    assert "Ada Admin made a password reset link for max@fund.example" in summaries
    seen = client.simulate_get("/api/activity", headers=login(client, "max@fund.example", NEW))
    assert not [e for e in seen.json["entries"] if e["source"] == "accounts"]


def test_the_reset_page_is_served(client):
    page = client.simulate_get("/reset")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
