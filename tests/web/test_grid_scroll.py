"""The grid over a whole result, no pager: rows are fetched block by block as they scroll into
view, and the scrollbar reaches any of 100,000 rows."""
import sqlite3

import pytest

from tests.web.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COUNT = 100_000


def seed_investors(server, count):
    """`count` investors written straight into the server's database (the API would take
    minutes), then the fundraising state bumped so the server's read caches notice."""
    db = sqlite3.connect(server.data_dir / "crm.db", timeout=30)
    with db:
        db.executemany(
            "INSERT INTO fundraising_investors (name, stage, data, version, created_at, updated_at,"
            " deleted_at) VALUES (?, 'Prospect', '{}', 1, '2026-01-01T00:00:00.000000Z',"
            " '2026-01-01T00:00:00.000000Z', NULL)",
            ((f"Investor {n:06d}",) for n in range(1, count + 1)))
        db.execute("UPDATE fundraising_state SET version = version + 1 WHERE id = 1")
    db.close()


def loaded_names(page):
    """Names of the rows on screen that hold a record (not a placeholder still loading)."""
    return page.eval_on_selector_all(
        ".tabulator-row:not(.row-pending) .tabulator-cell[tabulator-field=name]",
        "cells => cells.filter(c => c.getBoundingClientRect().height).map(c => c.textContent)")


def names_in_view(page):
    """Names of the loaded rows inside the grid's visible area (not the buffer drawn above
    and below it, which a click would first have to scroll to)."""
    return page.eval_on_selector_all(
        ".tabulator-row:not(.row-pending) .tabulator-cell[tabulator-field=name]",
        """cells => { const view = document.querySelector('.tabulator-tableholder')
            .getBoundingClientRect();
          return cells.filter(c => { const r = c.getBoundingClientRect();
            return r.height && r.top >= view.top && r.bottom <= view.bottom; })
            .map(c => c.textContent); }""")


def scroll_to(page, fraction):
    page.eval_on_selector(".tabulator-tableholder",
                          "(el, f) => { el.scrollTop = (el.scrollHeight - el.clientHeight) * f; }", fraction)


def test_the_scrollbar_reaches_the_last_of_100000_rows(web_server, page):
    seed_investors(web_server, COUNT)
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(f"{web_server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")
    assert "Investor 000001" in loaded_names(page)
    assert page.inner_text(".pager-text").endswith(f"of {COUNT}")
    assert page.locator(".pager button").count() == 0  # no pager buttons

    # the middle: only the blocks there are fetched, and their rows show records
    scroll_to(page, 0.5)
    page.wait_for_function("() => [...document.querySelectorAll('.tabulator-row:not(.row-pending)"
                           " [tabulator-field=name]')].some(c => /Investor 0(49|50)/.test(c.textContent))")
    middle = [int(n.split()[1]) for n in loaded_names(page)]
    assert middle == sorted(middle) and 49_000 < middle[0] < 51_000
    pager = page.inner_text(".pager-text")
    assert int(pager.split("–")[0]) in range(middle[0] - 60, middle[0] + 60)

    # the end
    scroll_to(page, 1)
    page.wait_for_function("() => [...document.querySelectorAll('.tabulator-row:not(.row-pending)"
                           " [tabulator-field=name]')].some(c => c.textContent === 'Investor 100000')")
    assert page.inner_text(".pager-text").endswith(f"– {COUNT} of {COUNT}".replace("– ", "–"))

    # only the blocks scrolled to were fetched, not all 1,000
    fetched = page.evaluate("() => performance.getEntriesByType('resource')"
                            ".filter(e => e.name.includes('/api/fundraising/investors?')).length")
    assert 3 <= fetched < 20


def test_a_jump_fetches_the_rows_of_that_place(web_server, page):
    seed_investors(web_server, 5_000)
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(f"{web_server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")
    scroll_to(page, 0.7)
    # rows of that place, fetched and on screen (not the first block's, still drawn a moment)
    page.wait_for_function("""() => [...document.querySelectorAll(
        '.tabulator-row:not(.row-pending) [tabulator-field=name]')]
        .filter(c => c.getBoundingClientRect().height && /^Investor 003/.test(c.textContent))
        .length > 5""")
    names = [n for n in loaded_names(page) if n.startswith("Investor 003")]
    assert len(names) > 5 and names == sorted(names)
    # the record panel opens from a fetched row on screen
    shown = [n for n in names_in_view(page) if n in names]
    target = shown[len(shown) // 2]
    row = page.locator(".tabulator-row:not(.row-pending)", has_text=target)
    row.locator(".expand-cell").click()
    page.wait_for_selector(f".side-panel h2:has-text('{target}')")
    assert page.inner_text(".side-panel h2") == target
