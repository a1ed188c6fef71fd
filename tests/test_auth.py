import statistics
import time

import pytest
from falcon import testing

from core.accounts import Accounts
from core.app import create_app
from core.commands import setup_link
from tests.conftest import add_user, login

PASSWORD = "correct horse battery"


def test_login_returns_token_user_and_strict_cookie(client, admin):
    result = client.simulate_post("/api/auth/login",
                                  json={"email": "ADA@fund.example", "password": PASSWORD})
    assert result.status_code == 200
    assert result.json["user"] == {"id": admin["id"], "email": "ada@fund.example",
                                   "name": "Ada Admin", "role": "admin"}
    cookie = result.cookies["crm_session"]
    assert cookie.value == result.json["token"]
    assert cookie.http_only and cookie.same_site == "Strict"
    header = result.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header


def test_wrong_password_and_unknown_email_look_the_same(client, admin):
    wrong = client.simulate_post("/api/auth/login",
                                 json={"email": "ada@fund.example", "password": "nope nope nope"})
    unknown = client.simulate_post("/api/auth/login",
                                   json={"email": "who@fund.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.json["error"]["code"] == "invalid_credentials"


def _verified_costs(monkeypatch):
    """The argon2 cost ($m=..,t=..,p=..) of every hash a login verifies."""
    from core import accounts

    seen, real = [], accounts._verifier

    class Recording:
        def verify(self, stored, password):
            seen.append(stored.split("$")[3])
            return real.verify(stored, password)

    monkeypatch.setattr(accounts, "_verifier", Recording())
    return seen


@pytest.mark.parametrize("memory_kib,time_cost", [(8192, 1), (9216, 2)])
def test_unknown_emails_check_a_hash_of_the_configured_cost(make_crm, monkeypatch,
                                                              memory_kib, time_cost):
    crm = make_crm(password_memory_kib=memory_kib, password_time_cost=time_cost)
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    seen = _verified_costs(monkeypatch)
    for email in ("ada@fund.example", "who@fund.example"):
        client.simulate_post("/api/auth/login", json={"email": email, "password": "nope nope"})
    assert seen == [f"m={memory_kib},t={time_cost},p=1"] * 2


def test_unknown_and_known_emails_take_as_long(make_crm):
    """Medians of interleaved attempts at the test cost: a gap as large as one argon2 run
    (the old fixed dummy hash cost 8x the configured one) would show here."""
    crm = make_crm(login_rate_limit=1000)
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    times = {"ada@fund.example": [], "who@fund.example": []}
    for _ in range(15):
        for email, spent in times.items():
            start = time.perf_counter()
            result = client.simulate_post("/api/auth/login",
                                          json={"email": email, "password": "x" * 12})
            spent.append(time.perf_counter() - start)
            assert result.status_code == 401
    known, unknown = (statistics.median(v) for v in times.values())
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_me_with_bearer_and_with_cookie(client, admin):
    by_bearer = client.simulate_get("/api/auth/me", headers=admin["headers"])
    assert by_bearer.json["user"]["email"] == "ada@fund.example"
    token = admin["headers"]["Authorization"].split()[1]
    by_cookie = client.simulate_get("/api/auth/me", cookies={"crm_session": token})
    assert by_cookie.status_code == 200
    assert by_cookie.json["user"]["id"] == admin["id"]


def test_me_without_or_with_bad_token_is_401(client, admin):
    assert client.simulate_get("/api/auth/me").status_code == 401
    bad = client.simulate_get("/api/auth/me", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json["error"]["code"] == "unauthorized"


def test_logout_ends_the_session(client, admin):
    assert client.simulate_post("/api/auth/logout", headers=admin["headers"]).json == {"ok": True}
    assert client.simulate_get("/api/auth/me", headers=admin["headers"]).status_code == 401


def test_register_is_always_forbidden(client, admin):
    for body in ({}, {"email": "x@y.z", "password": PASSWORD}, {"anything": [1, 2]}):
        result = client.simulate_post("/api/auth/register", json=body)
        assert result.status_code == 403
        assert result.json["error"]["code"] == "registration_disabled"
    assert client.simulate_post("/api/auth/register", headers=admin["headers"]).status_code == 403


def test_invite_then_accept_creates_a_member_once(client, admin):
    invite = client.simulate_post("/api/admin/invites", headers=admin["headers"],
                                  json={"email": "nina@fund.example", "role": "member"})
    assert invite.status_code == 201
    assert invite.json["invite_url"].endswith(invite.json["invite_token"])
    pending = client.simulate_get("/api/admin/invites", headers=admin["headers"]).json
    assert [i["email"] for i in pending["invites"]] == ["nina@fund.example"]
    body = {"token": invite.json["invite_token"], "name": "Nina", "password": PASSWORD}
    accepted = client.simulate_post("/api/auth/accept-invite", json=body)
    assert accepted.status_code == 201
    assert accepted.json["user"]["role"] == "member"
    assert accepted.json["user"]["email"] == "nina@fund.example"
    me = client.simulate_get("/api/auth/me",
                             headers={"Authorization": f"Bearer {accepted.json['token']}"})
    assert me.json["user"]["name"] == "Nina"
    again = client.simulate_post("/api/auth/accept-invite", json=body)
    assert again.status_code == 410
    assert again.json["error"]["field"] == "token"
    assert client.simulate_get("/api/admin/invites", headers=admin["headers"]).json == {"invites": []}


def test_expired_invite_is_refused(make_crm):
    from falcon import testing

    from core.app import create_app
    crm = make_crm(invite_hours=1)
    token, _ = Accounts(crm).create_invite("late@fund.example", "member", None)
    with crm.write() as db:
        db.execute("UPDATE invites SET expires_at = '2000-01-01T00:00:00Z'")
    client = testing.TestClient(create_app(crm))
    result = client.simulate_post("/api/auth/accept-invite",
                                  json={"token": token, "name": "Late", "password": PASSWORD})
    assert result.status_code == 410
    assert Accounts(crm).find_by_email("late@fund.example") is None


def test_invite_for_existing_user_is_a_conflict(client, admin):
    result = client.simulate_post("/api/admin/invites", headers=admin["headers"],
                                  json={"email": "Ada@Fund.example", "role": "admin"})
    assert result.status_code == 409
    assert result.json["error"]["field"] == "email"


def test_short_password_is_refused_and_invite_still_usable(client, admin):
    token = client.simulate_post("/api/admin/invites", headers=admin["headers"],
                                 json={"email": "sam@fund.example"}).json["invite_token"]
    short = client.simulate_post("/api/auth/accept-invite",
                                 json={"token": token, "name": "Sam", "password": "short"})
    assert short.status_code == 422
    assert short.json["error"]["field"] == "password"
    ok = client.simulate_post("/api/auth/accept-invite",
                              json={"token": token, "name": "Sam", "password": PASSWORD})
    assert ok.status_code == 201


def test_setup_link_creates_first_admin_once(crm, client):
    link = setup_link(crm)
    token = link.split("#token=")[1]
    page = client.simulate_get("/setup")
    assert page.status_code == 200 and "first admin" in page.text
    body = {"token": token, "email": "founder@fund.example", "name": "Founder", "password": PASSWORD}
    result = client.simulate_post("/api/auth/setup", json=body)
    assert result.status_code == 201
    assert result.json["user"]["role"] == "admin"
    assert client.simulate_post("/api/auth/setup", json=body).status_code == 410
    assert setup_link(crm) is None


def test_new_setup_link_replaces_the_old_one(crm, client):
    old = setup_link(crm).split("#token=")[1]
    new = setup_link(crm).split("#token=")[1]
    body = {"email": "f@fund.example", "name": "F", "password": PASSWORD}
    assert client.simulate_post("/api/auth/setup", json={**body, "token": old}).status_code == 410
    assert client.simulate_post("/api/auth/setup", json={**body, "token": new}).status_code == 201


def test_tokens_are_stored_hashed_and_passwords_with_argon2(crm, client, admin):
    token = admin["headers"]["Authorization"].split()[1]
    stored = [r["token_hash"] for r in crm.db.query("SELECT token_hash FROM sessions")]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    row = crm.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert row.startswith("$argon2id$") and PASSWORD not in row


def test_deactivated_user_token_stops_working(client, admin, member):
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 200
    result = client.simulate_patch(f"/api/admin/users/{member['id']}", headers=admin["headers"],
                                   json={"active": False})
    assert result.status_code == 200 and result.json["active"] is False
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 401
    login_again = client.simulate_post("/api/auth/login",
                                       json={"email": "max@fund.example", "password": PASSWORD})
    assert login_again.status_code == 401


def test_login_accepts_case_insensitive_email(crm, client):
    add_user(crm, "Mixed@Fund.example", "member")
    assert login(client, "mixed@fund.EXAMPLE")


def test_password_cost_follows_settings_and_rehashes_on_login(make_crm):
    from falcon import testing

    from core.app import create_app
    cheap = make_crm()
    add_user(cheap, "ada@fund.example")
    stored = cheap.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "m=8192,t=1" in stored
    strong = cheap.settings.model_copy(update={"password_memory_kib": 65536,
                                               "password_time_cost": 3})
    cheap.settings = strong
    client = testing.TestClient(create_app(cheap))
    login(client, "ada@fund.example")
    rehashed = cheap.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "m=65536,t=3" in rehashed
    assert login(client, "ada@fund.example")
