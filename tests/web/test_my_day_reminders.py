"""Task reminders and recurring tasks in the browser: the reminder of Max's overdue task is on
his My day; a task added on the tasks page with the browser's zone and "repeat every 7 days"
makes its next one when marked done."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login
from tests.web.test_my_day import MAX, max_task_on_acme

pytestmark = pytest.mark.browser



def test_my_day_shows_the_reminder_of_my_overdue_task(web_server, page):
    acme, task = max_task_on_acme(web_server, due_date="2020-01-02", due_tz="Asia/Tokyo")
    web_server.call("POST", "/api/automation/run")
    login(page, web_server.base_url, MAX)
    page.goto(web_server.base_url + "/#/day")
    item = page.locator(f"[data-section=reminders] li[data-reminder='{task['id']}']")
    expect(item).to_contain_text("Reminder: 'Call Acme back' was due 2020-01-02")
    expect(item.get_by_role("link")).to_have_attribute("href", f"#/grid/investors/{acme['id']}")
    overdue = page.locator(f"[data-section=tasks_overdue] li[data-task='{task['id']}']")
    expect(overdue).to_contain_text("(Asia/Tokyo)")


def test_a_recurring_task_added_on_the_tasks_page_makes_its_next_one(web_server, page):
    web_server.call("POST", "/api/fundraising/investors",
                    {"name": "Northwind Endowment", "fields": {}})
    login(page, web_server.base_url, MAX)
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    page.goto(web_server.base_url + "/#/tasks")
    page.fill("input[name=title]", "Check in")
    page.fill("input[name=investor_search]", "northw")
    page.click(".investor-results button:text-is('Northwind Endowment')")
    page.fill("form input[name=due_date]", "2020-01-02")
    page.fill("form input[name=due_time]", "09:30")
    page.fill("form input[name=repeat_days]", "7")
    page.click("button:text-is('Add task')")
    row = page.locator(".task-list tbody tr", has_text="Check in")
    expect(row).to_contain_text("overdue")
    expect(row).to_contain_text("repeats every 7 d")
    made = web_server.call("GET", "/api/automation/tasks", email=MAX)["tasks"]
    assert [(t["due_date"], t["due_tz"], t["repeat_days"]) for t in made] == [
        ("2020-01-02", zone, 7)]
    row.get_by_role("button", name="Mark done").click()
    expect(page.locator("#toasts .toast", has_text="Next one due")).to_be_visible()
    tasks = web_server.call("GET", "/api/automation/tasks", email=MAX)["tasks"]
    # never contacted: due 7 days after the day it was done, in the writer's zone
    assert [(t["title"], t["repeated_from"], t["repeat_days"]) for t in tasks] == [
        ("Check in", made[0]["id"], 7)]
    done_day = date.fromisoformat(tasks[0]["due_date"]) - timedelta(days=7)
    assert abs((done_day - date.today()).days) <= 1
    expect(page.locator(".task-list tbody tr", has_text="Check in")).to_have_count(1)
