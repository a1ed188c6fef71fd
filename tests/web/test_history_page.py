"""History and activity in the browser: names, values as the grid shows them, record links."""
import pytest

from tests.web.conftest import login
from tests.web.test_grid import field_key, open_grid

pytestmark = pytest.mark.browser

DATE_AS_SHOWN = ("() => new Date('2025-03-12T00:00:00').toLocaleString(undefined, "
                 "{day: 'numeric', month: 'short', year: 'numeric'})")


def seed(server):
    """Max adds Acme Capital; the investors table gets Sectors (a choice holds a comma)."""
    server.call("POST", "/api/fundraising/fields", {
        "table": "investors", "name": "Sectors", "type": "multi_select",
        "options": {"choices": ["AI, ML", "Fintech", "Climate"]}})
    acme = server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital"},
                       email="max@fund.example")
    server.call("PATCH", f"/api/fundraising/investors/{acme['id']}",  # by API, not the grid
                {"expected_version": 1, "fields": {"Check Size": 1250000}})
    return acme["id"]


def cell(page, server, name):
    """The Acme Capital cell of a field, as an element (an editor replaces its text)."""
    row = page.locator(".tabulator-row", has=page.locator(
        ".tabulator-cell[tabulator-field=name]:text-is('Acme Capital')"))
    return row.locator(f".tabulator-cell[tabulator-field={field_key(server, 'investors', name)}]"
                       ).element_handle()


def edit_in_the_grid(page, server):
    """Ada sets Owner (a list), Sectors (the multi-select) and Last Contact (a date)."""
    open_grid(page, server)
    cell(page, server, "Owner").dblclick()
    page.locator(".tabulator-edit-list-item", has_text="Max Member").click()
    page.wait_for_selector(".grid-page[data-saves='1']")
    sectors = cell(page, server, "Sectors")
    sectors.dblclick()
    box = sectors.wait_for_selector("input")
    page.locator(".multi-editor").get_by_text("AI, ML").click()
    page.locator(".multi-editor").get_by_text("Fintech").click()
    box.press("Enter")
    page.wait_for_selector(".grid-page[data-saves='2']")
    last = cell(page, server, "Last Contact")
    last.dblclick()
    date = last.wait_for_selector("input")
    date.fill("2025-03-12")
    date.press("Enter")
    page.wait_for_selector(".grid-page[data-saves='3']")


def test_history_and_activity_show_names_values_and_links(web_server, page):
    acme = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    date = page.evaluate(DATE_AS_SHOWN)
    edit_in_the_grid(page, web_server)

    page.goto(f"{web_server.base_url}/#/grid/investors/{acme}")
    page.wait_for_selector(".side-panel .history-entry .change-list")
    history = page.inner_text(".side-panel")
    said = [t.strip() for t in
            page.locator(".side-panel .history-entry .entry-summary").all_inner_texts()]
    assert said == [f"Ada Admin changed {name} of investor Acme Capital" for name in
                    ("Last Contact", "Sectors", "Owner", "Check Size")] + [
        "Max Member created investor Acme Capital"]
    changes = [t.strip() for t in page.locator(".side-panel .change-list li").all_inner_texts()]
    assert changes[0] == f"Last Contact: empty → {date}"
    assert changes[2:4] == ["Owner: empty → Max Member", "Check Size: empty → $1,250,000"]
    chips = page.locator(".side-panel .history-entry").nth(1).locator(".chip")
    assert chips.all_inner_texts() == ["AI, ML", "Fintech"]  # one chip a choice, comma kept
    for raw in ("2025-03-12", '["', "→ 2\n", "update investors"):
        assert raw not in history

    page.goto(f"{web_server.base_url}/#/activity")
    page.wait_for_selector(".activity-entry a.record-link")
    feed = page.inner_text(".activity-list")
    assert "Ada Admin added the field Sectors (multi select) to investors" in feed
    assert "Owner: empty → Max Member" in feed and f"Last Contact: empty → {date}" in feed
    for raw in ("update investors", "create fields", "2025-03-12", '["'):
        assert raw not in feed
    sectors = page.locator(".activity-entry", has_text="changed Sectors")
    assert sectors.locator(".chip").all_inner_texts() == ["AI, ML", "Fintech"]
    entry = page.locator(".activity-entry", has_text="changed Owner")
    link = entry.locator("a.record-link")
    assert link.inner_text() == "Acme Capital"
    assert link.get_attribute("href") == f"#/grid/investors/{acme}"
    link.click()
    page.wait_for_selector(".side-panel h2:has-text('Acme Capital')")
    assert page.url.endswith(f"#/grid/investors/{acme}")
    page.wait_for_selector(".side-panel .history-entry")
