// The record panel's fields, each editable with the grid's own editors and value
// conversion (columns.js buildColumns), shown as cells.js shows them: a small Tabulator
// with one row per field.
// Edits are saved by saving.js (PATCH with the record's version); a 409 shows who changed
// the record and when, and reloads it; a 422 shows the server's message next to the field.
import { formatDate, h } from "/assets/ui.js";
import { TabulatorFull as Tabulator } from "/assets/vendor/tabulator_esm.min.js";
import { asText, buildColumns, columnKey, recordValue, sameValue, toApiValue, valueNode } from "./columns.js";
import { RecordSaver } from "./saving.js";

function fieldRows(fields, record) {
  return fields.map((f) => ({
    id: f.id, key: columnKey(f), label: f.name,
    value: f.builtin === "name" ? record.name : recordValue(record, f), error: null,
  }));
}

/** The field a 422 names ("fields.Email", "name", "fields.Stage.0"), or null. */
function namedField(fields, path) {
  const text = String(path || "");
  if (text === "name") return fields.find((f) => f.builtin === "name") || null;
  const name = text.replace(/^fields\./, "");
  return fields.find((f) => name === f.name || name.startsWith(`${f.name}.`)) || null;
}

/**
 * Build the fields box of a record in `host`. hooks: saved(record) after each save.
 * Returns {element, stop()}.
 */
export function recordFields(grid, record, hooks = {}) {
  let current = record;
  const fields = grid.fields;
  const columns = new Map(buildColumns(fields, {}, grid.lookups, {
    onExpand: () => {}, headerMenu: () => undefined,
  }).map((c) => [c.field, c]));
  const byKey = new Map(fields.map((f) => [columnKey(f), f]));
  const alert = h("div", { class: "record-alerts" });
  const status = h("span", { class: "muted record-save-status", "aria-live": "polite" });
  const host = h("div", { class: "record-fields" });
  const element = h("div", null, alert, host, h("p", { class: "muted" }, status));

  const columnOf = (cell) => columns.get(cell.getRow().getData().key);
  const table = new Tabulator(host, {
    layout: "fitColumns", index: "key", headerVisible: false, renderVertical: "basic",
    data: fieldRows(fields, current),
    columns: [
      { field: "label", width: 130, headerSort: false, cssClass: "record-field-label",
        formatter: (cell) => asText(cell.getValue()) },
      { field: "value", headerSort: false, cssClass: "record-field-value",
        formatter: (cell) => {
          const field = byKey.get(cell.getRow().getData().key);
          // shown whole, as the panel has room for it (a grid cell clamps long text)
          const value = cell.getValue();
          const empty = value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
          const shown = empty ? h("span", { class: "muted" }, "—")
            : valueNode(field, value, grid.lookups, { fields, where: "panel" });
          const error = cell.getRow().getData().error;
          if (!error) return shown;
          return h("div", null, shown, h("div", { class: "error field-error", role: "alert" }, error));
        },
        // the grid column's own editor (Tabulator's built-in ones by name, or ours)
        editor(cell, onRendered, success, cancel) {
          const column = columnOf(cell);
          const editor = typeof column.editor === "string" ? this.editors[column.editor] : column.editor;
          const params = typeof column.editorParams === "function" ? column.editorParams(cell) : column.editorParams || {};
          return editor.call(this, cell, onRendered, success, cancel, params);
        },
        editable: (cell) => Boolean(columnOf(cell).editor) },
    ],
  });

  // the grid's row shows the change at once
  function showInGrid(saved) {
    try {
      grid.updateRow(saved);
      grid.editing?.noteSaved(saved);
    } catch { /* the grid page was left while this save was on its way */ }
  }

  const saver = new RecordSaver(grid.api, grid.table, {
    row: () => ({ version: current.version }),
    saved: (saved) => {
      current = saved;
      alert.replaceChildren();
      showInGrid(saved);
      hooks.saved?.(saved);
      host.dataset.saves = String(Number(host.dataset.saves || 0) + 1);
    },
    conflict: ({ error }) => conflict(error),
    failed: (edit, err) => failed(err),
    status: (text) => { status.textContent = text; },
  });
  // The grid's saver sends edits kept while offline: one sender of that queue, not two.
  clearInterval(saver.retryTimer);
  window.removeEventListener("online", saver.onOnline);

  table.on("cellEdited", (cell) => {
    const data = cell.getRow().getData();
    const field = byKey.get(data.key);
    const value = toApiValue(field, cell.getValue());
    if (sameValue(value, toApiValue(field, cell.getOldValue()))) return;
    if (data.error) cell.getRow().update({ error: null });
    saver.change(current.id, field.builtin === "name" ? "name" : field.name, value);
  });

  async function reload() {
    try {
      current = await grid.api.get(`/api/fundraising/${grid.table}/${current.id}`);
      await table.replaceData(fieldRows(fields, current));
      showInGrid(current);
      hooks.saved?.(current);
    } catch (err) {
      grid.ctx.toast(err.message, "error");
    }
  }

  function conflict(error) {
    const who = error.updated_by?.name || "someone else";
    alert.replaceChildren(h("div", { class: "conflict", role: "alert" },
      h("strong", null, `Changed by ${who}`), ` at ${formatDate(error.updated_at)}. `,
      "Your edit was not saved; the record was reloaded."));
    reload();
  }

  function failed(err) {
    const body = err.body?.error || {};
    const problems = body.details?.length ? body.details : [{ field: body.field, message: err.message }];
    const errors = new Map();
    for (const problem of problems) {
      const field = namedField(fields, problem.field);
      if (field) errors.set(columnKey(field), problem.message);
    }
    // nothing of that save was written: every field shows the saved value again
    table.replaceData(fieldRows(fields, current).map((row) => ({ ...row, error: errors.get(row.key) || null })));
    if (!errors.size) grid.ctx.toast(`Not saved: ${err.message}`, "error");
  }

  return {
    element,
    stop: () => { saver.stop(); table.destroy(); },
  };
}
