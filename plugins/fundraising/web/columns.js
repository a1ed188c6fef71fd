// Fields as Tabulator columns: keys, formatters, editors, and cell values to API values.
// Tabulator inserts a string from a formatter, a title, a list item or a menu label as HTML,
// so each of them here is a node (asText): field names and values are people's text.
import { h } from "/assets/ui.js";
import { loadTeammates, pickerChoices } from "/assets/teammates.js";
import { alignsRight, displayValue, shownAs, valueNode } from "./cells.js";
import { multiSelectEditor, percentEditor } from "./editors.js";
import { extraKey } from "./grid_columns.js";
import { LinkNames } from "./link_names.js";

export { displayValue, valueNode };

export const TABLES = {
  investors: "Investors", contacts: "Contacts", funds: "Funds", commitments: "Commitments",
};
const NUMERIC = new Set(["number", "currency", "percent"]);

/** Text as a DOM node: what our formatters, titles and menu labels give Tabulator. */
export function asText(text) {
  return document.createTextNode(String(text));
}

/** The Tabulator field key of a field: "name" for the primary field, else f<id>. */
export function columnKey(field) {
  return field.builtin === "name" ? "name" : `f${field.id}`;
}

/** A field's value in a record from the API (Created at/by, Last modified at/by: its own keys). */
export function recordValue(record, field) {
  return (field.system ? record[field.builtin] : record.fields[field.name]) ?? null;
}

/** A record from the API as a grid row. */
export function toRow(record, fields) {
  const row = { id: record.id, version: record.version, name: record.name };
  for (const field of fields) {
    if (field.builtin !== "name") row[columnKey(field)] = recordValue(record, field);
  }
  return row;
}

/** The value to send for what an editor produced ("" and empty lists clear the field). */
export function toApiValue(field, value) {
  if (value === "" || value === undefined || (Array.isArray(value) && !value.length)) return null;
  if (value === null) return null;
  if (NUMERIC.has(field.type)) {
    const number = Number(String(value).replace(/[^0-9.eE+-]/g, ""));
    return Number.isFinite(number) ? number : null;
  }
  if (field.type === "checkbox") return value === true || value === "true";
  if (field.type === "link" || field.type === "user") {
    if (Array.isArray(value)) return value.map(Number);
    return field.options.multiple ? [Number(value)] : Number(value);
  }
  return value;
}

export function sameValue(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function choiceValues(field, lookups) {
  if (field.type === "link") {
    const names = lookups.records[field.options.table] || new Map();
    return [...names].map(([value, label]) => ({ label, value }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }
  return field.options.choices || [];
}

// A user cell offers the active users, and the user it holds when that one is inactive.
function userChoices(lookups) {
  return (cell) => pickerChoices(lookups.teammates, cell.getValue()).map(([value, label]) => ({ label, value }));
}

function editorFor(field, lookups) {
  if (field.system) return { editor: false }; // kept by the server on each write
  const several = field.type === "multi_select" || (field.type === "link" && field.options.multiple !== false);
  const remote = field.type === "link" && lookups.links?.partial.has(field.options.table);
  if (remote) return remoteLinkEditor(field, lookups, several);
  if (several) return { editor: multiSelectEditor(choiceValues(field, lookups)) };
  switch (field.type) {
    case "text": case "email": case "url": case "phone": return { editor: "input" };
    case "long_text": return { editor: "textarea", editorParams: { shiftEnterSubmit: true } };
    case "percent": return { editor: percentEditor };
    case "number": case "currency":
      return { editor: "number", editorParams: { selectContents: true } };
    case "date": return { editor: "date" };
    case "checkbox": return { editor: "tickCross", editorParams: { tristate: false } };
    case "single_select": case "link": case "user":
      return {
        editor: "list",
        editorParams: {
          ...(field.type === "user" ? { valuesLookup: userChoices(lookups) } : { values: choiceValues(field, lookups) }),
          autocomplete: true, clearable: true,
          listOnEmpty: true, freetext: false,
          itemFormatter: (label) => h("span", null, label), // a list item takes an element only
        },
      };
    default: return { editor: false }; // formula: computed
  }
}

// A link to a large table: the picker asks the server for the names matching what is typed.
function remoteLinkEditor(field, lookups, several) {
  const table = field.options.table;
  const search = (text) => lookups.links.search(table, text);
  if (several) return { editor: multiSelectEditor(search, (id) => lookups.records[table].get(id) ?? `#${id}`) };
  return {
    editor: "list",
    editorParams: {
      valuesLookup: (_cell, term) => search(term || ""), filterRemote: true, filterDelay: 200,
      autocomplete: true, clearable: true, listOnEmpty: true, freetext: false,
      itemFormatter: (label) => h("span", null, label),
    },
  };
}

// Every column has a width, as in Airtable: fitting columns to their data would measure the
// cells of every row (seconds at 100,000 rows). A column's own width (resized, saved in the
// view) wins; else its type's, widened for a long name.
const TYPE_WIDTHS = {
  checkbox: 90, number: 130, currency: 140, percent: 110, date: 130, user: 150,
  single_select: 150, multi_select: 190, link: 190, email: 210, url: 210, phone: 150,
  long_text: 260, text: 180,
};

function defaultWidth(field) {
  if (field.builtin === "name") return 220;
  const title = field.name.length * 9 + 64; // the name, the menu button and sort marks
  return Math.min(320, Math.max(TYPE_WIDTHS[field.type] || 150, title));
}

/** Tabulator column definitions for the fields, shaped by a view's order, pins, hides and widths. */
export function buildColumns(fields, config, lookups, { onExpand, headerMenu, extra = [] }) {
  const order = config.order || [];
  const rank = (f) => { const i = order.indexOf(f.id); return i === -1 ? 1000 + f.position : i; };
  const sorted = [...fields].sort((a, b) => rank(a) - rank(b));
  const columns = [{
    title: "", field: "_open", width: 36, frozen: true, headerSort: false, resizable: false,
    hozAlign: "center", cssClass: "expand-cell", editor: false, titleFormatter: () => asText(""),
    formatter: () => asText("⤢"), cellClick: (_e, cell) => { const d = cell.getRow().getData(); if (d.id) onExpand(d); },
  }];
  for (const field of sorted) {
    const width = (config.widths || {})[String(field.id)];
    const shown = shownAs(field, fields);
    columns.push({
      title: field.name, titleFormatter: () => asText(field.name),
      field: columnKey(field), headerSort: false,
      frozen: (config.pinned || []).includes(field.id) || field.builtin === "name",
      visible: !(config.hidden || []).includes(field.id),
      width: width || defaultWidth(field), minWidth: 60,
      hozAlign: alignsRight(shown) ? "right" : "left",
      headerMenu: headerMenu(field),
      formatter: (cell, _params, onRendered) => valueNode(field, cell.getValue(), lookups, {
        fields, onRendered, narrow: () => true }),
      ...editorFor(field, lookups),
      editable: (cell) => !cell.getRow().getData().__pending, // a row still loading
    });
  }
  for (const column of extra) { // read-only columns of other plugins (grid_columns.js)
    columns.push({
      title: column.title, titleFormatter: () => asText(column.title), field: extraKey(column),
      headerSort: false, width: column.width || 180, minWidth: 60, editor: false,
      formatter: (cell) => asText(cell.getValue() ?? ""),
    });
  }
  return columns;
}

/**
 * Names for link and user cells: {records: {table: Map(id -> name)}, links: the LinkNames that
 * fills those maps (all of a small table, as drawn for a large one), users: Map(id -> name) of
 * every user, teammates: [{id, name, email, active}] for pickers and filters}.
 */
export async function loadLookups(api, fields, user) {
  const links = new LinkNames(api);
  const lookups = {
    records: links.maps, links, users: new Map([[user.id, user.name]]), teammates: [{ ...user, active: true }],
  };
  const tables = new Set(fields.filter((f) => f.type === "link").map((f) => f.options.table));
  await Promise.all([...tables].map((table) => links.load(table)));
  if (fields.some((f) => f.type === "user")) {
    lookups.teammates = await loadTeammates(api);
    for (const u of lookups.teammates) lookups.users.set(u.id, u.name);
  }
  return lookups;
}

export function emptyNote(text) {
  return h("p", { class: "muted" }, text);
}
