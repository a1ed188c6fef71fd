"""The grid's search box (Ctrl+F, type, rows filtered with the view's filters) and the Archived
panel bringing back a field and a view, in a real browser."""
import pytest
from playwright.sync_api import expect

from tests.web.conftest import login
from tests.web.test_grid import grid_names, open_grid, seed, wait_loaded_after

pytestmark = pytest.mark.browser


def shows(page, count):
    """Wait until the pager says `count` ("1–2 of 2")."""
    page.wait_for_function("text => document.querySelector('.pager-text').textContent === text",
                           arg=count)


def test_ctrl_f_focuses_search_and_typing_filters_the_rows(web_server, page):
    seed(web_server)
    web_server.call("POST", "/api/fundraising/investors", {"name": "Gammon Trust"})
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    page.locator(".tabulator-cell[tabulator-field=name]").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+f")
    box = page.get_by_label("Search Investors")
    expect(box).to_be_focused()
    wait_loaded_after(page, lambda: page.keyboard.type("gam"))
    shows(page, "1–2 of 2")
    assert sorted(grid_names(page)) == ["Gamma Ventures", "Gammon Trust"]
    wait_loaded_after(page, lambda: page.keyboard.type(" vent"))
    shows(page, "1–1 of 1")
    assert grid_names(page) == ["Gamma Ventures"]

    box.fill("nothing-like-it")
    expect(page.locator(".tabulator-placeholder")).to_contain_text(
        "No records match “nothing-like-it”")
    wait_loaded_after(page, lambda: page.get_by_role("button", name="Clear search").click())
    assert len(grid_names(page)) == 7 and box.input_value() == ""

    wait_loaded_after(page, lambda: box.fill("meeting"))  # a single select's choice
    shows(page, "1–3 of 3")
    assert sorted(grid_names(page)) == ["Alpha Capital", "Gamma Ventures", "Zeta Family Office"]
    wait_loaded_after(page, lambda: box.press("Escape"))
    assert len(grid_names(page)) == 7


def test_an_archived_field_and_view_come_back_from_the_archived_panel(web_server, page):
    seed(web_server)
    field = web_server.call("POST", "/api/fundraising/fields",
                            {"table": "investors", "name": "Warmth", "type": "text"})
    alpha = web_server.call("GET", "/api/fundraising/investors")["records"][0]
    web_server.call("PATCH", f"/api/fundraising/investors/{alpha['id']}",
                    {"expected_version": alpha["version"], "fields": {"Warmth": "very warm"}})
    view = web_server.call("POST", "/api/fundraising/views",
                           {"table": "investors", "name": "Warm ones"})
    web_server.call("DELETE", f"/api/fundraising/fields/{field['id']}")
    web_server.call("DELETE", f"/api/fundraising/views/{view['id']}")
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    assert page.locator(".tabulator-col-title", has_text="Warmth").count() == 0

    page.click("[data-panel=Archived]")
    panel = page.locator("[data-panel-body=Archived]")
    fields = panel.locator("div", has=page.locator("h2", has_text="Fields")).last
    expect(fields).to_contain_text("Warmth")
    wait_loaded_after(page, lambda: fields.get_by_role("button", name="Restore").click())
    page.wait_for_selector(".toast:has-text('Restored field “Warmth”')")
    expect(page.locator(".tabulator-col-title", has_text="Warmth")).to_be_visible()
    expect(page.locator(".tabulator-cell", has_text="very warm")).to_be_visible()
    expect(panel.locator("div", has=page.locator("h2", has_text="Fields")).last).to_contain_text(
        "No archived fields.")

    views = panel.locator("div", has=page.locator("h2", has_text="Views")).last
    expect(views).to_contain_text("Warm ones")
    views.get_by_role("button", name="Restore").click()
    page.wait_for_selector(".toast:has-text('Restored view “Warm ones”')")
    expect(page.get_by_label("View").locator("option", has_text="Warm ones")).to_have_count(1)


def test_a_task_is_archived_and_restored_on_the_tasks_page(web_server, page):
    investor = web_server.call("POST", "/api/fundraising/investors", {"name": "Northwind"})
    web_server.call("POST", "/api/automation/tasks", {"title": "Send the deck",
                                                      "investor_id": investor["id"]})
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/tasks")
    row = page.locator(".task-list tbody tr", has_text="Send the deck")
    row.get_by_role("button", name="Archive").click()
    expect(page.locator(".task-list")).to_contain_text("No tasks.")
    page.select_option("select[name=status]", "archived")
    row.get_by_role("button", name="Restore").click()
    expect(page.locator(".task-list")).to_contain_text("No tasks.")
    page.select_option("select[name=status]", "open")
    expect(row).to_contain_text("Northwind")
