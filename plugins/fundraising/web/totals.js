// Column totals under the grid and a "Group by" summary above it, both computed on the server
// (GET /{table}/totals and /{table}/groups) over the grid's own query: its view, filters and
// search. Refreshed when the grid loads (data-loaded) or saves (data-saves), with no call from
// the grid beyond attachTotals(page). Every value reaches the DOM as text.
import { h } from "/assets/ui.js";
import { columnKey, displayValue } from "./columns.js";
import { groupRows } from "./group_rows.js";

const MAX_FIELDS = 200; // what the totals route takes at once
const MAX_SUMS = 20; // what the groups route sums at once

// What each kind of total can show; the first is the default.
const CHOICES = {
  number: [["sum", "Sum"], ["average", "Average"], ["min", "Min"], ["max", "Max"],
    ["filled", "Filled"], ["empty", "Empty"], ["none", "None"]],
  checkbox: [["checked", "Checked"], ["unchecked", "Unchecked"], ["none", "None"]],
  date: [["filled", "Filled"], ["empty", "Empty"], ["earliest", "Earliest"], ["latest", "Latest"],
    ["none", "None"]],
  filled: [["filled", "Filled"], ["empty", "Empty"], ["none", "None"]],
};
const COUNTS = new Set(["filled", "empty", "checked", "unchecked"]);

/** The query of the grid's rows without its paging and order: what totals are taken over. */
export function rowsQuery(page) {
  const { sorts, ...rest } = page.query();
  return rest;
}

/** A total as text: counts as plain numbers, the rest as the field shows its values. */
export function totalText(field, total, choice, page) {
  const value = total[choice];
  if (value === null || value === undefined) return "–";
  if (COUNTS.has(choice)) return Number(value).toLocaleString();
  return displayValue(field, value, page.lookups || { records: {}, users: new Map() }, page.fields);
}

function loadChoices(table) {
  try {
    return JSON.parse(localStorage.getItem(`crm.totals.${table}`) || "{}") || {};
  } catch {
    return {};
  }
}

/**
 * Add the totals footer (under page.host) and the Group by bar (above it) to a GridPage, and
 * keep them current. Returns { refresh(), stop() }.
 */
export function attachTotals(page) {
  const footer = totalsFooter(page);
  const groups = groupsBar(page);
  page.host.before(groups.element);
  page.host.after(footer.element);
  let lastKey = null;
  let timer = null;
  let pendingSave = false;
  const refresh = (force = true) => {
    const key = JSON.stringify(rowsQuery(page));
    pendingSave = false;
    if (!force && key === lastKey) return;
    lastKey = key;
    footer.refresh();
    groups.refresh();
  };
  // a load of another block of the same rows changes nothing; a save or a new query does
  const watcher = new MutationObserver((changes) => {
    pendingSave = pendingSave || changes.some((c) => c.attributeName === "data-saves");
    clearTimeout(timer);
    timer = setTimeout(() => refresh(pendingSave), 50);
  });
  watcher.observe(page.container, { attributes: true, attributeFilter: ["data-loaded", "data-saves"] });
  if (page.container.dataset.loaded) refresh();
  return {
    refresh: () => refresh(true),
    stop: () => { watcher.disconnect(); clearTimeout(timer); footer.stop(); },
    footer, groups,
  };
}

/** The footer: one cell per visible column, lined up under it, with a pick of its total.
 * Only the columns in view are asked for (each costs a pass over the rows' values at 100k
 * rows); the others as they are scrolled into view. */
export function totalsFooter(page) {
  const choices = loadChoices(page.table);
  const frozen = h("div", { class: "totals-part totals-frozen" });
  const moving = h("div", { class: "totals-part totals-moving" });
  const element = h("div", { class: "totals-footer", role: "row", "aria-label": "Column totals" },
    frozen, h("div", { class: "totals-scroll" }, moving));
  let known = new Map(); // field id -> its total, for the rows of the current query
  let count = null;
  let asked = 0;
  let scrollTimer = null;

  const fieldOf = (column) => page.fields.find((f) => columnKey(f) === column.getField());
  const visible = () => page.grid.getColumns().filter((c) => c.isVisible());

  /** The fields of the columns a person sees now: frozen ones and those in the scrolled view. */
  function inView() {
    const box = page.host.getBoundingClientRect();
    return visible().filter((c) => {
      if (c.getDefinition().frozen) return true;
      const r = c.getElement().getBoundingClientRect();
      return r.right > box.left && r.left < box.right;
    }).map(fieldOf).filter(Boolean);
  }

  function cell(column) {
    const field = fieldOf(column);
    const width = `${Math.round(column.getWidth())}px`;
    const total = field && known.get(field.id);
    if (!total) return h("div", { class: "totals-cell", style: { width } });
    const options = CHOICES[total.kind];
    const pick = options.some(([k]) => k === choices[field.id]) ? choices[field.id] : options[0][0];
    const select = h("select", { class: "totals-pick", "aria-label": `Total of ${field.name}`,
      onchange: () => {
        choices[field.id] = select.value;
        localStorage.setItem(`crm.totals.${page.table}`, JSON.stringify(choices));
        render();
      } }, options.map(([key, label]) => h("option", { value: key, selected: key === pick }, label)));
    select.value = pick;
    const text = pick === "none" ? "" : totalText(field, total, pick, page);
    return h("div", { class: "totals-cell", style: { width }, dataset: { field: String(field.id), kind: pick } },
      select, h("span", { class: "totals-value", title: text }, text));
  }

  function render() {
    if (!page.grid?.initialized) return;
    const columns = visible();
    frozen.replaceChildren(...columns.filter((c) => c.getDefinition().frozen).map(cell));
    moving.replaceChildren(...columns.filter((c) => !c.getDefinition().frozen).map(cell));
    element.dataset.total = count === null ? "" : String(count);
    element.title = count === null ? "" : `${count.toLocaleString()} ${count === 1 ? "record" : "records"}`;
    position();
  }

  function position() {
    const holder = page.host.querySelector(".tabulator-tableholder");
    moving.style.transform = `translateX(${-(holder?.scrollLeft || 0)}px)`;
  }

  /** Ask for the totals of the columns in view that are not known yet (all of them after a
   * new query or a save: `fresh`). */
  async function refresh(fresh = true) {
    if (!page.grid?.initialized) return;
    if (fresh) asked += 1;
    const mine = asked;
    const have = fresh ? new Map() : known;
    const ids = inView().filter((f) => !have.has(f.id)).map((f) => f.id).slice(0, MAX_FIELDS);
    if (!ids.length && !fresh) return;
    try {
      const got = await page.api.get(`/api/fundraising/${page.table}/totals`,
        { ...rowsQuery(page), fields: ids.length ? ids : [page.fields[0].id] });
      if (mine !== asked) return; // a later query or save answers
      if (fresh) known = new Map();
      for (const total of got.totals) known.set(total.field, total);
      count = got.total;
      element.classList.remove("totals-failed");
      render();
      element.dataset.refreshed = String(Number(element.dataset.refreshed || 0) + 1);
    } catch (err) {
      if (mine !== asked) return;
      element.classList.add("totals-failed");
      element.title = `Totals could not be loaded: ${err.message}`;
    }
  }

  const more = () => {
    if (!page.grid.initialized) return; // the table is still being built
    render();
    refresh(false);
  };
  const scrolled = () => {
    position();
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => refresh(false), 150);
  };
  const events = [["columnMoved", more], ["columnResized", more], ["columnVisibilityChanged", more],
    ["columnsLoaded", more], ["scrollHorizontal", scrolled]];
  for (const [name, fn] of events) page.grid.on(name, fn);
  const stop = () => {
    clearTimeout(scrollTimer);
    for (const [name, fn] of events) page.grid?.off(name, fn);
  };
  return { element, refresh, render, stop };
}

/** The Group by bar: a pick of a field, then one line per group with its count and sums. */
export function groupsBar(page) {
  const key = `crm.groups.${page.table}`;
  const groupable = page.fields.filter((f) => f.type !== "long_text");
  let chosen = Number(localStorage.getItem(key)) || null;
  if (!groupable.some((f) => f.id === chosen)) chosen = null;
  const select = h("select", { class: "groups-pick", "aria-label": "Group by",
    onchange: () => {
      chosen = Number(select.value) || null;
      if (chosen) localStorage.setItem(key, String(chosen));
      else localStorage.removeItem(key);
      refresh();
    } },
  h("option", { value: "" }, "No grouping"),
  groupable.map((f) => h("option", { value: String(f.id), selected: f.id === chosen }, f.name)));
  const list = h("div", { class: "groups-list" });
  const sections = groupRows(page); // each group's records, folded under its line
  const element = h("div", { class: "groups-bar" },
    h("div", { class: "groups-head" }, h("label", { class: "groups-label" }, "Group by ", select),
      sections.controls), list);
  let asked = 0;

  /** The visible number columns, in their order: what each group sums. */
  function sumFields() {
    const byKey = new Map(page.fields.map((f) => [columnKey(f), f]));
    return page.grid.getColumns().filter((c) => c.isVisible()).map((c) => byKey.get(c.getField()))
      .filter((f) => f && isNumber(f)).slice(0, MAX_SUMS);
  }

  async function refresh() {
    const mine = ++asked;
    if (!chosen || !page.grid) {
      sections.reset();
      list.replaceChildren();
      element.classList.remove("grouped");
      return;
    }
    const field = page.fields.find((f) => f.id === chosen);
    const sums = sumFields();
    try {
      const got = await page.api.get(`/api/fundraising/${page.table}/groups`,
        { ...rowsQuery(page), field: String(chosen), sums: sums.map((f) => f.id) });
      if (mine !== asked) return;
      sections.useField(field);
      list.replaceChildren(groupTable(page, field, sums, got, sections));
      sections.drawn(got.groups);
      element.classList.add("grouped");
      element.dataset.refreshed = String(Number(element.dataset.refreshed || 0) + 1);
    } catch (err) {
      if (mine !== asked) return;
      list.replaceChildren(h("p", { class: "muted" }, `Groups could not be loaded: ${err.message}`));
    }
  }
  return { element, refresh };
}

function isNumber(field) {
  if (field.type === "formula") return field.options?.result_type === "number";
  return ["number", "currency", "percent"].includes(field.type);
}

function groupLabel(field, group) {
  if (group.value === null) return `(Empty ${field.name})`;
  return group.label ?? String(group.value);
}

function groupTable(page, field, sums, answer, sections) {
  const lookups = page.lookups || { records: {}, users: new Map() };
  const money = (f, value) => (value === null || value === undefined ? "–" : displayValue(f, value, lookups, page.fields));
  const head = h("tr", null, h("th", null, field.name), h("th", { class: "num" }, "Count"),
    sums.map((f) => h("th", { class: "num" }, `Sum of ${f.name}`)));
  const line = (label, count, values, cls) => h("tr", { class: cls },
    h("td", null, label), h("td", { class: "num" }, Number(count).toLocaleString()),
    sums.map((f) => h("td", { class: "num" }, money(f, values[String(f.id)]))));
  // each group's line opens to its records (group_rows.js)
  const rows = answer.groups.map((g) => sections.section(g, groupLabel(field, g),
    (toggle) => line(toggle, g.count, g.sums, "group-row"), 2 + sums.length));
  if (answer.others) {
    rows.push(line(`${answer.others.groups.toLocaleString()} more groups`, answer.others.count,
      answer.others.sums, "group-others"));
  }
  const multi = field.type === "multi_select" || (field.type === "link" && field.options?.multiple !== false);
  const foot = line(multi ? "All records (a record counts in each of its values)" : "All records",
    answer.total, answer.sums, "group-total");
  return h("table", { class: "simple-table groups-table" }, h("thead", null, head),
    h("tbody", null, rows), h("tfoot", null, foot));
}
