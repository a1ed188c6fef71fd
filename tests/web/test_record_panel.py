"""The record panel you work in: the timeline by kind, a note with an @mention reaching the
teammate's My day, fields edited in the panel (saved, a stale version's 409, a 422 next to
the field), and linked records that open their own panel."""
import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.conftest import insert_proposal, login

pytestmark = pytest.mark.browser

ADA, MAX = "ada@fund.example", "max@fund.example"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "record-panel.png"


def panel_of(page, server, table, record_id):
    page.goto(f"{server.base_url}/#/grid/{table}/{record_id}")
    panel = page.locator(".side-panel")
    expect(panel.locator(".record-fields .tabulator-row").first).to_be_visible()
    return panel


def value_cell(panel, field):
    row = panel.locator(".record-fields .tabulator-row").filter(
        has=panel.page.locator(".record-field-label", has_text=re.compile(f"^{re.escape(field)}$")))
    return row.locator(".record-field-value")


def test_timeline_shows_each_kind_newest_first_and_filters_by_kind(web_server, page):
    acme = web_server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital", "fields": {}})
    web_server.call("POST", f"/api/fundraising/investors/{acme['id']}/notes", {"body": "Met at **SaaStr**"})
    web_server.call("POST", "/api/automation/tasks", {"title": "Send the deck", "investor_id": acme["id"]})
    for n in range(26):  # more than a page of the timeline (25)
        web_server.call("POST", f"/api/fundraising/investors/{acme['id']}/notes", {"body": f"Older note {n}"})
    web_server.call("PATCH", f"/api/fundraising/investors/{acme['id']}",
                    {"expected_version": 1, "fields": {"Stage": "Meeting"}})
    login(page, web_server.base_url, ADA)
    panel = panel_of(page, web_server, "investors", acme["id"])
    timeline = panel.locator("[data-section=timeline]")
    entries = timeline.locator(".timeline-entry")
    first = web_server.call("GET", f"/api/fundraising/investors/{acme['id']}/timeline?limit=25")
    rest = web_server.call("GET", f"/api/fundraising/investors/{acme['id']}/timeline?limit=25&before="
                           + urllib.parse.quote(first["next"]))
    assert rest["next"] is None and len(rest["entries"]) >= 4  # 27 notes, a task, 2 changes, more
    expect(entries).to_have_count(25)
    timeline.get_by_role("button", name="Load more").click()
    expect(entries).to_have_count(25 + len(rest["entries"]))
    expect(timeline.get_by_role("button", name="Load more")).to_be_hidden()
    expect(entries.first).to_have_attribute("data-kind", "change")  # the stage change came last
    expect(entries.first).to_contain_text("Meeting")
    kinds = entries.evaluate_all("els => els.map(e => e.dataset.kind)")
    assert {"change", "note", "task"} <= set(kinds)
    times = entries.evaluate_all("els => els.map(e => e.dataset.at)")
    assert times == sorted(times, reverse=True)
    assert kinds == [e["kind"] for e in first["entries"] + rest["entries"]]

    timeline.get_by_role("button", name="Tasks", exact=True).click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_have_attribute("data-kind", "task")
    expect(entries.first).to_contain_text("Send the deck")
    timeline.get_by_role("button", name="Changes", exact=True).click()
    expect(entries).to_have_count(3)
    assert set(entries.evaluate_all("els => els.map(e => e.dataset.kind)")) == {"change", "task"}
    timeline.get_by_role("button", name="All", exact=True).click()
    expect(entries).to_have_count(25)


def test_a_note_with_an_at_mention_reaches_the_teammates_my_day(web_server, page, new_context):
    acme = web_server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital", "fields": {}})
    login(page, web_server.base_url, ADA)
    panel = panel_of(page, web_server, "investors", acme["id"])
    notes = panel.locator("[data-section=notes]")
    box = notes.get_by_role("textbox", name="New note")
    box.click()
    box.press_sequentially("Call with @Ma")
    option = notes.get_by_role("option", name=re.compile("Max Member"))
    expect(option).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("Call with @Max Member ")
    box.press_sequentially("about the *deck*")
    notes.get_by_role("button", name="Add note").click()
    note = notes.locator("li.note").first
    expect(note.locator(".note-body em")).to_have_text("deck")  # the server's markdown
    expect(box).to_have_value("")
    stored = web_server.call("GET", f"/api/fundraising/investors/{acme['id']}/notes")["notes"]
    assert [m["name"] for m in stored[0]["mentions"]] == ["Max Member"]

    day = web_server.call("GET", "/api/me/day", email=MAX)
    expected = sum(len(day[k]) for k in ("tasks_overdue", "tasks_due", "mentions", "proposals"))
    assert [n["id"] for n in day["mentions"]] == [stored[0]["id"]]
    max_page = new_context().new_page()
    login(max_page, web_server.base_url, MAX)
    expect(max_page.locator(".sidenav .nav-badge")).to_have_text(str(expected))
    max_page.goto(web_server.base_url + "/#/day")
    mentions = max_page.locator("[data-section=mentions]")
    expect(mentions.locator("h2")).to_have_text("Mentions of me (1)")
    expect(mentions.get_by_role("link", name=re.compile("Call with @Max Member"))).to_have_attribute(
        "href", f"#/grid/investors/{acme['id']}")


def test_a_field_edited_in_the_panel_is_saved_and_a_stale_version_shows_the_409(web_server, page):
    web_server.call("POST", "/api/fundraising/fields",
                    {"table": "investors", "name": "Partner email", "type": "email"})
    acme = web_server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital", "fields": {}})
    path = f"/api/fundraising/investors/{acme['id']}"
    login(page, web_server.base_url, ADA)
    panel = panel_of(page, web_server, "investors", acme["id"])
    fields = panel.locator(".record-fields")

    value_cell(panel, "Check Size").click()
    editor = value_cell(panel, "Check Size").locator("input")
    editor.fill("2500000")
    editor.press("Enter")
    expect(fields).to_have_attribute("data-saves", "1")
    assert web_server.call("GET", path)["fields"]["Check Size"] == 2500000
    # the grid's row shows the saved value too
    grid_row = page.locator(".grid-host .tabulator-row", has=page.locator(
        ".tabulator-cell[tabulator-field=name]:text-is('Acme Capital')"))
    expect(grid_row).to_contain_text("$2,500,000")
    page.reload()
    panel = panel_of(page, web_server, "investors", acme["id"])
    expect(value_cell(panel, "Check Size")).to_have_text("$2,500,000")

    # a bad value: the server's 422 message next to the field, nothing saved
    value_cell(panel, "Partner email").click()
    value_cell(panel, "Partner email").locator("input").fill("not an address")
    value_cell(panel, "Partner email").locator("input").press("Enter")
    expect(value_cell(panel, "Partner email").locator(".field-error")).to_contain_text("Partner email")
    assert "Partner email" not in web_server.call("GET", path)["fields"]

    # Max changes the record meanwhile: Ada's edit on the old version is refused, shown, reloaded
    version = web_server.call("GET", path)["version"]
    web_server.call("PATCH", path, {"expected_version": version, "fields": {"Check Size": 3000000}},
                    email=MAX)
    value_cell(panel, "Check Size").click()
    value_cell(panel, "Check Size").locator("input").fill("100")
    value_cell(panel, "Check Size").locator("input").press("Enter")
    conflict = panel.locator(".record-alerts .conflict")
    expect(conflict).to_contain_text("Changed by Max Member")
    expect(value_cell(panel, "Check Size")).to_have_text("$3,000,000")
    assert web_server.call("GET", path)["fields"]["Check Size"] == 3000000


def test_an_investors_panel_lists_its_linked_records_and_opens_a_contact(web_server, page):
    acme = web_server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital", "fields": {}})
    other = web_server.call("POST", "/api/fundraising/investors", {"name": "Other LP", "fields": {}})
    fund = web_server.call("POST", "/api/fundraising/funds", {"name": "Fund II", "fields": {}})
    ann = web_server.call("POST", "/api/fundraising/contacts", {"name": "Ann Lee", "fields": {
        "Investor": acme["id"], "Email": "ann@acme.example", "Title": "Partner"}})
    web_server.call("POST", "/api/fundraising/contacts", {"name": "Bo Chan", "fields": {"Investor": acme["id"]}})
    web_server.call("POST", "/api/fundraising/contacts", {"name": "Cy Other", "fields": {"Investor": other["id"]}})
    web_server.call("POST", "/api/fundraising/commitments", {"name": "Acme in Fund II", "fields": {
        "Investor": acme["id"], "Fund": fund["id"], "Amount": 5000000, "Status": "Committed"}})
    web_server.call("POST", "/api/fundraising/commitments", {"name": "Other in Fund II", "fields": {
        "Investor": other["id"], "Fund": fund["id"], "Amount": 1000000, "Status": "Soft Circle"}})
    web_server.call("POST", "/api/automation/tasks", {"title": "Send the deck", "investor_id": acme["id"]})
    ada_id = web_server.call("GET", "/api/auth/me")["user"]["id"]
    proposal = insert_proposal(web_server, ada_id, acme["id"], ann["id"], "Deck follow-up", "ann@acme.example")
    web_server.call("POST", f"/api/gmail/proposals/{proposal}/approve")
    login(page, web_server.base_url, ADA)
    panel = panel_of(page, web_server, "investors", acme["id"])
    expect(panel.locator("[data-section=tasks] li")).to_have_text(re.compile("^Send the deck"))
    expect(panel.locator("[data-section=emails] .timeline-entry")).to_contain_text("Deck follow-up")
    contacts = panel.locator("[data-section=contacts] li")
    expect(contacts).to_have_count(2)
    expect(contacts.nth(0)).to_contain_text("Ann Lee · Partner · ann@acme.example")
    expect(contacts.nth(1)).to_contain_text("Bo Chan")
    commitments = panel.locator("[data-section=commitments] li")
    expect(commitments).to_have_count(1)
    expect(commitments.first).to_contain_text("Acme in Fund II · $5,000,000")

    panel.get_by_role("link", name="Ann Lee").click()
    expect(page).to_have_url(re.compile(f"#/grid/contacts/{ann['id']}$"))
    contact_panel = page.locator(".side-panel")
    expect(contact_panel.locator("h2").first).to_have_text("Ann Lee")
    expect(contact_panel.locator("[data-section=linked]").get_by_role("link", name="Acme Capital")).to_have_attribute(
        "href", f"#/grid/investors/{acme['id']}")
    expect(contact_panel.locator("[data-section=emails] .timeline-entry")).to_contain_text("Deck follow-up")

    # the fund: its commitments with the sum of their amounts by status
    fund_panel = panel_of(page, web_server, "funds", fund["id"])
    totals = fund_panel.locator("[data-section=fund-commitments] .linked-totals")
    expect(totals.locator("tr[data-status='Committed']")).to_contain_text("$5,000,000")
    expect(totals.locator("tr[data-status='Soft Circle']")).to_contain_text("$1,000,000")
    expect(totals.locator(".linked-total")).to_contain_text("$6,000,000")




def test_a_note_is_edited_and_deleted_in_the_panel_and_its_html_is_the_servers(web_server, page):
    acme = web_server.call("POST", "/api/fundraising/investors", {"name": "Acme Capital", "fields": {}})
    hostile = "Deck [here](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**"
    note = web_server.call("POST", f"/api/fundraising/investors/{acme['id']}/notes", {"body": hostile})
    login(page, web_server.base_url, ADA)
    panel = panel_of(page, web_server, "investors", acme["id"])
    item = panel.locator(f"[data-section=notes] li[data-note='{note['id']}']")
    expect(item.locator(".note-body strong")).to_have_text("bold")
    assert item.locator(".note-body img, .note-body [onerror], a[href^=javascript]").count() == 0
    expect(item.locator(".note-body")).to_contain_text("<img src=x onerror=alert(1)>")

    item.get_by_role("button", name="Edit").click()
    box = item.get_by_role("textbox", name="Edit note")
    expect(box).to_have_value(hostile)
    box.fill("")
    item.get_by_role("button", name="Save").click()
    expect(item.locator(".field-error")).to_contain_text("body")  # the server's 422
    box.fill("Deck sent, _call Tuesday_")
    item.get_by_role("button", name="Save").click()
    expect(item.locator(".note-body em")).to_have_text("call Tuesday")
    stored = web_server.call("GET", f"/api/fundraising/investors/{acme['id']}/notes")["notes"]
    assert [(n["body"], n["version"]) for n in stored] == [("Deck sent, _call Tuesday_", 2)]
    # the timeline was told: it shows the edited note
    expect(panel.locator("[data-section=timeline] .timeline-entry[data-kind=note]")).to_contain_text(
        "Deck sent")

    item.get_by_role("button", name="Delete").click()
    expect(panel.locator("[data-section=notes] li.note")).to_have_count(0)
    assert web_server.call("GET", f"/api/fundraising/investors/{acme['id']}/notes")["notes"] == []


def test_the_demos_contacts_commitments_and_emails_are_on_their_investors_panel(web_server, page):
    assert "300 investors" in web_server.cli("demo", "load")
    db = sqlite3.connect(web_server.data_dir / "crm.db")
    try:  # the investor with the most approved emails, and what it links to
        investor_id, emails = db.execute(
            "SELECT investor_id, count(*) FROM email_activity WHERE deleted_at IS NULL "
            "GROUP BY investor_id ORDER BY count(*) DESC, investor_id LIMIT 1").fetchone()
        contacts, commitments = (db.execute(
            f"SELECT count(*) FROM fundraising_{table} WHERE investor_id = ? AND deleted_at IS NULL",
            [investor_id]).fetchone()[0] for table in ("contacts", "commitments"))
    finally:
        db.close()
    login(page, web_server.base_url, ADA)
    panel = panel_of(page, web_server, "investors", investor_id)
    expect(panel.locator("[data-section=contacts] li")).to_have_count(contacts)
    expect(panel.locator("[data-section=commitments] li")).to_have_count(commitments)
    expect(panel.locator("[data-section=emails] .timeline-entry")).to_have_count(min(emails, 25))
    timeline = panel.locator("[data-section=timeline]")
    expect(timeline.locator(".timeline-entry").first).to_be_visible()
    # the README's screenshot: the panel scrolled to its timeline
    timeline.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
