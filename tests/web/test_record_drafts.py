"""Drafts in the record panel: open an investor, write a draft to its contact, save it; the
Gmail-shaped test server got drafts.create in Ada's own mailbox with that To and Subject, and
nothing was sent."""
import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.gmail.conftest import write_service_account_key
from tests.gmail.fake_gmail import FakeGmail
from tests.spark.test_client import Recorder, completion
from tests.web.conftest import login, running_server

pytestmark = pytest.mark.browser

ADA = "ada@fund.example"


@pytest.fixture
def gmail(tmp_path, monkeypatch):
    """A started fake Gmail with Ada's mailbox, trusted by the key in the server's secrets."""
    fake = FakeGmail()
    fake.start()
    fake.add_mailbox(ADA)
    key = write_service_account_key(tmp_path / "service-account.json", fake.token_uri)
    fake.trust_service_account(key.path)
    folder = tmp_path / "secrets" / "gmail"
    folder.mkdir(parents=True)
    os.chmod(tmp_path / "secrets", 0o700)
    os.chmod(folder, 0o700)
    shutil.copy(key.path, folder / "service_account.json")
    for name in list(os.environ):
        if name.startswith(("GMAIL_", "SPARK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GMAIL_API_ENDPOINT", fake.endpoint)
    monkeypatch.setenv("GMAIL_RETRY_BACKOFF_SECONDS", "0")
    yield fake
    fake.stop()


SPARK_ANSWER = "Hi Jo,\n\nHere is the deck you asked for.\n\nAda"


@pytest.fixture
def spark(monkeypatch):
    """A fake Spark (the fund's own model server) on loopback."""
    server = Recorder(lambda handler: completion(handler, SPARK_ANSWER))
    monkeypatch.setenv("SPARK_BASE_URL", f"http://127.0.0.1:{server.port}/v1")
    monkeypatch.setenv("SPARK_TIMEOUT", "5")
    yield server
    server.stop()


def test_a_draft_written_in_the_panel_is_created_in_gmail_never_sent(tmp_path, gmail, spark,
                                                                     page):
    with running_server(tmp_path) as server:
        acme = server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital",
                                                                  "fields": {}})
        server.call("POST", "/api/fundraising/contacts", {"name": "Jo Park", "fields": {
            "Investor": acme["id"], "Email": "jo@acme.example"}})
        login(page, server.base_url, ADA)
        page.goto(f"{server.base_url}/#/grid/investors/{acme['id']}")
        section = page.locator(".side-panel [data-section=drafts]")
        expect(section.get_by_label("To")).to_contain_text("Jo Park <jo@acme.example>")
        expect(section.locator(".record-drafts")).to_contain_text("No drafts")
        section.get_by_label("Subject").fill("Fund II next steps")
        section.get_by_label("Draft body").fill("Hi Jo,\n\nShall we meet on Tuesday?\n\nAda")
        section.get_by_role("button", name="Save as Gmail draft").click()
        item = section.locator(".record-drafts li[data-draft]")
        expect(item).to_contain_text("Fund II next steps")
        expect(item).to_contain_text("to Jo Park · Ada Admin")
        expect(section.get_by_label("Subject")).to_have_value("")

        (draft,) = gmail.drafts[ADA]
        assert (draft.message["To"], draft.message["Subject"], draft.message["From"]) == (
            "jo@acme.example", "Fund II next steps", ADA)
        assert "Shall we meet on Tuesday?" in draft.message.get_content()
        creates = [r for r in gmail.requests if r.method == "POST" and r.path.endswith("/drafts")]
        assert len(creates) == 1 and creates[0].mailbox == ADA
        assert gmail.forbidden_calls == []
        assert not [r for r in gmail.requests if "send" in r.path]
        listed = server.call("GET", f"/api/gmail/records/investors/{acme['id']}/drafts")
        assert [(d["subject"], d["origin"]) for d in listed["drafts"]] == [
            ("Fund II next steps", "person")]

        # Spark drafts from the record's note; the person edits it, then saves it
        server.call("POST", f"/api/fundraising/investors/{acme['id']}/notes",
                    {"body": "Jo asked for the deck"})
        section.get_by_role("button", name="Draft with Spark").click()
        body = section.get_by_label("Draft body")
        expect(body).to_have_value(SPARK_ANSWER)
        expect(section.locator(".draft-model-written")).to_be_visible()
        expect(section.get_by_label("Subject")).to_have_value("Following up")
        body.fill(SPARK_ANSWER + "\nPS: see you Tuesday.")
        expect(section.locator(".draft-model-written")).to_contain_text("(edited)")
        section.get_by_role("button", name="Save as Gmail draft").click()
        expect(item).to_have_count(2)
        expect(item.first).to_contain_text("started by Spark")
        assert len(gmail.drafts[ADA]) == 2
        assert "PS: see you Tuesday." in gmail.drafts[ADA][1].message.get_content()
        assert gmail.forbidden_calls == []
