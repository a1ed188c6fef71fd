// The records of each group of the Group by bar (totals.js), Airtable style: a group's line
// folds open to show its records, fetched from the list route with the grid's own query
// (view, filters, search, sorts) and one more filter condition: the group's value.
// Every value reaches the DOM as text.
import { h } from "/assets/ui.js";
import { alignsRight, shownAs } from "./cells.js";
import { columnKey, displayValue, recordValue } from "./columns.js";
import { openRecordUrl } from "./record_links.js";

export const PAGE = 50; // records shown at first, and added by "Show 50 more"
const MAX_RELOAD = 1000; // what the list route gives at once
const MAX_COLUMNS = 8; // the grid's visible columns shown beside the name
const MAX_LABEL = 200; // the groups route cuts longer values: they match no record as sent
const PARALLEL = 3; // groups loading at once (Expand all)
// Expand all opens this many groups: each open group is a list request, again on every save
const MAX_EXPAND = 25;

/** The filter kind of a field, as the server's query compiler (query.py) has it. */
function filterKind(field) {
  if (field.type === "formula") {
    return { number: "number", date: "date", datetime: "date", checkbox: "checkbox", array: "multi" }[
      field.options?.result_type] || "text";
  }
  if (["number", "currency", "percent"].includes(field.type)) return "number";
  if (field.type === "date" || field.type === "datetime") return "date";
  if (field.type === "checkbox") return "checkbox";
  if (field.type === "multi_select" || (field.type === "link" && field.options?.multiple !== false)) return "multi";
  if (field.type === "link" || field.type === "user") return "id";
  return "text";
}

/**
 * The list route's filter condition matching the records of a group of `field` with this
 * value, or null when the route cannot express it (a date-time value: its filters compare
 * days; a value the groups route cut short).
 */
export function groupCondition(field, value) {
  const kind = filterKind(field);
  if (value === null) {
    return kind === "checkbox" ? { field: field.id, operator: "is", value: false }
      : { field: field.id, operator: "is_empty" };
  }
  if (typeof value === "string" && value.length >= MAX_LABEL) return null; // maybe cut short
  switch (kind) {
    case "multi": return { field: field.id, operator: "has_any_of", value: [value] };
    case "number": return { field: field.id, operator: "=", value };
    case "checkbox": return { field: field.id, operator: "is", value: Boolean(value) };
    case "date":
      return String(value).length === 10 ? { field: field.id, operator: "is", value } : null;
    case "id": return { field: field.id, operator: "is", value };
    default: return { field: field.id, operator: "is", value: String(value) };
  }
}

/** A filter group: `filters` (the grid's, maybe none) and the condition too. */
export function withCondition(filters, condition) {
  const conditions = filters?.conditions || [];
  if (!conditions.length) return { op: "and", conditions: [condition] };
  if ((filters.op || "and") === "and") return { ...filters, conditions: [...conditions, condition] };
  return { op: "and", conditions: [filters, condition] };
}

/**
 * The folding sections of the Group by bar. `section(...)` gives a group's line (with its
 * toggle) and the table row under it; `drawn(groups)` shows the open groups and loads their
 * records again once the bar is drawn anew. Which groups are open is kept across redraws, per
 * field; `controls` holds Expand all and Collapse all.
 */
export function groupRows(page) {
  const open = new Map(); // group key -> state of an open group
  let field = null;
  let groups = []; // the groups drawn last: [{group, key}]
  let running = 0;
  const queue = [];

  const keyOf = (group) => JSON.stringify(group.value);

  const expandAll = h("button", { class: "btn btn-small", type: "button",
    title: `Open the first ${MAX_EXPAND} groups`,
    onclick: () => { for (const { group } of groups.slice(0, MAX_EXPAND)) expand(group); } }, "Expand all");
  const collapseAll = h("button", { class: "btn btn-small", type: "button",
    onclick: () => { for (const key of [...open.keys()]) collapse(key); } }, "Collapse all");
  const controls = h("span", { class: "group-controls" }, expandAll, collapseAll);

  // names of a large linked table arrive after a first drawing ("…"): draw the open groups
  // again then too, after the grid's own cells; a few times per load at most (a failed fetch
  // asks again on each drawing)
  const links = page.lookups?.links;
  if (links) {
    const before = links.onNames;
    links.onNames = () => {
      before?.();
      for (const state of open.values()) {
        if (state.total !== null && state.redraws < 3) {
          state.redraws += 1;
          render(state);
        }
      }
    };
  }

  /** The grid's visible columns beside the name, as fields, at most MAX_COLUMNS. */
  function columns() {
    const byKey = new Map(page.fields.map((f) => [columnKey(f), f]));
    return page.grid.getColumns().filter((c) => c.isVisible()).map((c) => byKey.get(c.getField()))
      .filter((f) => f && f.builtin !== "name").slice(0, MAX_COLUMNS);
  }

  /** The list route's query for a group: the grid's, and the group's condition. */
  function query(state) {
    // page.config.filters: the grid's filters, a saved view's own while it is unchanged (the
    // route then takes these instead of the view's, and keeps its sorts)
    return { ...page.query(), filters: withCondition(page.config.filters, state.condition) };
  }

  function useField(next) {
    if (next?.id === field?.id) return;
    field = next;
    open.clear();
  }

  /** Run fetches at most PARALLEL at a time (Expand all over 200 groups). */
  function schedule(job) {
    return new Promise((resolve) => {
      queue.push(async () => { try { await job(); } finally { resolve(); } });
      drain();
    });
  }
  function drain() {
    while (running < PARALLEL && queue.length) {
      const job = queue.shift();
      running += 1;
      job().finally(() => { running -= 1; drain(); });
    }
  }

  async function load(state, more = false) {
    const mine = ++state.asked;
    const offset = more ? state.records.length : 0;
    const limit = more ? PAGE : Math.min(MAX_RELOAD, Math.max(PAGE, state.records.length));
    state.box.setAttribute("aria-busy", "true");
    await schedule(async () => {
      try {
        const got = await page.api.get(`/api/fundraising/${page.table}`, { ...query(state), limit, offset });
        if (mine !== state.asked) return; // a later load answers
        state.records = more ? [...state.records, ...got.records] : got.records;
        state.total = got.total;
        state.error = null;
        state.redraws = 0;
      } catch (err) {
        if (mine !== state.asked) return;
        state.error = err.message;
      }
      render(state);
      // "Show 50 more" is drawn anew: the keyboard goes on at the first record it added
      if (more) state.box.querySelectorAll(".group-record-link")[offset]?.focus();
      state.box.removeAttribute("aria-busy");
      state.box.dataset.loaded = String(Number(state.box.dataset.loaded || 0) + 1);
    });
  }

  function nameLink(record) {
    return h("a", { href: `#/grid/${page.table}/${record.id}`, class: "group-record-link",
      onclick: (e) => { e.preventDefault(); openRecordUrl(page, record.id); } }, record.name || "(no name)");
  }

  function render(state) {
    const shown = columns();
    const lookups = page.lookups || { records: {}, users: new Map() };
    const num = (f) => (alignsRight(shownAs(f, page.fields)) ? "num" : undefined);
    const cell = (f, record) => h("td", { class: num(f) },
      displayValue(f, recordValue(record, f), lookups, page.fields));
    const parts = [];
    if (state.error) parts.push(h("p", { class: "muted", role: "alert" }, `Records could not be loaded: ${state.error}`));
    if (state.records.length) {
      parts.push(h("table", { class: "simple-table group-records-table" },
        h("thead", null, h("tr", null, h("th", null, "Name"), shown.map((f) => h("th", { class: num(f) }, f.name)))),
        h("tbody", null, state.records.map((r) => h("tr", { dataset: { id: String(r.id) } },
          h("td", null, nameLink(r)), shown.map((f) => cell(f, r)))))));
    } else if (!state.error && state.total === 0) {
      parts.push(h("p", { class: "muted" }, "No records"));
    }
    const left = (state.total ?? 0) - state.records.length;
    parts.push(h("div", { class: "row group-records-foot" },
      h("span", { class: "muted group-records-count", "aria-live": "polite" }, state.total === null ? "Loading…"
        : `${state.records.length.toLocaleString()} of ${state.total.toLocaleString()}`),
      left > 0 && h("button", { class: "btn btn-small", type: "button", onclick: () => load(state, true) },
        `Show ${Math.min(PAGE, left)} more`),
      h("button", { class: "btn btn-small", type: "button", onclick: () => showInGrid(state) }, "Show in grid")));
    state.box.replaceChildren(...parts);
  }

  /** Filter the grid to the group (through the page's own filter mechanism). */
  function showInGrid(state) {
    page.applyConfig({ filters: withCondition(page.config.filters, state.condition) });
  }

  function expand(group) {
    const key = keyOf(group);
    const condition = field && groupCondition(field, group.value);
    if (open.has(key) || !condition) return;
    const state = { key, condition, records: [], total: null, asked: 0, error: null, redraws: 0,
      box: h("div", { class: "group-records", dataset: { group: key } }) };
    open.set(key, state);
    redraw(key);
    load(state);
  }

  function collapse(key) {
    open.delete(key);
    redraw(key);
  }

  const parts = new Map(); // group key -> {button, row, detail, cell} of the current drawing
  let drawings = 0;

  /** Show a group's open or closed state in the drawn table: the row of its records sits
   * under its line only while open (a closed table holds the group lines alone). */
  function redraw(key) {
    const drawn = parts.get(key);
    if (!drawn) return;
    const state = open.get(key);
    drawn.button.setAttribute("aria-expanded", String(Boolean(state)));
    if (state) {
      drawn.button.setAttribute("aria-controls", drawn.detail.id);
      drawn.cell.replaceChildren(state.box);
      if (!drawn.detail.isConnected) drawn.row.after(drawn.detail);
      if (state.total === null) render(state);
    } else {
      drawn.button.removeAttribute("aria-controls");
      drawn.detail.remove();
    }
    controls.closest(".groups-bar")?.classList.toggle("groups-open", open.size > 0);
  }

  /**
   * A group's line, to be followed by the row of its records while open: `line(toggle)` builds
   * the line with the toggle (a button holding `label`) as its first cell's content; `span` is
   * its number of cells.
   */
  function section(group, label, line, span) {
    const key = keyOf(group);
    const condition = field && groupCondition(field, group.value);
    const button = h("button", { class: "group-toggle", type: "button", "aria-expanded": "false",
      disabled: !condition, title: condition ? undefined : "The records of this group cannot be listed",
      onclick: () => (open.has(key) ? collapse(key) : expand(group)) },
    h("span", { class: "group-caret", "aria-hidden": "true" }), label);
    const cell = h("td", { colSpan: span });
    const detail = h("tr", { class: "group-detail", id: `group-records-${++drawings}` }, cell);
    const row = line(button);
    parts.set(key, { button, row, detail, cell });
    return row;
  }

  /** The bar was drawn anew (new groups): show the open ones and load their records again. */
  function drawn(shownGroups) {
    groups = shownGroups.map((group) => ({ group, key: keyOf(group) }));
    const keys = new Set(groups.map((g) => g.key));
    for (const key of [...parts.keys()]) if (!keys.has(key)) parts.delete(key);
    for (const { key } of groups) {
      redraw(key);
      const state = open.get(key);
      if (state) load(state);
    }
  }

  function reset() {
    parts.clear();
    groups = [];
    controls.closest(".groups-bar")?.classList.remove("groups-open");
  }

  return { controls, useField, section, drawn, reset, isOpen: (group) => open.has(keyOf(group)) };
}
