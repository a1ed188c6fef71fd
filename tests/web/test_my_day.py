"""My day in the browser: a task assigned to Max due yesterday shows on Max's My day as
overdue with the sidebar badge count; Max completes it there."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login

pytestmark = pytest.mark.browser

MAX = "max@fund.example"


def max_task_on_acme(server, **due):
    """Acme Capital, and a task "Call Acme back" on it assigned to Max, due as `due` says."""
    max_id = server.call("GET", "/api/auth/me", email=MAX)["user"]["id"]
    acme = server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital", "fields": {}})
    task = server.call("POST", "/api/automation/tasks", {
        "title": "Call Acme back", "investor_id": acme["id"], "assignee_id": max_id, **due})
    return acme, task


def test_my_day_shows_an_overdue_task_with_the_badge_and_completes_it(web_server, page):
    yesterday = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    acme, task = max_task_on_acme(web_server, due_date=yesterday)
    day = web_server.call("GET", "/api/me/day", email=MAX)
    expected = sum(len(day[k]) for k in ("tasks_overdue", "tasks_due", "mentions", "proposals"))
    assert [t["id"] for t in day["tasks_overdue"]] == [task["id"]]

    login(page, web_server.base_url, MAX)
    badge = page.locator(".sidenav .nav-badge")
    expect(badge).to_have_text(str(expected))
    page.goto(web_server.base_url + "/#/day")
    section = page.locator("[data-section=tasks_overdue]")
    item = section.locator(f"li[data-task='{task['id']}']")
    expect(item).to_contain_text("Call Acme back")
    expect(item.get_by_role("link", name="Call Acme back")).to_have_attribute(
        "href", f"#/grid/investors/{acme['id']}")
    item.get_by_role("button", name="Complete").click()
    expect(item).to_have_count(0)
    done = web_server.call("GET", "/api/automation/tasks?status=done", email=MAX)["tasks"]
    assert [t["id"] for t in done] == [task["id"]]
    if expected > 1:
        expect(badge).to_have_text(str(expected - 1))
    else:
        expect(badge).to_be_hidden()
