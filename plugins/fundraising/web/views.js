// Views of a grid: the switcher and save buttons, the filter builder (nested AND/OR groups),
// multi-sort, and the columns panel (hidden columns).
import { h } from "/assets/ui.js";
import { teammateLabel } from "/assets/teammates.js";
import { filteredFields } from "./sort_marks.js";

const TEXT_OPS = ["is", "is_not", "contains", "not_contains", "is_empty", "is_not_empty"];
const NUMBER_OPS = ["=", "!=", "<", "<=", ">", ">=", "is_empty", "is_not_empty"];
const OPERATORS = {
  text: TEXT_OPS, long_text: TEXT_OPS, email: TEXT_OPS, url: TEXT_OPS, phone: TEXT_OPS,
  single_select: TEXT_OPS, number: NUMBER_OPS, currency: NUMBER_OPS, percent: NUMBER_OPS,
  date: ["is", "is_not", "before", "after", "within", "is_empty", "is_not_empty"],
  datetime: ["is", "is_not", "before", "after", "within"], // Created at, Last modified at: by day
  checkbox: ["is"],
  multi_select: ["has_any_of", "has_all_of", "is_empty", "is_not_empty"],
  user: ["is", "is_not", "is_empty", "is_not_empty"],
};
const LABELS = {
  is: "is", is_not: "is not", contains: "contains", not_contains: "does not contain",
  is_empty: "is empty", is_not_empty: "is not empty", before: "is before", after: "is after",
  within: "is within", has_any_of: "has any of", has_all_of: "has all of",
};
const NO_VALUE = new Set(["is_empty", "is_not_empty"]);

export function emptyConfig() {
  return { filters: null, sorts: [], pinned: [], hidden: [], order: [], widths: {} };
}

export function isEmptyGroup(group) {
  return !group || !group.conditions.length;
}

export function operatorsFor(field) {
  if (field.type === "link") {
    return field.options.multiple === false ? OPERATORS.user : OPERATORS.multi_select;
  }
  if (field.type === "formula") return [...new Set([...TEXT_OPS, ...NUMBER_OPS])];
  return OPERATORS[field.type] || TEXT_OPS;
}

function select(attrs, options, value) {
  const el = h("select", attrs, options.map(([v, label]) => h("option", { value: String(v) }, label)));
  el.value = String(value ?? "");
  return el;
}

// ---- view switcher and saving -------------------------------------------------------------

export function viewBar(grid) {
  const views = grid.views.filter((v) => v.type !== "board"); // boards open on #/board (board.js)
  const shared = views.filter((v) => v.owner === null);
  const personal = views.filter((v) => v.owner !== null);
  const switcher = h("select", { "aria-label": "View", onchange: (e) => grid.selectView(Number(e.target.value) || null) },
    h("option", { value: "" }, "All records"),
    shared.length && h("optgroup", { label: "Shared views" }, shared.map((v) => h("option", { value: String(v.id) }, v.name))),
    personal.length && h("optgroup", { label: "My views" }, personal.map((v) => h("option", { value: String(v.id) }, v.name))));
  switcher.value = grid.viewId ? String(grid.viewId) : "";
  const view = grid.currentView();
  const editable = canEditView(view, grid.ctx.user);
  const member = grid.ctx.user.role !== "admin";
  return [
    switcher,
    grid.dirty && h("span", { class: "badge badge-warn unsaved-mark",
      title: view && !editable ? "These changes are yours only; save them as your own view to keep them."
        : "Not saved to the view yet" }, "Unsaved changes"),
    grid.dirty && h("button", { class: "btn", title: "Back to the view as saved", onclick: () => grid.resetView() }, "Reset"),
    grid.dirty && editable && h("button", { class: "btn", onclick: () => saveView(grid, view) }, "Save view"),
    grid.dirty && h("button", { class: "btn", onclick: () => saveAsDialog(grid, member) },
      member ? "Save as my view…" : "Save as view…"),
  ];
}

/** Whether the server lets this person change a view: their own, or a shared one when they
 * are an admin or its creator (views.py, _may_edit). */
export function canEditView(view, user) {
  return Boolean(view) && (view.owner !== null || user.role === "admin" || view.created_by === user.id);
}

// Changes not saved to a view (filters, sorts, layout) stay in this tab's session until they
// are saved or reset, so a reload keeps them; a shared view itself changes only when saved.
function draftKey(grid, viewId) {
  return `crm.grid.draft.${grid.table}.${viewId || "all"}`;
}

export function keepDraft(grid) {
  sessionStorage.setItem(draftKey(grid, grid.viewId), JSON.stringify(grid.config));
}

export function dropDraft(grid, viewId = grid.viewId) {
  sessionStorage.removeItem(draftKey(grid, viewId));
}

/** This session's unsaved settings of a view, or null (also when a field they name is gone). */
export function takeDraft(grid, viewId) {
  const text = sessionStorage.getItem(draftKey(grid, viewId));
  if (!text) return null;
  try {
    const config = { ...emptyConfig(), ...JSON.parse(text) };
    const ids = new Set(grid.fields.map((f) => f.id));
    const named = [...config.sorts.map((s) => s.field), ...config.pinned, ...config.hidden,
      ...filteredFields(config.filters)];
    if (named.every((id) => ids.has(id))) return config;
  } catch { /* no draft, or not one this page wrote */ }
  dropDraft(grid, viewId);
  return null;
}

function viewBody(grid) {
  const { filters, sorts, pinned, hidden, order, widths } = grid.config;
  return { filters: filters && !isEmptyGroup(filters) ? filters : { op: "and", conditions: [] },
    sorts, pinned, hidden, order, widths };
}

async function saveView(grid, view) {
  try {
    const saved = await grid.api.patch(`/api/fundraising/views/${view.id}`, viewBody(grid));
    Object.assign(view, saved);
    grid.dirty = false;
    dropDraft(grid);
    grid.renderViewBar();
    grid.ctx.toast(`Saved “${view.name}”`, "success");
  } catch (err) {
    grid.ctx.toast(`Not saved: ${err.message}`, "error");
  }
}

function saveAsDialog(grid, personalFirst) {
  const name = h("input", { name: "view-name", "aria-label": "View name", required: true });
  const personal = h("input", { type: "checkbox", name: "personal", checked: personalFirst });
  const error = h("p", { class: "error" });
  const close = () => overlay.remove();
  const overlay = h("div", { class: "overlay" }, h("form", { class: "card dialog stack", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const view = await grid.api.post("/api/fundraising/views",
        { table: grid.table, name: name.value, personal: personal.checked, ...viewBody(grid) });
      grid.views.push(view);
      close();
      dropDraft(grid); // the changes now live in the new view
      await grid.selectView(view.id);
      grid.ctx.toast(`Saved view “${view.name}”`, "success");
    } catch (err) {
      error.textContent = err.message;
    }
  } },
  h("h2", null, "Save as a new view"),
  h("label", null, "Name", name),
  h("label", { class: "row" }, personal, "Only for me (personal view)"),
  error,
  h("div", { class: "row" },
    h("button", { class: "btn", type: "button", onclick: close }, "Cancel"),
    h("button", { class: "btn btn-primary", type: "submit" }, "Save view"))));
  document.body.append(overlay);
  name.focus();
}

// ---- filter builder ----------------------------------------------------------------------

function defaultValue(field, operator) {
  if (NO_VALUE.has(operator)) return null;
  if (operator === "within") return { direction: "past", days: 30 };
  if (field.type === "checkbox") return true;
  if (operator === "has_any_of" || operator === "has_all_of") return [];
  if ((field.options.choices || []).length && (operator === "is" || operator === "is_not")) return field.options.choices[0];
  return "";
}

function valueInput(grid, field, cond, changed) {
  const set = (v) => { cond.value = v; changed(); };
  const attrs = { "aria-label": "Value" };
  if (NO_VALUE.has(cond.operator)) return null;
  if (cond.operator === "within") {
    const v = cond.value || { direction: "past", days: 30 };
    return h("span", { class: "row" },
      select({ "aria-label": "Direction", onchange: (e) => set({ ...v, direction: e.target.value }) },
        [["past", "the past"], ["next", "the next"]], v.direction),
      h("input", { type: "number", min: 1, value: v.days, style: { width: "5rem" }, "aria-label": "Days",
        onchange: (e) => set({ ...v, days: Number(e.target.value) }) }), "days");
  }
  if (field.type === "checkbox") {
    return select({ ...attrs, onchange: (e) => set(e.target.value === "true") }, [["true", "checked"], ["false", "not checked"]], String(cond.value));
  }
  const choices = field.type === "link"
    ? [...(grid.lookups.records[field.options.table] || new Map())]
    : field.type === "user" ? [["me", "Me"], ...grid.lookups.teammates.map((u) => [u.id, teammateLabel(u)])]
      : (field.options.choices || []).map((c) => [c, c]);
  if (cond.operator === "has_any_of" || cond.operator === "has_all_of") {
    const el = h("select", { ...attrs, multiple: true, size: 4, onchange: (e) => set([...e.target.selectedOptions].map((o) => (
      field.type === "link" ? Number(o.value) : o.value))) },
    choices.map(([v, label]) => h("option", { value: String(v), selected: [].concat(cond.value || []).map(String).includes(String(v)) }, label)));
    return el;
  }
  if (choices.length && (cond.operator === "is" || cond.operator === "is_not")) {
    return select({ ...attrs, onchange: (e) => set(field.type === "link" || (field.type === "user" && e.target.value !== "me") ? Number(e.target.value) : e.target.value) },
      choices, cond.value);
  }
  if (field.type === "percent" || (field.type === "formula" && field.options.format === "percent")) {
    return percentInput(attrs, cond, changed);
  }
  const numeric = ["number", "currency"].includes(field.type);
  const day = field.type === "date" || field.type === "datetime";
  return h("input", { ...attrs, type: day ? "date" : numeric ? "number" : "text", value: cond.value ?? "",
    oninput: (e) => { cond.value = numeric ? (e.target.value === "" ? null : Number(e.target.value)) : e.target.value; },
    onchange: changed });
}

// A percent is stored and sent as a fraction (0.5); the user sees and types 50 (%).
function percentInput(attrs, cond, changed) {
  const shown = typeof cond.value === "number" ? String(Number((cond.value * 100).toPrecision(12))) : "";
  return h("span", { class: "row" },
    h("input", { ...attrs, type: "number", step: "any", value: shown,
      oninput: (e) => { cond.value = e.target.value === "" ? null : Number(`${e.target.value}e-2`); },
      onchange: changed }), "%");
}

function conditionRow(grid, cond, remove, changed) {
  const field = grid.fields.find((f) => f.id === cond.field || f.name === cond.field) || grid.fields[0];
  cond.field = field.id;
  const rerender = () => { changed(); };
  return h("div", { class: "row condition" },
    select({ "aria-label": "Field", onchange: (e) => {
      const next = grid.fields.find((f) => f.id === Number(e.target.value));
      cond.field = next.id;
      cond.operator = operatorsFor(next)[0];
      cond.value = defaultValue(next, cond.operator);
      rerender();
    } }, grid.fields.map((f) => [f.id, f.name]), field.id),
    select({ "aria-label": "Operator", onchange: (e) => {
      cond.operator = e.target.value;
      cond.value = defaultValue(field, cond.operator);
      rerender();
    } }, operatorsFor(field).map((op) => [op, LABELS[op] || op]), cond.operator),
    valueInput(grid, field, cond, () => {}),
    h("button", { class: "btn btn-small", type: "button", "aria-label": "Remove condition", onclick: remove }, "✕"));
}

function groupBox(grid, group, remove, changed) {
  const newCondition = () => {
    const field = grid.fields[0];
    const operator = operatorsFor(field)[0];
    return { field: field.id, operator, value: defaultValue(field, operator) };
  };
  const items = group.conditions.map((cond, i) => {
    const drop = () => { group.conditions.splice(i, 1); changed(); };
    return "conditions" in cond ? groupBox(grid, cond, drop, changed) : conditionRow(grid, cond, drop, changed);
  });
  return h("div", { class: "filter-group", dataset: { depth: remove ? "1" : "0" } },
    h("div", { class: "row" },
      h("span", { class: "muted" }, group.conditions.length > 1 ? "Match" : "Where"),
      select({ "aria-label": "Group operator", onchange: (e) => { group.op = e.target.value; changed(); } },
        [["and", "all (AND)"], ["or", "any (OR)"]], group.op),
      remove && h("button", { class: "btn btn-small", type: "button", onclick: remove }, "Remove group")),
    items,
    h("div", { class: "row" },
      h("button", { class: "btn btn-small", type: "button", onclick: () => { group.conditions.push(newCondition()); changed(); } }, "+ Condition"),
      h("button", { class: "btn btn-small", type: "button", onclick: () => {
        group.conditions.push({ op: "or", conditions: [newCondition()] });
        changed();
      } }, "+ Group")));
}

export function filterPanel(grid) {
  const draft = structuredClone(grid.config.filters || { op: "and", conditions: [] });
  const box = h("div", { class: "stack" });
  const render = () => box.replaceChildren(
    groupBox(grid, draft, null, render),
    h("div", { class: "row" },
      h("button", { class: "btn btn-primary", type: "button", onclick: () => grid.applyConfig({ filters: structuredClone(draft) }) }, "Apply filter"),
      h("button", { class: "btn", type: "button", onclick: () => { draft.conditions = []; render(); grid.applyConfig({ filters: null }); } }, "Clear")));
  render();
  return box;
}

// ---- sorts and columns -------------------------------------------------------------------

export function sortPanel(grid) {
  const sorts = grid.config.sorts.map((s) => ({ ...s }));
  const apply = () => grid.applyConfig({ sorts: sorts.map((s) => ({ ...s })) });
  const box = h("div", { class: "stack" });
  const render = () => box.replaceChildren(
    ...sorts.map((sort, i) => h("div", { class: "row sort-row" },
      h("span", { class: "muted" }, i ? "then by" : "Sort by"),
      select({ "aria-label": "Sort field", onchange: (e) => { sort.field = Number(e.target.value); apply(); } },
        grid.fields.map((f) => [f.id, f.name]), sort.field),
      select({ "aria-label": "Sort direction", onchange: (e) => { sort.direction = e.target.value; apply(); } },
        [["asc", "ascending"], ["desc", "descending"]], sort.direction),
      h("button", { class: "btn btn-small", "aria-label": "Remove sort", onclick: () => { sorts.splice(i, 1); render(); apply(); } }, "✕"))),
    h("div", { class: "row" },
      h("button", { class: "btn btn-small", onclick: () => {
        const used = new Set(sorts.map((s) => s.field));
        const field = grid.fields.find((f) => !used.has(f.id)) || grid.fields[0];
        sorts.push({ field: field.id, direction: "asc" });
        render();
        apply();
      } }, "+ Sort")));
  render();
  return box;
}

export function columnsPanel(grid) {
  return h("div", { class: "row" },
    h("span", { class: "muted" }, "Show columns:"),
    grid.fields.filter((f) => f.builtin !== "name").map((f) => h("label", { class: "row" },
      h("input", { type: "checkbox", checked: !grid.config.hidden.includes(f.id), onchange: (e) => {
        grid.config.hidden = e.target.checked ? grid.config.hidden.filter((id) => id !== f.id) : [...grid.config.hidden, f.id];
        grid.layoutChanged(true);
      } }), f.name)),
    h("span", { class: "muted" }, "Click a header to sort (shift-click adds a sort), drag headers to reorder, drag their edges to resize; the header menu pins columns."));
}
