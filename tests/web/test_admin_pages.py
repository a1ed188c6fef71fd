"""The admin pages in a real browser: import, backups, automation, tasks, proposals, digest."""

from playwright.sync_api import expect

import pytest

from tests.web.conftest import insert_proposal as insert_web_proposal, login, summaries_off

pytestmark = pytest.mark.browser

CSV = """Name,Stage,Check Size,Region,Notes
Alpha Capital,Intro,"$250,000",Europe,met at SuperReturn
Beta Partners,Meeting,lots,US,warm intro
Gamma Fund,Prospect,"1,000,000",Asia,cold
"""


def admin_id(server):
    return server.call("GET", "/api/auth/me")["user"]["id"]


def investor_with_contact(server, name, email):
    investor = server.call("POST", "/api/fundraising/investors",
                           {"name": name, "fields": {"Stage": "Intro"}})
    contact = server.call("POST", "/api/fundraising/contacts",
                          {"name": f"Contact of {name}",
                           "fields": {"Investor": investor["id"], "Email": email}})
    return investor, contact


def insert_proposal(server, user_id, investor, contact, subject):
    return insert_web_proposal(server, user_id, investor["id"], contact["id"], subject,
                               contact["fields"]["Email"])


def test_import_wizard_previews_maps_and_imports(web_server, page, tmp_path):
    path = tmp_path / "investors.csv"
    path.write_text(CSV)
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/import")
    page.set_input_files("input[name=file]", str(path))

    counts = page.locator(".import-preview .import-counts")
    expect(counts).to_contain_text("Rows in the file: 3")
    expect(counts).to_contain_text("To create: 2")
    expect(counts).to_contain_text("Rows with errors (skipped): 1")
    errors = page.locator(".import-preview table").last
    expect(errors).to_contain_text("Check Size")
    expect(page.locator(".import-preview")).to_contain_text("Notes")  # a new field, at first

    page.select_option("select[aria-label='Field for Notes']", "__ignore__")
    expect(page.locator(".import-preview")).not_to_contain_text("Notes")
    expect(page.locator(".import-preview")).to_contain_text("Region")

    page.click("button:text-is('Import')")
    page.click(".dialog .btn-primary")
    result = page.locator(".import-result")
    expect(result).to_contain_text("Created: 2")
    expect(result).to_contain_text("Skipped for errors: 1")
    expect(counts).to_contain_text("Unchanged: 2")  # the same file again changes nothing

    records = web_server.call("GET", "/api/fundraising/investors")["records"]
    by_name = {r["name"]: r for r in records}
    assert set(by_name) == {"Alpha Capital", "Gamma Fund"}
    assert by_name["Alpha Capital"]["fields"]["Check Size"] == 250000
    assert by_name["Gamma Fund"]["fields"]["Region"] == "Asia"
    names = {f["name"] for f in web_server.call("GET", "/api/fundraising/fields?table=investors")["fields"]}
    assert "Region" in names and "Notes" not in names


def test_member_previews_an_import_but_cannot_apply_it(web_server, page, tmp_path):
    path = tmp_path / "investors.csv"
    path.write_text(CSV)
    login(page, web_server.base_url, "max@fund.example")
    page.goto(web_server.base_url + "/#/import")
    page.set_input_files("input[name=file]", str(path))
    expect(page.locator(".import-counts")).to_contain_text("To create: 2")
    expect(page.locator("[data-page=import]")).to_contain_text("Only admins can apply an import.")
    assert page.locator("button:text-is('Import')").count() == 0


def test_backups_create_verify_preview_and_restore(web_server, page):
    web_server.call("POST", "/api/fundraising/investors", {"name": "Kept LP", "fields": {}})
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/backups")
    expect(page.locator(".backup-list")).to_contain_text("No backups yet.")
    page.click("button:text-is('Create backup')")
    row = page.locator(".backup-list tbody tr").first
    expect(row).to_contain_text("investors 1")
    backup_id = row.locator("td").first.inner_text()

    row.get_by_role("button", name="Verify").click()
    detail = page.locator(".backup-detail")
    expect(detail).to_contain_text("Checksum: matches")
    expect(detail).to_contain_text("Integrity: ok")

    web_server.call("POST", "/api/fundraising/investors", {"name": "Added Later LP", "fields": {}})
    row.get_by_role("button", name="Preview restore").click()
    investors = detail.locator("tr", has_text="investors")
    # added, changed, archived, removed, unchanged
    expect(investors.locator("td")).to_have_text(["investors", "0", "0", "1", "0", "1"])

    detail.get_by_role("button", name="Restore…").click()
    restore_now = detail.get_by_role("button", name="Restore now")
    expect(restore_now).to_be_disabled()
    page.fill("input[name=confirm_restore]", backup_id)
    restore_now.click()
    expect(detail).to_contain_text("Safety backup taken first")
    names = [r["name"] for r in web_server.call("GET", "/api/fundraising/investors")["records"]]
    assert names == ["Kept LP"]

    page.fill("input[name=keep_last]", "7")
    page.click("button:text-is('Save policy')")
    expect(page.locator(".toast", has_text="Backup policy saved")).to_be_visible()
    assert web_server.call("GET", "/api/fundraising/backup-policy")["keep_last"] == 7


def test_automation_lists_rules_and_runs(web_server, new_context):
    web_server.call("POST", "/api/fundraising/investors",
                    {"name": "Tiny Check LP", "fields": {"Check Size": 5000}})
    web_server.call("POST", "/api/fundraising/investors", {"name": "Main Street LP", "fields": {}})

    member = new_context().new_page()
    login(member, web_server.base_url, "max@fund.example")
    member.goto(web_server.base_url + "/#/automation")
    expect(member.locator("[data-list=longshot]")).to_contain_text("Tiny Check LP")
    expect(member.locator("[data-list=main]")).to_contain_text("Main Street LP")
    expect(member.locator(".automation-rules")).to_contain_text("threshold: 100000")
    expect(member.locator(".automation-rules")).to_contain_text("Check Size")
    assert member.locator(".automation-rules input[type=checkbox]:enabled").count() == 0
    assert member.locator("button:text-is('Run now')").count() == 0

    admin = new_context().new_page()
    login(admin, web_server.base_url, "ada@fund.example")
    admin.goto(web_server.base_url + "/#/automation")
    admin.get_by_label("Small checks are longshots on").uncheck()
    expect(admin.locator("[data-list=longshot] .badge")).to_have_text("0")
    expect(admin.locator("[data-list=main]")).to_contain_text("Tiny Check LP")
    admin.click("button:text-is('Run now')")
    expect(admin.locator(".automation-runs tbody tr").first).to_contain_text("manual")
    rules = web_server.call("GET", "/api/automation/rules")["rules"]
    assert [r["enabled"] for r in rules if r["type"] == "amount_below"] == [False]


def test_member_adds_a_task_for_an_investor_and_marks_it_done(web_server, page):
    web_server.call("POST", "/api/fundraising/investors", {"name": "Northwind Endowment", "fields": {}})
    login(page, web_server.base_url, "max@fund.example")
    page.goto(web_server.base_url + "/#/tasks")
    expect(page.locator(".task-list")).to_contain_text("No tasks.")
    page.fill("input[name=title]", "Send the deck")
    page.fill("input[name=investor_search]", "northw")
    page.click(".investor-results button:text-is('Northwind Endowment')")
    page.fill("form input[name=due_date]", "2020-01-02")
    page.click("button:text-is('Add task')")
    row = page.locator(".task-list tbody tr", has_text="Send the deck")
    expect(row).to_contain_text("Northwind Endowment")
    expect(row).to_contain_text("overdue")

    page.select_option("select[name=due]", "overdue")
    page.select_option("select[name=assigned_to]", "me")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Mark done").click()
    expect(page.locator(".task-list")).to_contain_text("No tasks.")
    done = web_server.call("GET", "/api/tasks?status=done", email="max@fund.example")["tasks"]
    assert [(t["title"], t["due_date"]) for t in done] == [("Send the deck", "2020-01-02")]


def test_approving_a_proposal_records_email_activity(web_server, page):
    investor, contact = investor_with_contact(web_server, "Northwind Endowment",
                                              "nora@northwind.example")
    user_id = admin_id(web_server)
    insert_proposal(web_server, user_id, investor, contact, "Deck request")
    insert_proposal(web_server, user_id, investor, contact, "Follow-up one")
    insert_proposal(web_server, user_id, investor, contact, "Follow-up two")
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/proposals")
    row = page.locator(".proposal-list tbody tr", has_text="Deck request")
    expect(row).to_contain_text("Northwind Endowment")
    expect(row).to_contain_text("nora@northwind.example")
    expect(row).to_contain_text("We would like to see the deck.")

    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".proposal-list")).not_to_contain_text("Deck request")
    expect(page.locator(".proposal-list")).to_contain_text("2 proposal(s)")
    entries = web_server.call("GET", "/api/activity")["entries"]
    assert any(e["summary"] == "Ada Admin heard from Northwind Endowment: Deck request"
               for e in entries)

    page.check("input[aria-label='Select Follow-up one']")
    page.check("input[aria-label='Select Follow-up two']")
    page.click("button:text-is('Approve selected (2)')")
    expect(page.locator(".proposal-list")).to_contain_text("Nothing to review.")
    page.select_option("select[name=status]", "approved")
    expect(page.locator(".proposal-list")).to_contain_text("3 proposal(s)")

    accounts = page.locator(".gmail-accounts")
    accounts.get_by_label("Sync for max@fund.example").check()
    expect(page.locator(".toast", has_text="Gmail sync on for Max Member")).to_be_visible()
    synced = {a["email"]: a["enabled"] for a in web_server.call("GET", "/api/admin/gmail/accounts")["accounts"]}
    assert synced == {"ada@fund.example": False, "max@fund.example": True}


def test_digest_preview_shows_the_approved_activity(web_server, page):
    investor, contact = investor_with_contact(web_server, "Harbor Pension Fund", "hp@harbor.example")
    proposal = insert_proposal(web_server, admin_id(web_server), investor, contact, "Deck request")
    web_server.call("POST", f"/api/gmail/proposals/{proposal}/approve", {})
    login(page, web_server.base_url, "ada@fund.example")
    page.goto(web_server.base_url + "/#/digest")
    page.fill("input[name=date]", "2025-03-12")
    summaries_off(page)
    page.click("button:text-is('Preview')")
    preview = page.locator(".digest-preview")
    expect(preview.locator(".digest-subject")).not_to_be_empty()
    expect(preview).to_contain_text("1 investor")
    expect(preview).to_contain_text("0 model calls")
    assert page.get_attribute(".digest-frame", "sandbox") == ""
    expect(page.frame_locator(".digest-frame").locator("body")).to_contain_text("Harbor Pension Fund")

    send = page.locator("button:text-is('Send test email')")
    # Chromium routes a click sent right after scrolling past the sandboxed (cross-process)
    # preview frame to a stale target; let the scroll settle for two frames first.
    send.scroll_into_view_if_needed()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    send.click()
    expect(page.locator(".test-email-result.error")).to_contain_text("Mail is not set up")
    expect(page.locator(".digest-runs")).to_contain_text("No digest sent yet.")


def test_member_cannot_open_the_digest(web_server, page):
    login(page, web_server.base_url, "max@fund.example")
    assert "Digest" not in page.inner_text(".sidenav")
    page.goto(web_server.base_url + "/#/digest")
    expect(page.locator("main")).to_contain_text("it is for admins")
