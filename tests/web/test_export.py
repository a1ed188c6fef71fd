"""The grid's Export panel downloads what the grid shows, in a real browser."""
import csv
import io

import pytest
from openpyxl import load_workbook

from tests.web.conftest import login
from tests.web.test_grid import INVESTORS, grid_names, open_grid, seed, wait_loaded_after

pytestmark = pytest.mark.browser


def header_names(page):
    return page.eval_on_selector_all(
        ".tabulator-col:not([style*='display: none']) .tabulator-col-title",
        "cells => cells.map(c => c.textContent.replace('⋮', '').trim())")


def download(page, button):
    panel = page.locator("[data-panel-body=Export]")
    with page.expect_download() as info:
        panel.get_by_role("button", name=button).click()
    return info.value


def test_export_downloads_the_views_rows_and_visible_columns(web_server, page):
    seed(web_server)
    web_server.call("POST", "/api/fundraising/investors",
                    {"name": "=HYPERLINK(\"http://x.example\")", "fields": {"Stage": "Meeting"}})
    view = web_server.call("POST", "/api/fundraising/views", {
        "table": "investors", "name": "Meetings",
        "filters": {"conditions": [{"field": "Stage", "operator": "is", "value": "Meeting"}]},
        "sorts": [{"field": "Check Size", "direction": "desc"}],
        "hidden": ["Owner", "Last Contact", "Created at", "Last modified at",
                   "Last modified by"]})
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    wait_loaded_after(page, lambda: page.get_by_label("View").select_option(str(view["id"])))
    # the fields' columns; other plugins' read-only columns (Last emailed by) come after
    # them and are not exported
    assert [h for h in header_names(page) if h] == ["Name", "Stage", "Check Size", "Created by",
                                                     "Last emailed by"]
    created_by = page.eval_on_selector_all(  # a read-only column: people by name
        ".tabulator-row .tabulator-cell[tabulator-field='f-2']", "cells => cells.map(c => c.textContent)")
    assert created_by == ["Ada Admin"] * 4

    page.click("[data-panel=Export]")
    panel = page.locator("[data-panel-body=Export]")
    assert "4 records, 4 columns" in panel.inner_text()
    got = download(page, "Download CSV")
    assert got.suggested_filename.startswith("investors-meetings-")
    assert got.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(got.path(), encoding="utf-8-sig").read(),
                                       newline="")))
    meetings = sorted(((n, c) for n, s, c in INVESTORS if s == "Meeting"), key=lambda r: -r[1])
    assert rows == [["Name", "Stage", "Check Size", "Created by"],
                    *[[n, "Meeting", f"${c:,}.00", "Ada Admin"] for n, c in meetings],
                    ["'=HYPERLINK(\"http://x.example\")", "Meeting", "", "Ada Admin"]]

    # a change in this session (not saved to the view) is what the next download has
    page.click("[data-panel=Export]")  # closes the panel
    page.click("[data-panel=Sort]")
    sorts = page.locator("[data-panel-body=Sort]")
    wait_loaded_after(page, lambda: sorts.get_by_label("Sort field").select_option(label="Name"))
    page.click("[data-panel=Export]")
    got = download(page, "Download Excel (.xlsx)")
    assert got.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(got.path(), "rb").read()))
    names = [row[0] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    shown = grid_names(page)  # by Name, still descending as the view's sort was
    assert shown == [*sorted((n for n, _ in meetings), reverse=True),
                     "=HYPERLINK(\"http://x.example\")"]
    assert names == ["Name", *shown]
