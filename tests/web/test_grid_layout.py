"""The grid's layout and basics in a real browser: a member adjusting a shared view, header
sorts and their marks, the record count, empty results, and a URL for every record."""
import pytest

from tests.web.conftest import PASSWORD, login
from tests.web.test_grid import (INVESTORS, add_condition, grid_names, open_grid, seed,
                                 wait_loaded_after)

pytestmark = pytest.mark.browser

MAX = "max@fund.example"


def field_ids(server, table="investors"):
    fields = server.call("GET", f"/api/fundraising/fields?table={table}")["fields"]
    return {f["name"]: f["id"] for f in fields}


def click_title(column):
    """Click a column's title at its end: the header's menu button sits over the start of a
    narrow column's title."""
    title = column.locator(".tabulator-col-title")
    box = title.bounding_box()
    title.click(position={"x": box["width"] - 3, "y": box["height"] / 2})


def header(page, field_id):
    return page.locator(f".tabulator-col[tabulator-field=f{field_id}]")


def visible_titles(page):
    return page.eval_on_selector_all(
        ".tabulator-col .tabulator-col-title",
        "els => els.filter(e => e.offsetParent !== null).map(e => e.textContent.replace('⋮', '').trim())")


def test_a_member_hides_a_column_in_a_shared_view_and_saves_it_as_their_own(web_server, page):
    seed(web_server)
    ids = field_ids(web_server)
    shared = web_server.call("POST", "/api/fundraising/views", {
        "table": "investors", "name": "Pipeline",
        "sorts": [{"field": ids["Check Size"], "direction": "desc"}]})
    login(page, web_server.base_url, MAX)
    open_grid(page, web_server)
    wait_loaded_after(page, lambda: page.get_by_label("View").select_option(label="Pipeline"))
    assert "Stage" in visible_titles(page)
    assert page.locator(".unsaved-mark").count() == 0

    def hide_stage():
        header(page, ids["Stage"]).locator(".tabulator-header-popup-button").click()
        page.locator(".tabulator-menu-item", has_text="Hide column").click()

    # hiding applies to this person at once, marked unsaved, and Reset brings the view back
    hide_stage()
    page.wait_for_selector(".unsaved-mark")
    assert "Stage" not in visible_titles(page)
    assert page.locator(".toast-error").count() == 0
    assert page.get_by_role("button", name="Save view", exact=True).count() == 0  # shared: admins
    wait_loaded_after(page, lambda: page.get_by_role("button", name="Reset").click())
    assert "Stage" in visible_titles(page)
    assert page.locator(".unsaved-mark").count() == 0

    # the unsaved change stays for this session (a reload keeps it) ...
    hide_stage()
    page.wait_for_selector(".unsaved-mark")
    page.reload()
    page.wait_for_selector(".grid-page[data-loaded]")
    assert page.get_by_label("View").locator("option:checked").inner_text() == "Pipeline"
    assert "Stage" not in visible_titles(page)
    page.wait_for_selector(".unsaved-mark")
    # ... and is saved as a personal view
    page.get_by_role("button", name="Save as my view…").click()
    assert page.locator(".dialog input[name=personal]").is_checked()
    page.get_by_label("View name").fill("My pipeline")
    page.locator(".dialog").get_by_role("button", name="Save view").click()
    page.wait_for_selector(".toast:has-text('Saved view')")
    assert page.get_by_label("View").locator("option:checked").inner_text() == "My pipeline"
    assert page.locator(".unsaved-mark").count() == 0
    assert "Stage" not in visible_titles(page)

    views = {v["name"]: v for v in web_server.call("GET", "/api/fundraising/views", email=MAX)["views"]}
    mine = views["My pipeline"]
    me = web_server.call("GET", "/api/auth/me", email=MAX)["user"]
    assert mine["owner"] == me["id"] and mine["hidden"] == [ids["Stage"]]
    assert mine["sorts"] == [{"field": ids["Check Size"], "direction": "desc"}]
    # the shared view is unchanged on the server, for everyone
    after = {v["name"]: v for v in web_server.call("GET", "/api/fundraising/views")["views"]}["Pipeline"]
    assert after["hidden"] == [] and after["version"] == shared["version"]
    # back in the shared view, the member sees it as saved
    wait_loaded_after(page, lambda: page.get_by_label("View").select_option(label="Pipeline"))
    assert "Stage" in visible_titles(page)
    assert page.locator(".unsaved-mark").count() == 0


def test_header_clicks_sort_and_shift_click_adds_a_sort(web_server, page):
    seed(web_server)
    ids = field_ids(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    stage, check = header(page, ids["Stage"]), header(page, ids["Check Size"])
    sort_button = page.locator("[data-panel=Sort]")

    wait_loaded_after(page, lambda: click_title(stage))
    assert grid_names(page) == ["Beta Partners", "Epsilon LP", "Alpha Capital", "Gamma Ventures",
                                "Zeta Family Office", "Delta Fund"]
    assert sort_button.inner_text() == "Sorted by Stage ↑"
    assert stage.get_attribute("aria-sort") == "ascending"
    assert stage.locator(".col-sort").inner_text() == "↑"

    # shift-click adds Check Size as a second sort (ascending, then descending)
    wait_loaded_after(page, lambda: check.locator(".tabulator-col-title").click(modifiers=["Shift"]))
    assert sort_button.inner_text() == "Sorted by Stage ↑, Check Size ↑"
    wait_loaded_after(page, lambda: check.locator(".tabulator-col-title").click(modifiers=["Shift"]))
    assert sort_button.inner_text() == "Sorted by Stage ↑, Check Size ↓"
    assert grid_names(page) == ["Epsilon LP", "Beta Partners", "Alpha Capital", "Gamma Ventures",
                                "Zeta Family Office", "Delta Fund"]
    assert stage.locator(".col-sort").inner_text() == "↑1"
    assert check.locator(".col-sort").inner_text() == "↓2"
    assert check.get_attribute("data-sort") == "desc"

    # a plain click sorts by that column alone: descending, then off
    wait_loaded_after(page, lambda: click_title(stage))
    assert sort_button.inner_text() == "Sorted by Stage ↓"
    assert grid_names(page)[0] == "Delta Fund"
    assert check.locator(".col-sort").count() == 0
    wait_loaded_after(page, lambda: click_title(stage))
    assert sort_button.inner_text() == "Sort"
    assert grid_names(page) == [name for name, _s, _c in INVESTORS]
    assert page.locator(".col-sort").count() == 0 and stage.get_attribute("aria-sort") is None


def pager(page):
    return page.inner_text(".pager-text")


def test_the_count_follows_add_archive_and_restore(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    assert pager(page) == "1–6 of 6"
    page.get_by_role("button", name="+ Add").click()
    page.wait_for_function("() => document.querySelector('.pager-text').textContent === '1–7 of 7'")
    page.keyboard.press("Escape")
    assert "New investor" in grid_names(page)

    row = page.locator(".tabulator-row", has=page.locator(".tabulator-cell:text-is('Delta Fund')"))
    row.locator(".tabulator-cell[tabulator-field=name]").click(button="right")
    page.locator(".tabulator-menu-item", has_text="Archive").click()
    page.locator(".dialog").get_by_role("button", name="OK").click()
    page.wait_for_selector(".toast:has-text('Archived')")
    assert pager(page) == "1–6 of 6"
    assert "Delta Fund" not in grid_names(page)

    page.click("[data-panel=Archived]")
    panel = page.locator("[data-panel-body=Archived]")
    wait_loaded_after(page, lambda: panel.get_by_role("button", name="Restore").click())
    assert pager(page) == "1–7 of 7"
    assert "Delta Fund" in grid_names(page)


def test_an_empty_result_says_why(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(f"{web_server.base_url}/#/grid/funds")
    page.wait_for_selector(".grid-page[data-loaded]")
    page.wait_for_selector(".tabulator-placeholder:has-text('No records yet')")
    assert pager(page) == "0 records"

    open_grid(page, web_server)
    filter_button = page.locator("[data-panel=Filter]")
    assert filter_button.inner_text() == "Filter"
    filter_button.click()
    panel = page.locator("[data-panel-body=Filter]")
    add_condition(panel, "Check Size", ">", "100000000")
    wait_loaded_after(page, lambda: panel.get_by_role("button", name="Apply filter").click())
    empty = page.locator(".tabulator-placeholder")
    assert "No records match the filters" in empty.inner_text()
    assert filter_button.inner_text() == "1 filter"
    ids = field_ids(web_server)
    assert "col-filtered" in header(page, ids["Check Size"]).get_attribute("class")
    wait_loaded_after(page, lambda: empty.get_by_role("button", name="Clear filters").click())
    assert len(grid_names(page)) == len(INVESTORS)
    assert filter_button.inner_text() == "Filter"
    assert page.locator(".tabulator-placeholder").count() == 0


def log_in_here(page, email):
    """Log in on the login form of the page as it is (keeping its URL)."""
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".user-name")


def test_every_record_has_its_own_url(web_server, new_context):
    ids = seed(web_server)
    gamma, beta = ids["Gamma Ventures"], ids["Beta Partners"]
    # a teammate pastes the link into a new tab: log in, and the record opens
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{web_server.base_url}/#/grid/investors/{gamma}")
    log_in_here(page, MAX)
    page.wait_for_selector(".side-panel h2:text-is('Gamma Ventures')")
    assert page.evaluate("location.hash") == f"#/grid/investors/{gamma}"
    # it also opens after a reload
    page.reload()
    page.wait_for_selector(".side-panel h2:text-is('Gamma Ventures')")
    page.wait_for_selector(".grid-page[data-loaded]")
    # "Copy link" puts the record's URL on the clipboard
    page.locator(".side-panel").get_by_role("button", name="Copy link").click()
    page.wait_for_selector(".toast:has-text('Link copied')")
    assert page.evaluate("navigator.clipboard.readText()") == (
        f"{web_server.base_url}/#/grid/investors/{gamma}")
    # closing restores the table's URL, without loading the grid again
    loaded = page.get_attribute(".grid-page", "data-loaded")
    page.locator(".side-panel").get_by_role("button", name="Close").click()
    page.wait_for_function("() => location.hash === '#/grid/investors'")
    assert page.locator(".side-panel").count() == 0
    # opening a record from the grid updates the URL; Back closes it again
    row = page.locator(".tabulator-row", has=page.locator(".tabulator-cell:text-is('Beta Partners')"))
    row.locator(".expand-cell").click()
    page.wait_for_selector(".side-panel h2:text-is('Beta Partners')")
    assert page.evaluate("location.hash") == f"#/grid/investors/{beta}"
    page.go_back()
    page.wait_for_function("() => !document.querySelector('.side-panel')")
    assert page.evaluate("location.hash") == "#/grid/investors"
    assert page.get_attribute(".grid-page", "data-loaded") == loaded
    # a record that does not exist says so
    page.goto(f"{web_server.base_url}/#/grid/investors/99999")
    page.wait_for_selector(".side-panel .error")
