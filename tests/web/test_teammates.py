"""Teammates in the browser: a member sees owners and assignees by name and assigns an investor
and a task to a teammate by picking the name; a deactivated user keeps their name on what they
owned but is no longer offered."""
import pytest
from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, login
from tests.web.test_grid import field_key, open_grid

pytestmark = pytest.mark.browser

MAX = "max@fund.example"
OLGA = "olga@fund.example"


def user_id(server, email):
    return server.call("GET", "/api/auth/me", email=email)["user"]["id"]


def investor(server, name, owner=None):
    fields = {"Owner": owner} if owner else {}
    return server.call("POST", "/api/fundraising/investors", {"name": name, "fields": fields})


def owner_cell(page, server, name):
    """The Owner cell of an investor's row, as an element (an editor replaces its text)."""
    row = page.locator(".tabulator-row", has=page.locator(
        f".tabulator-cell[tabulator-field=name]:text-is('{name}')"))
    return row.locator(f".tabulator-cell[tabulator-field={field_key(server, 'investors', 'Owner')}]")


def owner_condition(page):
    """Open the filter panel and add an "Owner is ..." condition: (panel, condition)."""
    page.click("[data-panel=Filter]")
    panel = page.locator("[data-panel-body=Filter]")
    panel.get_by_role("button", name="+ Condition").first.click()
    condition = panel.locator(".condition").last
    condition.get_by_label("Field").select_option(label="Owner")
    condition.get_by_label("Operator").select_option("is")
    return panel, condition


def offered_owners(page, server, name):
    """The names the Owner editor of an investor offers; Escape closes it unchanged."""
    owner_cell(page, server, name).dblclick()
    items = page.locator(".tabulator-edit-list-item")
    expect(items.first).to_be_visible()
    names = items.all_inner_texts()
    page.keyboard.press("Escape")
    expect(page.locator(".tabulator-edit-list")).to_have_count(0)
    return names


def option_labels(select):
    return [label.strip() for label in select.locator("option").all_inner_texts()]


def test_a_member_assigns_an_investor_and_a_task_to_a_teammate_by_name(web_server, page):
    ada = user_id(web_server, "ada@fund.example")
    acme = investor(web_server, "Acme Capital", owner=ada)
    beacon = investor(web_server, "Beacon Partners")
    login(page, web_server.base_url, MAX)
    open_grid(page, web_server)
    expect(owner_cell(page, web_server, "Acme Capital")).to_have_text("Ada Admin")

    # Max makes Ada the owner of Beacon Partners by picking her name in the cell editor.
    owner_cell(page, web_server, "Beacon Partners").dblclick()
    page.locator(".tabulator-edit-list-item", has_text="Ada Admin").click()
    page.wait_for_selector(".grid-page[data-saves='1']")
    assert web_server.call("GET", f"/api/fundraising/investors/{beacon['id']}",
                           email=MAX)["fields"]["Owner"] == ada
    expect(owner_cell(page, web_server, "Beacon Partners")).to_have_text("Ada Admin")
    page.reload()
    page.wait_for_selector(".grid-page[data-loaded]")
    expect(owner_cell(page, web_server, "Beacon Partners")).to_have_text("Ada Admin")

    # A filter on Owner offers Me and the teammates by name.
    panel, condition = owner_condition(page)
    assert option_labels(condition.get_by_label("Value")) == ["Me", "Ada Admin", "Max Member"]

    # Max adds a task for Acme Capital assigned to Ada, by name.
    page.goto(web_server.base_url + "/#/tasks")
    form = page.locator("form", has=page.locator("input[name=title]"))
    assignee = form.locator("select[name=assignee]")
    expect(assignee.locator("option", has_text="Ada Admin")).to_have_count(1)
    assert option_labels(assignee) == ["Unassigned", "Ada Admin", "Max Member (me)"]
    page.fill("input[name=title]", "Send Ada's deck")
    page.fill("input[name=investor_search]", "acme")
    page.click(".investor-results button:text-is('Acme Capital')")
    assignee.select_option(label="Ada Admin")
    page.click("button:text-is('Add task')")
    row = page.locator(".task-list tbody tr", has_text="Send Ada's deck")
    expect(row.get_by_label("Assignee of Send Ada's deck").locator("option:checked")).to_have_text("Ada Admin")
    tasks = web_server.call("GET", "/api/tasks", email=MAX)["tasks"]
    assert [(t["title"], t["investor_id"], t["assignee_id"]) for t in tasks] == [
        ("Send Ada's deck", acme["id"], ada)]

    # The tasks filter finds it under Ada's name, and not under Max's own.
    page.select_option("select[name=assigned_to]", label="Ada Admin")
    expect(row).to_be_visible()
    page.select_option("select[name=assigned_to]", "me")
    expect(page.locator(".task-list")).to_contain_text("No tasks.")


def add_olga(server):
    """Olga Former, invited by Ada, who owns Cedar Fund and a task, then is deactivated."""
    invite = server.call("POST", "/api/admin/invites", {"email": OLGA, "role": "member"})
    olga = server.call("POST", "/api/auth/accept-invite", {
        "token": invite["invite_token"], "name": "Olga Former", "password": PASSWORD})["user"]
    cedar = investor(server, "Cedar Fund", owner=olga["id"])
    task = server.call("POST", "/api/tasks", {"title": "Call Cedar", "investor_id": cedar["id"],
                                              "assignee_id": olga["id"]})
    server.call("PATCH", f"/api/admin/users/{olga['id']}", {"active": False})
    return olga["id"], cedar, task


def test_a_deactivated_teammate_keeps_their_name_but_is_not_offered(web_server, page):
    olga, cedar, task = add_olga(web_server)
    dune = investor(web_server, "Dune LP")
    login(page, web_server.base_url, MAX)
    open_grid(page, web_server)
    expect(owner_cell(page, web_server, "Cedar Fund")).to_have_text("Olga Former")
    assert offered_owners(page, web_server, "Dune LP") == ["Ada Admin", "Max Member"]
    # Cedar's own editor keeps Olga as its value, marked, so opening it changes nothing.
    assert offered_owners(page, web_server, "Cedar Fund") == [
        "Ada Admin", "Max Member", "Olga Former (inactive)"]
    owner_cell(page, web_server, "Dune LP").dblclick()
    page.locator(".tabulator-edit-list-item", has_text="Max Member").click()
    page.wait_for_selector(".grid-page[data-saves='1']")
    records = {r["name"]: r for r in web_server.call(
        "GET", "/api/fundraising/investors", email=MAX)["records"]}
    assert records["Dune LP"]["fields"]["Owner"] == user_id(web_server, MAX)
    assert (records["Cedar Fund"]["fields"]["Owner"], records["Cedar Fund"]["version"]) == (
        olga, cedar["version"])
    assert dune["id"] == records["Dune LP"]["id"]

    # A filter can still find what Olga owned.
    panel, condition = owner_condition(page)
    condition.get_by_label("Value").select_option(label="Olga Former (inactive)")
    before = page.get_attribute(".grid-page", "data-loaded")
    panel.get_by_role("button", name="Apply filter").click()
    page.wait_for_function(
        "before => document.querySelector('.grid-page').dataset.loaded !== before", arg=before)
    expect(page.locator(".tabulator-row .tabulator-cell[tabulator-field=name]")).to_have_text(
        ["Cedar Fund"])

    # On the tasks page Olga's task still shows her; new tasks cannot go to her.
    page.goto(web_server.base_url + "/#/tasks")
    picker = page.get_by_label("Assignee of Call Cedar")
    expect(picker.locator("option:checked")).to_have_text("Olga Former (inactive)")
    assert option_labels(page.locator("form select[name=assignee]")) == [
        "Unassigned", "Ada Admin", "Max Member (me)"]
    assert "Olga Former (inactive)" in option_labels(page.locator("select[name=assigned_to]"))
    # Moving the task on to an active teammate works; Olga is then no longer offered for it.
    picker.select_option(label="Ada Admin")
    expect(picker.locator("option:checked")).to_have_text("Ada Admin")
    expect(picker.locator("option", has_text="Olga Former")).to_have_count(0)
    tasks = web_server.call("GET", "/api/tasks", email=MAX)["tasks"]
    assert [(t["id"], t["assignee_id"]) for t in tasks] == [
        (task["id"], user_id(web_server, "ada@fund.example"))]
