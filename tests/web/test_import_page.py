"""The Import page in a real browser with the team's Airtable export: owners who are no user
are mapped, not dropped, and every count is shown in the confirm dialog and the result."""
from pathlib import Path

from playwright.sync_api import expect

import pytest

from tests.web.conftest import login

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "airtable_investors.csv"


def test_import_the_team_export_mapping_unknown_owners(web_server, page):
    login(page, web_server.base_url, "ada@fund.example")
    import_the_team_export(web_server, page)
    records = web_server.call("GET", "/api/fundraising/investors?limit=100")["records"]
    assert len(records) == 40
    max_id = next(u["id"] for u in web_server.call("GET", "/api/admin/users")["users"]
                  if u["email"] == "max@fund.example")
    lp02 = next(r for r in records if r["name"] == "LP 02 Foundation")  # Priya Shah's
    assert lp02["fields"]["Owner"] == max_id
    lp00 = next(r for r in records if r["name"] == "LP 00 Partners")  # Tom Okafor's
    assert lp00["fields"]["Owner (imported)"] == "Tom Okafor"


def import_the_team_export(web_server, page):
    """The admin (logged in) imports the fixture on the Import page: Priya Shah becomes Max
    Member, Tom Okafor is kept as text; every count is checked; ends on the investors grid."""
    page.goto(f"{web_server.base_url}/#/import")
    page.set_input_files("input[type=file][name=file]", str(FIXTURE))
    people = page.locator(".import-people")
    expect(people).to_contain_text("Priya Shah")
    expect(people).to_contain_text("Tom Okafor")
    expect(page.locator(".import-counts")).to_contain_text("To create: 40")
    expect(page.locator(".import-counts")).to_contain_text("Rows with errors (skipped): 0")

    page.select_option("select[aria-label='What to do with Priya Shah']",
                       label="Max Member (max@fund.example)")
    expect(page.locator(".import-counts")).to_contain_text("Owners kept as text: 10")
    owner_type = page.locator("select[aria-label='What to do with Tom Okafor']")
    assert owner_type.input_value() == "keep"
    # the type of a new field can be chosen before applying; the inferred one is the default
    vintage = page.locator("select[aria-label='Type of Vintage']")
    assert vintage.input_value() == "number"

    page.get_by_role("button", name="Import", exact=True).click()
    dialog = page.locator(".dialog")
    expect(dialog).to_contain_text("create 40, update 0")
    expect(dialog).to_contain_text("Skipped: 0 row(s) with errors, 0 archived in the CRM (0 of 40")
    expect(dialog).to_contain_text("“Priya Shah” (7 rows): owner Max Member")
    expect(dialog).to_contain_text(
        "“Tom Okafor” (10 rows): name kept as text in “Owner (imported)”")
    dialog.get_by_role("button", name="OK").click()

    result = page.locator(".import-result .card")
    expect(result).to_contain_text("Created: 40")
    expect(result).to_contain_text("Skipped for errors: 0")
    expect(result).to_contain_text("Skipped rows (0)")
    expect(result).to_be_in_viewport()

    page.goto(f"{web_server.base_url}/#/grid/investors")
    page.wait_for_selector(".grid-page[data-loaded]")
    expect(page.locator(".pager")).to_contain_text("of 40")


def test_the_preview_lists_changes_and_warns_of_crm_edits(web_server, page, tmp_path):
    csv = FIXTURE.read_text(encoding="utf-8")
    web_server.call("POST", "/api/fundraising/import", {"csv": csv, "confirm": True})
    records = web_server.call("GET", "/api/fundraising/investors?limit=100")["records"]
    lp01 = next(r for r in records if r["name"] == "LP 01 Family Office")
    web_server.call("PATCH", f"/api/fundraising/investors/{lp01['id']}",
                    {"fields": {"Stage": "Meeting"}, "expected_version": lp01["version"]})
    changed = tmp_path / "later.csv"
    changed.write_text(csv.replace("LP 01 Family Office,Committed,",
                                   "LP 01 Family Office,Diligence,"), encoding="utf-8")
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(f"{web_server.base_url}/#/import")
    page.set_input_files("input[type=file][name=file]", str(changed))
    changes = page.locator(".import-changes")
    expect(changes).to_contain_text("1 change(s) in 1 record(s) overwrite edits made in the CRM")
    row = changes.locator("tr", has=page.locator("td:text-is('Stage')"))
    expect(row).to_contain_text("Meeting")
    expect(row).to_contain_text("Diligence")
    expect(row).to_contain_text("Ada Admin")
    with page.expect_download() as info:
        changes.get_by_role("button", name="Download all changes (CSV)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "LP 01 Family Office,Stage,Meeting,Diligence" in text
