"""The investors grid's "Last emailed by" column (plugin gmail, registered through
grid_columns.js): who on the team last emailed each investor, read-only, empty without email."""
import pytest

from tests.web.conftest import insert_proposal, login
from tests.web.test_cells import cell
from tests.web.test_grid import open_grid

pytestmark = pytest.mark.browser


def test_the_grid_shows_who_last_emailed_each_investor(web_server, page):
    max_id = web_server.call("GET", "/api/auth/me", email="max@fund.example")["user"]["id"]
    acme = web_server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital"})
    web_server.call("POST", "/api/fundraising/investors", {"name": "Quiet Partners"})
    contact = web_server.call("POST", "/api/fundraising/contacts", {
        "name": "Jo Acme", "fields": {"Investor": acme["id"], "Email": "jo@acme.example"}})
    for subject, at in (("Deck", "2026-03-02T10:00:00Z"), ("Terms", "2026-03-12T10:00:00Z")):
        proposal = insert_proposal(web_server, max_id, acme["id"], contact["id"], subject,
                                   "jo@acme.example", sent_at=at)
        web_server.call("POST", f"/api/gmail/proposals/{proposal}/approve", {})
    answer = web_server.call("GET", f"/api/gmail/last-emailed?ids={acme['id']}")
    assert answer["investors"][0]["last_email"]["subject"] == "Terms"

    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    header = page.locator(".tabulator-col[tabulator-field=x_last_emailed_by]")
    assert header.inner_text().strip() == "Last emailed by"
    shown = cell(page, "Acme Capital", "x_last_emailed_by")
    assert shown.inner_text().startswith("Max Member · ")
    assert "2026" in shown.inner_text()
    assert cell(page, "Quiet Partners", "x_last_emailed_by").inner_text() == ""
    shown.dblclick()  # read-only: no editor opens
    assert page.locator(".tabulator-cell.tabulator-editing").count() == 0
