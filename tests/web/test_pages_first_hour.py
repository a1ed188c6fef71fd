"""A new team's first hour on the digest and automation pages, and the favicon (issue 18)."""
import re
import urllib.request

from playwright.sync_api import expect

import pytest

from tests.web.conftest import insert_proposal, login

pytestmark = pytest.mark.browser


def test_digest_without_model_server_turns_summaries_off_and_counts_no_call(web_server, page):
    ada = web_server.call("GET", "/api/auth/me")["user"]["id"]
    investor = web_server.call("POST", "/api/fundraising/investors",
                               {"name": "Harbor Pension Fund", "fields": {"Stage": "Intro"}})
    contact = web_server.call("POST", "/api/fundraising/contacts",
                              {"name": "Hal Harbor", "fields": {"Investor": investor["id"],
                                                                "Email": "hal@harbor.example"}})
    proposal = insert_proposal(web_server, ada, investor["id"], contact["id"], "Deck request",
                               "hal@harbor.example")
    web_server.call("POST", f"/api/gmail/proposals/{proposal}/approve", {})

    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/digest")
    option = page.locator("input[name=summarize]")
    note = page.locator(".model-server-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("SPARK_BASE_URL")
    expect(option).to_be_disabled()
    expect(option).not_to_be_checked()
    expect(page.locator(".digest-schedule")).to_contain_text("07:30 (UTC)")

    page.fill("input[name=date]", "2025-03-12")
    page.click("button:text-is('Preview')")
    preview = page.locator(".digest-preview")
    expect(preview).to_contain_text("1 investor")
    expect(preview).to_contain_text("0 model calls")
    expect(preview.locator(".digest-fallback")).to_contain_text("no model server is configured")
    frame = page.frame_locator(".digest-frame").locator("body")
    expect(frame).to_contain_text("no model server is configured")
    expect(frame).not_to_contain_text("did not answer")


def test_automation_lists_are_paged_tables_and_the_graveyard_wins(web_server, page):
    for n in range(30):  # passed long ago and never followed up: the graveyard only
        web_server.call("POST", "/api/fundraising/investors", {
            "name": f"Gone LP {n:02}",
            "fields": {"Stage": "Declined", "Last Contact": "2020-01-01"}})
    for n in range(3):
        web_server.call("POST", "/api/fundraising/investors", {
            "name": f"Stale LP {n}", "fields": {"Stage": "Meeting", "Last Contact": "2020-01-01"}})

    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/automation")
    graveyard = page.locator("[data-list=graveyard]")
    expect(graveyard.locator(".badge")).to_have_text("30")
    expect(graveyard.locator(".pager-text")).to_have_text("1–25 of 30")
    expect(graveyard.locator("tbody tr")).to_have_count(25)
    expect(graveyard.locator("thead")).to_contain_text("Stage")
    expect(graveyard.locator("tbody tr").first).to_contain_text("Declined")
    assert graveyard.locator("li").count() == 0  # a table, not bullets
    graveyard.get_by_role("button", name="Next page").click()
    expect(graveyard.locator(".pager-text")).to_have_text("26–30 of 30")
    expect(graveyard.locator("tbody tr")).to_have_count(5)
    expect(graveyard.get_by_role("button", name="Next page")).to_be_disabled()
    graveyard.get_by_role("button", name="Previous page").click()
    expect(graveyard.locator(".pager-text")).to_have_text("1–25 of 30")

    follow_up = page.locator("[data-list=follow_up]")
    expect(follow_up.locator(".badge")).to_have_text("3")
    expect(follow_up.locator(".pager-text")).to_have_text("1–3 of 3")
    expect(follow_up).not_to_contain_text("Gone LP")
    link = follow_up.get_by_role("link", name="Stale LP 0")
    assert re.fullmatch(r"#/grid/investors/\d+", link.get_attribute("href"))

    runs = page.locator(".automation-runs")  # each new investor ran the rules once
    expect(runs.locator(".pager-text")).to_have_text(re.compile(r"^1–20 of 3\d$"))
    expect(runs.locator("tbody > tr")).to_have_count(20)


def test_favicon_on_the_app_and_the_setup_page(web_server, page):
    for path in ("/", "/setup"):
        page.goto(web_server.base_url + path)
        icon = page.locator("link[rel=icon]")
        expect(icon).to_have_count(1)
        href = icon.get_attribute("href")
        assert href.startswith("/assets/")  # our own origin: the CSP allows nothing else
        with urllib.request.urlopen(web_server.base_url + href, timeout=10) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("image/svg+xml")
            assert b"<svg" in resp.read()
    # a browser that asks for /favicon.ico by habit gets the same icon, not a 404
    with urllib.request.urlopen(web_server.base_url + "/favicon.ico", timeout=10) as resp:
        assert resp.status == 200 and b"<svg" in resp.read()
