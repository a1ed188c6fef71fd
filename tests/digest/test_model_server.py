"""Without a model server the digest asks none and counts none; with one it counts each call.
The page learns from GET /api/admin/digest/settings whether summaries can be asked for."""
from datetime import date

from plugins.digest.send import send_digest_for_day
from tests.conftest import login
from tests.digest.conftest import point_smtp

DAY = "2026-11-25"


def preview(client, headers, **params):
    result = client.simulate_get("/api/admin/digest/preview", headers=headers,
                                 params={"date": DAY, **params})
    assert result.status_code == 200, result.text
    return result.json


def model_server_of(client, headers):
    result = client.simulate_get("/api/admin/digest/settings", headers=headers)
    assert result.status_code == 200, result.text
    return result.json["model_server"]


def test_no_model_server_no_calls_and_says_why(client, crm, day_of_email, digest_env):
    h = login(client, "ada@fund.example")
    digest = preview(client, h)  # summaries asked for, as the page did by default
    assert digest["people_count"] == 2
    assert digest["model_calls"] == 0 and digest["summarized"] is False
    server = model_server_of(client, h)
    assert server["available"] is False and "SPARK_BASE_URL" in server["detail"]
    assert digest["model_server"] == server
    assert "no model server is configured" in digest["text"]
    assert "did not answer" not in digest["text"] and "written by" not in digest["text"]
    # the summaries are the extracts, not left out
    assert "We can offer a 2% fee on the first close." in digest["text"]


def test_sent_digest_ledger_counts_no_call_that_did_not_happen(crm, day_of_email, digest_env,
                                                               smtp_server, monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    run = send_digest_for_day(crm, date.fromisoformat(DAY))
    assert run["status"] == "sent" and run["model_calls"] == 0
    assert len(inbox.messages) == 2


def test_spark_plugin_disabled(make_crm, digest_env, tmp_path):
    from falcon import testing

    from core.app import create_app
    from tests.conftest import add_user
    crm = make_crm(plugins=["fundraising", "automation", "gmail", "digest", "smtp"],
                   data_dir=tmp_path / "other")
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    client = testing.TestClient(create_app(crm))
    h = login(client, "ada@fund.example")
    server = model_server_of(client, h)
    assert server["available"] is False and "enable spark" in server["detail"]


def test_a_refused_host_is_not_counted(client, crm, day_of_email, digest_env, monkeypatch):
    monkeypatch.setenv("SPARK_BASE_URL", "http://8.8.8.8/v1")
    h = login(client, "ada@fund.example")
    server = model_server_of(client, h)
    assert server["available"] is False and "SPARK_ALLOW_HOSTS" in server["detail"]
    assert preview(client, h)["model_calls"] == 0


def test_with_a_model_server_each_call_counts(client, crm, day_of_email, digest_env,
                                              model_server, monkeypatch):
    monkeypatch.setenv("SPARK_BASE_URL", model_server.base_url)
    h = login(client, "ada@fund.example")
    server = model_server_of(client, h)
    assert server["available"] is True and str(model_server.port) in server["detail"]
    digest = preview(client, h)
    assert digest["model_calls"] == len(model_server.prompts) == 3
    assert "written by the fund's own model server" in digest["text"]
    off = preview(client, h, summarize="false")
    assert off["model_calls"] == 0 and len(model_server.prompts) == 3
    assert "turned off" in off["text"]


def test_settings_are_for_admins(client, crm, day_of_email, digest_env):
    member = login(client, "max@fund.example")
    assert client.simulate_get("/api/admin/digest/settings", headers=member).status_code == 403
    h = login(client, "ada@fund.example")
    settings = client.simulate_get("/api/admin/digest/settings", headers=h).json
    assert settings["send_at"] == "07:30" and settings["tz"] == "UTC"
