// The record panel: every field editable (record_fields.js), the sections plugins add
// (linked records, timeline, notes, tasks...) and the change history. Each section asks
// for its own data, all at once, so the slowest one holds up no other.
import { formatDate, h } from "/assets/ui.js";
import { changeList, summaryNode } from "/assets/changes.js";
import { toRow } from "./columns.js";
import { closeRecordUrl, copyRecordLink } from "./record_links.js";
import { recordSections } from "./record_sections.js";
import { recordFields } from "./record_fields.js";

let open = null; // {panel, stops: [fn]} of the panel on screen

// the panel's styles, in a file of this plugin's own (style-src 'self' allows it)
if (!document.querySelector("link[data-record-panel]")) {
  document.head.append(h("link", { rel: "stylesheet", href: "/assets/plugins/fundraising/record_panel.css",
    dataset: { recordPanel: "" } }));
}

function closeOpen() {
  if (!open) return;
  for (const stop of open.stops) { try { stop(); } catch { /* a section's cleanup failing closes the panel anyway */ } }
  open.panel.remove();
  open = null;
}

// History as the server words it: who did what, when, and each field's old → new value.
function historyList(entries) {
  if (!entries.length) return [h("p", { class: "muted" }, "No changes yet.")];
  return entries.map((e) => h("div", { class: "history-entry" },
    h("div", null, summaryNode(e, { link: false }), " · ", h("span", { class: "muted" }, formatDate(e.at))),
    changeList(e)));
}

// asked at once, beside the record; asked again after each change made in the panel
function historyBox(grid, id, panel) {
  const body = h("div", null, h("p", { class: "muted" }, "Loading…"));
  const load = () => grid.api.get(`/api/fundraising/${grid.table}/${id}/history`, { limit: 100 })
    .then(({ entries }) => body.replaceChildren(...historyList(entries)))
    .catch((err) => body.replaceChildren(h("p", { class: "error" }, err.message)));
  load();
  panel.addEventListener("record-changed", load);
  return h("section", { class: "record-section", "data-section": "history" }, h("h2", null, "History"), body);
}

// The sections plugins add, each in its own box: one that fails shows its error alone.
function sectionNodes(grid, record, refresh, stops) {
  return recordSections(grid.table).map((section) => {
    const box = h("section", { class: "record-section", "data-section": section.id });
    const body = h("div");
    box.append(h("h2", null, section.title), body);
    const ctx = { api: grid.api, grid, table: grid.table, id: record.id, record,
      user: grid.ctx.user, toast: grid.ctx.toast, refresh };
    Promise.resolve().then(() => section.render(body, ctx))
      .then((cleanup) => { if (typeof cleanup === "function") stops.push(cleanup); })
      .catch((err) => body.replaceChildren(h("p", { class: "error" }, err.message)));
    return box;
  });
}

export async function openRecord(grid, row) {
  closeOpen();
  document.querySelector(".side-panel")?.remove();
  const panel = h("aside", { class: "side-panel", "aria-label": "Record" }, h("p", { class: "muted" }, "Loading…"));
  const mine = { panel, stops: [] };
  open = mine;
  document.body.append(panel);
  const close = () => { if (open === mine) closeOpen(); else panel.remove(); closeRecordUrl(grid); };
  // the grid removes the panel when it stops or the URL names no record: stop its parts too
  new MutationObserver((_changes, observer) => {
    if (!panel.isConnected) { observer.disconnect(); if (open === mine) closeOpen(); }
  }).observe(document.body, { childList: true });
  const history = historyBox(grid, row.id, panel);
  try {
    const record = await grid.api.get(`/api/fundraising/${grid.table}/${row.id}`);
    if (open !== mine) return; // another record was opened meanwhile
    const title = h("h2", { style: { flex: 1, margin: 0 } }, record.name);
    const version = h("p", { class: "muted record-version" });
    let latest = record;
    const showVersion = (r) => {
      latest = r;
      title.textContent = r.name;
      version.textContent = `Version ${r.version} · updated ${formatDate(r.updated_at)}`;
    };
    showVersion(record);
    const fields = recordFields(grid, record, {
      saved: (r) => { showVersion(r); panel.dispatchEvent(new CustomEvent("record-changed")); } });
    mine.stops.push(fields.stop);
    panel.replaceChildren(
      h("div", { class: "row" },
        title,
        h("button", { class: "btn", onclick: () => copyRecordLink(grid, record.id) }, "Copy link"),
        h("button", { class: "btn", onclick: () => { close(); grid.archiveRow(toRow(latest, grid.fields)); } }, "Archive"),
        h("button", { class: "btn", "aria-label": "Close", onclick: close }, "✕")),
      version,
      fields.element,
      ...sectionNodes(grid, record, () => openRecord(grid, row), mine.stops),
      history);
  } catch (err) {
    panel.replaceChildren(h("p", { class: "error" }, err.message), h("button", { class: "btn", onclick: close }, "Close"));
  }
}
