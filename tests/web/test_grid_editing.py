"""Spreadsheet moves in the grid, in a real browser: paste a block (one batch; a bad cell is
marked and the rest saved), undo and redo, copy, fill down, clear, typing starts an edit, and
bulk edit of the selected rows."""
import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login
from tests.web.test_cells import cell, keys
from tests.web.test_grid import open_grid, seed, wait_loaded_after

pytestmark = pytest.mark.browser

BLOCK = ("Committed\tMax Member\t$2,500,000\t2026-03-31\n"
         "Diligence\tAda Admin\tlots\t3/15/2026\n"
         "Meeting\t\t1.5M\tMar 1, 2026\n")


def values(server, record_id):
    record = server.call("GET", f"/api/fundraising/investors/{record_id}")
    return record["fields"] | {"_version": record["version"]}


def users(server):
    return {u["name"]: u["id"] for u in server.call("GET", "/api/users")["users"]}


def paste(page, text):
    """A real paste: the text on the system clipboard, then Ctrl+V."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+v")


def batches(page, count):
    page.wait_for_selector(f".grid-page[data-batches='{count}']")


@pytest.fixture
def grid_page(web_server, new_context):
    ids = seed(web_server)
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    return page, ids


def test_a_pasted_block_is_one_batch_and_a_bad_cell_is_marked(web_server, grid_page):
    page, ids = grid_page
    stage, owner, check, last = keys(web_server, "Stage", "Owner", "Check Size", "Last Contact")
    people = users(web_server)
    before_beta = values(web_server, ids["Beta Partners"])
    cell(page, "Alpha Capital", stage).click()
    paste(page, BLOCK)
    batches(page, 1)
    alpha, beta, gamma = (values(web_server, ids[n]) for n in
                          ("Alpha Capital", "Beta Partners", "Gamma Ventures"))
    assert (alpha["Stage"], alpha["Owner"], alpha["Check Size"], alpha["Last Contact"]) == (
        "Committed", people["Max Member"], 2_500_000, "2026-03-31")
    assert (beta["Stage"], beta["Owner"], beta["Last Contact"]) == (
        "Diligence", people["Ada Admin"], "2026-03-15")
    assert beta["Check Size"] == before_beta["Check Size"]  # "lots" is no amount
    assert (gamma["Stage"], gamma.get("Owner"), gamma["Check Size"], gamma["Last Contact"]) == (
        "Meeting", None, 1_500_000, "2026-03-01")
    # one write per record, each one version on: one batch, not eleven PATCHes
    assert [r["_version"] for r in (alpha, beta, gamma)] == [2, 2, 2]
    bad = cell(page, "Beta Partners", check)
    expect(bad).to_have_class(re.compile(r"\bcell-error\b"))
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(bad).to_have_attribute("title", "“lots” is not a number")
    expect(cell(page, "Alpha Capital", check)).not_to_have_attribute("aria-invalid", "true")
    expect(cell(page, "Alpha Capital", stage)).to_have_text("Committed")
    expect(page.locator(".toast")).to_contain_text("1 cell not changed")

    # undo takes the whole paste back, redo brings it again
    page.keyboard.press("Control+z")
    batches(page, 2)
    assert values(web_server, ids["Alpha Capital"])["Stage"] == "Meeting"
    assert values(web_server, ids["Gamma Ventures"]).get("Owner") is None
    assert values(web_server, ids["Beta Partners"]).get("Last Contact") is None
    expect(cell(page, "Alpha Capital", stage)).to_have_text("Meeting")
    page.keyboard.press("Control+y")
    batches(page, 3)
    assert values(web_server, ids["Alpha Capital"])["Check Size"] == 2_500_000


def test_an_undo_over_someone_elses_change_asks_first(web_server, grid_page):
    page, ids = grid_page
    (stage,) = keys(web_server, "Stage")
    cell(page, "Delta Fund", stage).click()
    paste(page, "Committed")
    batches(page, 1)
    version = values(web_server, ids["Delta Fund"])["_version"]
    web_server.call("PATCH", f"/api/fundraising/investors/{ids['Delta Fund']}",
                    {"expected_version": version, "fields": {"Stage": "Passed"}},
                    email="max@fund.example")
    # the grid reads the row again (a search), so it holds the newer version
    search = page.get_by_label("Search Investors")
    wait_loaded_after(page, lambda: (search.fill("Delta"), search.press("Enter")))
    cell(page, "Delta Fund", stage).click()
    expect(cell(page, "Delta Fund", stage)).to_have_text("Passed")
    page.keyboard.press("Control+z")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("changed by someone else")
    dialog.get_by_role("button", name="Cancel").click()
    assert values(web_server, ids["Delta Fund"])["Stage"] == "Passed"


def test_copy_fill_down_clear_and_typing(web_server, grid_page):
    page, ids = grid_page
    stage, check = keys(web_server, "Stage", "Check Size")
    cell(page, "Alpha Capital", stage).click()
    cell(page, "Beta Partners", check).click(modifiers=["Shift"])
    page.keyboard.press("Control+c")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    names = {v: k for k, v in users(web_server).items()}
    owners = [names.get(values(web_server, ids[n]).get("Owner"), "")
              for n in ("Alpha Capital", "Beta Partners")]
    assert copied.split("\n") == [f"Meeting\t{owners[0]}\t5000000",
                                   f"Diligence\t{owners[1]}\t2000000"]
    # what was copied pastes back to the same values: nothing to write
    paste(page, copied)
    expect(page.locator(".grid-page")).not_to_have_attribute("data-batches", "1")

    # fill down: Alpha's stage into Beta and Gamma
    cell(page, "Alpha Capital", stage).click()
    cell(page, "Gamma Ventures", stage).click(modifiers=["Shift"])
    page.keyboard.press("Control+d")
    batches(page, 1)
    assert [values(web_server, ids[n])["Stage"] for n in
            ("Alpha Capital", "Beta Partners", "Gamma Ventures")] == ["Meeting"] * 3
    assert values(web_server, ids["Beta Partners"])["_version"] == 2

    # Delete clears the selected cells
    cell(page, "Delta Fund", check).click()
    page.keyboard.press("Delete")
    batches(page, 2)
    assert values(web_server, ids["Delta Fund"]).get("Check Size") is None

    # typing on a selected cell starts its editor with what was typed; Enter saves
    cell(page, "Epsilon LP", "name").click()
    page.keyboard.type("Epsilon Partners")
    page.keyboard.press("Enter")
    page.wait_for_selector(".grid-page[data-saves='1']")
    assert web_server.call("GET", f"/api/fundraising/investors/{ids['Epsilon LP']}")["name"] \
        == "Epsilon Partners"
    # and it is an undo step like the others
    page.keyboard.press("Escape")
    cell(page, "Epsilon Partners", "name").click()
    page.keyboard.press("Control+z")
    batches(page, 3)
    assert web_server.call("GET", f"/api/fundraising/investors/{ids['Epsilon LP']}")["name"] \
        == "Epsilon LP"


def test_bulk_edit_sets_a_field_and_archives_the_selected_rows(web_server, grid_page):
    page, ids = grid_page
    (stage,) = keys(web_server, "Stage")
    cell(page, "Beta Partners", "name").click()
    cell(page, "Delta Fund", stage).click(modifiers=["Shift"])
    page.get_by_role("button", name="Bulk edit").click()
    panel = page.locator("[data-bulk]")
    expect(panel).to_contain_text("3 records selected")
    panel.get_by_label("Field to set").select_option(label="Stage")
    panel.get_by_label("New value").fill("soft circle")
    panel.get_by_role("button", name="Set field").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Set Stage to “Soft Circle” on 3 records?")
    dialog.get_by_role("button", name="OK").click()
    batches(page, 1)
    assert [values(web_server, ids[n])["Stage"] for n in
            ("Beta Partners", "Gamma Ventures", "Delta Fund")] == ["Soft Circle"] * 3
    assert values(web_server, ids["Alpha Capital"])["Stage"] == "Meeting"

    # a value the field cannot take is refused before any write
    panel.get_by_label("New value").fill("Maybe later")
    panel.get_by_role("button", name="Set field").click()
    expect(page.locator(".toast").last).to_contain_text("is not a choice of Stage")

    panel.get_by_role("button", name="Archive selected").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Archive 3 records?")
    dialog.get_by_role("button", name="OK").click()
    expect(page.locator(".toast").last).to_contain_text("Archived 3 records")
    live = web_server.call("GET", "/api/fundraising/investors?limit=100")["records"]
    assert sorted(r["name"] for r in live) == ["Alpha Capital", "Epsilon LP", "Zeta Family Office"]
    expect(page.locator(".pager-text")).to_have_text("1–3 of 3")
