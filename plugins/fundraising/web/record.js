// The record panel (all fields and the change history) and the archived-records panel.
import { formatDate, h, table } from "/assets/ui.js";
import { changeList, summaryNode } from "/assets/changes.js";
import { toRow } from "./columns.js";
import { valueNode } from "./cells.js";
import { closeRecordUrl, copyRecordLink } from "./record_links.js";

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
        h("dd", null, shownValue(grid, f, record.fields[f.name])),
      ])),
      h("h2", null, "History"),
      ...historyList(entries));
  } catch (err) {
    panel.replaceChildren(h("p", { class: "error" }, err.message), h("button", { class: "btn", onclick: close }, "Close"));
  }
}

export function archivedPanel(grid) {
  const box = h("div", null, h("p", { class: "muted" }, "Loading archived records…"));
  grid.api.get("/api/fundraising/archived", { table: grid.table, limit: 200 }).then(({ records, total }) => {
    if (!records.length) { box.replaceChildren(h("p", { class: "muted" }, "Nothing archived.")); return; }
    box.replaceChildren(
      h("p", { class: "muted" }, `${total} archived`),
      table([
        { title: "Name", key: "name" },
        { title: "Archived", render: (r) => formatDate(r.updated_at) },
        { title: "", render: (r) => h("button", { class: "btn btn-small", onclick: async () => {
          try {
            await grid.api.post(`/api/fundraising/${grid.table}/${r.id}/restore`);
            grid.ctx.toast(`Restored “${r.name}”`, "success");
            grid.refreshPanel();
            grid.load();
          } catch (err) { grid.ctx.toast(err.message, "error"); }
        } }, "Restore") },
      ], records));
  }).catch((err) => box.replaceChildren(h("p", { class: "error" }, err.message)));
  return box;
}
