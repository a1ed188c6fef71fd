// Linked records in the record panel, each a link that opens that record's panel: an
// investor's contacts and commitments, a contact's (or a commitment's) investor, a fund's
// commitments with the sum of their amounts by status. Built-in fields are found by their
// stable key (`builtin`), never by name: people rename fields.
import { h } from "/assets/ui.js";
import { moneyText } from "./cells.js";
import { registerRecordSection } from "./record_sections.js";

const LIST_LIMIT = 200;
const fieldsOf = new WeakMap(); // grid -> promise of every table's fields

/** Every table's fields (one request per grid page), as {table: {builtin key: field}}. */
function builtinFields(grid) {
  if (!fieldsOf.has(grid)) {
    fieldsOf.set(grid, grid.api.get("/api/fundraising/fields").then(({ fields }) => {
      const out = {};
      for (const f of fields) if (f.builtin) (out[f.table] ||= {})[f.builtin] = f;
      return out;
    }));
  }
  return fieldsOf.get(grid);
}

export function recordAnchor(table, id, text) {
  return h("a", { class: "record-link", href: `#/grid/${table}/${id}`, dataset: { table, id: String(id) } }, text);
}

function linkedTo(field, id) {
  return { op: "and", conditions: [{ field: field.id, operator: "is", value: id }] };
}

function value(record, field) {
  return field ? record.fields[field.name] ?? null : null;
}

function fill(container, ...nodes) {
  container.replaceChildren(...nodes.filter(Boolean));
}

function more(total, shown) {
  return total > shown ? h("p", { class: "muted" }, `${shown} of ${total} shown`) : null;
}

async function linkedList(api, table, field, id) {
  return api.get(`/api/fundraising/${table}`, { filters: linkedTo(field, id), limit: LIST_LIMIT });
}

async function renderContacts(container, { grid, api, id }) {
  const contacts = (await builtinFields(grid)).contacts;
  const { records, total } = await linkedList(api, "contacts", contacts.investor, id);
  fill(container, records.length ? h("ul", { class: "linked-list" }, records.map((r) =>
    h("li", { dataset: { record: String(r.id) } }, recordAnchor("contacts", r.id, r.name),
      [value(r, contacts.title), value(r, contacts.email)].filter(Boolean).map((t) =>
        h("span", { class: "muted" }, ` · ${t}`)))))
    : h("p", { class: "muted" }, "No contacts."), more(total, records.length));
}

function commitmentItems(records, fields) {
  return h("ul", { class: "linked-list" }, records.map((r) => {
    const amount = value(r, fields.amount);
    return h("li", { dataset: { record: String(r.id) } }, recordAnchor("commitments", r.id, r.name),
      amount !== null ? h("span", null, ` · ${moneyText(amount, fields.amount.options)}`) : null,
      value(r, fields.status) ? h("span", { class: "chip" }, value(r, fields.status)) : null);
  }));
}

async function renderInvestorCommitments(container, { grid, api, id }) {
  const fields = (await builtinFields(grid)).commitments;
  const { records, total } = await linkedList(api, "commitments", fields.investor, id);
  fill(container, records.length ? commitmentItems(records, fields)
    : h("p", { class: "muted" }, "No commitments."), more(total, records.length));
}

async function renderFundCommitments(container, { grid, api, id }) {
  const fields = (await builtinFields(grid)).commitments;
  const [{ records, total }, groups] = await Promise.all([
    linkedList(api, "commitments", fields.fund, id),
    api.get("/api/fundraising/commitments/groups", {
      field: fields.status.id, sums: [fields.amount.id], filters: linkedTo(fields.fund, id) }),
  ]);
  const amountKey = String(fields.amount.id);
  const money = (n) => moneyText(n ?? 0, fields.amount.options);
  const totals = h("table", { class: "simple-table linked-totals" },
    h("thead", null, h("tr", null, h("th", null, "Status"), h("th", null, "Commitments"), h("th", null, "Amount"))),
    h("tbody", null, groups.groups.map((g) => h("tr", { dataset: { status: g.value ?? "" } },
      h("td", null, g.value ?? "No status"), h("td", null, String(g.count)), h("td", null, money(g.sums[amountKey])))),
    h("tr", { class: "linked-total" }, h("th", null, "Total"), h("th", null, String(groups.total)),
      h("th", null, money(groups.sums[amountKey])))));
  fill(container, records.length ? totals : null, records.length ? commitmentItems(records, fields)
    : h("p", { class: "muted" }, "No commitments."), more(total, records.length));
}

// A contact's or a commitment's own links: named from the grid's lookups, or asked for when
// the linked table is too large for the grid to hold all its names.
async function linkedName(grid, api, table, id) {
  const known = grid.lookups.records[table]?.get(id);
  if (known !== undefined) return known;
  try { return (await api.get(`/api/fundraising/${table}/${id}`)).name; } catch { return `#${id}`; }
}

function renderOwnLinks(keys) {
  return async (container, { grid, api, record }) => {
    const links = keys.map((key) => grid.fields.find((f) => f.builtin === key))
      .filter((field) => field && record.fields[field.name]);
    const names = await Promise.all(links.map((field) =>
      linkedName(grid, api, field.options.table, record.fields[field.name])));
    const items = links.map((field, i) => h("li", null, h("span", { class: "muted" }, `${field.name}: `),
      recordAnchor(field.options.table, record.fields[field.name], names[i])));
    fill(container, items.length ? h("ul", { class: "linked-list" }, items)
      : h("p", { class: "muted" }, "Linked to nothing yet."));
  };
}

registerRecordSection({ id: "contacts", title: "Contacts", order: 10, tables: ["investors"], render: renderContacts });
registerRecordSection({ id: "commitments", title: "Commitments", order: 11, tables: ["investors"],
  render: renderInvestorCommitments });
registerRecordSection({ id: "fund-commitments", title: "Commitments", order: 10, tables: ["funds"],
  render: renderFundCommitments });
registerRecordSection({ id: "linked", title: "Linked records", order: 10, tables: ["contacts", "commitments"],
  render: renderOwnLinks(["investor", "fund"]) });
