"""The core's pages in the browser: activity, users and invites, security."""
import pytest

from tests.web.conftest import login

pytestmark = pytest.mark.browser


def test_admin_invites_and_sees_the_feed_and_checklist(web_server, page):
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/users")
    page.wait_for_selector("text=max@fund.example")
    page.fill("input[name=invite-email]", "nia@fund.example")
    page.click("form button[type=submit]:has-text('Invite')")
    page.wait_for_selector(".invite-link code")
    assert "/invite#token=" in page.inner_text(".invite-link code")
    assert "nia@fund.example" in page.inner_text("body")
    page.goto(web_server.base_url + "/#/activity")
    page.wait_for_selector(".activity-entry")
    assert "Ada Admin invited nia@fund.example as member" in page.inner_text(".activity-list")
    page.goto(web_server.base_url + "/#/security")
    page.wait_for_selector("text=A strong CRM_SECRET_KEY is set")
    assert "fail" in page.inner_text("body")  # a test server is not in production mode


def test_member_sees_no_admin_pages(web_server, page):
    login(page, web_server.base_url, "max@fund.example")
    nav = page.inner_text("nav")
    assert "Activity" in nav and "Users" not in nav and "Security" not in nav
