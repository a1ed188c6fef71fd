"""Column totals under the grid and the Group by summary, in a real browser: the server's
numbers over every matching row (not only the loaded ones), following search and edits."""
import pytest

from tests.web.conftest import login

pytestmark = pytest.mark.browser

STAGES = ["Meeting", "Diligence", "Prospect"]


def seed(server, count=130):
    """`count` investors (more than a page of the grid): stage by turn, check size i * 1,000,
    every fifth one Strategic."""
    server.call("POST", "/api/fundraising/fields",
                {"table": "investors", "name": "Strategic", "type": "checkbox"})
    creates = [{"name": f"{'Alpha' if i % 2 else 'Beta'} {i:03d}",
                "fields": {"Stage": STAGES[i % 3], "Check Size": i * 1_000,
                           "Strategic": i % 5 == 0}} for i in range(1, count + 1)]
    server.call("POST", "/api/fundraising/investors/batch", {"creates": creates})
    fields = server.call("GET", "/api/fundraising/fields?table=investors")["fields"]
    return {f["name"]: f["id"] for f in fields}


def open_grid(page, server):
    page.goto(f"{server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")
    page.wait_for_selector(".totals-footer[data-refreshed]")


def total_cell(page, field_id):
    return page.locator(f".totals-footer .totals-cell[data-field='{field_id}']")


def wait_total(page, field_id, text):
    page.wait_for_function(
        "([id, text]) => document.querySelector(`.totals-footer .totals-cell[data-field='${id}'] "
        ".totals-value`)?.textContent === text", arg=[str(field_id), text])


def test_totals_of_every_row_follow_search_edits_and_remembered_choices(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    check, strategic = ids["Check Size"], ids["Strategic"]
    # 130 rows, more than the grid loads at first: the sum is the server's, over all of them
    wait_total(page, check, "$8,515,000")  # 1,000 * (1 + ... + 130)
    assert page.get_attribute(".totals-footer", "data-total") == "130"
    wait_total(page, strategic, "26")
    # the footer lines up under its column
    header = page.locator(f".tabulator-col[tabulator-field=f{check}]").bounding_box()
    footer = total_cell(page, check).bounding_box()
    assert abs(header["x"] - footer["x"]) <= 2 and abs(header["width"] - footer["width"]) <= 2

    total_cell(page, check).get_by_label("Total of Check Size").select_option("average")
    wait_total(page, check, "$65,500")
    total_cell(page, check).get_by_label("Total of Check Size").select_option("max")
    wait_total(page, check, "$130,000")

    # a search: the totals of the records found
    page.get_by_label("Search Investors").fill("alpha")
    page.get_by_label("Search Investors").press("Enter")
    page.wait_for_selector(".totals-footer[data-total='65']")
    wait_total(page, check, "$129,000")  # the largest odd one
    total_cell(page, check).get_by_label("Total of Check Size").select_option("sum")
    wait_total(page, check, "$4,225,000")  # 1,000 * (1 + 3 + ... + 129)

    # an edit saved in the grid moves the totals
    row = page.locator(".tabulator-row", has=page.locator(
        ".tabulator-cell[tabulator-field=name]:text-is('Alpha 001')"))
    cell = row.locator(f".tabulator-cell[tabulator-field=f{check}]").element_handle()
    cell.dblclick()
    editor = cell.wait_for_selector("input")
    editor.fill("1001000")
    editor.press("Enter")
    page.wait_for_selector(".grid-page[data-saves='1']")
    wait_total(page, check, "$5,225,000")

    # the choice of total is remembered for this table
    total_cell(page, check).get_by_label("Total of Check Size").select_option("average")
    page.reload()
    page.wait_for_selector(".totals-footer[data-refreshed]")
    assert total_cell(page, check).get_by_label("Total of Check Size").input_value() == "average"
    wait_total(page, check, f"${(8_515_000 + 1_000_000) / 130:,.2f}")


def test_group_by_shows_the_server_counts_and_sums(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    page.get_by_label("Group by").select_option(label="Stage")
    page.wait_for_selector(".groups-bar[data-refreshed] .groups-table")
    rows = page.eval_on_selector_all(
        ".groups-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    # stages in the field's choice order; i % 3: 1 Diligence, 2 Prospect, 0 Meeting
    sums = {s: sum(i * 1_000 for i in range(1, 131) if STAGES[i % 3] == s) for s in STAGES}
    counts = {s: sum(1 for i in range(1, 131) if STAGES[i % 3] == s) for s in STAGES}
    assert rows == [[s, str(counts[s]), f"${sums[s]:,}"] for s in ("Prospect", "Meeting", "Diligence")]
    assert page.inner_text(".groups-table tfoot").split("\t")[1:] == ["130", "$8,515,000"]
    assert "Sum of Check Size" in page.inner_text(".groups-table thead")

    # groups follow the search, and the choice of field is remembered
    page.get_by_label("Search Investors").fill("beta")
    page.get_by_label("Search Investors").press("Enter")
    page.wait_for_function("() => document.querySelector('.groups-table tfoot')"
                           "?.textContent.startsWith('All records65')")
    page.reload()
    page.wait_for_selector(".groups-bar[data-refreshed] .groups-table")
    assert page.get_by_label("Group by").input_value() == str(ids["Stage"])
    page.get_by_label("Group by").select_option(label="No grouping")
    page.wait_for_selector(".groups-table", state="detached")
