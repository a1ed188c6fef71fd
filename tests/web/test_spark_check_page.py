"""The Digest page's "Test the model server" button against the real llama.cpp server, in
Debian's chromium: the check's facts, and the guard's rejection rate over the ledger."""
import pytest
from playwright.sync_api import expect

from tests.spark.conftest import llama_server  # noqa: F401 (the session's model server)
from tests.web.conftest import insert_proposal, login, running_server

pytestmark = [pytest.mark.browser, pytest.mark.model]


def test_the_button_shows_the_check(llama_server, page, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SPARK_BASE_URL", llama_server["base_url"])
    monkeypatch.setenv("SPARK_MODEL", "smollm2")
    monkeypatch.setenv("SPARK_TIMEOUT", "60")
    with running_server(tmp_path) as server:
        login(page, server.base_url, "ada@fund.example")
        page.goto(server.base_url + "/#/digest")
        expect(page.locator(".digest-rejected-rate")).to_contain_text("No model summaries yet")
        page.click("button:text-is('Test the model server')")
        result = page.locator(".spark-check-result")
        expect(result).to_be_visible(timeout=60_000)
        expect(result.locator(".spark-check-ok")).to_have_text("The model server works.")
        expect(result).to_contain_text("2048 tokens (from the server)")
        expect(result).to_contain_text("tokens/s")
        # a day with one approved email: the preview's log says what wrote its summary
        investor = server.call("POST", "/api/fundraising/investors", {"name": "Harbor Fund"})
        contact = server.call("POST", "/api/fundraising/contacts", {
            "name": "Hal Harbor", "fields": {"Investor": investor["id"], "Email": "h@harbor.example"}})
        me = server.call("GET", "/api/auth/me")["user"]["id"]
        proposal = insert_proposal(server, me, investor["id"], contact["id"], "Deck request",
                                   "h@harbor.example")
        server.call("POST", f"/api/gmail/proposals/{proposal}/approve", {})
        page.fill("input[name=date]", "2025-03-12")
        page.click("button:text-is('Preview')")
        preview = page.locator(".digest-preview")
        expect(preview).to_contain_text("1 model call", timeout=60_000)
        expect(preview.locator(".digest-rejected")).to_contain_text("rejected by the guard")
        log = preview.locator(".digest-log")
        log.locator("summary").click()
        expect(log.locator("li")).to_have_count(1)
        expect(log.locator("li")).to_contain_text("Ada Admin / Harbor Fund: ")

