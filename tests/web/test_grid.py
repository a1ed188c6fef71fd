"""The grid in a real browser: login, views, inline edits and conflicts."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-grid.png"

INVESTORS = [  # name, stage, check size
    ("Alpha Capital", "Meeting", 5_000_000),
    ("Beta Partners", "Diligence", 2_000_000),
    ("Gamma Ventures", "Meeting", 2_000_000),
    ("Delta Fund", "Prospect", 9_000_000),
    ("Epsilon LP", "Diligence", 7_000_000),
    ("Zeta Family Office", "Meeting", 1_000_000),
]


def seed(server):
    ids = {}
    for name, stage, check in INVESTORS:
        record = server.call("POST", "/api/fundraising/investors",
                             {"name": name, "fields": {"Stage": stage, "Check Size": check}})
        ids[name] = record["id"]
    return ids


def grid_names(page):
    return page.eval_on_selector_all(
        ".tabulator-row .tabulator-cell[tabulator-field=name]", "cells => cells.map(c => c.textContent)")


def open_grid(page, server, table="investors"):
    page.goto(f"{server.base_url}/#/grid/{table}")
    page.wait_for_selector(".grid-page[data-loaded]")


def wait_loaded_after(page, action):
    before = page.get_attribute(".grid-page", "data-loaded")
    action()
    page.wait_for_function(
        "before => document.querySelector('.grid-page').dataset.loaded !== before", arg=before)



def add_condition(panel, field, operator, value):
    """Add a condition to the open Filter panel's top group; returns its row."""
    panel.get_by_role("button", name="+ Condition").first.click()
    condition = panel.locator(".condition").last
    condition.get_by_label("Field").select_option(label=field)
    condition.get_by_label("Operator").select_option(operator)
    condition.get_by_label("Value").fill(value)
    condition.get_by_label("Value").dispatch_event("change")
    return condition

def test_login_shows_the_shell_and_the_grid(web_server, page):
    seed(web_server)
    page.goto(web_server.base_url + "/")
    page.wait_for_selector("form.login")
    page.fill("input[name=email]", "ada@fund.example")
    page.fill("input[name=password]", "wrong password!")
    page.click("button[type=submit]")
    page.wait_for_selector("form.login .error:has-text('password')")
    login(page, web_server.base_url, "ada@fund.example")
    assert page.inner_text(".user-name") == "Ada Admin"
    nav = page.inner_text(".sidenav")
    assert "Investors" in nav and "Commitments" in nav
    page.wait_for_selector(".grid-page[data-loaded]")
    assert grid_names(page) == [name for name, _s, _c in INVESTORS]
    assert "1–6 of 6" in page.inner_text(".pager")


def test_a_view_with_an_or_group_inside_an_and_group_and_two_sorts(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    page.click("[data-panel=Filter]")
    panel = page.locator("[data-panel-body=Filter]")
    add_condition(panel, "Check Size", ">=", "2000000")  # AND: Check Size >= 2,000,000
    # ... AND (Stage is Meeting OR Stage is Diligence)
    panel.get_by_role("button", name="+ Group").first.click()
    inner = panel.locator(".filter-group .filter-group")
    assert inner.get_by_label("Group operator").input_value() == "or"
    inner.get_by_role("button", name="+ Condition").click()
    for i, stage in enumerate(["Meeting", "Diligence"]):
        row = inner.locator(".condition").nth(i)
        row.get_by_label("Field").select_option(label="Stage")
        row.get_by_label("Operator").select_option("is")
        row.get_by_label("Value").select_option(stage)
    wait_loaded_after(page, lambda: panel.get_by_role("button", name="Apply filter").click())
    assert sorted(grid_names(page)) == ["Alpha Capital", "Beta Partners", "Epsilon LP",
                                        "Gamma Ventures"]
    # sort: Check Size descending, then Name descending
    page.click("[data-panel=Sort]")
    sorts = page.locator("[data-panel-body=Sort]")
    wait_loaded_after(page, lambda: sorts.get_by_role("button", name="+ Sort").click())
    wait_loaded_after(page, lambda: sorts.get_by_label("Sort field").nth(0).select_option(label="Check Size"))
    wait_loaded_after(page, lambda: sorts.get_by_label("Sort direction").nth(0).select_option("desc"))
    wait_loaded_after(page, lambda: sorts.get_by_role("button", name="+ Sort").click())
    wait_loaded_after(page, lambda: sorts.get_by_label("Sort field").nth(1).select_option(label="Name"))
    wait_loaded_after(page, lambda: sorts.get_by_label("Sort direction").nth(1).select_option("desc"))
    expected = ["Epsilon LP", "Alpha Capital", "Gamma Ventures", "Beta Partners"]
    # the last of the loads these steps started may still be drawing: wait for its order
    expect(page.locator(".tabulator-row .tabulator-cell[tabulator-field=name]")).to_have_text(expected)
    page.get_by_role("button", name="Save as view…").click()
    page.get_by_label("View name").fill("Big and warm")
    page.locator(".dialog").get_by_role("button", name="Save view").click()
    page.wait_for_selector(".toast:has-text('Saved view')")
    # the view is stored on the server and comes back after a reload
    page.reload()
    page.wait_for_selector(".grid-page[data-loaded]")
    view = page.get_by_label("View")
    assert view.locator("option:checked").inner_text() == "Big and warm"
    assert grid_names(page) == expected
    wait_loaded_after(page, lambda: view.select_option(label="All records"))
    assert len(grid_names(page)) == len(INVESTORS)


def edit_cell(page, name, field, value):
    row = page.locator(".tabulator-row", has=page.locator(f".tabulator-cell[tabulator-field=name]:text-is('{name}')"))
    cell = row.locator(f".tabulator-cell[tabulator-field={field}]").element_handle()
    cell.dblclick()  # the name cell loses its text while edited, so hold the element itself
    editor = cell.wait_for_selector("input")
    editor.fill(value)
    editor.press("Enter")


def field_key(server, table, name):
    fields = server.call("GET", f"/api/fundraising/fields?table={table}")["fields"]
    return "f%d" % next(f["id"] for f in fields if f["name"] == name)


def test_an_edited_cell_is_saved(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    check = field_key(web_server, "investors", "Check Size")
    edit_cell(page, "Alpha Capital", check, "6500000")
    page.wait_for_selector(".grid-page[data-saves='1']")
    edit_cell(page, "Beta Partners", "name", "Beta Partners II")
    page.wait_for_selector(".grid-page[data-saves='2']")
    record = web_server.call("GET", f"/api/fundraising/investors/{ids['Alpha Capital']}")
    assert record["fields"]["Check Size"] == 6_500_000 and record["version"] == 2
    page.reload()
    page.wait_for_selector(".grid-page[data-loaded]")
    assert "Beta Partners II" in grid_names(page)
    row = page.locator(".tabulator-row", has=page.locator(".tabulator-cell:text-is('Alpha Capital')"))
    assert row.locator(f".tabulator-cell[tabulator-field={check}]").inner_text() == "$6,500,000"


def test_a_conflicting_edit_names_the_other_person(web_server, new_context):
    seed(web_server)
    ada = new_context().new_page()
    max_ = new_context().new_page()
    for page, email in ((ada, "ada@fund.example"), (max_, "max@fund.example")):
        login(page, web_server.base_url, email)
        open_grid(page, web_server)
    check = field_key(web_server, "investors", "Check Size")
    edit_cell(max_, "Gamma Ventures", check, "3000000")
    max_.wait_for_selector(".grid-page[data-saves='1']")
    edit_cell(ada, "Gamma Ventures", check, "4000000")
    banner = ada.wait_for_selector(".conflict")
    assert "changed by Max Member" in banner.inner_text()
    ada.get_by_role("button", name="Overwrite").click()
    ada.wait_for_selector(".grid-page[data-saves='1']")
    gamma = [r for r in web_server.call("GET", "/api/fundraising/investors")["records"]
             if r["name"] == "Gamma Ventures"][0]
    assert gamma["fields"]["Check Size"] == 4_000_000 and gamma["version"] == 3


def test_demo_data_in_the_grid_and_the_readme_screenshot(web_server, page):
    assert "300 investors" in web_server.cli("demo", "load")
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    assert re.fullmatch(r"1–\d+ of 300", page.inner_text(".pager-text"))
    wait_loaded_after(page, lambda: page.get_by_label("View").select_option(label="Active pipeline"))
    names = grid_names(page)
    assert 10 < len(names) < 300
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    page.locator(".tabulator-row").nth(1).locator(".expand-cell").click()
    page.wait_for_selector(".side-panel .history-entry")
    assert names[1] in page.inner_text(".side-panel h2")
    assert "Ada Admin" in page.inner_text(".side-panel .history-entry")


def test_edits_made_offline_wait_and_are_sent_when_the_server_is_back(web_server, new_context):
    ids = seed(web_server)
    context = new_context()
    page = context.new_page()
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    context.set_offline(True)
    edit_cell(page, "Delta Fund", "name", "Delta Fund II")
    page.wait_for_selector(".grid-status:has-text('Offline: 1 edit waiting')")
    assert "Delta Fund II" in page.evaluate("localStorage.getItem('crm.pendingEdits')")
    context.set_offline(False)
    page.wait_for_selector(".grid-page[data-saves='1']")
    assert web_server.call("GET", f"/api/fundraising/investors/{ids['Delta Fund']}")["name"] == "Delta Fund II"
    assert page.evaluate("localStorage.getItem('crm.pendingEdits')") is None


def test_an_admin_adds_a_formula_field_checked_as_it_is_typed(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    page.click("[data-panel=Fields]")
    page.get_by_label("Field name").fill("Fee")
    page.get_by_label("Field type").select_option("formula")
    page.get_by_label("Formula").fill("{Check Size} * (2")
    page.wait_for_selector(".formula-result .error:has-text('at character')")
    page.get_by_label("Formula").fill("{Check Size} * 0.02")
    page.wait_for_selector(".formula-result:has-text('valid')")
    page.get_by_role("button", name="Add field").click()
    page.wait_for_selector(".tabulator-col-title:text-is('Fee')")
    row = page.locator(".tabulator-row", has=page.locator(".tabulator-cell:text-is('Alpha Capital')"))
    row.filter(has_text="100,000").wait_for()  # the column can show before its values load
    assert "100,000" in row.inner_text()
