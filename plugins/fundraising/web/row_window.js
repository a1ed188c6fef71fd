// The grid's rows over the whole result, no pager: Tabulator holds one row per record of the
// result (its virtual DOM draws only what is on screen), each a placeholder until the block
// of BLOCK records it falls in is fetched, as it scrolls into view. The server filters,
// sorts and pages as before; the scrollbar reaches any row.
import { toRow } from "./columns.js";
import { fitForLargeTables } from "./large_table.js";

export const BLOCK = 100;
const AHEAD = BLOCK / 2; // rows fetched above and below the screen
const HOLD_MS = 250; // the longest a jump waits for its rows before placeholders are drawn

export class RowWindow {
  constructor(page) {
    this.page = page;
    this.layout = 0; // bumped when rows are added or removed: answers asked before are dropped
    this.added = 0; // rows added at the top (new records) before the result's first row
    this.addedIds = new Set();
    this.asked = new Map(); // block -> layout it was asked in
    this.total = 0;
    this.held = false; // a new result is being loaded: no block of the old one is asked
    this.holding = null; // the table holder whose scroll is held back (holdScroll)
    this.letThrough = false;
  }

  /** A new result was asked for (filters, sorts, search, view): blocks asked for the old one
   * are dropped when they answer, and none is asked until reset(). */
  hold() {
    this.layout += 1;
    this.held = true;
  }

  get grid() { return this.page.grid; }

  /** The first block of a new result (filters, sorts, search, view): every row reset. */
  async reset(first, total, extra = {}) {
    this.layout += 1;
    this.held = false;
    this.added = 0;
    this.addedIds.clear();
    this.asked.clear();
    this.total = total;
    const rows = new Array(total);
    first.forEach((record, i) => { rows[i] = this.row(record, extra); });
    for (let i = first.length; i < total; i += 1) rows[i] = { __pending: true };
    await this.grid.setData(rows);
    fitForLargeTables(this.grid); // its rows' class: there are rows now
    this.check();
  }

  row(record, extra = {}) { return { ...toRow(record, this.page.fields), ...extra[record.id], __pending: false }; }

  displayRows() { return this.grid.rowManager.getDisplayRows(); }

  /** "1–38 of 100000": the rows on screen and the result's size. */
  showCount() {
    const text = this.page.pagerText;
    const visible = this.grid.getRows("visible");
    const count = this.grid.getDataCount();
    if (!count) { text.textContent = this.total ? `0 of ${this.total}` : "0 records"; return; }
    const top = visible.length ? this.displayRows().indexOf(visible[0]._getSelf()) : 0;
    const shown = Math.max(visible.length, 1);
    text.textContent = `${top + 1}–${Math.min(top + shown, count)} of ${count}`;
  }

  /** Fetch the blocks of the placeholder rows on screen (and half a block around it). */
  check() {
    this.showCount();
    const visible = this.grid.getRows("visible");
    if (!visible.length) return;
    const rows = this.displayRows();
    const top = rows.indexOf(visible[0]._getSelf());
    if (top < 0) return;
    const from = Math.max(0, top - AHEAD);
    const to = Math.min(rows.length, top + visible.length + AHEAD);
    const blocks = new Set();
    for (let i = from; i < to; i += 1) {
      if (rows[i].data.__pending && i >= this.added) blocks.add(Math.floor((i - this.added) / BLOCK));
    }
    blocks.forEach((block) => this.ask(block));
  }

  ask(block) {
    if (this.held || block < 0 || block * BLOCK >= this.total || this.asked.get(block) === this.layout) return;
    this.asked.set(block, this.layout);
    this.fetch(block, this.layout);
  }

  /** A scroll, seen before Tabulator draws the rows there: the blocks of about where it
   * lands (from the row height) are asked at once, while the placeholders are drawn;
   * check() then asks for any the estimate missed. */
  prefetch(holder) {
    const rows = this.displayRows();
    const [top, bottom] = this.landing(holder, rows);
    for (let i = top; i <= bottom; i += 1) { // only blocks still to be fetched
      if (rows[i]?.data.__pending) this.ask(Math.floor((i - this.added) / BLOCK));
    }
  }

  /** The first and last display rows a scroll of `holder` lands on ([0, -1] for none). */
  landing(holder, rows) {
    const height = this.grid.options.rowHeight || this.grid.rowManager.renderer.vDomRowHeight;
    if (!height || !this.total) return [0, -1];
    const top = Math.max(Math.floor(holder.scrollTop / height), this.added);
    return [top, Math.min(top + Math.ceil(holder.clientHeight / height), rows.length - 1)];
  }

  /**
   * A scroll event of `holder`, seen before Tabulator's (capture): true when Tabulator is to
   * wait for it. A jump far from the rows drawn, onto rows not fetched yet, would have
   * Tabulator draw a screenful of placeholders, then draw them all again with their records
   * a moment later (each draw at 100 fields costs as much as the fetch and more). The scroll
   * is held back until those rows are in, HOLD_MS at most, then let through once.
   */
  holdScroll(holder) {
    if (this.letThrough) return false;
    this.prefetch(holder);
    const rows = this.displayRows();
    const [top, bottom] = this.landing(holder, rows);
    const renderer = this.grid.rowManager.renderer;
    const drawn = top >= renderer.vDomTop && bottom <= renderer.vDomBottom;
    if (drawn || bottom < top || !rows.slice(top, bottom + 1).some((r) => r.data.__pending)) {
      if (this.holding) this.release();
      return false;
    }
    this.holding = holder;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), HOLD_MS);
    return true;
  }

  /** Let the scroll held back through to Tabulator, which draws the rows there now. */
  release() {
    clearTimeout(this.holdTimer);
    const holder = this.holding;
    this.holding = null;
    if (!holder?.isConnected) return;
    this.letThrough = true;
    try {
      holder.dispatchEvent(new Event("scroll")); // Tabulator draws the rows there, at once
    } finally {
      this.letThrough = false;
    }
    this.showCount();
  }

  /** After a fill: a held scroll goes through once the rows it lands on are all in. */
  releaseWhenLanded() {
    if (!this.holding) return;
    const rows = this.displayRows();
    const [top, bottom] = this.landing(this.holding, rows);
    if (!rows.slice(top, bottom + 1).some((r) => r.data.__pending)) this.release();
  }

  async fetch(block, layout) {
    const params = { ...this.page.query(), limit: BLOCK, offset: block * BLOCK };
    try {
      const page = await this.page.api.get(`/api/fundraising/${this.page.table}`, params);
      const extra = await this.page.extraValues(page.records);
      if (layout !== this.layout) { this.asked.delete(block); this.check(); return; }
      this.fill(block, page.records, extra);
    } catch (err) {
      this.asked.delete(block);
      this.page.setStatus(`Could not load rows: ${err.message}`, "error");
    }
  }

  fill(block, records, extra = {}) {
    const rows = this.displayRows();
    const duplicates = [];
    records.forEach((record, i) => {
      const row = rows[this.added + block * BLOCK + i];
      if (!row || !row.data.__pending) return;
      // a record added here at the top takes its place in the result too: drop this one
      if (this.addedIds.has(record.id)) duplicates.push(row);
      else redraw(row, this.row(record, extra));
    });
    if (duplicates.length) {
      duplicates.forEach((row) => row.getComponent().delete());
      this.added -= duplicates.length;
      this.layout += 1;
    }
    this.page.container.dataset.loaded = String(Date.now());
    this.releaseWhenLanded();
  }

  /** A record added at the top of the grid. */
  noteAdded(record) {
    this.added += 1;
    this.addedIds.add(record.id);
    this.layout += 1;
    this.total += 1;
  }

  /** A row removed (archived): the result's rows after it move up one. */
  removed(id) {
    if (this.addedIds.delete(id)) this.added -= 1;
    this.layout += 1;
    this.total = Math.max(0, this.total - 1);
  }
}

/**
 * A placeholder row given its record. Tabulator's own row update compares every key of the
 * data with every column and measures the row (a forced layout each): a block of 100 rows of
 * 100 fields took 300 ms. The row is drawn afresh instead: at once when it is on screen, else
 * when it scrolls into view (Tabulator draws a row from its data then).
 */
function redraw(row, data) {
  row.data = data;
  row.initialized = false;
  if (row.element?.isConnected) row.initialize();
  else if (row.cells.length) row.deleteCells(); // the placeholder's, for nothing to read them
}
