"""A table of many fields (above grid.js WIDE) draws only the columns in view: the far
columns still scroll in, edit, paste as one batch, and the frozen name column stays."""
import pytest

from tests.web.conftest import login
from tests.web.test_cells import add_field, cell
from tests.web.test_grid import field_key, open_grid
from tests.web.test_grid_editing import batches, paste

pytestmark = pytest.mark.browser

FIELDS = 45


@pytest.fixture
def wide(web_server, new_context):
    for n in range(FIELDS):
        add_field(web_server, "investors", f"Metric {n:02d}", "number")
    ids = [web_server.call("POST", "/api/fundraising/investors", {"name": name})["id"]
           for name in ("Alpha Capital", "Beta Partners")]
    page = new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    return page, ids


def fields_of(server, record_id):
    return server.call("GET", f"/api/fundraising/investors/{record_id}")["fields"]


def test_far_columns_scroll_in_edit_and_paste(web_server, wide):
    page, (alpha, beta) = wide
    last, before = field_key(web_server, "investors", "Metric 44"), field_key(web_server, "investors", "Metric 43")
    drawn = page.locator(f".tabulator-row .tabulator-cell[tabulator-field={last}]")
    assert drawn.count() == 0  # out of view: not drawn
    page.eval_on_selector(".tabulator-tableholder", "el => { el.scrollLeft = el.scrollWidth; }")
    drawn.first.wait_for()
    assert cell(page, "Alpha Capital", "name").is_visible()  # the frozen name column stays

    target = cell(page, "Alpha Capital", last)
    target.dblclick()
    page.locator(f".tabulator-cell[tabulator-field={last}] input").fill("42")
    page.keyboard.press("Enter")
    page.wait_for_selector(".grid-page[data-saves='1']")
    assert fields_of(web_server, alpha)["Metric 44"] == 42

    cell(page, "Alpha Capital", before).click()
    paste(page, "1\t2\n3\t4")
    batches(page, 1)
    assert [fields_of(web_server, i)[f"Metric {n}"] for i in (alpha, beta) for n in (43, 44)] == [1, 2, 3, 4]
