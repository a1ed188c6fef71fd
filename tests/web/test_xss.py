"""Stored XSS in the browser: script payloads are planted in every text a member, an invitee or
an import can write, then the admin opens every page. No payload runs, each shows as literal
text, HTML answers carry the Content-Security-Policy, and the app itself never violates it."""
import csv
import json
import urllib.request

import pytest

from tests.log_scan import learn
from tests.web.conftest import PASSWORD, insert_proposal, login, summaries_off

pytestmark = pytest.mark.browser

MEMBER = "max@fund.example"
INVITEE = "nia@fund.example"
MAIL_DAY = "2025-03-12"
# What the page's policy refused, seen from inside the page (the app itself must cause none).
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(`${e.violatedDirective} ${e.blockedURI}`);
});"""
POLICY = ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
          "base-uri 'none'", "form-action 'self'")


class Payloads:
    """Script payloads by label; a payload that runs pushes its label to window.__xss."""

    def __init__(self):
        self.text = {}

    def __call__(self, label, kind="img"):
        run = f"(window.__xss=window.__xss||[]).push('{label}')"
        self.text[label] = {
            "img": f'{label}<img src=x onerror="{run}">',
            "svg": f'{label}"><svg onload="{run}">',
            "script": f"{label}<script>{run}</script>",
            "tight": f"{label}<svg/onload=window.__xss=['{label}']>",  # no space: emails
        }[kind]
        return self.text[label]

    def __getitem__(self, label):
        return self.text[label]


class Probe:
    """The admin's page; collects, per place, the payloads that ran or were not shown as text,
    so one run reports every sink."""

    def __init__(self, page, payloads, base_url):
        self.page, self.p, self.base_url = page, payloads, base_url
        self.fired, self.missing, self.dialogs, self.refused = {}, {}, [], []
        page.add_init_script(CSP_WATCH)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        # frames too: the digest preview is a srcdoc frame under the page's policy
        page.on("console", lambda m: self.refused.append(f"{m.text} ({m.location['url']})")
                if "Content Security Policy" in m.text else None)

    def check(self, where, scope, *labels):
        """The payloads of `labels` show as text inside `scope` (a CSS selector)."""
        texts = [self.p[label] for label in labels]
        shown = """([scope, texts]) => {
          const el = document.querySelector(scope);
          return !!el && texts.every((t) => el.innerText.includes(t)); }"""
        try:
            self.page.wait_for_function(shown, arg=[scope, texts], timeout=4000)
        except Exception:  # noqa: BLE001 (playwright's TimeoutError): reported at the end
            text = self.page.evaluate("s => document.querySelector(s)?.innerText || ''", scope)
            self.missing[where] = [label for label, t in zip(labels, texts) if t not in text]
        self.settle(where)

    def options(self, where, select, *labels):
        """The payloads are among the option texts of `select` (a locator)."""
        texts = select.locator("option").all_inner_texts()
        if missing := [label for label in labels if self.p[label] not in texts]:
            self.missing[where] = missing
        self.settle(where)

    def settle(self, where):
        """Record the payloads that ran since the last call."""
        fired = self.page.evaluate("() => { const f = window.__xss; window.__xss = undefined; return f; }")
        if fired is not None:
            self.fired[where] = fired

    def goto(self, route):
        self.page.goto(f"{self.base_url}/#/{route}")
        self.page.wait_for_selector("main .page")


def sign_in_as(server, email, user_agent):
    """A session whose device (User-Agent) is a payload; its token."""
    request = urllib.request.Request(
        server.base_url + "/api/auth/login", method="POST",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=10) as answer:
        token = json.loads(answer.read())["token"]
    learn(token)
    return token


def accept_invite_in_the_browser(server, page, p):
    """The invitee chooses a script as display name on the /invite page; what it saw."""
    invite = server.call("POST", "/api/admin/invites", {"email": INVITEE, "role": "member"})
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(f"{server.base_url}/invite#token={invite['invite_token']}")
    page.wait_for_selector("#title:text-is('Accept your invite')")
    page.fill("#name", p("user-name"))
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".user-name")  # logged in, in the app
    server.tokens[INVITEE] = sign_in_as(server, INVITEE, p("session-agent"))
    return {"id": server.call("GET", "/api/auth/me", email=INVITEE)["user"]["id"],
            "policy": response.headers.get("content-security-policy", ""),
            "name shown": page.inner_text(".user-name") == p["user-name"],
            "fired": page.evaluate("() => window.__xss"), "refused": refused}


def add_fields(server, p):
    """A field of each text-bearing type on investors, named by a payload (as an import might)."""
    fields = {}
    for ftype, extra in [
        ("text", {}), ("long_text", {}), ("url", {}), ("email", {}),
        ("single_select", {"options": {"choices": [p("choice-one"), "plain"]}}),
        ("multi_select", {"options": {"choices": [p("choice-a"), p("choice-b", "svg")]}}),
        ("link", {"options": {"table": "contacts", "multiple": True}}),
        ("formula", {"formula": "{Name}"}),
    ]:
        fields[ftype] = server.call("POST", "/api/fundraising/fields", {
            "table": "investors", "name": p(f"field-{ftype}"), "type": ftype, **extra})
    return fields


def plant(server, p, invitee_id, fields):
    """Records, views, a task, a rule and mail, written by the member, the invitee and Ada."""
    as_member = {"email": MEMBER}
    contact = server.call("POST", "/api/fundraising/contacts", {"name": p("contact-name")}, **as_member)
    fund = server.call("POST", "/api/fundraising/funds", {"name": p("fund-name", "svg")}, **as_member)
    name = {t: f["name"] for t, f in fields.items()}
    investor = server.call("POST", "/api/fundraising/investors", {"name": p("investor-name"), "fields": {
        name["text"]: p("value-text"), name["long_text"]: p("value-long", "script") + "\nline two",
        name["url"]: "https://evil.example/" + p("value-url", "svg"),
        name["email"]: p("value-email", "tight") + "@evil.example",
        name["single_select"]: p["choice-one"], name["multi_select"]: [p["choice-a"], p["choice-b"]],
        name["link"]: [contact["id"]], "Owner": invitee_id,
    }}, **as_member)
    with pytest.raises(Exception, match="422"):  # a javascript: URL is refused outright
        server.call("PATCH", f"/api/fundraising/investors/{investor['id']}",
                    {"expected_version": investor["version"],
                     "fields": {name["url"]: "javascript:window.__xss=['js-url']"}}, **as_member)
    server.call("PATCH", f"/api/fundraising/contacts/{contact['id']}",
                {"expected_version": contact["version"], "fields": {"Investor": investor["id"]}},
                **as_member)
    server.call("POST", "/api/fundraising/commitments", {"name": p("commitment-name"), "fields": {
        "Investor": investor["id"], "Fund": fund["id"]}}, **as_member)
    gone = server.call("POST", "/api/fundraising/investors", {"name": p("archived-name")}, **as_member)
    server.call("DELETE", f"/api/fundraising/investors/{gone['id']}?expected_version=1", **as_member)
    server.call("PATCH", f"/api/fundraising/investors/{investor['id']}",  # in its history
                {"expected_version": investor["version"], "fields": {"Check Size": 250000}},
                email=INVITEE)

    server.call("POST", "/api/fundraising/views",
                {"table": "investors", "name": p("view-shared"), "personal": False}, **as_member)
    server.call("POST", "/api/fundraising/views",
                {"table": "investors", "name": p("view-personal", "svg"), "personal": True})
    server.call("POST", "/api/fundraising/views", {
        "table": "investors", "name": p("board-name"), "type": "board", "board": {
            "group_field": name["single_select"], "card_fields": [
                name["text"], name["long_text"], name["email"], name["link"], "Owner"]}},
        **as_member)
    server.call("POST", "/api/tasks", {"title": p("task-title"), "notes": p("task-notes", "svg"),
                                       "investor_id": investor["id"]}, **as_member)
    rule = server.call("GET", "/api/automation/rules")["rules"][0]
    server.call("PATCH", f"/api/automation/rules/{rule['id']}",
                {"name": p("rule-name"), "expected_version": rule["version"]})
    server.call("POST", "/api/automation/run", {})

    insert_proposal(server, invitee_id, investor["id"], contact["id"], p("mail-subject"),
                    p("mail-from", "tight") + "@evil.example", excerpt=p("mail-excerpt", "svg"),
                    sent_at=f"{MAIL_DAY}T10:00:00Z")
    approved = insert_proposal(server, invitee_id, investor["id"], contact["id"],
                               p("digest-subject"), "nora@evil.example", excerpt="approved",
                               sent_at=f"{MAIL_DAY}T10:00:00Z")
    server.call("POST", f"/api/gmail/proposals/{approved}/approve", {})


def field_key(server, table, name):
    """The grid column key (f<id>) of a field."""
    fields = server.call("GET", f"/api/fundraising/fields?table={table}")["fields"]
    return f"f{next(f['id'] for f in fields if f['name'] == name)}"


def cell(page, key):
    return page.locator(f".tabulator-row .tabulator-cell[tabulator-field={key}]").first


def open_grid(probe, table):
    probe.goto(f"grid/{table}")
    probe.page.wait_for_selector(".grid-page[data-loaded]")


def edit_list(probe, where, key, *labels, scope=".tabulator-edit-list"):
    """Open the list editor of a cell: its choices show as text. Escape closes it."""
    cell(probe.page, key).dblclick()
    probe.check(where, scope, *labels)
    probe.page.keyboard.press("Escape")


def open_panel(probe, name, *labels, add=None):
    """Open a grid panel (clicking `add` in it first) and check its text."""
    probe.page.click(f"[data-panel={name}]")
    body = f"[data-panel-body={name}]"
    if add:
        probe.page.locator(body).get_by_role("button", name=add).first.click()
    probe.check(f"{name} panel", body, *labels)
    return probe.page.locator(body)


def visit_groups(probe):
    """The grid's Group by (totals.js): field names as its choices, values, linked records'
    and people's names as group labels."""
    page, p = probe.page, probe.p
    group_by = page.locator(".groups-bar").get_by_label("Group by")
    probe.options("group by picker", group_by, "field-text", "field-multi_select")
    for field, labels in [("field-text", ["value-text"]), ("field-multi_select", ["choice-a", "choice-b"]),
                          ("field-link", ["contact-name"]), (None, ["user-name"])]:
        group_by.select_option(label=p[field] if field else "Owner")
        probe.check(f"groups by {field or 'Owner'}", ".groups-table", *filter(None, [field]), *labels)
    group_by.select_option(label="No grouping")


def visit_investors(probe, fields, owner_key):
    page, p = probe.page, probe.p
    key = {t: f"f{f['id']}" for t, f in fields.items()}
    open_grid(probe, "investors")
    probe.check("investors grid", ".tabulator", *[f"field-{t}" for t in fields],
                "investor-name", "value-text", "value-long", "value-url", "value-email",
                "choice-one", "choice-a", "choice-b", "contact-name", "user-name")
    edit_list(probe, "single select editor", key["single_select"], "choice-one")
    edit_list(probe, "multi select editor", key["multi_select"], "choice-a", "choice-b",
              scope=".multi-editor")
    edit_list(probe, "link editor", key["link"], "contact-name", scope=".multi-editor")
    edit_list(probe, "user editor", owner_key, "user-name")
    cell(page, key["text"]).dblclick()  # the text editor: the value goes to an input's value
    page.keyboard.press("Escape")
    probe.settle("text editor")

    page.locator(f".tabulator-col[tabulator-field={key['text']}] .tabulator-header-popup-button").click()
    page.wait_for_selector(".tabulator-menu")
    probe.settle("header menu")
    page.keyboard.press("Escape")
    cell(page, "name").click(button="right")
    page.wait_for_selector(".tabulator-menu")
    probe.settle("row menu")
    page.keyboard.press("Escape")

    visit_groups(probe)

    cell(page, "_open").click()
    probe.check("record panel", ".side-panel", "investor-name", "field-text", "value-text",
                "value-long", "choice-b", "contact-name", "user-name")
    page.click(".side-panel button[aria-label=Close]")

    open_panel(probe, "Sort", "field-text", add="+ Sort")
    open_panel(probe, "Columns", "field-long_text", "field-url")
    open_panel(probe, "Archived", "archived-name")
    fields_panel = open_panel(probe, "Fields", "field-single_select")
    fields_panel.locator("button", has_text="field-single_select").click()
    probe.check("field form", "[data-panel-body=Fields] h2", "field-single_select")
    filters = open_panel(probe, "Filter", "field-text", add="+ Condition")
    filters.get_by_label("Field").select_option(label=p["field-single_select"])
    probe.options("filter choices", filters.get_by_label("Value"), "choice-one")

    switcher = page.get_by_label("View")
    probe.options("view switcher", switcher, "view-shared", "view-personal")
    switcher.select_option(label=p["view-shared"])
    probe.check("shared view", ".tabulator", "investor-name")

    # an edit the server refuses: its message repeats the value, and shows it as text
    cell(page, key["email"]).dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type(p("error-echo", "tight"))
    page.keyboard.press("Enter")
    probe.check("error toast", "#toasts", "error-echo")


def visit_other_grids(probe, fund_key):
    for table, labels in [("contacts", ["contact-name", "investor-name"]), ("funds", ["fund-name"]),
                          ("commitments", ["commitment-name", "investor-name", "fund-name"])]:
        open_grid(probe, table)
        probe.check(f"{table} grid", ".tabulator", *labels)
    edit_list(probe, "fund link editor", fund_key, "fund-name")


def visit_board(probe):
    page, p = probe.page, probe.p
    probe.goto("board/investors")
    page.wait_for_selector(".page[data-page=board][data-loaded]")
    probe.options("board picker", page.get_by_label("Board view"), "board-name")
    page.get_by_label("Board view").select_option(label=p["board-name"])
    probe.check("board", ".board-columns", "choice-one", "investor-name", "field-text",
                "value-text", "value-long", "value-email", "contact-name", "user-name")
    probe.check("board status", ".board-status", "field-single_select")
    probe.options("board move to", page.locator(".board-move").first, "choice-one")
    page.get_by_role("button", name="New board").click()
    probe.check("new board dialog", ".board-dialog", "field-text", "field-long_text")
    probe.options("new board group by", page.get_by_label("Group by"), "field-single_select")
    page.get_by_role("button", name="Cancel").click()


def visit_pages(probe, csv_path):
    page, p = probe.page, probe.p
    probe.goto("tasks")
    probe.check("tasks", ".task-list", "task-title", "investor-name")
    probe.options("task assignee", page.locator(".task-list select").first, "user-name")
    if page.get_attribute(".task-list span[title]", "title") != p["task-notes"]:
        probe.missing["task notes tooltip"] = ["task-notes"]

    probe.goto("automation")
    probe.check("automation", "[data-page=automation]", "rule-name", "investor-name")
    probe.goto("proposals")
    probe.check("proposals", ".proposal-list", "mail-subject", "mail-excerpt", "mail-from", "investor-name")
    probe.check("gmail accounts", ".gmail-accounts", "user-name")

    probe.goto("digest")
    page.fill("input[name=date]", MAIL_DAY)
    summaries_off(page)
    page.click("button:text-is('Preview')")
    page.wait_for_selector(".digest-frame")
    probe.settle("digest")
    sent = page.frame_locator(".digest-frame").locator("body").inner_text()
    if missing := [v for v in ("user-name", "investor-name", "digest-subject") if p[v] not in sent]:
        probe.missing["digest email"] = missing

    probe.goto("activity")
    probe.check("activity", ".activity-list", "investor-name", "user-name")
    probe.goto("users")
    probe.check("users", "[data-page=users]", "user-name")
    page.locator("tr", has_text=INVITEE).get_by_role("button", name="Sessions").click()
    agent = page.locator("[data-page=users] span[title*=session-agent]").first
    if agent.get_attribute("title") != p["session-agent"]:
        probe.missing["session device tooltip"] = ["session-agent"]
    probe.settle("sessions of a user")
    for route, ready in [("security", "main table"), ("backups", ".backup-policy form")]:
        probe.goto(route)
        page.wait_for_selector(ready)
        probe.settle(route)

    probe.goto("import")
    page.set_input_files("input[name=file]", str(csv_path))
    probe.check("import preview", ".import-mapping", "import-column")
    probe.check("import new fields", ".import-preview", "import-column")
    probe.options("import key", page.locator("select[name=key]"), "import-column")


def test_planted_scripts_never_run_and_show_as_text(web_server, new_context, tmp_path):
    p = Payloads()
    invite = accept_invite_in_the_browser(web_server, new_context().new_page(), p)
    fields = add_fields(web_server, p)
    plant(web_server, p, invite["id"], fields)
    csv_path = tmp_path / "evil.csv"
    with open(csv_path, "w", newline="") as out:
        csv.writer(out).writerows([["Name", p("import-column")], ["Import LP", "x"]])

    probe = Probe(new_context().new_page(), p, web_server.base_url)
    response = probe.page.goto(web_server.base_url + "/")
    login(probe.page, web_server.base_url, "ada@fund.example")
    visit_investors(probe, fields, field_key(web_server, "investors", "Owner"))
    visit_other_grids(probe, field_key(web_server, "commitments", "Fund"))
    visit_board(probe)
    visit_pages(probe, csv_path)
    probe.page.wait_for_timeout(300)  # an image's onerror comes after its failed load
    probe.settle("the end")

    assert (invite["fired"], invite["name shown"], invite["refused"]) == (None, True, [])
    assert probe.fired == {}, f"payloads that ran, by place: {json.dumps(probe.fired)}"
    assert probe.missing == {}, f"payloads not shown as text: {json.dumps(probe.missing)}"
    assert probe.dialogs == []
    for policy in (response.headers.get("content-security-policy", ""), invite["policy"]):
        assert all(directive in policy for directive in POLICY), policy
    assert probe.page.evaluate("() => window.__csp || []") == []
    assert probe.refused == []
