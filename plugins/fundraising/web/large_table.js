// Tabulator at 100,000 rows: three of its walks over every row, replaced by what they mean.
// Each keeps the answer Tabulator's own code gives; measured in Chromium at 100,000 rows.

/**
 * Fit `grid` (a Tabulator) for a result of any size:
 * - the range selection lays out the rows drawn, not every row (it made an element for each
 *   of 100,000 rows at load, 250 ms); a row drawn later is laid out as it is drawn;
 * - a row is found by its position with one look-up, not by asking each row for its
 *   position, itself a walk of the rows (the active cell at row 50,000 took seconds);
 * - a row knows it is displayed from its position, the walk kept for a stale one.
 */
export function fitForLargeTables(grid) {
  const manager = grid.rowManager;
  const ranges = grid.modules?.selectRange;
  if (ranges && !ranges.layoutElement.drawnOnly) {
    const layoutElement = ranges.layoutElement;
    ranges.layoutElement = function layoutDrawn() { return layoutElement.call(this, true); };
    ranges.layoutElement.drawnOnly = true;
  }
  // a position is the row's place among the rows displayed, from 1 (no groups here)
  manager.getRowFromPosition = (position) => {
    const row = manager.getDisplayRows()[position - 1];
    return row?.type === "row" ? row : undefined;
  };
  // the row class is Tabulator's own, reached through a row: call again once rows exist
  const rowClass = manager.rows[0] && Object.getPrototypeOf(manager.rows[0]);
  if (typeof rowClass?.isDisplayed === "function" && !rowClass.isDisplayed.quick) {
    const walk = rowClass.isDisplayed;
    const quick = function isDisplayed() {
      const rows = this.table.rowManager.getDisplayRows();
      return rows[this.position - 1] === this || walk.call(this);
    };
    quick.quick = true;
    rowClass.isDisplayed = quick;
  }
}
