// The record panel: all fields and the change history.
import { formatDate, h } from "/assets/ui.js";
import { changeList, summaryNode } from "/assets/changes.js";
import { recordValue, toRow } from "./columns.js";
import { valueNode } from "./cells.js";
import { closeRecordUrl, copyRecordLink } from "./record_links.js";
import { recordSections } from "./record_sections.js";

// History as the server words it: who did what, when, and each field's old → new value.
function historyList(entries) {
  if (!entries.length) return [h("p", { class: "muted" }, "No changes yet.")];
  return entries.map((e) => h("div", { class: "history-entry" },
    h("div", null, summaryNode(e, { link: false }), " · ", h("span", { class: "muted" }, formatDate(e.at))),
    changeList(e)));
}

function shownValue(grid, field, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) {
    return h("span", { class: "muted" }, "—");
  }
  return valueNode(field, value, grid.lookups, { fields: grid.fields, where: "panel" });
}

// The sections plugins add, each in its own box: one that fails shows its error alone.
function sectionNodes(grid, record, refresh) {
  return recordSections(grid.table).map((section) => {
    const box = h("section", { class: "record-section", "data-section": section.id });
    const body = h("div");
    box.append(h("h2", null, section.title), body);
    const ctx = { api: grid.api, grid, table: grid.table, id: record.id, record,
      user: grid.ctx.user, toast: grid.ctx.toast, refresh };
    Promise.resolve().then(() => section.render(body, ctx))
      .catch((err) => body.replaceChildren(h("p", { class: "error" }, err.message)));
    return box;
  });
}

export async function openRecord(grid, row) {
  document.querySelector(".side-panel")?.remove();
  const panel = h("aside", { class: "side-panel", "aria-label": "Record" }, h("p", { class: "muted" }, "Loading…"));
  document.body.append(panel);
  const close = () => { panel.remove(); closeRecordUrl(grid); };
  try {
    const [record, { entries }] = await Promise.all([
      grid.api.get(`/api/fundraising/${grid.table}/${row.id}`),
      grid.api.get(`/api/fundraising/${grid.table}/${row.id}/history`, { limit: 100 }),
    ]);
    const values = toRow(record, grid.fields);
    panel.replaceChildren(
      h("div", { class: "row" },
        h("h2", { style: { flex: 1, margin: 0 } }, record.name),
        h("button", { class: "btn", onclick: () => copyRecordLink(grid, record.id) }, "Copy link"),
        h("button", { class: "btn", onclick: () => { close(); grid.archiveRow(values); } }, "Archive"),
        h("button", { class: "btn", "aria-label": "Close", onclick: close }, "✕")),
      h("p", { class: "muted" }, `Version ${record.version} · updated ${formatDate(record.updated_at)}`),
      h("dl", null, grid.fields.filter((f) => f.builtin !== "name").map((f) => [
        h("dt", null, f.name),
        h("dd", null, shownValue(grid, f, recordValue(record, f))),
      ])),
      ...sectionNodes(grid, record, () => openRecord(grid, row)),
      h("h2", null, "History"),
      ...historyList(entries));
  } catch (err) {
    panel.replaceChildren(h("p", { class: "error" }, err.message), h("button", { class: "btn", onclick: close }, "Close"));
  }
}
