// The grid's search box: every word must begin a word of a record's text fields (?q= on the
// records API, combined with the view's filters and sorts); Ctrl/Cmd+F focuses it.
import { h } from "/assets/ui.js";

const TYPING_PAUSE_MS = 250;

/** Show the records whose text matches `text` ("" shows them all), from the first page. */
export function search(grid, text) {
  if (text === grid.searchText) return;
  grid.searchText = text;
  return grid.load();
}

export function searchBox(grid, label) {
  const input = h("input", { type: "search", class: "grid-search", placeholder: "Search",
    "aria-label": `Search ${label}`, autocomplete: "off" });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(grid, input.value.trim()), TYPING_PAUSE_MS);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { clearTimeout(timer); search(grid, input.value.trim()); }
    if (e.key === "Escape" && input.value) { e.preventDefault(); input.value = ""; clearTimeout(timer); search(grid, ""); }
  });
  return input;
}

/** Ctrl/Cmd+F focuses the search box instead of the browser's find; returns the undo. */
export function focusOnFind(input) {
  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "f") {
      e.preventDefault();
      input.focus();
      input.select();
    }
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
