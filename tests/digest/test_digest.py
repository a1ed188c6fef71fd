"""The daily digest end to end: email activity → local model → one message per active admin."""
import socket
from datetime import date, datetime, timezone
from email import message_from_bytes, policy

import time_machine
from click.testing import CliRunner

from core.cli import build_cli
from core.context import build_crm
from plugins.digest.build import day_bounds
from plugins.digest.send import send_digest_for_day, tick
from plugins.spark.client import SparkRefused, SparkSettings, check_endpoint
from tests.digest.conftest import ModelServer, point_smtp
from tests.smtp.conftest import free_port

DAY = date(2026, 11, 25)
MORNING = datetime(2026, 11, 26, 7, 45, tzinfo=timezone.utc)


def received(inbox):
    return [message_from_bytes(e.original_content, policy=policy.default) for e in inbox.messages]


def body(msg, kind="plain"):
    return msg.get_body((kind,)).get_content().replace("\r\n", "\n")


def test_end_to_end_to_each_active_admin(crm, day_of_email, digest_env, model_server,
                                         smtp_server, monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    monkeypatch.setenv("SPARK_BASE_URL", model_server.base_url)
    monkeypatch.setenv("SPARK_API_KEY", "local-key")
    contacted = []
    real = socket.create_connection

    def watch(address, *args, **kwargs):
        contacted.append(address[1])
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", watch)
    with time_machine.travel(MORNING, tick=False):
        run = tick(crm)
    assert run["status"] == "sent" and run["model_calls"] == 3 and run["fallback"] == 0
    assert set(contacted) == {model_server.port, port}  # the content went nowhere else
    prompts = [p["body"]["messages"][1]["content"] for p in model_server.prompts]
    assert len(prompts) == 3  # one per (user, investor)
    assert all(p["auth"] == "Bearer local-key" and p["path"] == "/v1/chat/completions"
               and p["body"]["model"] == "llama-3.1-8b" for p in model_server.prompts)
    ada_acme = next(p for p in prompts if "Ada Admin" in p and "Acme Capital" in p)
    assert "2% fee" in ada_acme and "$2M soft circle" in ada_acme
    assert not any("Ghost" in p or "Not today" in p or "Gone." in p for p in prompts)
    messages = received(inbox)
    assert sorted(m["To"] for m in messages) == ["ada@fund.example", "bea@fund.example"]
    assert all(len(e.rcpt_tos) == 1 for e in inbox.messages)  # no admin sees another
    msg = messages[0]
    assert msg["Subject"] == "CRM digest — Wed 25 Nov 2026 — 2 people, 2 investors"
    text = body(msg)
    assert text.index("Ada Admin") < text.index("Max Member")
    assert "Model summary for Acme Capital." in text and "Model summary for Birch Partners." in text
    assert "09:15 → Jo Smith: Fund II terms" in text and "16:40 ← Jo Smith" in text
    assert "Ghost" not in text and "Yesterday" not in text
    html = body(msg, "html")
    assert "<b>Acme Capital</b>" in html and "nothing left the fund" in html
    with time_machine.travel(MORNING.replace(hour=9), tick=False):
        assert tick(crm) is None  # sent once; later ticks do nothing
    assert len(inbox.messages) == 2


def test_html_is_escaped(crm, day_of_email, digest_env, smtp_server, monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    with crm.write() as db:
        db.execute("UPDATE email_activity SET subject = '<script>alert(1)</script>'")
    send_digest_for_day(crm, DAY)
    html = body(received(inbox)[0], "html")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_spark_down_degrades_to_extracts(crm, day_of_email, digest_env, smtp_server,
                                         monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    monkeypatch.setenv("SPARK_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    run = send_digest_for_day(crm, DAY)
    assert run["status"] == "sent" and run["fallback"] == 1
    text = body(received(inbox)[0])
    assert "We can offer a 2% fee on the first close. Jo confirmed a $2M soft circle." in text
    assert "did not answer" in text


def test_spark_slow_times_out_and_degrades(crm, day_of_email, digest_env, smtp_server,
                                           monkeypatch):
    slow = ModelServer(delay=3)
    try:
        inbox, port = smtp_server("none")
        point_smtp(monkeypatch, port)
        monkeypatch.setenv("SPARK_BASE_URL", slow.base_url)
        monkeypatch.setenv("SPARK_TIMEOUT", "0.5")
        run = send_digest_for_day(crm, DAY)
    finally:
        slow.stop()
    assert run["status"] == "sent" and run["fallback"] == 1
    assert "Thanks for the call today." in body(received(inbox)[0])


def test_spark_refuses_a_public_endpoint():
    for url in ("http://8.8.8.8/v1", "https://api.openai.com/v1"):
        try:
            check_endpoint(SparkSettings(base_url=url))
        except SparkRefused:
            continue
        raise AssertionError(f"{url} was not refused")
    allowed = SparkSettings(base_url="http://8.8.8.8/v1", allow_hosts="8.8.8.8")
    assert check_endpoint(allowed) == "http://8.8.8.8/v1/chat/completions"
    assert check_endpoint(SparkSettings(base_url="http://192.168.1.20:8000/v1"))


def test_smtp_down_then_back_sends_once(crm, day_of_email, digest_env, smtp_server, monkeypatch):
    point_smtp(monkeypatch, free_port())  # nothing listens there
    monkeypatch.setenv("DIGEST_RETRY_MINUTES", "10")
    with time_machine.travel(MORNING, tick=False):
        failed = tick(crm)
    assert failed["status"] == "failed" and failed["attempts"] == 1
    with time_machine.travel(MORNING.replace(minute=50), tick=False):
        assert tick(crm) is None  # not before the retry time
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    with time_machine.travel(MORNING.replace(hour=8, minute=0), tick=False):
        sent = tick(crm)
    assert sent["status"] == "sent" and sent["attempts"] == 2
    with time_machine.travel(MORNING.replace(hour=9), tick=False):
        assert tick(crm) is None
    assert sorted(len(e.rcpt_tos) for e in inbox.messages) == [1, 1]


def test_partial_failure_resends_only_to_who_missed_it(crm, day_of_email, digest_env,
                                                       smtp_server, monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    bea = day_of_email["bea"]
    with crm.write() as db:  # bea's address is refused by nothing; make ada's fail instead
        db.execute("UPDATE users SET email = 'ada@fund.example\nBcc: x@evil.example' "
                   "WHERE id = ?", [day_of_email["ada"]["id"]])
    first = send_digest_for_day(crm, DAY)
    assert first["status"] == "failed"
    assert [m["To"] for m in received(inbox)] == [bea["email"]]
    with crm.write() as db:
        db.execute("UPDATE users SET email = 'ada@fund.example' WHERE id = ?",
                   [day_of_email["ada"]["id"]])
    second = send_digest_for_day(crm, DAY)
    assert second["status"] == "sent"
    assert sorted(m["To"] for m in received(inbox)) == ["ada@fund.example", bea["email"]]


def test_restart_after_sending_does_not_resend(crm, day_of_email, digest_env, smtp_server,
                                               monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    with time_machine.travel(MORNING, tick=False):
        tick(crm)
    restarted = build_crm(crm.settings)  # a new process on the same data
    with time_machine.travel(MORNING.replace(hour=12), tick=False):
        assert tick(restarted) is None
    restarted.database.close()
    assert len(inbox.messages) == 2


def test_empty_day_is_skipped_unless_asked(crm, day_of_email, digest_env, smtp_server,
                                           monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    skipped = send_digest_for_day(crm, date(2026, 11, 20))
    assert skipped["status"] == "skipped" and inbox.messages == []
    monkeypatch.setenv("DIGEST_SEND_EMPTY", "true")
    assert send_digest_for_day(crm, date(2026, 11, 21))["status"] == "sent"
    assert "No email with investors" in body(received(inbox)[0])


def test_before_send_time_nothing_happens(crm, day_of_email, digest_env):
    with time_machine.travel(datetime(2026, 11, 26, 7, 29, tzinfo=timezone.utc), tick=False):
        assert tick(crm) is None


def test_daylight_saving_days(crm, day_of_email, digest_env, smtp_server, monkeypatch):
    from zoneinfo import ZoneInfo
    berlin = ZoneInfo("Europe/Berlin")
    assert day_bounds(date(2026, 3, 29), berlin) == ("2026-03-28T23:00:00.000000Z",
                                                    "2026-03-29T22:00:00.000000Z")  # 23 hours
    assert day_bounds(date(2026, 10, 25), berlin) == ("2026-10-24T22:00:00.000000Z",
                                                     "2026-10-25T23:00:00.000000Z")  # 25 hours
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    monkeypatch.setenv("DIGEST_TZ", "Europe/Berlin")
    from tests.digest.conftest import email
    acme = next(crm.db.query("SELECT id FROM fundraising_investors WHERE name = 'Acme Capital'"))
    jo = next(crm.db.query("SELECT id FROM fundraising_contacts WHERE name = 'Jo Smith'"))
    with crm.write() as db:  # 23:30 local on the 25-hour day is still 25 Oct in Berlin
        email(db, day_of_email["ada"]["id"], acme, jo, "2026-10-25T22:30:00Z", "Late", "Late.")
        email(db, day_of_email["ada"]["id"], acme, jo, "2026-10-25T23:30:00Z", "Next", "Next.")
    # 07:30 Berlin on 26 Oct (after the change) is 06:30 UTC
    with time_machine.travel(datetime(2026, 10, 26, 6, 29, tzinfo=timezone.utc), tick=False):
        assert tick(crm) is None
    with time_machine.travel(datetime(2026, 10, 26, 6, 31, tzinfo=timezone.utc), tick=False):
        run = tick(crm)
    assert run["day"] == "2026-10-25" and run["status"] == "sent"
    text = body(received(inbox)[0])
    assert "23:30 → Jo Smith: Late" in text and "Next" not in text


def test_preview_api_and_cli(client, crm, day_of_email, digest_env, make_settings):
    from tests.conftest import login
    h = login(client, "ada@fund.example")
    result = client.simulate_get("/api/admin/digest/preview", headers=h,
                                 params={"date": "2026-11-25", "summarize": "false"})
    assert result.status_code == 200
    assert result.json["people_count"] == 2 and result.json["model_calls"] == 0
    text = client.simulate_get("/api/admin/digest/preview", headers=h,
                               params={"date": "2026-11-25", "format": "text"})
    assert text.headers["content-type"].startswith("text/plain") and "Acme Capital" in text.text
    bad = client.simulate_get("/api/admin/digest/preview", headers=h, params={"date": "soon"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "date"
    member = login(client, "max@fund.example")
    assert client.simulate_get("/api/admin/digest/preview", headers=member,
                               params={"date": "2026-11-25"}).status_code == 403
    cli = build_cli(crm.settings)
    out = CliRunner().invoke(cli, ["digest", "preview", "--date", "2026-11-25"])
    assert out.exit_code == 0 and out.output.startswith("CRM digest — Wed 25 Nov 2026")
    runs = client.simulate_get("/api/admin/digest/runs", headers=h).json
    assert runs == {"runs": []}


def test_cli_send_once_and_force(crm, day_of_email, digest_env, smtp_server, monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    cli = build_cli(crm.settings)
    runner = CliRunner()
    first = runner.invoke(cli, ["digest", "send", "--date", "2026-11-25"])
    assert first.exit_code == 0 and "sent" in first.output
    runner.invoke(cli, ["digest", "send", "--date", "2026-11-25"])
    assert len(inbox.messages) == 2
    runner.invoke(cli, ["digest", "send", "--date", "2026-11-25", "--force"])
    assert len(inbox.messages) == 4


def test_digest_enabled_false_sends_nothing_until_it_is_on(crm, day_of_email, digest_env,
                                                           smtp_server, monkeypatch):
    inbox, port = smtp_server("none")
    point_smtp(monkeypatch, port)
    monkeypatch.setenv("DIGEST_ENABLED", "false")
    with time_machine.travel(MORNING, tick=False):
        assert tick(crm) is None
    assert inbox.messages == []
    monkeypatch.setenv("DIGEST_ENABLED", "true")
    with time_machine.travel(MORNING, tick=False):
        assert tick(crm)["status"] == "sent"
    assert len(inbox.messages) == 2
