"""Sessions: listed with device and address, ended one by one or all at once, by their
owner or an admin, taking effect on the next request."""
import pytest

from tests.conftest import login

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def sign_in(client, email, agent):
    answer = client.simulate_post("/api/auth/login", headers={"User-Agent": agent},
                                  json={"email": email, "password": "correct horse battery"})
    return {"Authorization": f"Bearer {answer.json['token']}"}


def sessions(client, headers, **params):
    answer = client.simulate_get("/api/auth/sessions", headers=headers, params=params)
    assert answer.status_code == 200, answer.json
    return answer.json["sessions"]


def test_a_user_sees_their_sessions_with_device_and_address(client, member):
    phone = sign_in(client, "max@fund.example", "Phone Safari")
    laptop = sign_in(client, "max@fund.example", CHROME)
    listed = sessions(client, laptop)
    assert len(listed) == 3
    current = [s for s in listed if s["current"]]
    assert len(current) == 1 and current[0]["user_agent"] == CHROME
    assert {s["user_agent"] for s in listed} >= {"Phone Safari", CHROME}
    assert all(s["ip"] and s["created_at"] and s["last_seen_at"] for s in listed)
    assert all(s["user_id"] == member["id"] for s in listed)
    assert phone


def test_ending_one_session_takes_effect_on_its_next_request(client, member):
    phone = sign_in(client, "max@fund.example", "Phone Safari")
    target = next(s for s in sessions(client, member["headers"]) if s["user_agent"] == "Phone Safari")
    ended = client.simulate_delete(f"/api/auth/sessions/{target['id']}", headers=member["headers"])
    assert ended.status_code == 200
    assert client.simulate_get("/api/auth/me", headers=phone).status_code == 401
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 200


def test_revoke_others_keeps_only_this_session(client, member):
    others = [sign_in(client, "max@fund.example", f"Device {i}") for i in range(3)]
    answer = client.simulate_post("/api/auth/sessions/revoke-others", headers=member["headers"])
    assert answer.json == {"ended": 3}
    assert all(client.simulate_get("/api/auth/me", headers=h).status_code == 401 for h in others)
    assert [s["current"] for s in sessions(client, member["headers"])] == [True]


def test_members_cannot_see_or_end_other_peoples_sessions(client, admin, member):
    admins = sessions(client, admin["headers"])
    peek = client.simulate_get("/api/auth/sessions", headers=member["headers"],
                               params={"user_id": admin["id"]})
    assert peek.status_code == 403
    end = client.simulate_delete(f"/api/auth/sessions/{admins[0]['id']}",
                                 headers=member["headers"])
    assert end.status_code == 404
    assert client.simulate_get("/api/auth/me", headers=admin["headers"]).status_code == 200
    everyone = client.simulate_delete(f"/api/admin/users/{admin['id']}/sessions",
                                      headers=member["headers"])
    assert everyone.status_code == 403


def test_admins_see_and_end_anyones_sessions(client, admin, member):
    listed = sessions(client, admin["headers"], user_id=member["id"])
    assert [s["user_id"] for s in listed] == [member["id"]] and not listed[0]["current"]
    one = client.simulate_delete(f"/api/auth/sessions/{listed[0]['id']}", headers=admin["headers"])
    assert one.status_code == 200
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 401
    again = login(client, "max@fund.example")
    login(client, "max@fund.example")
    all_of_them = client.simulate_delete(f"/api/admin/users/{member['id']}/sessions",
                                         headers=admin["headers"])
    assert all_of_them.json == {"ended": 2}
    assert client.simulate_get("/api/auth/me", headers=again).status_code == 401
    summaries = [e["summary"] for e in client.simulate_get(
        "/api/activity", headers=admin["headers"]).json["entries"]]
    assert "Ada Admin signed out 2 sessions of Max Member" in summaries
    assert "Ada Admin signed out 1 session of Max Member" in summaries


@pytest.mark.parametrize("path", ["/api/auth/sessions/999", "/api/admin/users/999/sessions"])
def test_unknown_sessions_and_users_are_404(client, admin, path):
    assert client.simulate_delete(path, headers=admin["headers"]).status_code == 404


def test_session_tokens_are_not_in_the_listing(client, member):
    token = member["headers"]["Authorization"].split()[1]
    answer = client.simulate_get("/api/auth/sessions", headers=member["headers"])
    assert token not in answer.text and "token" not in answer.text
