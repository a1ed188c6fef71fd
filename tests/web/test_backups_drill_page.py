"""The Backups page shows the restore drill and the off-box copy, and runs a drill."""
from playwright.sync_api import expect

import pytest

from tests.web.conftest import login

pytestmark = pytest.mark.browser


def test_backups_page_runs_a_drill_and_shows_the_copy_status(web_server, page):
    web_server.call("POST", "/api/fundraising/investors", {"name": "Drilled LP", "fields": {}})
    backup = web_server.call("POST", "/api/backups")
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/backups")
    card = page.locator(".backup-drill")
    expect(card).to_contain_text("No restore drill yet")
    expect(card).to_contain_text("Off-box copies are off: set CRM_BACKUPS_COPY_DIR")

    card.get_by_role("button", name="Run a drill now").click()
    expect(page.locator(".toast", has_text="Restore drill passed")).to_be_visible()
    expect(card).to_contain_text(f"Passed: backup {backup['id']}")
    investors = card.locator("tr", has_text="investors").first
    # in the backup, restored, live now
    expect(investors.locator("td")).to_have_text(["investors", "1", "1", "1"])
    checks = web_server.call("GET", "/api/admin/security")["checks"]
    assert next(c for c in checks if c["name"] == "restore_drill")["passed"]

    member = web_server.call("GET", "/api/backups/drills", email="max@fund.example")
    assert member["drills"][0]["backup_id"] == backup["id"]
