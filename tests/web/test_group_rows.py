"""Group by shows each group's records under its line (group_rows.js), in a real browser: the
records are the list route's for the grid's query and the group's value, fifty at a time."""
import json
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login

pytestmark = pytest.mark.browser

STAGES = ["Meeting", "Diligence", "Prospect"]
HTML_NAME = "<b>x</b>"


def seed(server, stages):
    """One investor per stage given, check size i * 1,000; the third is named with HTML."""
    creates = [{"name": HTML_NAME if i == 3 else f"{'Alpha' if i % 2 else 'Beta'} {i:03d}",
                "fields": {"Stage": stage, "Check Size": i * 1_000}}
               for i, stage in enumerate(stages, start=1)]
    server.call("POST", "/api/fundraising/investors/batch", {"creates": creates})
    fields = server.call("GET", "/api/fundraising/fields?table=investors")["fields"]
    return {f["name"]: f["id"] for f in fields}


def api_names(server, stage, q=None):
    """Names of the investors at this stage, as the list route gives them (by id)."""
    filters = {"op": "and", "conditions": [{"field": "Stage", "operator": "is", "value": stage}]}
    query = {"filters": json.dumps(filters), "limit": 1000, **({"q": q} if q else {})}
    got = server.call("GET", f"/api/fundraising/investors?{urllib.parse.urlencode(query)}")
    return [r["name"] for r in got["records"]]


def group_by_stage(page, server):
    page.goto(f"{server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")
    page.get_by_label("Group by").select_option(label="Stage")
    page.wait_for_selector(".groups-bar[data-refreshed] .groups-table")


def toggle(page, stage):
    return page.locator(".groups-table .group-toggle", has_text=stage)


def records_of(page, stage):
    return page.locator(f".group-records[data-group='\"{stage}\"']")


def shown_names(page, stage):
    return records_of(page, stage).locator(".group-record-link")


def test_a_group_opens_to_its_records_following_search_and_opening_them(web_server, page):
    ids = seed(web_server, [STAGES[i % 3] for i in range(1, 31)])
    page.set_viewport_size({"width": 1300, "height": 1000})  # the grid's rows under an open group
    login(page, web_server.base_url, "ada@fund.example")
    group_by_stage(page, web_server)
    groups = web_server.call(
        "GET", f"/api/fundraising/investors/groups?field=Stage&sums=[{ids['Check Size']}]")
    meeting = next(g for g in groups["groups"] if g["value"] == "Meeting")

    button = toggle(page, "Meeting")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")  # keyboard reachable
    expect(button).to_have_attribute("aria-expanded", "true")
    names = api_names(web_server, "Meeting")
    assert len(names) == meeting["count"] == 10 and HTML_NAME in names
    expect(shown_names(page, "Meeting")).to_have_text(names)
    expect(records_of(page, "Meeting").locator(".group-records-count")).to_have_text("10 of 10")
    # the group's line shows the server's count and sum
    line = page.locator(".groups-table tr.group-row",
                        has=page.locator(".group-toggle", has_text="Meeting"))
    expect(line.locator("td")).to_have_text(
        ["Meeting", str(meeting["count"]), f"${meeting['sums'][str(ids['Check Size'])]:,}"])
    # the visible grid columns beside the name, values as the grid shows them
    header = records_of(page, "Meeting").locator("thead th")
    expect(header.first).to_have_text("Name")
    assert "Check Size" in header.all_text_contents()
    expect(records_of(page, "Meeting").locator("tbody tr").first).to_contain_text("$3,000")
    # a name with HTML in it is text
    expect(shown_names(page, "Meeting").filter(has_text=HTML_NAME)).to_have_count(1)
    assert records_of(page, "Meeting").locator("b").count() == 0
    # other groups stay closed; the detail row is under its own line
    expect(page.locator(".group-detail")).to_have_count(1)

    # an edit saved in the grid shows in the open group, and in its line's sum
    row = page.locator(".tabulator-row", has=page.locator(
        f".tabulator-cell[tabulator-field=name]:text-is('{HTML_NAME}')"))
    cell = row.locator(f".tabulator-cell[tabulator-field=f{ids['Check Size']}]")
    cell.dblclick()
    editor = cell.locator("input")
    editor.fill("777000")
    editor.press("Enter")
    page.wait_for_selector(".grid-page[data-saves='1']")
    first_row = records_of(page, "Meeting").locator("tbody tr").first
    expect(first_row).to_contain_text(HTML_NAME)
    expect(first_row).to_contain_text("$777,000")
    expect(line.locator("td").nth(2)).to_have_text(
        f"${meeting['sums'][str(ids['Check Size'])] - 3_000 + 777_000:,}")

    # a search narrows the open group's records
    page.get_by_label("Search Investors").fill("alpha")
    page.get_by_label("Search Investors").press("Enter")
    narrowed = api_names(web_server, "Meeting", q="alpha")
    assert 0 < len(narrowed) < len(names)
    expect(shown_names(page, "Meeting")).to_have_text(narrowed)
    expect(records_of(page, "Meeting").locator(".group-records-count")).to_have_text(
        f"{len(narrowed)} of {len(narrowed)}")

    # a click on a name opens the record panel, as the grid's expand button does
    first = shown_names(page, "Meeting").first
    first.click()
    panel = page.locator(".side-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(narrowed[0])
    assert page.url.split("#")[1].startswith("/grid/investors/")

    # collapsing hides the records again
    button.click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".group-detail")).to_have_count(0)


def test_show_fifty_more_expand_all_and_show_in_grid(web_server, page):
    seed(web_server, ["Prospect"] * 110 + ["Meeting"] * 10)
    login(page, web_server.base_url, "ada@fund.example")
    group_by_stage(page, web_server)
    names = api_names(web_server, "Prospect")
    assert len(names) == 110

    toggle(page, "Prospect").click()
    expect(shown_names(page, "Prospect")).to_have_count(50)
    expect(shown_names(page, "Prospect")).to_have_text(names[:50])
    expect(records_of(page, "Prospect").locator(".group-records-count")).to_have_text("50 of 110")
    records_of(page, "Prospect").get_by_role("button", name="Show 50 more").click()
    expect(shown_names(page, "Prospect")).to_have_count(100)
    expect(shown_names(page, "Prospect").nth(50)).to_be_focused()  # the keyboard goes on there
    records_of(page, "Prospect").get_by_role("button", name="Show 10 more").click()
    expect(shown_names(page, "Prospect")).to_have_text(names)
    expect(records_of(page, "Prospect").get_by_role("button", name="Show 10 more")).to_have_count(0)

    # Expand all and Collapse all
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator(".group-detail")).to_have_count(2)
    expect(shown_names(page, "Meeting")).to_have_text(api_names(web_server, "Meeting"))
    expect(shown_names(page, "Prospect")).to_have_count(110)  # stays as far as it was shown
    page.get_by_role("button", name="Collapse all").click()
    expect(page.locator(".group-detail")).to_have_count(0)

    # Show in grid: the group becomes a filter of the grid
    toggle(page, "Meeting").click()
    records_of(page, "Meeting").get_by_role("button", name="Show in grid").click()
    expect(page.locator(".totals-footer")).to_have_attribute("data-total", "10")
    expect(page.locator(".groups-table tr.group-row")).to_have_count(1)
    grid_names = page.locator(".tabulator-row .tabulator-cell[tabulator-field=name]")
    expect(grid_names).to_have_count(10)
    assert sorted(grid_names.all_text_contents()) == sorted(api_names(web_server, "Meeting"))


def test_list_and_checkbox_groups_and_a_saved_view(web_server, page):
    """A multi select's group holds each record having that value, its empty group the ones
    with none; a checkbox's unchecked group the empty ones too; a saved view's own filters
    and sorts apply to a group's records."""
    server = web_server
    server.call("POST", "/api/fundraising/fields", {"table": "investors", "name": "Sectors",
                "type": "multi_select", "options": {"choices": ["Fintech", "Health", "Climate"]}})
    server.call("POST", "/api/fundraising/fields",
                {"table": "investors", "name": "Strategic", "type": "checkbox"})
    sectors = [["Fintech"], ["Health", "Fintech"], [], ["Climate"], ["Fintech", "Climate"], []]
    creates = [{"name": f"Fund {i:02d}", "fields": {"Sectors": sectors[i % 6], "Check Size": i * 1_000,
                                                     **({"Strategic": True} if i % 4 == 0 else {})}}
               for i in range(1, 25)]
    server.call("POST", "/api/fundraising/investors/batch", {"creates": creates})
    login(page, server.base_url, "ada@fund.example")
    page.goto(f"{server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")

    page.get_by_label("Group by").select_option(label="Sectors")
    page.wait_for_selector(".groups-bar[data-refreshed] .groups-table")
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator(".group-detail")).to_have_count(4)  # three choices and the empty group
    for sector in ["Fintech", "Health", "Climate"]:
        want = [c["name"] for c in creates if sector in c["fields"]["Sectors"]]
        expect(shown_names(page, sector)).to_have_text(want)
    expect(page.locator(".group-records[data-group='null'] .group-record-link")).to_have_text(
        [c["name"] for c in creates if not c["fields"]["Sectors"]])

    page.get_by_label("Group by").select_option(label="Strategic")
    expect(page.locator(".group-detail")).to_have_count(0)  # open groups are per field
    toggle(page, "Unchecked").click()
    unchecked = [c["name"] for c in creates if "Strategic" not in c["fields"]]
    expect(page.locator(".group-records[data-group='false'] .group-record-link")).to_have_text(unchecked)

    # a date-time's groups cannot be listed: the list route's date filters compare days
    server.call("POST", "/api/fundraising/fields", {"table": "investors", "name": "Met at",
                "type": "date", "options": {"include_time": True}})
    first = server.call("GET", "/api/fundraising/investors?limit=1")["records"][0]
    server.call("PATCH", f"/api/fundraising/investors/{first['id']}", {
        "expected_version": first["version"], "fields": {"Met at": "2026-01-02T10:30:00"}})
    page.reload()
    page.get_by_label("Group by").select_option(label="Met at")
    page.wait_for_selector(".groups-bar[data-refreshed] .groups-table")
    toggles = page.locator(".groups-table .group-toggle")
    expect(toggles).to_have_count(2)
    expect(toggles.first).to_be_disabled()
    expect(toggles.last).to_be_enabled()  # the empty group can
    page.get_by_label("Group by").select_option(label="Strategic")

    # a saved view (check size over 10,000, largest first): its filters and sorts hold
    view = server.call("POST", "/api/fundraising/views", {
        "table": "investors", "name": "Large",
        "filters": {"op": "and", "conditions": [
            {"field": "Check Size", "operator": ">", "value": 10_000}]},
        "sorts": [{"field": "Check Size", "direction": "desc"}]})
    page.evaluate("id => localStorage.setItem('crm.grid.view.investors', String(id))", view["id"])
    page.reload()
    page.wait_for_selector(".groups-bar[data-refreshed] .groups-table")
    toggle(page, "Unchecked").click()
    want = [c["name"] for c in reversed(creates)
            if "Strategic" not in c["fields"] and c["fields"]["Check Size"] > 10_000]
    expect(page.locator(".group-records[data-group='false'] .group-record-link")).to_have_text(want)
