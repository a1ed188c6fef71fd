// What a header click does to a grid's sorts; how active sorts and filters show, on the
// toolbar ("Sorted by Stage ↑, Check Size ↓", "2 filters") and on the column headers; and what
// an empty grid says.
import { h } from "/assets/ui.js";
import { columnKey } from "./columns.js";
import { search } from "./search.js";

const MAX_SORTS = 10; // the server's limit of a view's sorts
const ARROWS = { asc: "↑", desc: "↓" };
const NEXT = { asc: "desc", desc: null };

/**
 * The sorts after a header click on a field: asc, then desc, then off. A plain click sorts by
 * that field alone; a shift-click changes its place in the sorts or adds it as the last one.
 */
export function nextSorts(sorts, fieldId, additive) {
  const current = sorts.find((s) => s.field === fieldId);
  const direction = current ? NEXT[current.direction] : "asc";
  if (!additive) return direction ? [{ field: fieldId, direction }] : [];
  if (!current) return [...sorts, { field: fieldId, direction }];
  return direction ? sorts.map((s) => (s === current ? { ...s, direction } : s))
    : sorts.filter((s) => s !== current);
}

/** Field ids in a filter group's conditions, nested groups included, once per condition. */
export function filteredFields(group) {
  if (!group) return [];
  return group.conditions.flatMap((c) => ("conditions" in c ? filteredFields(c) : [c.field]));
}

function sortLabel(sorts, fields) {
  if (!sorts.length) return "Sort";
  const name = (id) => fields.find((f) => f.id === id)?.name || `field ${id}`;
  return `Sorted by ${sorts.map((s) => `${name(s.field)} ${ARROWS[s.direction]}`).join(", ")}`;
}

function filterLabel(filters) {
  const count = filteredFields(filters).length;
  return count ? `${count} filter${count === 1 ? "" : "s"}` : "Filter";
}

/** Put a sort arrow (with its rank when several) and a filter mark on each column header. */
function markHeaders(columns, fieldOf, sorts, filters) {
  const filtered = new Set(filteredFields(filters));
  for (const column of columns) {
    const el = column.getElement();
    el.querySelector(".col-marks")?.remove();
    el.removeAttribute("aria-sort");
    delete el.dataset.sort;
    const field = fieldOf(column);
    el.classList.toggle("col-filtered", Boolean(field && filtered.has(field.id)));
    if (!field) continue;
    const rank = sorts.findIndex((s) => s.field === field.id);
    const sort = sorts[rank];
    if (!sort && !filtered.has(field.id)) continue;
    if (sort) {
      el.dataset.sort = sort.direction;
      if (rank === 0) el.setAttribute("aria-sort", sort.direction === "asc" ? "ascending" : "descending");
    }
    const holder = el.querySelector(".tabulator-col-title-holder") || el;
    holder.append(h("span", { class: "col-marks" },
      sort && h("span", { class: "col-sort", title: `Sorted ${sort.direction === "asc" ? "ascending" : "descending"}` },
        ARROWS[sort.direction], sorts.length > 1 ? String(rank + 1) : ""),
      filtered.has(field.id) && h("span", { class: "col-filter", title: "Filtered" }, "▼")));
  }
}

function fieldOf(grid, column) {
  const key = column.getField();
  return grid.fields.find((f) => columnKey(f) === key) || null;
}

/** A click on a header sorts by its field (shift: adds it); a drag that ends there does not. */
export function sortOnHeaderClick(grid, e, column, pressedAt) {
  const [x, y] = pressedAt || [e.clientX, e.clientY];
  if (Math.abs(e.clientX - x) > 4 || Math.abs(e.clientY - y) > 4) return null;
  if (e.target.closest(".tabulator-col-resize-handle, .tabulator-header-popup-button")) return null;
  const field = fieldOf(grid, column);
  if (!field) return null;
  const sorts = nextSorts(grid.config.sorts, field.id, e.shiftKey);
  if (sorts.length > MAX_SORTS) {
    grid.ctx.toast(`A grid sorts by at most ${MAX_SORTS} fields`, "error");
    return null;
  }
  return grid.applyConfig({ sorts });
}

/** The toolbar labels and header marks of a grid's active sorts and filters. */
export function showSortsAndFilters(grid, sortButton, filterButton) {
  const { sorts, filters } = grid.config;
  sortButton.textContent = sortLabel(sorts, grid.fields);
  sortButton.classList.toggle("in-use", sorts.length > 0);
  filterButton.textContent = filterLabel(filters);
  filterButton.classList.toggle("in-use", filteredFields(filters).length > 0);
  if (grid.built) markHeaders(grid.grid.getColumns(), (c) => fieldOf(grid, c), sorts, filters);
}

/** What an empty grid says: nothing matches the filters, or nothing is there yet. */
export function emptyMessage(grid, noun) {
  const box = (...children) => h("div", { class: "tabulator-placeholder-contents empty-grid" }, ...children);
  if (grid.searchText) {
    return box(h("p", null, `No records match “${grid.searchText}”`),
      h("button", { class: "btn", onclick: () => { grid.searchInput.value = ""; search(grid, ""); } }, "Clear search"));
  }
  if (filteredFields(grid.config.filters).length) {
    return box(h("p", null, "No records match the filters"),
      h("button", { class: "btn", onclick: () => grid.applyConfig({ filters: null }) }, "Clear filters"));
  }
  return box(h("p", null, "No records yet"),
    h("button", { class: "btn btn-primary", onclick: () => grid.addRow() }, `+ Add ${noun}`));
}
