// The grid's Bulk edit panel: set one field on every selected record, or archive them, each
// after a confirmation naming the count; one batch write with the records' versions.
import { ApiError } from "/assets/api.js";
import { h } from "/assets/ui.js";
import { columnKey } from "./columns.js";
import { copyText, parseCell } from "./paste.js";

function choices(field, lookups) {
  switch (field.type) {
    case "single_select": case "multi_select": return field.options.choices || [];
    case "user": return lookups.teammates.filter((u) => u.active !== false).map((u) => u.name);
    case "checkbox": return ["checked", "unchecked"];
    case "link": return [...(lookups.records[field.options.table] || new Map()).values()].slice(0, 500);
    default: return [];
  }
}

export function bulkPanel(page) {
  const editable = page.fields.filter((f) => !f.system && f.type !== "formula" && f.builtin !== "name");
  const count = h("strong", { dataset: { bulkCount: "" } });
  const fieldSelect = h("select", { "aria-label": "Field to set" },
    editable.map((f) => h("option", { value: String(f.id) }, f.name)));
  const list = h("datalist", { id: "bulk-choices" });
  const valueInput = h("input", { type: "text", "aria-label": "New value", list: "bulk-choices",
    placeholder: "New value (empty clears it)" });
  const fieldOf = () => editable.find((f) => String(f.id) === fieldSelect.value);
  const fillChoices = () => list.replaceChildren(...choices(fieldOf(), page.lookups).map((c) => h("option", { value: c })));
  fieldSelect.addEventListener("change", fillChoices);
  const records = () => page.editing.selectedRecords();
  const update = () => {
    const n = records().length;
    count.textContent = n ? `${n} record${n === 1 ? "" : "s"} selected` : "No records selected";
  };
  if (page.bulkListener) page.grid.off("rangeChanged", page.bulkListener); // the last panel's
  page.bulkListener = update;
  page.grid.on("rangeChanged", update);
  if (editable.length) fillChoices();
  update();

  async function setField() {
    const field = fieldOf();
    const picked = records();
    if (!field || !picked.length) return page.ctx.toast("Select cells in the rows to change first", "error");
    const parsed = parseCell(field, valueInput.value, page.lookups);
    if (parsed.error) return page.ctx.toast(parsed.error, "error");
    const text = copyText(field, parsed.value, page.lookups) || "empty";
    if (!(await page.ctx.confirm(`Set ${field.name} to “${text}” on ${picked.length} record${picked.length === 1 ? "" : "s"}?`))) return;
    const key = columnKey(field);
    const changes = picked.filter((d) => JSON.stringify(d[key] ?? null) !== JSON.stringify(parsed.value ?? null))
      .map((d) => ({ id: d.id, key, name: field.name, before: d[key] ?? null, after: parsed.value ?? null }));
    if (!changes.length) return page.setStatus("Nothing to change", "ok");
    await page.editing.write(changes, "Bulk edit", "new");
  }

  async function archive() {
    const picked = records();
    if (!picked.length) return page.ctx.toast("Select cells in the rows to archive first", "error");
    if (!(await page.ctx.confirm(`Archive ${picked.length} record${picked.length === 1 ? "" : "s"}? `
      + "You can restore them from Archived."))) return;
    try {
      await page.api.post(`/api/fundraising/${page.table}/batch`, {
        archives: picked.map((d) => ({ id: d.id, expected_version: d.version })) });
      for (const d of picked) { page.grid.getRow(d.id)?.delete(); page.rows.removed(d.id); }
      page.rows.check();
      page.ctx.toast(`Archived ${picked.length} record${picked.length === 1 ? "" : "s"}`, "success");
    } catch (err) {
      const stale = err instanceof ApiError ? (err.body?.error?.failures || []).filter((f) => f.code === "version_conflict") : [];
      stale.forEach((f) => page.reloadRow(f.id));
      page.ctx.toast(`Not archived: ${err.message}`, "error");
    }
  }

  return h("div", { class: "stack", dataset: { bulk: "" } },
    h("p", { class: "muted" }, "Select cells across the rows to change (click one, Shift+click another, "
      + "or drag); Ctrl+A selects every row on screen."),
    h("div", { class: "row" }, count),
    h("div", { class: "row" }, fieldSelect, valueInput, list,
      h("button", { class: "btn btn-primary", onclick: setField }, "Set field")),
    h("div", { class: "row" }, h("button", { class: "btn btn-danger", onclick: archive }, "Archive selected")));
}
