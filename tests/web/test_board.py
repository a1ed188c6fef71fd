"""The Kanban board in a real browser: a board view made from the page, a card dragged between
columns (counts and sums follow), the keyboard's Move to, and a move refused by a newer change."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-board.png"
INVESTORS = [("Alpha Capital", "Meeting", 2_000_000), ("Beta Partners", "Intro", 500_000),
             ("Gamma Ventures", "Meeting", 1_500_000), ("Delta Fund", "Diligence", 3_000_000),
             ("Epsilon LP", "Prospect", 250_000), ("Zeta Family Office", "Meeting", 750_000)]


def seed(server):
    ids = {}
    for name, stage, check in INVESTORS:
        ids[name] = server.call("POST", "/api/fundraising/investors", {
            "name": name, "fields": {"Stage": stage, "Check Size": check}})["id"]
    return ids


def open_board(page, server, path="investors"):
    page.set_viewport_size({"width": 2400, "height": 900})  # all nine columns in view
    page.goto(f"{server.base_url}/#/board/{path}")
    shown_board(page)


def after_load(page, action):
    """Run `action` and wait for the board to be read and drawn again."""
    before = page.get_attribute(".page[data-page=board]", "data-loaded")
    action()
    page.wait_for_function("before => document.querySelector('.page[data-page=board]')"
                           ".dataset.loaded !== before", arg=before)


def shown_board(page):
    """Wait until the board the address names is drawn (a new page replaces the old one)."""
    page.wait_for_function("""() => {
        const page = document.querySelector('.page[data-page=board][data-loaded]');
        const picker = page && page.querySelector('[aria-label="Board view"]');
        return picker && picker.value === (location.hash.split('/')[3] || '');
    }""")


def column(page, title):
    return page.locator(f".board-column[aria-label='{title}']")


def head(page, title):
    box = column(page, title)
    return box.locator(".board-count").inner_text(), box.locator(".board-sum").inner_text()


def card(page, name):
    return page.locator(".board-card", has=page.locator(".board-card-name", has_text=name))


def stage_of(server, record_id):
    return server.call("GET", f"/api/fundraising/investors/{record_id}")["fields"].get("Stage")


def make_board(page, name):
    page.get_by_role("button", name="New board").click()
    dialog = page.get_by_role("form", name="New board")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Group by").select_option(label="Stage")
    dialog.get_by_label("Sum of").select_option(label="Check Size")
    dialog.get_by_role("button", name="Create board").click()
    page.wait_for_url("**/#/board/investors/*")
    shown_board(page)


def test_create_a_board_and_drag_a_card_between_columns(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_board(page, web_server)
    make_board(page, "Pipeline")
    view = next(v for v in web_server.call("GET", "/api/fundraising/views")["views"]
                if v["name"] == "Pipeline")
    assert view["type"] == "board" and page.url.endswith(f"#/board/investors/{view['id']}")
    expect(page.get_by_label("Board view")).to_have_value(str(view["id"]))
    expect(column(page, "No Stage")).to_have_count(0)  # shown once a record has no stage
    assert head(page, "Meeting") == ("3", "$4,250,000")
    assert head(page, "Diligence") == ("1", "$3,000,000")
    expect(card(page, "Alpha Capital").locator(".board-values")).to_contain_text("$2,000,000")

    after_load(page, lambda: page.drag_and_drop(
        ".board-card:has-text('Alpha Capital')", ".board-column[aria-label='Diligence']"))
    assert head(page, "Meeting") == ("2", "$2,250,000")
    assert head(page, "Diligence") == ("2", "$5,000,000")
    expect(column(page, "Diligence")).to_contain_text("Alpha Capital")
    assert stage_of(web_server, ids["Alpha Capital"]) == "Diligence"

    # the keyboard way: the card's Move to select
    move = card(page, "Epsilon LP").get_by_label("Move Epsilon LP to")
    after_load(page, lambda: move.select_option(label="No Stage"))
    assert head(page, "No Stage") == ("1", "$250,000") and head(page, "Prospect")[0] == "0"
    assert stage_of(web_server, ids["Epsilon LP"]) is None
    expect(card(page, "Epsilon LP").get_by_label("Move Epsilon LP to")).to_be_focused()
    expect(column(page, "No Stage")).to_contain_text("Epsilon LP")

    # a click on a card opens its record in the grid
    card(page, "Delta Fund").locator(".board-card-name").click()
    page.wait_for_url(f"**/#/grid/investors/{ids['Delta Fund']}")

    open_board(page, web_server, f"investors/{view['id']}")
    page.get_by_role("button", name="Edit board").click()
    dialog = page.get_by_role("form", name="Edit board")
    expect(dialog.get_by_label("Name")).to_have_value("Pipeline")
    dialog.get_by_label("Sum of").select_option(label="No sum")
    dialog.get_by_label("Last Contact").uncheck()
    dialog.get_by_role("button", name="Save board").click()
    expect(dialog).to_have_count(0)  # closed as the page is drawn again
    shown_board(page)
    assert page.locator(".board-sum").count() == 0
    board = next(v for v in web_server.call("GET", "/api/fundraising/views")["views"]
                 if v["id"] == view["id"])["board"]
    assert board["sum_field"] is None and len(board["card_fields"]) == 2

    page.get_by_role("button", name="Archive board").click()
    page.get_by_role("dialog").get_by_role("button", name="OK").click()
    page.wait_for_url("**/#/board/investors")
    shown_board(page)
    assert [v["name"] for v in web_server.call("GET", "/api/fundraising/views?archived=true")
            ["views"]] == ["Pipeline"]
    expect(page.get_by_label("Board view").locator("option")).to_have_count(1)


def test_a_move_over_a_newer_change_is_refused_and_the_card_goes_back(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_board(page, web_server)
    assert head(page, "Intro")[0] == "1"
    beta = web_server.call("GET", f"/api/fundraising/investors/{ids['Beta Partners']}")
    web_server.call("PATCH", f"/api/fundraising/investors/{ids['Beta Partners']}",
                    {"expected_version": beta["version"], "fields": {"Stage": "Passed"}},
                    email="max@fund.example")
    after_load(page, lambda: page.drag_and_drop(
        ".board-card:has-text('Beta Partners')", ".board-column[aria-label='Meeting']"))
    expect(page.locator(".toast-error")).to_contain_text("changed by Max Member")
    expect(column(page, "Passed")).to_contain_text("Beta Partners")
    assert head(page, "Meeting")[0] == "3" and head(page, "Intro")[0] == "0"
    assert stage_of(web_server, ids["Beta Partners"]) == "Passed"


def test_a_board_keeps_its_views_filters_and_the_readme_screenshot(web_server, page):
    assert "300 investors" in web_server.cli("demo", "load")
    login(page, web_server.base_url, "ada@fund.example")
    open_board(page, web_server)
    page.get_by_role("button", name="New board").click()
    dialog = page.get_by_role("form", name="New board")
    dialog.get_by_label("Name").fill("Active pipeline board")
    dialog.get_by_label("Filters from").select_option(label="Active pipeline")
    dialog.get_by_role("button", name="Create board").click()
    page.wait_for_url("**/#/board/investors/*")
    shown_board(page)
    view = next(v for v in web_server.call("GET", "/api/fundraising/views")["views"]
                if v["name"] == "Active pipeline board")
    grid_view = next(v for v in web_server.call("GET", "/api/fundraising/views")["views"]
                     if v["name"] == "Active pipeline")
    listed = web_server.call("GET", f"/api/fundraising/investors?view={grid_view['id']}&limit=1")
    status = page.inner_text(".board-status")
    assert status.startswith(f"{listed['total']:,} records by Stage"), status
    assert view["filters"] == grid_view["filters"]
    page.set_viewport_size({"width": 1400, "height": 760})
    page.get_by_label("Board view").select_option(label="Default board")
    page.wait_for_url("**/#/board/investors")
    shown_board(page)
    assert page.inner_text(".board-status").startswith("300 records by Stage")
    page.evaluate("document.getElementById('toasts').replaceChildren()")
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
