"""Grid cells and the record panel in a real browser: how each kind of value is shown and
edited (percent, multi-select, long text, currency, years, formulas, links)."""
from playwright.sync_api import expect

import pytest

from tests.web.conftest import login
from tests.web.test_grid import field_key, open_grid, wait_loaded_after

pytestmark = pytest.mark.browser

NOTES = "Warm intro via Priya\nFollow up in Q3\nPrefers email"
SECTORS = ["Fintech", "Health, Bio", "Climate"]


def add_field(server, table, name, type_, **extra):
    return server.call("POST", "/api/fundraising/fields",
                       {"table": table, "name": name, "type": type_, **extra})


def seed(server):
    """Fields of every display rule on investors, two investors and a fund; returns ids."""
    add_field(server, "investors", "Probability", "percent")
    add_field(server, "investors", "Sectors", "multi_select", options={"choices": SECTORS})
    add_field(server, "investors", "Notes", "long_text")
    add_field(server, "investors", "Website", "url")
    add_field(server, "investors", "Contact Email", "email")
    add_field(server, "investors", "Founded", "number", options={"precision": 0})
    add_field(server, "investors", "Co-investors", "link", options={"table": "investors"})
    add_field(server, "investors", "Expected", "formula", formula="{Check Size} * {Probability}")
    add_field(server, "investors", "Odds", "formula", formula="{Probability}")
    ids = {}
    for name, fields in [
        ("Alpha Capital", {"Check Size": 1_250_000, "Probability": 0.125,
                           "Sectors": ["Fintech", "Health, Bio"], "Notes": NOTES,
                           "Website": f"{server.base_url}/api/health",
                           "Contact Email": "ir@alpha.example", "Founded": 1998}),
        ("Beta Partners", {"Check Size": -5, "Probability": 0.4}),
        ("Gamma Ventures", {}),
    ]:
        ids[name] = server.call("POST", "/api/fundraising/investors",
                                {"name": name, "fields": fields})["id"]
    server.call("POST", "/api/fundraising/funds", {"name": "Fund III", "fields": {"Vintage": 2026}})
    return ids


def cell(page, name, field):
    row = page.locator(".tabulator-row", has=page.locator(
        f".tabulator-cell[tabulator-field=name]:text-is('{name}')"))
    return row.locator(f".tabulator-cell[tabulator-field={field}]")


def keys(server, *names):
    return [field_key(server, "investors", n) for n in names]


def wait_saved(page, count):
    page.wait_for_selector(f".grid-page[data-saves='{count}']")


def record(server, record_id):
    return server.call("GET", f"/api/fundraising/investors/{record_id}")["fields"]


def test_cells_show_values_as_people_read_them(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    check, probability, sectors, notes, website, email, founded, expected, odds = keys(
        web_server, "Check Size", "Probability", "Sectors", "Notes", "Website", "Contact Email",
        "Founded", "Expected", "Odds")
    # percent: a fraction shown as a percentage
    assert cell(page, "Alpha Capital", probability).inner_text() == "12.5%"
    assert cell(page, "Beta Partners", probability).inner_text() == "40%"
    # currency: exact, the exact amount on hover, a minus sign before the symbol
    money = cell(page, "Alpha Capital", check)
    assert money.inner_text() == "$1,250,000"
    assert money.locator("[title]").get_attribute("title") == "$1,250,000"
    assert cell(page, "Beta Partners", check).inner_text() in ("−$5", "-$5")
    # multi-select: one chip per choice, a comma inside a choice stays inside its chip
    chips = cell(page, "Alpha Capital", sectors).locator(".chip")
    assert chips.all_inner_texts() == ["Fintech", "Health, Bio"]
    # long text keeps its line breaks, and the row grows to show them
    lines = cell(page, "Alpha Capital", notes)
    assert lines.inner_text() == NOTES
    single = cell(page, "Gamma Ventures", notes).bounding_box()["height"]
    assert lines.bounding_box()["height"] > 1.8 * single
    # a year-like number at precision 0 has no thousands separator
    assert cell(page, "Alpha Capital", founded).inner_text() == "1998"
    # formulas: a money formula as money, a percent formula as a percent, both on the right
    assert cell(page, "Alpha Capital", expected).inner_text() == "$156,250"
    assert cell(page, "Beta Partners", expected).inner_text() in ("−$2", "-$2")
    assert cell(page, "Alpha Capital", odds).inner_text() == "12.5%"
    for key in (expected, odds):
        align = cell(page, "Alpha Capital", key).evaluate("c => getComputedStyle(c).textAlign")
        assert align == "right"
    # URLs and emails are links
    link = cell(page, "Alpha Capital", website).locator("a")
    assert link.get_attribute("href") == f"{web_server.base_url}/api/health"
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    mail = cell(page, "Alpha Capital", email).locator("a")
    assert mail.get_attribute("href") == "mailto:ir@alpha.example"
    # the funds' built-in Vintage is a year
    open_grid(page, web_server, "funds")
    vintage = field_key(web_server, "funds", "Vintage")
    assert cell(page, "Fund III", vintage).inner_text() == "2026"


def test_a_narrow_money_cell_is_compact_with_the_exact_amount_on_hover(web_server, page):
    ids = seed(web_server)
    check = field_key(web_server, "investors", "Check Size")
    view = web_server.call("POST", "/api/fundraising/views", {
        "table": "investors", "name": "Narrow", "widths": {check[1:]: 60}})
    web_server.call("PATCH", f"/api/fundraising/investors/{ids['Alpha Capital']}",
                    {"expected_version": 1, "fields": {"Check Size": 125_000_000}})
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    wait_loaded_after(page, lambda: page.get_by_label("View").select_option(label=view["name"]))
    money = cell(page, "Alpha Capital", check)
    expect(money).to_have_text("$125M")
    assert money.locator("[title]").get_attribute("title") == "$125,000,000"


def test_the_record_panel_shows_values_like_the_grid(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    row = page.locator(".tabulator-row", has=page.locator(".tabulator-cell:text-is('Alpha Capital')"))
    row.locator(".expand-cell").click()
    page.wait_for_selector(".side-panel .record-fields .tabulator-row")
    panel = page.wait_for_selector(".side-panel .record-fields")

    def value(name):
        return panel.query_selector(f"xpath=.//div[contains(@class, 'tabulator-row')][div[text()='{name}']]"
                                    "/div[contains(@class, 'record-field-value')]")

    assert value("Probability").inner_text() == "12.5%"
    assert value("Check Size").inner_text() == "$1,250,000"
    assert [c.inner_text() for c in value("Sectors").query_selector_all(".chip")] == ["Fintech", "Health, Bio"]
    assert value("Notes").inner_text() == NOTES
    assert value("Website").query_selector("a").get_attribute("href").endswith("/api/health")
    assert value("Contact Email").query_selector("a").get_attribute("href") == "mailto:ir@alpha.example"
    assert value("Expected").inner_text() == "$156,250"


def type_into(page, name, key, text, saves):
    """Type `text` into the cell's editor and press Enter; (cell, what the editor showed)."""
    target = cell(page, name, key).element_handle()
    target.dblclick()
    editor = target.wait_for_selector("input")
    shown = editor.input_value()
    editor.fill(text)
    editor.press("Enter")
    wait_saved(page, saves)
    return target, shown


def test_a_percent_is_typed_as_people_say_it_and_stored_as_a_fraction(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    (probability,) = keys(web_server, "Probability")
    target, shown = type_into(page, "Alpha Capital", probability, "40", saves=1)
    assert shown == "12.5"
    assert record(web_server, ids["Alpha Capital"])["Probability"] == 0.4
    assert target.inner_text() == "40%"
    # "7.5%" with its sign is read the same way
    target, _ = type_into(page, "Gamma Ventures", probability, "7.5%", saves=2)
    assert record(web_server, ids["Gamma Ventures"])["Probability"] == 0.075
    assert target.inner_text() == "7.5%"


def test_a_multi_select_cell_is_edited_with_a_real_multi_select(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    (sectors,) = keys(web_server, "Sectors")
    target = cell(page, "Beta Partners", sectors).element_handle()
    target.dblclick()
    box = target.wait_for_selector("input")
    options = page.locator(".multi-editor")
    # Escape leaves the value as it was
    options.get_by_text("Climate").click()
    box.press("Escape")
    assert page.locator(".multi-editor").count() == 0
    # typing filters; Enter ticks the highlighted choice; a click ticks another; Enter saves
    target.dblclick()
    box = target.wait_for_selector("input")
    box.type("health")
    assert page.locator(".multi-option:visible").all_inner_texts() == ["Health, Bio"]
    box.press("Enter")
    options.get_by_text("Climate").click()
    box.press("Enter")
    wait_saved(page, 1)
    assert record(web_server, ids["Beta Partners"])["Sectors"] == ["Health, Bio", "Climate"]
    assert [c.inner_text() for c in target.query_selector_all(".chip")] == ["Health, Bio", "Climate"]
    # the keyboard alone: arrows move, Space unticks, leaving the cell saves
    target.dblclick()
    box = target.wait_for_selector("input")
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press(" ")  # the second choice, "Health, Bio", off
    box.press("Tab")
    wait_saved(page, 2)
    assert record(web_server, ids["Beta Partners"])["Sectors"] == ["Climate"]


def test_a_link_field_with_several_records_is_edited_as_a_list(web_server, page):
    ids = seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    (peers,) = keys(web_server, "Co-investors")
    target = cell(page, "Gamma Ventures", peers).element_handle()
    target.dblclick()
    box = target.wait_for_selector("input")
    page.locator(".multi-editor").get_by_text("Alpha Capital").click()
    page.locator(".multi-editor").get_by_text("Beta Partners").click()
    box.press("Enter")
    wait_saved(page, 1)
    assert record(web_server, ids["Gamma Ventures"])["Co-investors"] == [
        ids["Alpha Capital"], ids["Beta Partners"]]
    assert [c.inner_text() for c in target.query_selector_all(".chip")] == [
        "Alpha Capital", "Beta Partners"]


def test_a_link_in_a_cell_opens_in_a_new_tab_without_editing_the_cell(web_server, page):
    seed(web_server)
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    (website,) = keys(web_server, "Website")
    link = cell(page, "Alpha Capital", website).locator("a")
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"{web_server.base_url}/api/health"
    assert page.locator(".tabulator-editing").count() == 0
    # the rest of the cell still edits the address
    page.bring_to_front()
    target = cell(page, "Alpha Capital", website)
    box = target.bounding_box()
    target.dblclick(position={"x": box["width"] - 4, "y": box["height"] / 2})
    target.locator("input").wait_for()


def test_an_admin_sets_the_separator_and_a_formulas_format_in_the_fields_panel(web_server, page):
    ids = seed(web_server)
    add_field(web_server, "investors", "Employees", "number", options={"precision": 0})
    web_server.call("PATCH", f"/api/fundraising/investors/{ids['Gamma Ventures']}",
                    {"expected_version": 1, "fields": {"Employees": 2500}})
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    employees, odds = keys(web_server, "Employees", "Odds")
    assert cell(page, "Gamma Ventures", employees).inner_text() == "2,500"
    page.click("[data-panel=Fields]")
    fields = page.locator("[data-panel-body=Fields]")
    fields.locator("button", has_text="Employees").click()
    fields.get_by_label("Thousands separator").uncheck()
    fields.get_by_role("button", name="Save field").click()
    expect(cell(page, "Gamma Ventures", employees)).to_have_text("2500")
    fields.locator("button", has_text="Odds").click()
    fields.get_by_label("Number format").select_option("number")
    fields.get_by_role("button", name="Save field").click()
    expect(cell(page, "Alpha Capital", odds)).to_have_text("0.125")
    options = {f["name"]: f["options"] for f in web_server.call(
        "GET", "/api/fundraising/fields?table=investors")["fields"]}
    assert options["Employees"] == {"precision": 0, "separator": False}
    assert options["Odds"] == {"format": "number", "result_type": "number"}
