"""Links into a table too large to load at once (more than ALL_AT_ONCE records): the grid
draws the names it needs, the picker searches the server, a pasted name is looked up."""
import json
import sqlite3

import pytest

from tests.web.conftest import login
from tests.web.test_cells import add_field, cell
from tests.web.test_grid import field_key
from tests.web.test_grid_editing import batches, paste

pytestmark = pytest.mark.browser

COUNT = 2_600  # above link_names.js ALL_AT_ONCE (2,000)


def seed(server):
    """COUNT investors; the first links to two beyond the first 2,000 ids."""
    field = add_field(server, "investors", "Co-investors", "link", options={"table": "investors"})
    db = sqlite3.connect(server.data_dir / "crm.db", timeout=30)
    with db:
        db.executemany(
            "INSERT INTO fundraising_investors (name, stage, data, version, created_at, updated_at)"
            " VALUES (?, 'Prospect', ?, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            ((f"Investor {n:05d}", json.dumps({str(field["id"]): [2_450, 2_501]} if n == 1 else {}))
             for n in range(1, COUNT + 1)))
        db.execute("UPDATE fundraising_state SET version = version + 1 WHERE id = 1")
    db.close()
    return field_key(server, "investors", "Co-investors")


@pytest.fixture
def grid(web_server, new_context):
    key = seed(web_server)
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    names = []
    page.on("request", lambda r: names.append(r.url) if "/names" in r.url else None)
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(f"{web_server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")
    return page, key, names


def links_of(server, record_id):
    return server.call("GET", f"/api/fundraising/investors/{record_id}")["fields"]["Co-investors"]


def test_names_beyond_the_first_load_are_drawn_as_needed(web_server, grid):
    page, key, names = grid
    shown = cell(page, "Investor 00001", key)
    shown.locator("text=Investor 02501").wait_for()
    assert "Investor 02450" in shown.inner_text()
    assert any("ids=" in url for url in names)  # fetched by id, not the whole table
    assert not any("limit=1000&offset" in url for url in names)


def test_the_picker_finds_a_record_the_grid_never_loaded(web_server, grid):
    page, key, _ = grid
    cell(page, "Investor 00002", key).dblclick()
    page.locator("input.cell-editor").fill("02577")
    page.locator(".multi-option.active", has_text="Investor 02577").wait_for()
    page.keyboard.press("Enter")  # ticks the highlighted match
    page.keyboard.press("Enter")  # saves
    page.wait_for_selector(".grid-page[data-saves='1']")
    assert links_of(web_server, 2) == [2_577]


def test_a_pasted_name_from_beyond_the_first_load_is_found(web_server, grid):
    page, key, _ = grid
    cell(page, "Investor 00003", key).click()
    paste(page, "Investor 02599; Investor 00004")
    batches(page, 1)
    assert links_of(web_server, 3) == [2_599, 4]
