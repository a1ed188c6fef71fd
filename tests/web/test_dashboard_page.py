"""The dashboard page in a real browser: every chart drawn from the API's numbers, each card's
table the same numbers as the API's JSON, a saved view, a PNG export, and a stale investor's
link opening the record. Also makes docs/screenshots/dashboard.png."""
import sqlite3
import urllib.error
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.conftest import insert_proposal, login

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"
INVESTORS = [  # name, stage, check size, owner, last contact (days ago; None: never)
    ("Alpha Capital", "Meeting", 2_000_000, "ada", 90), ("Beta Partners", "Intro", 500_000, "max", None),
    ("Gamma Ventures", "Diligence", 1_500_000, "ada", 3), ("Delta Fund", "Prospect", 3_000_000, "max", 45),
    ("Epsilon LP", "Soft Circle", 250_000, None, None), ("Zeta <b>Office</b>", "Meeting", 750_000, "ada", 60)]
COMMITMENTS = [("Alpha Capital", "Fund I", 1_000_000, "Committed"),
               ("Gamma Ventures", "Fund I", 2_500_000, "Soft Circle"),
               ("Delta Fund", "Fund II", 4_000_000, "Prospective"),
               ("Zeta <b>Office</b>", "Fund II", 750_000, "Funded")]
MOVES = [("Beta Partners", "Meeting", 0), ("Alpha Capital", "Diligence", 0),
         ("Epsilon LP", "Committed", 14), ("Delta Fund", "Intro", 21)]  # to stage, weeks... days ago
CHARTS = ("funds", "funnel", "movements", "emails")


def backdate(server, investor_id, days):
    """The investor's newest history entry moved `days` back, as if it happened then."""
    db = sqlite3.connect(server.data_dir / "crm.db")
    try:
        with db:
            db.execute("UPDATE audit_log SET at = ? WHERE id = (SELECT MAX(id) FROM audit_log "
                       "WHERE plugin = 'fundraising' AND table_name = 'investors' AND row_id = ?)",
                       [f"{date.today() - timedelta(days=days)}T12:00:00.000000Z", str(investor_id)])
    finally:
        db.close()


def seed(server):
    users = {u["name"].split()[0].lower(): u["id"] for u in server.call("GET", "/api/users")["users"]}
    funds = {name: server.call("POST", "/api/fundraising/funds", {"name": name, "fields": {
        "Target Size": target}})["id"] for name, target in (("Fund I", 10_000_000), ("Fund II", 25_000_000))}
    ids, today = {}, date.today()
    for name, stage, check, owner, contact in INVESTORS:
        fields = {"Stage": stage, "Check Size": check, "Owner": users.get(owner)}
        if contact is not None:
            fields["Last Contact"] = str(today - timedelta(days=contact))
        ids[name] = server.call("POST", "/api/fundraising/investors", {"name": name, "fields": fields})
    for investor, fund, amount, status in COMMITMENTS:
        server.call("POST", "/api/fundraising/commitments", {"name": f"{investor} in {fund}", "fields": {
            "Investor": ids[investor]["id"], "Fund": funds[fund], "Amount": amount, "Status": status}})
    for name, stage, days in MOVES:
        record = ids[name]
        ids[name] = server.call("PATCH", f"/api/fundraising/investors/{record['id']}", {
            "expected_version": record["version"], "fields": {"Stage": stage}})
        if days:
            backdate(server, record["id"], days)
    for n, (who, email, investor, days) in enumerate([
            ("ada", "ada@fund.example", "Alpha Capital", 1), ("ada", "ada@fund.example", "Gamma Ventures", 8),
            ("max", "max@fund.example", "Beta Partners", 2), ("max", "max@fund.example", "Beta Partners", 15)]):
        proposal = insert_proposal(server, users[who], ids[investor]["id"], None, f"Update {n}",
                                   "lp@example.org", sent_at=f"{today - timedelta(days=days)}T10:00:00Z")
        server.call("POST", f"/api/gmail/proposals/{proposal}/approve", {}, email=email)
    return ids


def card(page, name):
    return page.locator(f"[data-card={name}]")


def open_dashboard(page, server):
    page.goto(f"{server.base_url}/#/dashboard")
    page.wait_for_selector(".page[data-page=dashboard][data-loaded]")


def wait_card(page, name, action):
    """Run `action` and wait for that card to be read and drawn again."""
    before = card(page, name).get_attribute("data-loaded")
    action()
    page.wait_for_function("([n, b]) => document.querySelector(`[data-card=${n}]`).dataset.loaded !== b",
                           arg=[name, before])


def drawn(page, name):
    """(series data of the card's ECharts instance, coloured pixels on its canvas)."""
    page.wait_for_selector(f"[data-card={name}] .dash-chart canvas", state="attached", timeout=3000)
    return page.evaluate("""name => {
        const box = document.querySelector(`[data-card=${name}] .dash-chart`);
        const chart = echarts.getInstanceByDom(box);
        const canvas = box.querySelector("canvas");
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let coloured = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3] > 0 && (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200)) coloured++;
        }
        return [chart.getOption().series.map((s) => s.data), coloured];
    }""", name)


def table_cells(page, name):
    """The card's table, shown by its Table toggle: its header and rows of cell texts."""
    toggle = card(page, name).get_by_role("button", name="Table")
    if toggle.get_attribute("aria-pressed") != "true":
        toggle.click()
    table = card(page, name).locator("table")
    expect(table).to_be_visible()
    head = table.locator("thead th").all_inner_texts()
    rows = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
    return head, rows


def amount(text):
    return float(text.replace(",", "")) if text else None


def test_each_chart_is_drawn_and_its_table_has_the_apis_numbers(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "max@fund.example")
    open_dashboard(page, web_server)
    for name in CHARTS:
        series, coloured = drawn(page, name)
        assert any(v not in (0, None) for s in series for v in s), name
        assert coloured > 500, name

    funds = web_server.call("GET", "/api/dashboard/funds")["funds"]
    head, rows = table_cells(page, "funds")
    assert head[:5] == ["Fund", "Target", "Committed", "Soft-circled", "Pipeline"]
    assert [[r[0], *map(amount, r[1:5])] for r in rows] == [
        [f["name"], f["target"], f["committed"], f["soft_circled"], f["pipeline"]] for f in funds]
    assert [f["committed"] for f in funds] == [1_000_000, 750_000]

    stages = web_server.call("GET", "/api/dashboard/funnel")["stages"]
    assert table_cells(page, "funnel")[1] == [[s["stage"], f"{s['count']:,}", f"{s['amount']:,.0f}"]
                                             for s in stages]

    weeks = web_server.call("GET", "/api/dashboard/movements?weeks=12")["weeks"]
    moves = [[w["week"], m["from"], m["to"], str(m["count"])] for w in weeks for m in w["moves"]]
    assert table_cells(page, "movements")[1] == moves and len(moves) == len(MOVES)

    weeks = web_server.call("GET", "/api/dashboard/emails?weeks=12")["weeks"]
    head, rows = table_cells(page, "emails")
    assert head == ["Week", "Ada Admin", "Max Member"]
    assert rows == [[w["week"], *(str(sum(m["count"] for m in w["members"] if m["user"]["name"] == who))
                                  for who in head[1:])] for w in weeks]
    assert sum(int(c) for r in rows for c in r[1:]) == 4
    wait_card(page, "emails", lambda: card(page, "emails").get_by_label("Weeks").select_option("4"))
    assert len(table_cells(page, "emails")[1]) == 4

    try:  # the new-investors card shows only where the server has its route
        weeks = web_server.call("GET", "/api/dashboard/new?weeks=12")["weeks"]
    except urllib.error.HTTPError as err:
        assert err.code == 404
        expect(card(page, "new")).to_be_hidden()
    else:
        assert table_cells(page, "new")[1] == [[w["week"], str(w["count"])] for w in weeks]

    # The charts come back from the table, and one downloads as a PNG.
    card(page, "funnel").get_by_role("button", name="Table").click()
    expect(card(page, "funnel").locator("canvas")).to_be_visible()
    with page.expect_download() as download:
        card(page, "funnel").get_by_role("link", name="PNG").click()
    assert download.value.suggested_filename == "funnel.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A saved view filters the investor cards.
    big = web_server.call("POST", "/api/fundraising/views", {"table": "investors", "name": "Big checks", "filters": {
        "conditions": [{"field": "Check Size", "operator": ">=", "value": 1_000_000}]}})
    page.reload()
    page.wait_for_selector(".page[data-page=dashboard][data-loaded]")
    wait_card(page, "funnel", lambda: page.get_by_label("Investors view").select_option(label="Big checks"))
    kept = web_server.call("GET", f"/api/dashboard/funnel?view={big['id']}")["stages"]
    assert sum(s["count"] for s in kept) == 3
    assert table_cells(page, "funnel")[1] == [[s["stage"], f"{s['count']:,}", f"{s['amount']:,.0f}"]
                                             for s in kept]

    stale = card(page, "stale")  # over the view too
    expect(stale).to_contain_text("Delta Fund")
    expect(stale).not_to_contain_text("Zeta")

    # Stale investors: names as text, each a link that opens the record.
    wait_card(page, "stale", lambda: page.get_by_label("Investors view").select_option(label="All investors"))
    wait_card(page, "stale", lambda: stale.get_by_label("No contact for").select_option("14"))
    got = web_server.call("GET", "/api/dashboard/stale?days=14")["owners"]
    assert [o.inner_text().split(" · ")[0] for o in stale.locator("h3").all()] == [
        o["owner"]["name"] for o in got]
    assert stale.get_by_role("link").all_inner_texts() == [
        i["name"] for o in got for i in o["investors"]]
    assert "Zeta <b>Office</b>" in stale.get_by_role("link").all_inner_texts()
    stale.get_by_role("link", name="Zeta <b>Office</b>").click()
    page.wait_for_url(f"**/#/grid/investors/{ids['Zeta <b>Office</b>']['id']}")
    expect(page.locator(".side-panel")).to_contain_text("Zeta <b>Office</b>")


def test_fund_closes_are_marked_on_the_weekly_charts(web_server, page):
    """Funds may carry first/final close dates: each one in range is a marker on the weekly
    charts and a column of the funds table (a server without them draws none)."""
    fund = web_server.call("POST", "/api/fundraising/funds", {"name": "Fund <i>IV</i>"})
    investor = web_server.call("POST", "/api/fundraising/investors", {"name": "Omega", "fields": {
        "Stage": "Intro"}})
    web_server.call("PATCH", f"/api/fundraising/investors/{investor['id']}", {
        "expected_version": investor["version"], "fields": {"Stage": "Meeting"}})
    first, final = str(date.today() - timedelta(days=10)), str(date.today() + timedelta(days=400))

    def with_closes(route):
        answer = route.fetch().json()
        for entry in answer["funds"]:
            entry.update(first_close=first, final_close=final)
        route.fulfill(json=answer)
    page.route("**/api/dashboard/funds*", with_closes)
    login(page, web_server.base_url, "ada@fund.example")
    open_dashboard(page, web_server)
    for name in ("movements", "emails"):
        marks = page.evaluate("""name => echarts.getInstanceByDom(document.querySelector(
            `[data-card=${name}] .dash-chart`)).getOption().series.flatMap((s) =>
            (s.markLine?.data || []).map((m) => [m.xAxis, m.label.formatter()]))""", name)
        monday = date.today() - timedelta(days=10)
        monday -= timedelta(days=monday.weekday())
        assert marks == [[str(monday), "Fund <i>IV</i> first close"]], name  # the final one is later
    head, rows = table_cells(page, "funds")
    assert rows[0][0] == fund["name"] and rows[0][-2:] == [first, final]
    assert head[-2:] == ["First close", "Final close"]


def test_the_readme_screenshot(web_server, page):
    assert "300 investors" in web_server.cli("demo", "load")
    listed = web_server.call("GET", "/api/fundraising/investors?limit=40")["records"]
    stages = ["Intro", "Meeting", "Diligence", "Soft Circle", "Committed"]
    for n, record in enumerate(listed):
        web_server.call("PATCH", f"/api/fundraising/investors/{record['id']}", {
            "expected_version": record["version"], "fields": {"Stage": stages[n % 5]}})
        backdate(web_server, record["id"], (n * 5) % 80)
    login(page, web_server.base_url, "ada@fund.example")
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_dashboard(page, web_server)
    page.evaluate("document.getElementById('banners').replaceChildren()")  # the public-URL note
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert SCREENSHOT.stat().st_size > 30_000
