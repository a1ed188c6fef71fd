"""The core's pages in the browser: activity, users and invites, security."""
import pytest
from playwright.sync_api import expect

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


def test_admins_are_warned_while_links_would_not_open(web_server, page, new_context):
    """No public URL: admins see that links use the address they opened; members see nothing.
    A public URL other than the address in use is named in the warning."""
    login(page, web_server.base_url, "ada@fund.example")
    banner = page.locator(".banner-warn")
    expect(banner).to_contain_text("No public URL is set")
    expect(banner).to_contain_text(web_server.base_url)
    member = new_context().new_page()
    login(member, web_server.base_url, "max@fund.example")
    member.wait_for_selector(".sidenav a")
    assert member.locator(".banner-warn").count() == 0
    warning = page.evaluate("""async () => {
        const { publicUrlWarning } = await import("/assets/banner.js");
        return [publicUrlWarning({public_url: "https://crm.fund.example"}),
                publicUrlWarning({public_url: location.origin + "/"})];
    }""")
    assert "https://crm.fund.example" in warning[0] and web_server.base_url in warning[0]
    assert warning[1] is None
