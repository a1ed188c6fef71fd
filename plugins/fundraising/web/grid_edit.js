// Spreadsheet moves on the grid: copy a block as TSV, paste a block (one batch write with each
// record's version), fill down, clear, typing starts an edit, and undo/redo of your own
// changes. A cell that cannot take its pasted text is marked with the reason.
import { ApiError } from "/assets/api.js";
import { formatDate } from "/assets/ui.js";
import { columnKey } from "./columns.js";
import { copyText, parseCell, parseTsv, several, toTsv } from "./paste.js";
import { UndoStack } from "./undo.js";

const MAX_CELLS = 10000; // a paste or fill larger than this is refused before any work
const MAX_RECORDS = 1000; // the batch route's limit

export class GridEditing {
  constructor(page) {
    this.page = page;
    this.errors = new Map(); // "id|column key" -> why that cell was not pasted
    this.undo = new UndoStack(page, (changes, label, kind) => this.write(changes, label, kind));
    this.listeners = [
      ["paste", (e) => this.onPaste(e)],
      ["copy", (e) => this.onCopy(e)],
      ["keydown", (e) => this.onKey(e)],
    ];
    for (const [name, fn] of this.listeners) page.host.addEventListener(name, fn);
  }

  stop() {
    for (const [name, fn] of this.listeners) this.page.host.removeEventListener(name, fn);
  }

  get grid() { return this.page.grid; }

  fieldOf(column) {
    return this.page.fields.find((f) => columnKey(f) === column.getField()) || null;
  }

  /** The selected block: {rows, columns} (row and column components, top-left first). */
  selection() {
    const range = this.grid.getRanges?.()[0];
    if (!range) return null;
    const cells = range.getStructuredCells();
    if (!cells.length || !cells[0].length) return null;
    return { range, rows: cells.map((r) => r[0].getRow()), columns: cells[0].map((c) => c.getColumn()) };
  }

  /** Rows of the selection with a record, for bulk edit. */
  selectedRecords() {
    const picked = this.selection();
    return picked ? picked.rows.map((r) => r.getData()).filter((d) => d.id) : [];
  }

  typing(e) {
    const t = e.target;
    return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  onKey(e) {
    if (this.typing(e)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    let done = true;
    if (mod && key === "z" && !e.shiftKey) this.undo.undo();
    else if (mod && (key === "y" || (key === "z" && e.shiftKey))) this.undo.redo();
    else if (mod && key === "d") this.fillDown();
    else if (mod && key === "a") this.selectAll();
    else if (!mod && (e.key === "Delete" || e.key === "Backspace")) this.clear();
    else if (!mod && !e.altKey && e.key.length === 1) done = this.startTyping(e.key);
    else done = false;
    if (done) { e.preventDefault(); e.stopPropagation(); }
  }

  /** Typing on a selected cell starts its editor with what was typed. */
  startTyping(char) {
    const picked = this.selection();
    const cell = picked?.range.getStructuredCells()[0][0];
    const field = cell && this.fieldOf(cell.getColumn());
    if (!field || field.system || field.type === "formula" || field.type === "checkbox") return false;
    cell.edit();
    const input = cell.getElement().querySelector("input:not([type=checkbox]), textarea");
    if (!input) return true;
    input.value = char;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.setSelectionRange?.(char.length, char.length);
    return true;
  }

  onCopy(e) {
    if (this.typing(e)) return;
    const picked = this.selection();
    if (!picked) return;
    if (picked.rows.some((row) => row.getData().__pending)) {
      e.preventDefault();
      this.page.ctx.toast("Some of these rows are still loading: scroll through them, then copy", "error");
      return;
    }
    const fields = picked.columns.map((c) => this.fieldOf(c));
    const rows = picked.rows.map((row) => {
      const data = row.getData();
      return fields.map((f) => (f ? copyText(f, data[columnKey(f)], this.page.lookups) : ""));
    });
    e.clipboardData.setData("text/plain", toTsv(rows));
    e.preventDefault();
    this.page.setStatus(`Copied ${rows.length * fields.length} cells`, "ok");
  }

  onPaste(e) {
    if (this.typing(e)) return;
    const picked = this.selection();
    if (!picked) return;
    e.preventDefault();
    const block = parseTsv(e.clipboardData.getData("text/plain"));
    const rows = this.grid.getRows("display");
    const columns = this.grid.getColumns().filter((c) => c.isVisible());
    const top = rows.indexOf(picked.rows[0]);
    const left = columns.indexOf(picked.columns[0]);
    // a selection that holds the block a whole number of times is filled with it (Excel's way)
    const fit = (size, part) => (size > part && size % part === 0 ? size : part);
    const height = fit(picked.rows.length, block.length);
    const width = fit(picked.columns.length, Math.max(...block.map((r) => r.length)));
    if (height * width > MAX_CELLS) {
      this.page.ctx.toast(`At most ${MAX_CELLS.toLocaleString()} cells in one paste`, "error");
      return;
    }
    const cells = [];
    for (let r = 0; r < height && top + r < rows.length; r += 1) {
      for (let c = 0; c < width && left + c < columns.length; c += 1) {
        const text = block[r % block.length][c % block[r % block.length].length] ?? "";
        cells.push({ row: rows[top + r], column: columns[left + c], text });
      }
    }
    this.apply(cells, "Paste");
  }

  /** Ctrl+A: every row on screen, every column but the open button. */
  selectAll() {
    const rows = this.grid.getRows("display");
    const columns = this.grid.getColumns().filter((c) => c.isVisible() && this.fieldOf(c));
    if (rows.length && columns.length) {
      this.grid.addRange(rows[0].getCell(columns[0]), rows.at(-1).getCell(columns.at(-1)));
    }
  }

  /** Ctrl+D: the top row of the selection copied into the rows below it. */
  fillDown() {
    const picked = this.selection();
    if (!picked || picked.rows.length < 2) return;
    const first = picked.rows[0].getData();
    const cells = [];
    for (const row of picked.rows.slice(1)) {
      for (const column of picked.columns) {
        const field = this.fieldOf(column);
        if (field) cells.push({ row, column, value: first[columnKey(field)] ?? null });
      }
    }
    this.apply(cells, "Fill down");
  }

  clear() {
    const picked = this.selection();
    if (!picked) return;
    const cells = picked.rows.flatMap((row) => picked.columns.map((column) => ({ row, column, text: "" })));
    this.apply(cells.filter((c) => { const f = this.fieldOf(c.column); return f && !f.system && f.type !== "formula"; }),
      "Clear");
  }

  /** Cells {row, column, text | value} -> one batch; the cells that cannot take theirs are marked. */
  async apply(cells, label) {
    const loading = new Set(cells.filter((c) => c.row.getData().__pending).map((c) => c.row)).size;
    if (loading) {
      this.page.ctx.toast(`${loading} of these rows are still loading: wait a moment and try again`, "error");
      return false;
    }
    await this.resolveLinks(cells);
    const changes = [];
    const bad = [];
    for (const cell of cells) {
      const field = this.fieldOf(cell.column);
      const data = cell.row.getData();
      if (!field || !data.id) continue;
      const parsed = "value" in cell ? { value: cell.value } : parseCell(field, cell.text, this.page.lookups);
      const key = columnKey(field);
      if (parsed.error) { bad.push({ id: data.id, key, message: parsed.error }); continue; }
      this.errors.delete(`${data.id}|${key}`);
      const before = data[key] ?? null;
      if (JSON.stringify(before) === JSON.stringify(parsed.value ?? null)) continue;
      if (field.builtin === "name" && !parsed.value) {
        bad.push({ id: data.id, key, message: "a name is required" });
        continue;
      }
      changes.push({ id: data.id, key, name: field.builtin === "name" ? "name" : field.name,
        before, after: parsed.value ?? null });
    }
    this.mark(bad);
    if (bad.length) {
      const first = bad[0];
      this.page.ctx.toast(`${bad.length} cell${bad.length === 1 ? "" : "s"} not changed: ${first.message}`, "error");
    }
    if (changes.length) return this.write(changes, label, "new");
    return false;
  }

  /** Names typed into links to a large table are looked up on the server before parsing. */
  async resolveLinks(cells) {
    const texts = new Map(); // table -> names
    for (const cell of cells) {
      const field = this.fieldOf(cell.column);
      if (field?.type !== "link" || !cell.text) continue;
      const table = field.options.table;
      texts.set(table, [...(texts.get(table) || []), ...(field.options.multiple === false ? [cell.text] : several(cell.text))]);
    }
    await Promise.all([...texts].map(([table, names]) => this.page.lookups.links?.resolve(table, names)));
  }

  /** One batch write of the changes; on success they become one undo (or redo) step. */
  async write(changes, label, kind) {
    const byId = new Map();
    for (const c of changes) {
      const item = byId.get(c.id) || { id: c.id, expected_version: this.undo.version(c.id), fields: {} };
      if (c.name === "name") item.name = c.after;
      else item.fields[c.name] = c.after;
      byId.set(c.id, item);
    }
    if (byId.size > MAX_RECORDS) {
      this.page.ctx.toast(`At most ${MAX_RECORDS} records in one change`, "error");
      return false;
    }
    this.page.setStatus("Saving…", "warn");
    try {
      const updates = [...byId.values()];
      for (const u of updates) if (u.expected_version === null) u.expected_version = (await this.fetchVersion(u.id));
      const result = await this.page.api.post(`/api/fundraising/${this.page.table}/batch`, { updates });
      for (const record of result.updates) this.page.updateRow(record);
      this.undo.push(kind, { label, changes, versions: new Map(result.updates.map((r) => [r.id, r.version])) });
      this.page.setStatus(`${label}: ${changes.length} cell${changes.length === 1 ? "" : "s"} saved`, "ok");
      this.page.container.dataset.batches = String(Number(this.page.container.dataset.batches || 0) + 1);
      return true;
    } catch (err) {
      this.failed(err, changes, label);
      return false;
    }
  }

  async fetchVersion(id) {
    const record = await this.page.api.get(`/api/fundraising/${this.page.table}/${id}`);
    this.page.updateRow(record);
    return record.version;
  }

  failed(err, changes, label) {
    this.page.setStatus("Not saved", "error");
    const failures = err instanceof ApiError ? err.body?.error?.failures || [] : [];
    if (err instanceof ApiError && err.code === "batch_conflict") {
      const stale = failures.filter((f) => f.code === "version_conflict");
      const who = stale[0]?.updated_by?.name || "someone else";
      const when = stale[0]?.updated_at ? ` at ${formatDate(stale[0].updated_at)}` : "";
      this.page.ctx.toast(`${label} not saved: ${stale.length} record${stale.length === 1 ? " was" : "s were"} `
        + `changed by ${who}${when}. They were reloaded; try again.`, "error");
      stale.forEach((f) => this.page.reloadRow(f.id));
      return;
    }
    if (failures.length) {
      const ids = [...new Set(changes.map((c) => c.id))];
      this.mark(failures.map((f) => {
        const id = f.id ?? ids[f.index];
        const name = String(f.field || "").replace(/^updates\.\d+\.(fields\.)?/, "");
        const change = changes.find((c) => c.id === id && c.name === name) || changes.find((c) => c.id === id);
        return { id, key: change?.key, message: f.message };
      }).filter((m) => m.key));
    }
    this.page.ctx.toast(`${label} not saved: ${err.message}`, "error");
  }

  mark(items) {
    for (const { id, key, message } of items) this.errors.set(`${id}|${key}`, message);
    const ids = new Set(items.map((i) => i.id));
    for (const id of ids) { const row = this.grid.getRow(id); if (row) this.markRow(row); }
  }

  /** Tabulator's rowFormatter: the row's cells show the reasons they were not changed. */
  markRow(row) {
    const id = row.getData().id;
    for (const cell of row.getCells()) {
      const message = this.errors.get(`${id}|${cell.getField()}`);
      const el = cell.getElement();
      el.classList.toggle("cell-error", Boolean(message));
      if (message) { el.title = message; el.setAttribute("aria-invalid", "true"); }
      else if (el.getAttribute("aria-invalid")) { el.removeAttribute("title"); el.removeAttribute("aria-invalid"); }
    }
  }

  /** A cell edited by hand: its mark goes, and the edit is one undo step. */
  noteEdit(id, field, before, after) {
    this.errors.delete(`${id}|${columnKey(field)}`);
    this.undo.push("new", { label: "Edit", changes: [{ id, key: columnKey(field),
      name: field.builtin === "name" ? "name" : field.name, before, after }], versions: new Map([[id, null]]) });
  }

  noteSaved(record) { this.undo.saved(record); }
}
