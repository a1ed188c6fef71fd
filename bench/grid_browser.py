"""The grid in Chromium at api_investors x api_fields: time from navigation to the first rows,
a jump to the middle row (rows on screen), a filter applied, and a 1,000-cell paste saved.

Each figure is the median of REPS runs, measured in the page (performance.now()) where it can
be, printed beside its target. Needs Debian's chromium and Playwright (make test installs
both)."""
import statistics
import sys
from pathlib import Path

from bench import seed
from bench.report import Row, ms, verdict
from bench.servers import CrmServer

NAME = "grid_browser"
CHROMIUM = Path("/usr/bin/chromium")
REPS = 3
TARGETS = {"first": 1.0, "jump": 0.3, "filter": 0.3, "paste": 1.0}  # seconds
PASTE_ROWS, PASTE_COLUMNS = 100, 10
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

LOADED_ROW = ".tabulator-row:not(.row-pending) .tabulator-cell[tabulator-field=name]"
# Scroll to the middle row and resolve, in ms, once a fetched row there is on screen.
JUMP = """async () => {
  const holder = document.querySelector('.tabulator-tableholder');
  const start = performance.now();
  holder.scrollTop = (holder.scrollHeight - holder.clientHeight) / 2;
  const shown = () => [...document.querySelectorAll('.tabulator-row:not(.row-pending)')]
    .some((r) => { const b = r.getBoundingClientRect(), h = holder.getBoundingClientRect();
      return b.top >= h.top && b.bottom <= h.bottom && r.offsetTop > holder.scrollHeight / 3; });
  while (!shown()) await new Promise((ok) => requestAnimationFrame(ok));
  return performance.now() - start;
}"""
# Resolve, in ms from `start`, once the grid's data-<key> attribute differs from `before`.
CHANGED = """async ([key, before, start]) => {
  const page = document.querySelector('.grid-page');
  while (page.dataset[key] === before) {
    if (performance.now() - start > 30000) throw new Error(`no change of data-${key} in 30 s`);
    await new Promise((ok) => requestAnimationFrame(ok));
  }
  return performance.now() - start;
}"""


def run(sizes, workdir, rng, options) -> list[Row]:
    if not CHROMIUM.exists():
        return [Row(NAME, "chromium", "skipped (apt-get install chromium)")]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [Row(NAME, "playwright", "skipped (pip install playwright)")]
    full = sizes.api_is_full
    with CrmServer(workdir / NAME, workers=1) as crm:
        http = crm.client()
        fields = seed.create_fields(http, seed.field_specs(sizes.api_fields - seed.BUILTIN_INVESTOR_FIELDS))
        total = seed.insert_investors(crm.database_path, seed.investor_rows(
            sizes.api_investors, fields, rng, crm.user_id))
        http.close()  # idle through the seeding: waitress may have closed it (channel_timeout)
        texts = [f for f in fields if f["type"] in ("text", "long_text", "email", "url", "phone")]
        view = http.json("POST", "/api/fundraising/views", {
            "table": "investors", "name": "Paste target",
            "order": [f["id"] for f in texts[:PASTE_COLUMNS]]}, expect=201)[0]
        http.close()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            try:
                times = measure(browser, crm, view, rng)
            finally:
                browser.close()
    rows = [Row(NAME, f"data: {total:,} investors x {sizes.api_fields} fields; Chromium, "
                      f"median of {REPS}", "")]
    labels = {"first": "navigation to first rows", "jump": f"jump to row {total // 2:,} (rows shown)",
              "filter": "a filter applied (rows shown)",
              "paste": f"paste of {PASTE_ROWS * PASTE_COLUMNS:,} cells saved (one batch)"}
    for key, label in labels.items():
        value = statistics.median(times[key])
        rows.append(Row(NAME, label, ms(value), f"<= {ms(TARGETS[key])}",
                        verdict(value <= TARGETS[key] if full else None)))
    return rows


def measure(browser, crm, view, rng) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{crm.port}/")
    page.fill("input[name=email]", crm.EMAIL)
    page.fill("input[name=password]", crm.password)
    page.click("button[type=submit]")
    page.wait_for_selector(".sidenav")
    times = {key: [] for key in TARGETS}
    for rep in range(REPS):
        page.goto("about:blank")
        page.goto(f"http://127.0.0.1:{crm.port}/#/grid/investors")
        page.wait_for_selector(LOADED_ROW)
        times["first"].append(page.evaluate("() => performance.now()") / 1000)
        print(f"    first rows {times['first'][-1]:.3f} s", file=sys.stderr, flush=True)
        times["jump"].append(page.evaluate(JUMP) / 1000)
        print(f"    jump {times['jump'][-1]:.3f} s", file=sys.stderr, flush=True)
        times["filter"].append(apply_filter(page, rep) / 1000)
        print(f"    filter {times['filter'][-1]:.3f} s", file=sys.stderr, flush=True)
    times["paste"] = paste_block(page, view, rng)
    context.close()
    return times


def apply_filter(page, rep) -> float:
    """Stage is one choice (a different one each time): from "Apply filter" to rows shown."""
    if not page.locator("[data-panel-body=Filter]").count():
        page.get_by_role("button", name="Filter").click()
    panel = page.locator("[data-panel-body=Filter]")
    if not panel.locator(".condition").count():
        panel.get_by_role("button", name="+ Condition").first.click()
        condition = panel.locator(".condition").last
        condition.get_by_label("Field").select_option(label="Stage")
        condition.get_by_label("Operator").select_option("is")
    value = panel.locator(".condition").last.get_by_label("Value")
    options = [o for o in value.locator("option").all_inner_texts() if o.strip()]
    value.select_option(label=options[rep % 3 + 1])
    before = page.get_attribute(".grid-page", "data-loaded")
    start = page.evaluate("() => performance.now()")
    panel.get_by_role("button", name="Apply filter").click()
    return page.evaluate(CHANGED, ["loaded", before, start])


def paste_block(page, view, rng) -> list[float]:
    """A block of PASTE_ROWS x PASTE_COLUMNS new texts pasted on the first rows of the view
    whose first columns are text fields; from Ctrl+V to the batch's answer shown."""
    page.get_by_label("View").select_option(label=view["name"])
    page.wait_for_selector(LOADED_ROW)
    results = []
    for rep in range(REPS):
        block = "\n".join("\t".join(f"p{rep}-{rng.randrange(10**6)}" for _ in range(PASTE_COLUMNS))
                          for _ in range(PASTE_ROWS))
        page.evaluate("text => navigator.clipboard.writeText(text)", block)
        first = page.locator(".tabulator-row").first.locator(".tabulator-cell").nth(2)
        first.click()
        before = page.get_attribute(".grid-page", "data-batches")
        start = page.evaluate("() => performance.now()")
        page.keyboard.press("Control+v")
        results.append(page.evaluate(CHANGED, ["batches", before, start]) / 1000)
    return results
