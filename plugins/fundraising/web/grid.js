// The grid pages (#/grid/<table>): Tabulator over the records API, filtered, sorted and
// fetched block by block as it scrolls (row_window.js), edited inline with autosave.
import { registerPage } from "/assets/app.js";
import { formatDate, h } from "/assets/ui.js";
import { TabulatorFull as Tabulator } from "/assets/vendor/tabulator_esm.min.js";
import { asText, buildColumns, columnKey, loadLookups, sameValue, TABLES, toApiValue, toRow } from "./columns.js";
import { RecordSaver } from "./saving.js";
import { openRecord } from "./record.js";
import { canEditView, columnsPanel, dropDraft, emptyConfig, filterPanel, isEmptyGroup, keepDraft, sortPanel,
  takeDraft, viewBar } from "./views.js";
import { emptyMessage, showSortsAndFilters, sortOnHeaderClick } from "./sort_marks.js";
import { closeRecordUrl, copyRecordLink, openRecordUrl } from "./record_links.js";
import { fieldsPanel } from "./fields.js";
import { archivedPanel } from "./archived.js";
import { exportPanel } from "./export.js";
import { focusOnFind, searchBox } from "./search.js";
import { attachTotals } from "./totals.js";
import { headerMenu } from "./header_menu.js";
import { GridEditing } from "./grid_edit.js";
import { bulkPanel } from "./bulk.js";
import { BLOCK, RowWindow } from "./row_window.js";
import { fitForLargeTables } from "./large_table.js";
import { extraValues, gridColumns } from "./grid_columns.js";

export class GridPage {
  constructor(container, ctx, table) {
    Object.assign(this, { container, ctx, table, api: ctx.api });
    this.rows = new RowWindow(this);
    this.searchText = "";
    this.viewId = null;
    this.config = emptyConfig();
    this.dirty = false;
    this.openPanel = null;
    this.recordParam = ctx.params || ""; // "123" at #/grid/investors/123
    ctx.watchParams?.((params) => this.showRecord(params));
  }

  async start() {
    const [{ fields }, { views }] = await Promise.all([
      this.api.get("/api/fundraising/fields", { table: this.table, include_system: true }),
      this.api.get("/api/fundraising/views"),
    ]);
    this.fields = fields.sort((a, b) => a.position - b.position);
    this.views = views.filter((v) => v.table === this.table);
    this.lookups = await loadLookups(this.api, this.fields, this.ctx.user);
    this.lookups.links.onNames = () => this.redrawLinks();
    const remembered = Number(localStorage.getItem(this.viewKey()));
    const view = this.views.find((v) => v.id === remembered);
    this.useView(view || null); // also brings back this session's unsaved changes
    this.renderFrame();
    this.createTable();
    this.saver = new RecordSaver(this.api, this.table, {
      row: (id) => this.rowData(id),
      saved: (record) => {
        this.updateRow(record);
        this.editing?.noteSaved(record);
        this.container.dataset.saves = String(Number(this.container.dataset.saves || 0) + 1);
      },
      conflict: (c) => this.showConflict(c),
      failed: (edit, err) => this.saveFailed(edit, err),
      status: (text, kind) => this.setStatus(text, kind),
    });
    this.saver.sendQueued();
    this.totals = attachTotals(this);
    this.started = true;
    this.showRecord(this.recordParam);
  }

  stop() {
    if (this.saver) this.saver.stop();
    this.totals?.stop();
    this.editing?.stop();
    this.stopFind?.();
    if (this.grid) this.grid.destroy();
    document.querySelector(".side-panel")?.remove();
  }

  viewKey() { return `crm.grid.view.${this.table}`; }

  useView(view) {
    this.viewId = view ? view.id : null;
    const draft = takeDraft(this, this.viewId);
    this.config = draft || (view ? {
      filters: view.filters || null, sorts: view.sorts || [], pinned: view.pinned || [],
      hidden: view.hidden || [], order: view.order || [], widths: view.widths || {},
    } : emptyConfig());
    this.dirty = Boolean(draft);
    if (view) localStorage.setItem(this.viewKey(), String(view.id));
    else localStorage.removeItem(this.viewKey());
  }

  currentView() { return this.views.find((v) => v.id === this.viewId) || null; }

  /** Drop this session's unsaved changes: back to the view as saved (or to all records). */
  resetView() {
    dropDraft(this);
    return this.selectView(this.viewId);
  }

  /** Show the record the URL names ("123"), or close the panel when it names none. */
  showRecord(params) {
    this.recordParam = params || "";
    if (!this.started) return; // start() shows it once the fields and lookups are loaded
    if (/^\d+$/.test(this.recordParam)) openRecord(this, { id: Number(this.recordParam) });
    else document.querySelector(".side-panel")?.remove();
  }

  renderFrame() {
    this.status = h("span", { class: "grid-status muted", "aria-live": "polite" });
    this.conflictBox = h("div", { class: "conflicts" });
    this.panelBox = h("div", { class: "panels" });
    this.viewBarBox = h("span", { class: "row" });
    this.host = h("div", { class: "grid-host" });
    this.pagerText = h("span", { class: "pager-text" });
    const toggle = (name, build) => h("button", { class: "btn", dataset: { panel: name },
      onclick: () => this.togglePanel(name, build) }, name);
    this.searchInput = searchBox(this, TABLES[this.table]);
    this.stopFind = focusOnFind(this.searchInput);
    this.filterButton = toggle("Filter", () => filterPanel(this));
    this.sortButton = toggle("Sort", () => sortPanel(this));
    const admin = this.ctx.user.role === "admin";
    this.container.classList.add("grid-page");
    this.container.append(
      h("div", { class: "toolbar" },
        h("h1", { style: { margin: 0, marginRight: ".5rem" } }, TABLES[this.table]),
        this.viewBarBox, this.searchInput, this.filterButton, this.sortButton,
        toggle("Columns", () => columnsPanel(this)),
        admin && toggle("Fields", () => fieldsPanel(this)),
        toggle("Archived", () => archivedPanel(this)),
        toggle("Export", () => exportPanel(this)),
        toggle("Bulk edit", () => bulkPanel(this)),
        h("a", { class: "btn", href: `#/board/${this.table}` }, "Board"),
        h("button", { class: "btn btn-primary", onclick: () => this.addRow() }, "+ Add"),
        this.status),
      this.conflictBox, this.panelBox, this.host,
      h("div", { class: "pager" }, this.pagerText));
    this.renderViewBar();
  }

  renderViewBar() {
    this.viewBarBox.replaceChildren(...viewBar(this).filter(Boolean));
  }

  togglePanel(name, build) {
    const same = this.openPanel === name;
    this.panelBox.replaceChildren();
    this.container.querySelectorAll("[data-panel]").forEach((b) => b.classList.remove("active"));
    this.openPanel = same ? null : name;
    if (!same) {
      this.panelBox.append(h("div", { class: "panel", dataset: { panelBody: name } }, build()));
      this.container.querySelector(`[data-panel="${name}"]`).classList.add("active");
    }
  }

  refreshPanel() {
    const name = this.openPanel;
    if (!name) return;
    const button = this.container.querySelector(`[data-panel="${name}"]`);
    this.openPanel = null;
    button.click();
  }

  createTable() {
    const wide = this.fields.length > WIDE;
    this.grid = new Tabulator(this.host, {
      // every column has a width (columns.js): "fitData" lays them out without measuring cells;
      // a wide table draws only the columns in view (a row of 100 fields is 100 cells)
      height: "100%", layout: "fitData", index: "id", movableColumns: true,
      // a wide table's rows are one line each, drawn without measuring each cell (Tabulator
      // misplaces the last rows of a narrow one given a height); columns resize from their
      // header (a handle in every cell cost four listeners per cell drawn)
      rowHeight: wide ? ROW_HEIGHT : undefined, columnDefaults: { resizable: "header" },
      // rows drawn beyond the screen: a few, not a screenful each way (a jump draws them all)
      renderVerticalBuffer: 6 * ROW_HEIGHT,
      renderHorizontal: wide ? "virtual" : "basic",
      // cells are selected as a block (arrows, Shift, Enter edits); a double click edits too
      selectableRange: 1, selectableRangeClearCells: false, selectableRangeAutoFocus: false,
      editTriggerEvent: "dblclick",
      rowFormatter: (row) => {
        row.getElement().classList.toggle("row-pending", Boolean(row.getData().__pending));
        this.editing?.markRow(row);
      },
      columns: this.columns(), data: [],
      placeholder: () => emptyMessage(this, singular(this.table)),
      rowContextMenu: [
        { label: () => asText("Open record"), action: (_e, row) => openRecordUrl(this, row.getData().id) },
        { label: () => asText("Copy link"), action: (_e, row) => copyRecordLink(this, row.getData().id) },
        { label: () => asText("Archive"), action: (_e, row) => this.archiveRow(row.getData()) },
      ],
    });
    fitForLargeTables(this.grid);
    // a header click sorts or starts a column move; it must not select the column's cells
    const ranges = this.grid.modules?.selectRange;
    if (ranges) ranges.handleColumnMouseDown = ranges.handleColumnMouseMove = () => {};
    this.grid.on("tableBuilt", () => { this.built = true; this.load(); });
    // capture: before Tabulator's own scroll handler draws the rows there
    this.host.addEventListener("scroll", (e) => {
      if (e.target.classList?.contains("tabulator-tableholder") && this.rows.holdScroll(e.target)) {
        e.stopPropagation();
      }
    }, true);
    let scrolled = null;
    this.grid.on("scrollVertical", () => {
      cancelAnimationFrame(scrolled);
      scrolled = requestAnimationFrame(() => this.rows.check());
    });
    this.editing = new GridEditing(this);
    this.grid.on("cellEdited", (cell) => this.cellEdited(cell));
    this.grid.on("columnMoved", () => this.layoutChanged());
    this.grid.on("columnResized", () => this.layoutChanged());
    // a click on a header sorts; a drag (move or resize) that ends on it does not
    this.host.addEventListener("mousedown", (e) => { this.pressedAt = [e.clientX, e.clientY]; }, true);
    this.grid.on("headerClick", (e, column) => sortOnHeaderClick(this, e, column, this.pressedAt));
  }

  columns() {
    return buildColumns(this.fields, this.config, this.lookups, {
      onExpand: (row) => openRecordUrl(this, row.id),
      headerMenu: (field) => () => headerMenu(this, field), extra: gridColumns(this.table),
    });
  }

  /** Read order and widths back from Tabulator; save them to the current view if this person
   * may change it, else keep them for this session as unsaved changes. */
  layoutChanged(rebuild = false) {
    if (!rebuild) {
      const byKey = new Map(this.fields.map((f) => [columnKey(f), f]));
      const order = [];
      const widths = {};
      for (const column of this.grid.getColumns()) {
        const field = byKey.get(column.getField());
        if (!field) continue;
        order.push(field.id);
        widths[String(field.id)] = Math.round(column.getWidth());
      }
      this.config.order = order;
      this.config.widths = widths;
    } else {
      this.grid.setColumns(this.columns());
      showSortsAndFilters(this, this.sortButton, this.filterButton);
    }
    if (canEditView(this.currentView(), this.ctx.user)) this.saveLayout();
    else this.markDirty();
    if (this.openPanel === "Columns") this.refreshPanel();
  }

  async saveLayout() {
    const view = this.currentView();
    const { pinned, hidden, order, widths } = this.config;
    try {
      const saved = await this.api.patch(`/api/fundraising/views/${view.id}`, { pinned, hidden, order, widths });
      Object.assign(view, saved);
    } catch (err) {
      this.ctx.toast(`The layout was not saved to “${view.name}”: ${err.message}`, "error");
    }
  }

  markDirty() {
    this.dirty = true;
    keepDraft(this);
    this.renderViewBar();
  }

  /** Change filters or sorts (not yet saved to the view) and show the first page again. */
  applyConfig(changes) {
    Object.assign(this.config, changes);
    this.markDirty();
    if ((this.openPanel === "Sort" && changes.sorts) || (this.openPanel === "Filter" && "filters" in changes)) this.refreshPanel();
    return this.load();
  }

  selectView(id) {
    this.useView(this.views.find((v) => v.id === id) || null);
    this.grid.setColumns(this.columns());
    this.renderViewBar();
    this.refreshPanel();
    return this.load();
  }

  query() {
    const params = {};
    if (this.searchText) params.q = this.searchText;
    if (this.viewId && !this.dirty) params.view = this.viewId;
    else {
      if (this.config.filters && !isEmptyGroup(this.config.filters)) params.filters = this.config.filters;
      if (this.config.sorts.length) params.sorts = this.config.sorts;
    }
    return params;
  }

  async load() {
    if (!this.built) return;
    this.setStatus("Loading…", "warn");
    showSortsAndFilters(this, this.sortButton, this.filterButton);
    const asked = (this.loads = (this.loads || 0) + 1);
    this.rows.hold();
    try {
      const page = await this.api.get(`/api/fundraising/${this.table}`, { ...this.query(), limit: BLOCK });
      const extra = await this.extraValues(page.records);
      if (asked !== this.loads) return; // a later load (the next search keystroke) answers
      await this.rows.reset(page.records, page.total, extra);
      showSortsAndFilters(this, this.sortButton, this.filterButton); // Tabulator resets aria-sort
      this.container.dataset.loaded = String(Date.now());
      this.saver?.reportQueue();
    } catch (err) {
      this.setStatus(`Could not load: ${err.message}`, "error");
    }
  }

  /** Other plugins' columns (grid_columns.js) for these records: {id: {key: text}}. */
  extraValues(records) {
    return gridColumns(this.table).length ? extraValues(this.api, this.table, records.map((r) => r.id))
      : Promise.resolve({});
  }

  /** Link cells on screen drawn again once the names they wanted have arrived. */
  redrawLinks() {
    const keys = this.fields.filter((f) => f.type === "link").map(columnKey);
    for (const row of this.grid?.getRows("visible") || []) {
      for (const key of keys) {
        const cell = row.getCell(key);
        if (cell) cell.getElement().replaceChildren(cell.getColumn().getDefinition().formatter(cell, {}, () => {}));
      }
    }
  }

  rowData(id) {
    const row = this.grid.getRow(id);
    return row ? row.getData() : null;
  }

  updateRow(record) {
    const row = this.grid.getRow(record.id);
    if (row) row.update(toRow(record, this.fields));
    if (this.table in this.lookups.records) this.lookups.records[this.table].set(record.id, record.name);
  }

  cellEdited(cell) {
    const key = cell.getField();
    const field = this.fields.find((f) => columnKey(f) === key);
    if (!field) return;
    const value = toApiValue(field, cell.getValue());
    const before = toApiValue(field, cell.getOldValue());
    if (sameValue(value, before)) return;
    this.editing.noteEdit(cell.getRow().getData().id, field, before, value);
    this.saver.change(cell.getRow().getData().id, field.builtin === "name" ? "name" : field.name, value);
  }

  setStatus(text, kind) {
    this.status.textContent = text;
    this.status.className = `grid-status badge ${kind === "error" ? "badge-warn" : kind === "ok" ? "badge-ok" : ""}`;
  }

  showConflict({ edit, error }) {
    const who = error.updated_by?.name || "someone else";
    const label = this.rowData(edit.id)?.name || `record ${edit.id}`;
    const box = h("div", { class: "conflict", role: "alert" },
      h("strong", null, `“${label}” was changed by ${who}`),
      ` at ${formatDate(error.updated_at)}. Your edit was not saved.`,
      h("div", { class: "row", style: { marginTop: ".4rem" } },
        h("button", { class: "btn", onclick: async () => { box.remove(); await this.reloadRow(edit.id); } }, "Reload"),
        h("button", { class: "btn btn-danger", onclick: async () => {
          box.remove();
          await this.saver.send(edit, error.current_version);
        } }, "Overwrite")));
    this.conflictBox.append(box);
  }

  saveFailed(edit, err) {
    this.ctx.toast(`Not saved: ${err.message}`, "error");
    this.reloadRow(edit.id);
  }

  async reloadRow(id) {
    try {
      this.updateRow(await this.api.get(`/api/fundraising/${this.table}/${id}`));
      this.setStatus("Reloaded", "ok");
    } catch (err) {
      this.ctx.toast(err.message, "error");
    }
  }

  async addRow() {
    try {
      const record = await this.api.post(`/api/fundraising/${this.table}`, { name: `New ${singular(this.table)}` });
      const row = await this.grid.addRow(this.rows.row(record), true);
      this.rows.noteAdded(record);
      this.rows.showCount();
      row.getCell("name").edit();
    } catch (err) {
      this.ctx.toast(`Could not add: ${err.message}`, "error");
    }
  }

  async archiveRow(data) {
    if (!(await this.ctx.confirm(`Archive “${data.name}”? You can restore it from Archived.`))) return;
    try {
      await this.api.del(`/api/fundraising/${this.table}/${data.id}`, { expected_version: data.version });
      if (this.grid.getRow(data.id)) this.grid.deleteRow(data.id);
      this.rows.removed(data.id);
      this.rows.check();
      this.ctx.toast(`Archived “${data.name}”`, "success");
      if (this.openPanel === "Archived") this.refreshPanel();
      if (this.recordParam === String(data.id)) closeRecordUrl(this);
    } catch (err) {
      this.ctx.toast(`Not archived: ${err.message}`, "error");
    }
  }
}

const singular = (table) => table.replace(/s$/, "");
const WIDE = 40; // fields: above this, columns out of view are not drawn
const ROW_HEIGHT = 28; // px: one line of .92rem text and the cell padding (style.css)

Object.keys(TABLES).forEach((table, i) => registerPage({
  id: `grid-${table}`, title: TABLES[table], path: `grid/${table}`, order: 10 + i,
  render: async (container, ctx) => {
    const page = new GridPage(container, ctx, table);
    await page.start();
    return () => page.stop();
  },
}));
