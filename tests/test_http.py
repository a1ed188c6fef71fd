import sqlite3

import pytest
from falcon import testing

from core import audit
from core.app import create_app
from core.ratelimit import RateLimiter
from tests.conftest import add_user

PASSWORD = "correct horse battery"


def test_health_is_public(client):
    result = client.simulate_get("/api/health")
    assert result.status_code == 200 and result.json["status"] == "ok"


def test_ready_when_migrated_and_writable(client):
    result = client.simulate_get("/api/ready")
    assert result.status_code == 200
    assert result.json["ready"] is True
    assert {c["name"] for c in result.json["checks"]} == {"database_writable", "migrations_applied"}


def test_not_ready_with_pending_migration(crm, client):
    with crm.write() as db:
        db.execute("DELETE FROM crm_migrations WHERE version = 2")
    result = client.simulate_get("/api/ready")
    assert result.status_code == 503
    failing = [c for c in result.json["checks"] if not c["ok"]]
    assert [c["name"] for c in failing] == ["migrations_applied"]


def test_not_ready_when_database_is_locked(crm, client):
    other = sqlite3.connect(str(crm.settings.database_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    crm.db.execute("PRAGMA busy_timeout = 50")
    try:
        result = client.simulate_get("/api/ready")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.status_code == 503
    assert result.json["checks"][0] == {"name": "database_writable", "ok": False,
                                        "detail": "database not writable: OperationalError"}


@pytest.mark.parametrize("body,status,field", [
    (b"{not json", 400, None),
    (b"[1, 2]", 422, "body"),
    (b'{"email": 5, "password": "x"}', 422, "email"),
    (b'{"email": "a@b.c"}', 422, "password"),
    (b'{"email": "a@b.c", "password": "x", "remember": true}', 422, "remember"),
    (b"\xff\xfe", 400, None),
])
def test_bad_bodies_get_4xx_naming_the_field(client, body, status, field):
    result = client.simulate_post("/api/auth/login", body=body,
                                  headers={"Content-Type": "application/json"})
    assert result.status_code == status
    error = result.json["error"]
    assert error["code"] and error["message"]
    if field:
        assert error["field"] == field and field in error["message"]


def test_unknown_route_and_method_are_json(client, admin):
    missing = client.simulate_get("/api/nope", headers=admin["headers"])
    assert missing.status_code == 404 and missing.json["error"]["code"]
    wrong = client.simulate_delete("/api/health")
    assert wrong.status_code == 405 and wrong.json["error"]["code"]


def test_unexpected_error_is_a_json_500_without_details(make_crm, caplog):
    from core import hookimpl

    class Boom:
        @hookimpl
        def register_routes(self, crm):
            from core.openapi import operation

            class Res:
                @operation("boom", public=True)
                def on_get(self, req, resp):
                    raise RuntimeError("secret detail")
            return [("/api/boom", Res())]

    client = testing.TestClient(create_app(make_crm(extra_plugins={"boom": Boom()})))
    result = client.simulate_get("/api/boom")
    assert result.status_code == 500
    assert result.json == {"error": {"code": "internal_error",
                                     "message": "An unexpected error occurred"}}
    assert "secret detail" in caplog.text


def test_eleventh_login_in_a_minute_gets_429(client, crm):
    add_user(crm, "ada@fund.example")
    codes = [client.simulate_post("/api/auth/login",
                                  json={"email": "ada@fund.example", "password": "wrong one!"}
                                  ).status_code for _ in range(10)]
    assert codes == [401] * 10
    eleventh = client.simulate_post("/api/auth/login",
                                    json={"email": "ada@fund.example", "password": PASSWORD})
    assert eleventh.status_code == 429
    assert eleventh.json["error"]["code"] == "rate_limited"
    assert 1 <= int(eleventh.headers["Retry-After"]) <= 60
    other_ip = client.simulate_post("/api/auth/login", remote_addr="10.0.0.9",
                                    json={"email": "ada@fund.example", "password": PASSWORD})
    assert other_ip.status_code == 200


def test_write_rate_limit(make_crm):
    crm = make_crm(write_rate_limit=3)
    client = testing.TestClient(create_app(crm))
    codes = [client.simulate_post("/api/auth/register", json={}).status_code for _ in range(4)]
    assert codes == [403, 403, 403, 429]
    assert client.simulate_get("/api/health").status_code == 200


def test_rate_limiter_window_slides():
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.hit("ip") == 0 and limiter.hit("ip") == 0
    assert limiter.hit("ip") == pytest.approx(60)
    now[0] = 30
    assert limiter.hit("ip") == pytest.approx(30)
    now[0] = 60.5
    assert limiter.hit("ip") == 0


def test_cors_only_for_the_configured_origin(make_crm):
    crm = make_crm(cors_origin="https://app.fund.example")
    client = testing.TestClient(create_app(crm))
    good = client.simulate_get("/api/health", headers={"Origin": "https://app.fund.example"})
    assert good.headers["Access-Control-Allow-Origin"] == "https://app.fund.example"
    evil = client.simulate_get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    preflight = client.simulate_options("/api/auth/login", headers={
        "Origin": "https://app.fund.example", "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.fund.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_no_cors_headers_without_configuration(client):
    result = client.simulate_get("/api/health", headers={"Origin": "https://app.fund.example"})
    assert "Access-Control-Allow-Origin" not in result.headers


def test_openapi_document_comes_from_the_models(client):
    spec = client.simulate_get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    login_op = spec["paths"]["/api/auth/login"]["post"]
    body_ref = login_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref == "#/components/schemas/LoginBody"
    assert spec["components"]["schemas"]["LoginBody"]["required"] == ["email", "password"]
    assert "422" in login_op["responses"] and "429" in login_op["responses"]
    assert spec["paths"]["/api/admin/users/{user_id}"]["patch"]["parameters"][0]["name"] == "user_id"
    for path in ("/api/health", "/api/ready", "/api/activity", "/api/auth/me",
                 "/api/auth/logout", "/api/auth/register", "/api/auth/accept-invite",
                 "/api/admin/invites", "/api/admin/users", "/api/admin/security"):
        assert path in spec["paths"]


def test_audit_record_needs_the_writes_transaction(crm):
    with pytest.raises(RuntimeError, match="inside the write"):
        audit.record_change(crm.db, actor_id=None, plugin="core", table="t", row_id=1,
                            action="create", after={"a": 1})


def test_audit_rolls_back_with_the_write(crm):
    with pytest.raises(ZeroDivisionError):
        with crm.write() as db:
            audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=1,
                                action="update", before={"a": 1}, after={"a": 2})
            1 / 0
    assert crm.db.execute("SELECT count(*) FROM audit_log WHERE plugin='x'").fetchone()[0] == 0
    with crm.write() as db:
        assert audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=1,
                                   action="update", before={"a": 1}, after={"a": 1}) is None
        audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=1,
                            action="update", before={"a": 1, "b": 2}, after={"a": 3, "b": 2})
    assert audit.history(crm.db, "x", "t", 1)[0]["changes"] == {"a": [1, 3]}
