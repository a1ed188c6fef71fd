"""The gmail plugin against the fake Gmail, through the real Google client libraries."""
import shutil
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from core.cli import build_cli
from plugins.fundraising.records import RecordStore
from plugins.gmail import client as gmail_client
from plugins.gmail.sync import sync_all
from tests.conftest import add_user

NOW = datetime.now(timezone.utc).replace(microsecond=0)
ADA, MAX = "ada@fund.example", "max@fund.example"


@pytest.fixture
def gmail_crm(crm, fake_gmail, service_account_key, monkeypatch):
    """A CRM whose Gmail plugin talks to the fake, with Acme and its contact Jo."""
    folder = crm.settings.secrets_dir / "gmail"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(service_account_key.path, folder / "service_account.json")
    for key in ("GMAIL_SHARE_LEVEL", "GMAIL_BLOCKED_DOMAINS", "CRM_FUND_DOMAINS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GMAIL_API_ENDPOINT", fake_gmail.endpoint)
    for address in (ADA, MAX):
        fake_gmail.add_mailbox(address)
    with crm.write() as db:
        acme = RecordStore(db, "investors").create("Acme Capital", {"Last Contact": "2026-01-01"},
                                                   None)
        jo = RecordStore(db, "contacts").create("Jo", {"Investor": acme["id"],
                                                       "Email": "Jo@Acme.example"}, None)
    crm.acme, crm.jo = acme, jo
    return crm


@pytest.fixture
def synced(gmail_crm, client, admin, member):
    for user in (admin, member):
        result = client.simulate_put(f"/api/admin/gmail/accounts/{user['id']}",
                                     headers=admin["headers"], json={"enabled": True})
        assert result.status_code == 200, result.json
    return gmail_crm


def mail(fake, mailbox, days_ago=1, **kwargs):
    defaults = dict(from_="jo@acme.example", to=[ADA], subject="Fund II", text="Hello")
    defaults.update(kwargs)
    return fake.add_message(mailbox, date=NOW - timedelta(days=days_ago), **defaults)


def proposals(client, headers, status="pending"):
    result = client.simulate_get("/api/gmail/proposals", headers=headers, params={"status": status})
    assert result.status_code == 200, result.json
    return result.json["proposals"]


def test_full_sync_makes_proposals_of_investor_mail_only(synced, fake_gmail, client, admin):
    mail(fake_gmail, ADA, subject="Fund II terms",
         text="Thanks, we are in for 2M.\n\n-- \nJo Smith\nPartner\n\nOn Tue, Ada wrote:\n> hi")
    mail(fake_gmail, ADA, from_=ADA, to=["jo+deals@acme.example"], subject="Deck", days_ago=2,
         text=None, html="<p>Here is the <b>deck</b>.</p><style>p{}</style>", labels=("SENT",))
    mail(fake_gmail, ADA, from_="news@letters.example", subject="Newsletter")
    mail(fake_gmail, ADA, from_=MAX, subject="Lunch?")  # internal only
    mail(fake_gmail, ADA, days_ago=45, subject="Too old for the first window")
    results = sync_all(synced)
    assert [r["error"] for r in results] == [None, None]
    got = {p["subject"]: p for p in proposals(client, admin["headers"])}
    assert set(got) == {"Fund II terms", "Deck"}
    terms = got["Fund II terms"]
    assert terms["direction"] == "in" and terms["excerpt"] == "Thanks, we are in for 2M."
    assert terms["investor_id"] == synced.acme["id"] and terms["contact_id"] == synced.jo["id"]
    deck = got["Deck"]
    assert deck["direction"] == "out" and deck["excerpt"] == "Here is the deck."
    assert deck["matched"] == ["jo@acme.example"]  # +tag folded, case ignored
    assert fake_gmail.forbidden_calls == []


def test_incremental_sync_and_no_duplicates(synced, fake_gmail, client, admin):
    mail(fake_gmail, ADA, subject="First")
    sync_all(synced)
    mail(fake_gmail, ADA, subject="Second", days_ago=0)
    before = len(fake_gmail.requests)
    sync_all(synced)
    history_calls = [r for r in fake_gmail.requests[before:] if r.path.endswith("/history")]
    assert history_calls, "the second sync reads history, not a window"
    sync_all(synced)
    subjects = sorted(p["subject"] for p in proposals(client, admin["headers"]))
    assert subjects == ["First", "Second"]


def test_expired_history_falls_back_to_a_window(synced, fake_gmail, client, admin):
    mail(fake_gmail, ADA, subject="First")
    sync_all(synced)
    mail(fake_gmail, ADA, subject="After expiry", days_ago=0)
    fake_gmail.expire_history(ADA, before_history_id=10**9)
    results = sync_all(synced)
    assert all(r["error"] is None for r in results)
    assert sorted(p["subject"] for p in proposals(client, admin["headers"])) == [
        "After expiry", "First"]


def test_blocked_domain_is_skipped(synced, fake_gmail, client, admin, monkeypatch):
    monkeypatch.setenv("GMAIL_BLOCKED_DOMAINS", "acme.example")
    mail(fake_gmail, ADA, subject="Blocked")
    sync_all(synced)
    assert proposals(client, admin["headers"]) == []


@pytest.mark.parametrize("level,subject,excerpt", [
    ("full", "Fund II", "Hello there"), ("subject", "Fund II", None), ("metadata", None, None)])
def test_share_levels(synced, fake_gmail, client, admin, monkeypatch, level, subject, excerpt):
    monkeypatch.setenv("GMAIL_SHARE_LEVEL", level)
    mail(fake_gmail, ADA, text="Hello there")
    sync_all(synced)
    (proposal,) = proposals(client, admin["headers"])
    assert (proposal["subject"], proposal["excerpt"]) == (subject, excerpt)


def test_members_decide_their_own_and_approval_moves_last_contact(synced, fake_gmail, client,
                                                                    admin, member):
    mail(fake_gmail, ADA, subject="For Ada", days_ago=3)
    mail(fake_gmail, MAX, to=[MAX], subject="For Max", days_ago=2)
    mail(fake_gmail, MAX, to=[MAX], subject="Spam-ish", days_ago=1)
    sync_all(synced)
    mine = proposals(client, member["headers"])
    assert sorted(p["subject"] for p in mine) == ["For Max", "Spam-ish"]
    ada_one = next(p for p in proposals(client, admin["headers"]) if p["subject"] == "For Ada")
    assert client.simulate_post(f"/api/gmail/proposals/{ada_one['id']}/approve",
                                headers=member["headers"]).status_code == 404
    by_subject = {p["subject"]: p for p in mine}
    approved = client.simulate_post(f"/api/gmail/proposals/{by_subject['For Max']['id']}/approve",
                                    headers=member["headers"])
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    again = client.simulate_post(f"/api/gmail/proposals/{by_subject['For Max']['id']}/reject",
                                 headers=member["headers"])
    assert again.status_code == 409
    rejected = client.simulate_post(
        f"/api/gmail/proposals/{by_subject['Spam-ish']['id']}/reject", headers=member["headers"])
    assert rejected.json["status"] == "rejected"
    activity = list(synced.db.query("SELECT * FROM email_activity"))
    assert [(a["subject"], a["user_id"]) for a in activity] == [("For Max", member["id"])]
    acme = client.simulate_get(f"/api/fundraising/investors/{synced.acme['id']}",
                               headers=admin["headers"]).json
    assert acme["fields"]["Last Contact"] == (NOW - timedelta(days=2)).date().isoformat()
    feed = client.simulate_get("/api/activity", headers=admin["headers"]).json["entries"]
    assert any(e["kind"] == "email_in" and "Acme Capital" in e["summary"] for e in feed)


def test_bulk_approve(synced, fake_gmail, client, admin):
    for i in range(3):
        mail(fake_gmail, ADA, subject=f"Note {i}", days_ago=i + 1)
    sync_all(synced)
    ids = [p["id"] for p in proposals(client, admin["headers"])]
    result = client.simulate_post("/api/gmail/proposals/approve", headers=admin["headers"],
                                  json={"ids": ids + [ids[0], 9999]})
    assert sorted(result.json["approved"]) == sorted(ids) and result.json["skipped"] == [9999]
    assert proposals(client, admin["headers"]) == []
    assert len(proposals(client, admin["headers"], "approved")) == 3


def test_drafts_are_created_never_sent(synced, fake_gmail, client, member):
    result = client.simulate_post("/api/gmail/drafts", headers=member["headers"], json={
        "contact_id": synced.jo["id"], "subject": "Following up", "body": "Hi Jo,\n\nShall we?"})
    assert result.status_code == 201, result.json
    (draft,) = fake_gmail.drafts[MAX]
    assert draft.message["To"] == "Jo@Acme.example" and draft.message["From"] == MAX
    assert draft.message.get_content().strip() == "Hi Jo,\n\nShall we?"
    assert fake_gmail.forbidden_calls == []


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: all@evil.example", "Hi\nthere", "a\rb",
                                     "nul\x00"])
def test_a_line_break_in_a_draft_subject_is_422(synced, fake_gmail, client, member, subject):
    result = client.simulate_post("/api/gmail/drafts", headers=member["headers"], json={
        "contact_id": synced.jo["id"], "subject": subject, "body": "x"})
    assert result.status_code == 422 and result.json["error"]["field"] == "subject"
    assert fake_gmail.drafts.get(MAX, []) == []


def test_a_contact_email_with_a_line_break_is_422_not_500(synced, fake_gmail, client, member):
    with synced.write() as db:
        db.execute("UPDATE fundraising_contacts SET email = ? WHERE id = ?",
                   ["jo@acme.example\r\nBcc: all@evil.example", synced.jo["id"]])
    result = client.simulate_post("/api/gmail/drafts", headers=member["headers"], json={
        "contact_id": synced.jo["id"], "subject": "Hi", "body": "x"})
    assert result.status_code == 422 and result.json["error"]["field"] == "contact_id"
    assert fake_gmail.drafts.get(MAX, []) == []


def test_google_errors_become_a_state_never_echoed(synced, fake_gmail, client, admin, caplog):
    fake_gmail.fail_next("/gmail/v1/users/me/profile", 500, "backend secret detail", times=10)
    results = sync_all(synced)
    assert results[0]["error"] == "api_error_500"
    status = client.simulate_get("/api/admin/gmail/accounts", headers=admin["headers"]).json
    assert status["accounts"][0]["last_error"] == "api_error_500"
    assert "backend secret detail" not in str(status)
    fake_gmail.fail_next("/gmail/v1/users/me/drafts", 500, "draft backend detail", times=10)
    draft = client.simulate_post("/api/gmail/drafts", headers=admin["headers"], json={
        "contact_id": synced.jo["id"], "subject": "x", "body": "y"})
    assert draft.status_code == 502 and "detail" not in draft.text
    key_text = (synced.settings.secrets_dir / "gmail" / "service_account.json").read_text()
    assert "PRIVATE KEY" not in caplog.text and key_text[-200:] not in caplog.text


def test_throttled_calls_are_retried_after_the_configured_backoff(synced, fake_gmail,
                                                                   monkeypatch):
    waits = []
    monkeypatch.setenv("GMAIL_RETRY_BACKOFF_SECONDS", "0.25")
    monkeypatch.setattr(gmail_client, "time", SimpleNamespace(sleep=waits.append))
    monkeypatch.setattr(gmail_client, "random", SimpleNamespace(random=lambda: 1.0))
    fake_gmail.fail_next("/gmail/v1/users/me/profile", 429, "slow down", times=2)
    results = sync_all(synced)
    assert [r["error"] for r in results] == [None, None]
    # two retries of the first profile call, waiting backoff x 2 and backoff x 4 at most
    assert waits == [0.5, 1.0]


def test_unknown_user_at_google_is_auth_failed(gmail_crm, fake_gmail, client, admin, crm):
    add_user(crm, "nobody@fund.example", "member")
    nobody = crm.db.execute("SELECT id FROM users WHERE email = 'nobody@fund.example'").fetchone()
    client.simulate_put(f"/api/admin/gmail/accounts/{nobody[0]}", headers=admin["headers"],
                        json={"enabled": True})
    results = sync_all(gmail_crm)
    assert results == [{"user_id": nobody[0], "seen": 0, "proposed": 0, "error": "auth_failed"}]


def test_member_cannot_manage_accounts(synced, client, member):
    assert client.simulate_get("/api/admin/gmail/accounts",
                               headers=member["headers"]).status_code == 403


def test_cli_enable_sync_status(gmail_crm, fake_gmail, make_settings, crm):
    add_user(crm, ADA, "admin", "Ada")
    mail(fake_gmail, ADA, subject="Via CLI")
    cli = build_cli(crm.settings)
    runner = CliRunner()
    assert runner.invoke(cli, ["gmail", "enable", "--user", ADA]).exit_code == 0
    synced = runner.invoke(cli, ["gmail", "sync"])
    assert synced.exit_code == 0 and "1 new proposals" in synced.output
    status = runner.invoke(cli, ["gmail", "status"])
    assert ADA in status.output and "on" in status.output and "history" in status.output


def test_a_mailbox_outside_the_workspace_domain_is_refused(gmail_crm, client, admin, crm,
                                                           monkeypatch):
    monkeypatch.setenv("GMAIL_WORKSPACE_DOMAIN", "fund.example")
    add_user(crm, "pat@partner.example", "member")
    pat = crm.db.execute("SELECT id FROM users WHERE email = 'pat@partner.example'").fetchone()[0]
    refused = client.simulate_put(f"/api/admin/gmail/accounts/{pat}", headers=admin["headers"],
                                  json={"enabled": True})
    assert refused.status_code == 422 and refused.json["error"]["field"] == "address"
    assert "fund.example" in refused.json["error"]["message"]
    ok = client.simulate_put(f"/api/admin/gmail/accounts/{pat}", headers=admin["headers"],
                             json={"enabled": True, "address": "pat@eu.fund.example"})
    assert ok.status_code == 200 and ok.json["address"] == "pat@eu.fund.example"
    result = CliRunner().invoke(build_cli(crm.settings), ["gmail", "enable", "--user",
                                                          "pat@partner.example", "--address",
                                                          "pat@elsewhere.example"])
    assert result.exit_code == 1 and "not in the Workspace domain" in result.output
    monkeypatch.setenv("GMAIL_WORKSPACE_DOMAIN", "not a domain")
    with pytest.raises(Exception, match="GMAIL_WORKSPACE_DOMAIN"):
        crm.check_plugin_settings()


def test_fund_domains_are_read_under_their_gmail_name_too(monkeypatch, tmp_path):
    from plugins.gmail.settings import GmailSettings

    monkeypatch.delenv("CRM_FUND_DOMAINS", raising=False)
    monkeypatch.setenv("GMAIL_FUND_DOMAINS", "Fund.example, @fund.vc")
    assert GmailSettings.load(tmp_path).fund_domains == ["fund.example", "fund.vc"]
