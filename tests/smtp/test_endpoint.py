import os
import stat

import pytest
from click.testing import CliRunner

from core.cli import build_cli
from tests.conftest import add_user, login
from tests.smtp.conftest import PASSWORD, USER

URL = "/api/admin/digest/test-email"


@pytest.fixture
def configured(crm, smtp_server, certs, monkeypatch):
    """The CRM's SMTP account pointed at a real STARTTLS server, set through env."""
    for key in list(os.environ):
        if key.startswith("SMTP_"):
            monkeypatch.delenv(key)
    inbox, port = smtp_server("starttls")
    monkeypatch.setenv("SMTP_HOST", "localhost")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "crm@fund.example")
    monkeypatch.setenv("SMTP_USERNAME", USER)
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMTP_CA_FILE", str(certs["ca_file"]))
    monkeypatch.setenv("SMTP_TIMEOUT", "3")
    return inbox


def test_admin_sends_to_self_by_default(client, admin, configured):
    result = client.simulate_post(URL, headers=admin["headers"])
    assert result.status_code == 200, result.json
    assert result.json["to"] == ["ada@fund.example"] and result.json["sent"] is True
    assert [m.rcpt_tos for m in configured.messages] == [["ada@fund.example"]]
    assert b"Venture CRM test email" in configured.messages[0].original_content


def test_to_other_active_admins(client, crm, admin, configured):
    add_user(crm, "bea@fund.example", "admin", "Bea")
    result = client.simulate_post(URL, headers=admin["headers"],
                                  json={"to": ["BEA@fund.example", "ada@fund.example"]})
    assert result.status_code == 200
    assert configured.messages[0].rcpt_tos == ["bea@fund.example", "ada@fund.example"]


def test_member_is_forbidden(client, admin, member, configured):
    assert client.simulate_post(URL, headers=member["headers"]).status_code == 403
    assert configured.messages == []


@pytest.mark.parametrize("to", ["max@fund.example", "stranger@elsewhere.example",
                                "former@fund.example", ["ada@fund.example", "x@evil.example"]])
def test_only_active_admins_receive(client, crm, admin, member, configured, to):
    former = add_user(crm, "former@fund.example", "admin", "Former")
    with crm.write() as db:
        db.execute("UPDATE users SET active = 0 WHERE id = ?", [former["id"]])
    result = client.simulate_post(URL, headers=admin["headers"], json={"to": to})
    assert result.status_code == 422
    assert result.json["error"]["field"] == "to"
    assert configured.messages == []


def test_failed_send_is_502_without_server_text_or_password(client, admin, configured,
                                                           caplog):
    configured.echo_password = True
    result = client.simulate_post(URL, headers=admin["headers"])
    assert result.status_code == 502
    assert result.json["error"]["code"] == "send_failed"
    assert "554" not in result.text and "refused" not in result.text
    assert PASSWORD not in result.text
    assert "SMTPDataError" in caplog.text and "[redacted]" in caplog.text
    assert PASSWORD not in caplog.text


def test_wrong_password_is_502_and_logged_redacted(client, admin, configured, monkeypatch,
                                                   caplog):
    monkeypatch.setenv("SMTP_PASSWORD", "not-the-Password-42")
    result = client.simulate_post(URL, headers=admin["headers"])
    assert result.status_code == 502 and "not-the-Password-42" not in result.text
    assert "SMTPAuthenticationError" in caplog.text
    assert "not-the-Password-42" not in caplog.text


def test_unconfigured_smtp_is_503(client, admin, monkeypatch):
    for key in list(os.environ):
        if key.startswith("SMTP_"):
            monkeypatch.delenv(key)
    result = client.simulate_post(URL, headers=admin["headers"])
    assert result.status_code == 503 and result.json["error"]["code"] == "not_configured"


def test_disabled_smtp_plugin_has_no_route(make_crm):
    from falcon import testing

    from core.app import create_app
    crm = make_crm(plugins=["fundraising"])
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example")
    h = login(client, "ada@fund.example")
    assert client.simulate_post(URL, headers=h).status_code == 404


def test_cli_configure_writes_owner_only_files_and_status_masks(make_settings, monkeypatch,
                                                                 smtp_server, certs):
    for key in list(os.environ):
        if key.startswith("SMTP_"):
            monkeypatch.delenv(key)
    settings = make_settings()
    inbox, port = smtp_server("starttls")
    cli = build_cli(settings)
    runner = CliRunner()
    result = runner.invoke(cli, ["smtp", "configure", "--host", "localhost", "--port", str(port),
                                 "--from", "crm@fund.example", "--username", USER],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    folder = settings.secrets_dir / "smtp"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = {p.name: p for p in folder.iterdir()}
    assert set(files) == {"host", "port", "from", "username", "password", "security"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files.values())
    assert files["password"].read_text() == PASSWORD
    status = runner.invoke(cli, ["smtp", "status"])
    assert PASSWORD not in status.output and "(set)" in status.output
    assert f"port        {port}" in status.output
    monkeypatch.setenv("SMTP_HOST", "override.example")
    assert "override.example" in runner.invoke(cli, ["smtp", "status"]).output
    monkeypatch.delenv("SMTP_HOST")
    # the same files drive a real send through `crm digest test-email`
    monkeypatch.setenv("SMTP_CA_FILE", str(certs["ca_file"]))
    runner.invoke(cli, ["users", "create-admin", "--email", "ada@fund.example", "--name", "Ada"],
                  input="correct horse battery\n")
    sent = runner.invoke(cli, ["digest", "test-email", "--to", "ada@fund.example"])
    assert sent.exit_code == 0, sent.output
    assert [m.rcpt_tos for m in inbox.messages] == [["ada@fund.example"]]
    refused = runner.invoke(cli, ["digest", "test-email", "--to", "someone@else.example"])
    assert refused.exit_code == 1 and "only to active admins" in refused.output


def test_configure_has_no_password_option(make_settings):
    result = CliRunner().invoke(build_cli(make_settings()),
                                ["smtp", "configure", "--host", "h", "--from", "a@b.c",
                                 "--password", "x"])
    assert result.exit_code == 2 and "No such option" in result.output


def test_nothing_else_calls_smtplib():
    import pathlib
    hits = [str(p) for folder in ("core", "plugins", "bench")
            for p in sorted(pathlib.Path(folder).glob("**/*.py"))
            if "smtplib" in p.read_text(errors="ignore")]
    assert hits == ["plugins/smtp/sender.py"]
