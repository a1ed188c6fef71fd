"""Forged writes: a foreign page posting with the session cookie, or a body not sent as JSON."""
import pytest

from tests.conftest import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def cookie(crm, client):
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    result = client.simulate_post("/api/auth/login",
                                  json={"email": "ada@fund.example", "password": PASSWORD})
    return result.cookies["crm_session"].value


def invite(client, headers, body=b'{"email": "mallory@evil.example", "role": "admin"}',
           content_type="application/json"):
    return client.simulate_post("/api/admin/invites", body=body,
                                headers={"Content-Type": content_type, **headers})


def test_text_plain_from_a_foreign_origin_is_refused(client, cookie):
    """The form a foreign site can send without a preflight: text/plain, its own Origin."""
    forged = invite(client, {"Cookie": f"crm_session={cookie}", "Origin": "https://evil.example",
                             "Sec-Fetch-Site": "cross-site"}, content_type="text/plain")
    assert forged.status_code in (403, 415), forged.json
    assert forged.json["error"]["code"] in ("cross_origin", "unsupported_media_type")


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://falconframework.org.evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_cookie_writes_from_other_origins_are_refused(client, crm, cookie, headers):
    forged = invite(client, {"Cookie": f"crm_session={cookie}", **headers})
    assert forged.status_code == 403 and forged.json["error"]["code"] == "cross_origin"
    assert crm.db.execute("SELECT count(*) FROM invites WHERE email = 'mallory@evil.example'"
                          ).fetchone()[0] == 0


@pytest.mark.parametrize("headers", [
    {"Origin": "http://falconframework.org"},  # the test client's Host
    {"Sec-Fetch-Site": "same-origin"},
    {},  # no browser headers at all: a script with the cookie, not a forged page
])
def test_cookie_writes_from_the_crms_own_pages_pass(client, cookie, headers):
    result = invite(client, {"Cookie": f"crm_session={cookie}", **headers})
    assert result.status_code == 201, result.json


def test_the_public_url_origin_passes_behind_a_proxy(make_crm):
    from falcon import testing

    from core.app import create_app

    crm = make_crm(public_url="https://crm.fund.example")
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    token = client.simulate_post("/api/auth/login", json={
        "email": "ada@fund.example", "password": PASSWORD}).cookies["crm_session"].value
    # the proxy forwards another Host (the container's address); the origin is the public one
    headers = {"Cookie": f"crm_session={token}", "Host": "10.0.3.5:8080"}
    ok = invite(client, {**headers, "Origin": "https://crm.fund.example"})
    assert ok.status_code == 201, ok.json
    other = invite(client, {**headers, "Origin": "https://crm.fund.example.evil.example"},
                   body=b'{"email": "other@evil.example"}')
    assert other.status_code == 403


def test_bearer_clients_are_not_checked(client, crm):
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    token = client.simulate_post("/api/auth/login", json={
        "email": "ada@fund.example", "password": PASSWORD}).json["token"]
    result = invite(client, {"Authorization": f"Bearer {token}", "Origin": "https://tool.example"})
    assert result.status_code == 201


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", ""])
def test_json_routes_need_json_when_there_is_a_body(client, admin, content_type):
    result = client.simulate_post("/api/fundraising/investors", headers={
        **admin["headers"], "Content-Type": content_type}, body=b'{"name": "Acme"}')
    assert result.status_code == 415, result.json
    assert result.json["error"] == {"code": "unsupported_media_type", "field": "Content-Type",
                                    "message": result.json["error"]["message"]}
    listed = client.simulate_get("/api/fundraising/investors", headers=admin["headers"]).json
    assert listed["records"] == []


def test_json_with_a_charset_and_posts_without_a_body_stay_valid(client, admin):
    created = client.simulate_post("/api/fundraising/investors", headers={
        **admin["headers"], "Content-Type": "application/json; charset=utf-8"},
        body=b'{"name": "Acme"}')
    assert created.status_code == 201
    assert client.simulate_post("/api/auth/logout", headers=admin["headers"]).status_code == 200
