"""Two-factor sign-in (TOTP): enrolment, login codes, replays, recovery codes, the policy."""
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
import time_machine
from falcon import testing

from core.app import create_app
from tests.conftest import PASSWORD_DEFAULT, add_user, login
from tests.log_scan import learn


@pytest.fixture
def crm(make_crm):
    """Many sign-ins a test: the per-address login limit has a test of its own below."""
    return make_crm(login_rate_limit=1000)


def enrol(client, headers):
    """Turn two-factor on; returns (pyotp.TOTP, recovery codes)."""
    started = client.simulate_post("/api/auth/2fa/enroll", headers=headers)
    assert started.status_code == 200, started.json
    secret = started.json["secret"]
    learn(secret)
    totp = pyotp.TOTP(secret)
    confirmed = client.simulate_post("/api/auth/2fa/confirm", headers=headers,
                                     json={"code": totp.now()})
    assert confirmed.status_code == 200, confirmed.json
    return totp, confirmed.json["recovery_codes"]


def password_step(client, email="ada@fund.example", password=PASSWORD_DEFAULT):
    answer = client.simulate_post("/api/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.json
    return answer


def code_step(client, challenge, code):
    return client.simulate_post("/api/auth/login/2fa", json={"challenge": challenge, "code": code})


def next_step_code(totp):
    """A code of the next 30-second step (valid now: one step of drift either side is allowed),
    so a test need not wait for the clock to pass the step it used last."""
    return totp.at(datetime.now(timezone.utc) + timedelta(seconds=30))


def test_enrolment_gives_a_qr_code_of_the_secret_and_ten_recovery_codes(client, admin):
    started = client.simulate_post("/api/auth/2fa/enroll", headers=admin["headers"]).json
    uri = urlparse(started["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [started["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["Venture CRM"]
    assert started["qr_svg"].startswith("<svg") and "<script" not in started["qr_svg"]
    wrong = client.simulate_post("/api/auth/2fa/confirm", headers=admin["headers"],
                                 json={"code": "000000" if pyotp.TOTP(started["secret"]).now()
                                       != "000000" else "111111"})
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "invalid_code"
    codes = client.simulate_post("/api/auth/2fa/confirm", headers=admin["headers"], json={
        "code": pyotp.TOTP(started["secret"]).now()}).json["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    me = client.simulate_get("/api/auth/me", headers=admin["headers"]).json
    assert me["two_factor"] == {"enabled": True, "required": False, "enrolment_required": False,
                                "recovery_codes_left": 10}
    again = client.simulate_post("/api/auth/2fa/enroll", headers=admin["headers"])
    assert again.status_code == 409 and again.json["error"]["code"] == "two_factor_on"


def test_the_secret_is_stored_encrypted_and_codes_hashed(crm, client, admin):
    totp, codes = enrol(client, admin["headers"])
    row = crm.db.execute("SELECT totp_secret FROM users WHERE id = ?", [admin["id"]]).fetchone()
    assert totp.secret not in row[0]
    dump = "\n".join(crm.db.conn.iterdump())
    assert totp.secret not in dump and not any(c in dump for c in codes)


def test_login_asks_for_a_code_after_the_password(client, admin):
    totp, _codes = enrol(client, admin["headers"])
    first = password_step(client)
    assert first.json.keys() == {"two_factor_required", "challenge"}
    assert "crm_session" not in first.cookies
    wrong = code_step(client, first.json["challenge"], "123456" if totp.now() != "123456"
                      else "654321")
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "invalid_code"
    done = code_step(client, first.json["challenge"], next_step_code(totp))
    assert done.status_code == 200 and done.json["user"]["id"] == admin["id"]
    assert done.cookies["crm_session"].value == done.json["token"]
    me = client.simulate_get("/api/auth/me",
                             headers={"Authorization": f"Bearer {done.json['token']}"})
    assert me.status_code == 200
    used = code_step(client, first.json["challenge"], totp.now())
    assert used.status_code == 410  # a challenge signs in once


def test_a_code_is_refused_when_replayed(client, admin):
    totp, _codes = enrol(client, admin["headers"])
    code = next_step_code(totp)
    assert code_step(client, password_step(client).json["challenge"], code).status_code == 200
    replay = code_step(client, password_step(client).json["challenge"], code)
    assert replay.status_code == 401 and replay.json["error"]["code"] == "invalid_code"
    # nor is an older step's code taken once a later one was used
    older = code_step(client, password_step(client).json["challenge"], totp.now())
    assert older.status_code == 401


def test_recovery_codes_work_once_each(client, admin):
    totp, codes = enrol(client, admin["headers"])
    challenge = password_step(client).json["challenge"]
    done = code_step(client, challenge, codes[0].upper().replace("-", " "))
    assert done.status_code == 200
    me = client.simulate_get("/api/auth/me", headers={
        "Authorization": f"Bearer {done.json['token']}"}).json
    assert me["two_factor"]["recovery_codes_left"] == 9
    again = code_step(client, password_step(client).json["challenge"], codes[0])
    assert again.status_code == 401
    assert code_step(client, password_step(client).json["challenge"], codes[1]).status_code == 200


def test_a_challenge_dies_after_five_wrong_codes_and_expires(client, admin):
    totp, codes = enrol(client, admin["headers"])
    challenge = password_step(client).json["challenge"]
    for _ in range(5):
        assert code_step(client, challenge, "aaaa-bbbb-cccc").status_code == 401
    dead = code_step(client, challenge, codes[0])
    assert dead.status_code == 410 and dead.json["error"]["code"] == "challenge_invalid"
    challenge = password_step(client).json["challenge"]
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=6)):
        assert code_step(client, challenge, codes[0]).status_code == 410


def test_wrong_codes_are_capped_per_account_across_challenges(client, admin):
    totp, codes = enrol(client, admin["headers"])
    for _ in range(2):
        challenge = password_step(client).json["challenge"]
        for _ in range(5):
            code_step(client, challenge, "aaaa-bbbb-cccc")
    capped = code_step(client, password_step(client).json["challenge"], codes[0])
    assert capped.status_code == 429 and capped.json["error"]["code"] == "too_many_codes"


def test_code_attempts_count_against_the_login_rate_limit(make_crm):
    crm = make_crm(login_rate_limit=5)  # sign-in, confirming a code, password: 3 of 5
    client = testing.TestClient(create_app(crm))
    user = add_user(crm, "ada@fund.example")
    headers = login(client, "ada@fund.example")
    enrol(client, headers)
    challenge = password_step(client).json["challenge"]
    answers = [code_step(client, challenge, "aaaa-bbbb-cccc").status_code for _ in range(3)]
    assert answers == [401, 401, 429]
    assert user["id"]


def test_turning_off_needs_a_code(client, admin):
    totp, codes = enrol(client, admin["headers"])
    wrong = client.simulate_delete("/api/auth/2fa", headers=admin["headers"],
                                   json={"code": "aaaa-bbbb-cccc"})
    assert wrong.status_code == 422
    missing = client.simulate_delete("/api/auth/2fa", headers=admin["headers"])
    assert missing.status_code == 422 and missing.json["error"]["field"] == "code"
    off = client.simulate_delete("/api/auth/2fa", headers=admin["headers"],
                                 json={"code": codes[3]})
    assert off.status_code == 200
    assert password_step(client).json["token"]


def test_new_recovery_codes_void_the_old_ones(client, admin):
    totp, codes = enrol(client, admin["headers"])
    new = client.simulate_post("/api/auth/2fa/recovery-codes", headers=admin["headers"],
                               json={"code": codes[0]}).json["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(codes)
    assert code_step(client, password_step(client).json["challenge"], codes[1]).status_code == 401
    assert code_step(client, password_step(client).json["challenge"], new[0]).status_code == 200


def test_an_admin_resets_a_members_two_factor(client, admin, member):
    enrol(client, member["headers"])
    denied = client.simulate_delete(f"/api/admin/users/{admin['id']}/2fa",
                                     headers=member["headers"])
    assert denied.status_code == 403
    own = client.simulate_delete(f"/api/admin/users/{admin['id']}/2fa", headers=admin["headers"])
    assert own.status_code == 403 and own.json["error"]["code"] == "own_account"
    done = client.simulate_delete(f"/api/admin/users/{member['id']}/2fa",
                                  headers=admin["headers"])
    assert done.status_code == 200
    assert client.simulate_get("/api/auth/me", headers=member["headers"]).status_code == 401
    assert password_step(client, "max@fund.example").json["token"]
    users = client.simulate_get("/api/admin/users", headers=admin["headers"]).json["users"]
    assert {u["email"]: u["two_factor"] for u in users}["max@fund.example"] is False


@pytest.mark.parametrize("policy,admin_blocked,member_blocked", [
    ("admins", True, False), ("all", True, True), ("none", False, False)])
def test_the_policy_forces_enrolment_before_anything_else(make_crm, policy, admin_blocked,
                                                          member_blocked):
    crm = make_crm(require_2fa=policy)
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example", "admin")
    add_user(crm, "max@fund.example", "member")
    for email, blocked in (("ada@fund.example", admin_blocked),
                           ("max@fund.example", member_blocked)):
        answer = password_step(client, email).json
        assert answer.get("two_factor_enrolment_required", False) is blocked
        headers = {"Authorization": f"Bearer {answer['token']}"}
        me = client.simulate_get("/api/auth/me", headers=headers).json
        assert me["two_factor"]["enrolment_required"] is blocked
        users = client.simulate_get("/api/users", headers=headers)
        assert users.status_code == (403 if blocked else 200)
        if blocked:
            assert users.json["error"]["code"] == "two_factor_enrolment_required"
            enrol(client, headers)
            assert client.simulate_get("/api/users", headers=headers).status_code == 200


def test_production_requires_admins_by_default(make_crm):
    assert make_crm(env="production", secret_key="p" * 48).settings.two_factor_policy == "admins"


def test_cli_resets_a_lost_second_factor(crm, client, admin, cli_runner):
    enrol(client, admin["headers"])
    result = cli_runner("users", "reset-2fa", "--email", "ada@fund.example")
    assert "Two-factor is off for ada@fund.example; 1 session(s) ended" in result.stdout
    assert password_step(client).json["token"]


def test_two_factor_events_reach_the_admins_feed(client, admin, member):
    _totp, codes = enrol(client, member["headers"])
    code_step(client, password_step(client, "max@fund.example").json["challenge"], codes[0])
    client.simulate_delete(f"/api/admin/users/{member['id']}/2fa", headers=admin["headers"])
    summaries = [e["summary"] for e in client.simulate_get(
        "/api/activity", headers=admin["headers"]).json["entries"]]
    assert "Max Member turned on two-factor sign-in" in summaries
    assert "Max Member signed in with a recovery code (9 left)" in summaries
    assert "Ada Admin reset the two-factor sign-in of Max Member" in summaries
