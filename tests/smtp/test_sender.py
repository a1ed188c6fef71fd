import time
from email import message_from_bytes, policy

import pytest

from core.plugin_types import OutgoingEmail
from plugins.smtp.sender import send
from plugins.smtp.settings import SmtpSettings
from tests.smtp.conftest import PASSWORD, USER

MESSAGE = OutgoingEmail(to=["ada@fund.example", "bo@fund.example"], subject="Digest — Tue",
                        text="Plain body\nline two", html="<p>HTML <b>body</b></p>")


def settings(port, security, certs=None, **extra):
    values = dict(host="localhost", port=port, from_address="crm@fund.example", username=USER,
                  password=PASSWORD, security=security, timeout=3)
    if certs:
        values["ca_file"] = certs["ca_file"]
    values.update(extra)
    return SmtpSettings(**values)


def received(inbox):
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    return envelope, message_from_bytes(envelope.original_content, policy=policy.default)


def check_both_parts(msg):
    assert msg["From"] == "crm@fund.example"
    assert msg["To"] == "ada@fund.example, bo@fund.example"
    assert msg["Subject"] == "Digest — Tue"
    assert msg["Message-ID"].endswith("@fund.example>")
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "Plain body\nline two"
    assert msg.get_body(("html",)).get_content().replace("\r\n", "\n").strip() == "<p>HTML <b>body</b></p>"


def test_starttls_with_auth_plain(smtp_server, certs):
    inbox, port = smtp_server("starttls")
    result = send(settings(port, "starttls", certs), MESSAGE)
    assert result.ok and result.transport == "smtp" and result.message_id
    envelope, msg = received(inbox)
    assert envelope.rcpt_tos == ["ada@fund.example", "bo@fund.example"]
    assert inbox.logins == ["PLAIN"]
    check_both_parts(msg)
    assert msg["Message-ID"] == result.message_id


def test_implicit_tls_with_auth_login(smtp_server, certs):
    inbox, port = smtp_server("tls", exclude=["PLAIN"])
    result = send(settings(port, "tls", certs), MESSAGE)
    assert result.ok
    assert inbox.logins == ["LOGIN"]
    check_both_parts(received(inbox)[1])


def test_text_only_message(smtp_server, certs):
    inbox, port = smtp_server("starttls")
    send(settings(port, "starttls", certs), OutgoingEmail(to=["a@fund.example"], subject="s",
                                                          text="just text"))
    msg = received(inbox)[1]
    assert msg.get_content_type() == "text/plain" and msg.get_content().replace("\r\n", "\n").strip() == "just text"


def test_wrong_password_fails_without_leaking_it(smtp_server, certs):
    inbox, port = smtp_server("starttls")
    result = send(settings(port, "starttls", certs, password="wrong-Password-123"), MESSAGE)
    assert not result.ok and "SMTPAuthenticationError" in result.error
    assert "wrong-Password-123" not in result.error
    assert inbox.messages == []


def test_server_down(certs):
    from tests.smtp.conftest import free_port
    result = send(settings(free_port(), "starttls", certs), MESSAGE)
    assert not result.ok and "ConnectionRefusedError" in result.error


def test_server_that_never_answers_times_out(silent_server, certs):
    started = time.monotonic()
    result = send(settings(silent_server, "starttls", certs, timeout=1), MESSAGE)
    assert not result.ok and "timed out" in result.error.lower()
    assert time.monotonic() - started < 5


def test_certificate_that_does_not_verify(smtp_server, certs):
    inbox, port = smtp_server("starttls", cert="rogue")
    result = send(settings(port, "starttls", certs), MESSAGE)
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.error
    inbox_tls, port_tls = smtp_server("tls", cert="rogue")
    result_tls = send(settings(port_tls, "tls", certs), MESSAGE)
    assert not result_tls.ok and "CERTIFICATE_VERIFY_FAILED" in result_tls.error
    assert inbox.messages == inbox_tls.messages == []


def test_system_trust_store_rejects_a_private_ca(smtp_server):
    inbox, port = smtp_server("starttls")
    result = send(settings(port, "starttls"), MESSAGE)  # no ca_file given
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.error


def test_plain_mode_without_tls(smtp_server):
    inbox, port = smtp_server("none")
    result = send(settings(port, "none", username=None, password=None), MESSAGE)
    assert result.ok
    check_both_parts(received(inbox)[1])


def test_not_configured():
    result = send(SmtpSettings(host=None, from_address=None), MESSAGE)
    assert not result.ok and result.error == "not_configured"


def test_server_echoing_the_password_is_redacted(smtp_server, certs, caplog):
    inbox, port = smtp_server("starttls")
    inbox.echo_password = True
    result = send(settings(port, "starttls", certs), MESSAGE)
    assert not result.ok
    assert PASSWORD not in result.error and "[redacted]" in result.error
    assert PASSWORD not in caplog.text and "[redacted]" in caplog.text


def test_header_injection_is_refused_not_sent(smtp_server, certs):
    inbox, port = smtp_server("starttls")
    bad = OutgoingEmail(to=["ada@fund.example\nBcc: x@evil.example"], subject="s", text="t")
    result = send(settings(port, "starttls", certs), bad)
    assert not result.ok and result.error.startswith("bad_message")
    assert inbox.messages == []


@pytest.mark.parametrize("field,value", [("SMTP_FROM", "crm@fund.example\r\nBcc: x@evil.example"),
                                         ("SMTP_HOST", "mail.example\nx")])
def test_a_line_break_in_a_header_bound_setting_is_refused(monkeypatch, tmp_path, field, value):
    from pydantic import ValidationError

    from plugins.smtp.settings import SmtpSettings

    monkeypatch.setenv(field, value)
    with pytest.raises(ValidationError, match="no line breaks"):
        SmtpSettings.load(tmp_path)


def test_inline_images_travel_related_to_the_html_part(smtp_server, certs):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    message = OutgoingEmail(to=["ada@fund.example"], subject="Pipeline", text="Plain",
                            html='<p><img src="cid:chart1@crm" alt="chart"></p>',
                            inline=[("chart1@crm", png)])
    inbox, port = smtp_server("starttls")
    assert send(settings(port, "starttls", certs), message).ok
    _, msg = received(inbox)
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html" and "cid:chart1@crm" in html.get_content()
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<chart1@crm>"
    assert image.get_content() == png
