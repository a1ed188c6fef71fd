"""A new team's first hour in a real browser: the team's messy Airtable export goes in through
the Import page (an owner without an account mapped, another kept as text), then the grid shows
each column as the file meant it, a percent and a multi-select cell are edited, a header click
sorts, and a record opens from its own URL."""
import csv

import pytest

from tests.web.conftest import login
from tests.web.test_cells import cell, wait_saved
from tests.web.test_grid import field_key, grid_names, wait_loaded_after
from tests.web.test_grid_layout import header
from tests.web.test_import_page import FIXTURE, import_the_team_export

pytestmark = pytest.mark.browser

MAPPED = "LP 03 Family Office"  # Priya Shah's (mapped to Max Member); "Health, Bio" and notes
KEPT = "LP 05 Foundation"  # Tom Okafor's (kept as text); two choices with commas


def file_rows():
    with open(FIXTURE, newline="", encoding="utf-8") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def choices(cell_text):
    """A multi-select cell of an Airtable export: choices with a comma are quoted inside."""
    return next(csv.reader([cell_text])) if cell_text else []


def test_the_team_export_imported_shown_edited_sorted_and_linked(web_server, new_context):
    page = new_context().new_page()
    login(page, web_server.base_url, "ada@fund.example")
    import_the_team_export(web_server, page)
    page.wait_for_selector(".grid-page[data-loaded]")
    rows = file_rows()
    key = {name: field_key(web_server, "investors", name) for name in (
        "Owner", "Owner (imported)", "Check Size", "Probability", "Sectors", "Notes")}

    # each column as the file meant it
    for name, owner, kept in [(MAPPED, "Max Member", ""), (KEPT, "", "Tom Okafor")]:
        row = rows[name]
        assert cell(page, name, key["Check Size"]).inner_text() == row["Check Size"]
        assert cell(page, name, key["Probability"]).inner_text() == row["Probability"]
        chips = cell(page, name, key["Sectors"]).locator(".chip").all_inner_texts()
        assert chips == choices(row["Sectors"]) and any("," in c for c in chips)
        assert cell(page, name, key["Notes"]).inner_text() == row["Notes"]
        assert "\n" in row["Notes"]
        assert cell(page, name, key["Owner"]).inner_text() == owner
        assert cell(page, name, key["Owner (imported)"]).inner_text() == kept

    records = {r["name"]: r for r in web_server.call(
        "GET", "/api/fundraising/investors?limit=100")["records"]}
    mapped_id = records[MAPPED]["id"]

    # a percent cell: typed as people say it, stored as the fraction
    probability = cell(page, MAPPED, key["Probability"]).element_handle()
    probability.dblclick()
    editor = probability.wait_for_selector("input")
    assert editor.input_value() == rows[MAPPED]["Probability"].rstrip("%")
    editor.fill("40")
    editor.press("Enter")
    wait_saved(page, 1)
    assert probability.inner_text() == "40%"
    saved = web_server.call("GET", f"/api/fundraising/investors/{mapped_id}")["fields"]
    assert saved["Probability"] == 0.4

    # a multi-select cell: "Health, Bio" off, "AI" on, the rest kept
    sectors = cell(page, MAPPED, key["Sectors"]).element_handle()
    sectors.dblclick()
    box = sectors.wait_for_selector("input")
    options = page.locator(".multi-editor")
    options.get_by_text("Health, Bio", exact=True).click()
    options.get_by_text("AI", exact=True).click()
    box.press("Enter")
    wait_saved(page, 2)
    wanted = [c for c in choices(rows[MAPPED]["Sectors"]) if c != "Health, Bio"] + ["AI"]
    saved = web_server.call("GET", f"/api/fundraising/investors/{mapped_id}")["fields"]
    assert sorted(saved["Sectors"]) == sorted(wanted)
    assert sorted(c.inner_text() for c in sectors.query_selector_all(".chip")) == sorted(wanted)

    # a header click sorts by Check Size, largest first on the second click
    check = header(page, int(key["Check Size"][1:]))
    wait_loaded_after(page, lambda: check.locator(".tabulator-col-title").click())
    wait_loaded_after(page, lambda: check.locator(".tabulator-col-title").click())
    shown = grid_names(page)
    amounts = [records[name]["fields"]["Check Size"] for name in shown]
    assert len(shown) >= 10 and amounts == sorted(amounts, reverse=True)

    # a teammate opens the record from its URL
    other = new_context().new_page()
    login(other, web_server.base_url, "max@fund.example")
    other.goto(f"{web_server.base_url}/#/grid/investors/{mapped_id}")
    other.wait_for_selector(f".side-panel h2:text-is('{MAPPED}')")
    assert other.evaluate("location.hash") == f"#/grid/investors/{mapped_id}"
