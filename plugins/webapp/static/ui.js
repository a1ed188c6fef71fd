// Small DOM helpers shared by every page.
import { ApiError } from "/assets/api.js";

/** Show a message line, or hide it when the text is empty. */
export function say(line, text) {
  line.textContent = text;
  line.hidden = !text;
}

/** What to tell people about a failed call. */
export function errorText(err) {
  return err instanceof ApiError ? err.message : String((err && err.message) || err);
}

// Labels stack their control under the text; a checkbox sits beside its text instead.
export const INLINE = { flexDirection: "row", alignItems: "center", gap: ".4rem" };

/**
 * Build an element: attrs may hold class, style (object), dataset, on<event> handlers.
 * Children are nodes or text; nothing given to h() is ever parsed as HTML.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (/HTML$/i.test(key) || (key.startsWith("on") && typeof value !== "function")) {
      throw new TypeError(`h(): ${key} would be parsed as HTML or script`);
    }
    if (key === "class" || key === "className") el.className = value;
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * A plain table: columns are [{title, key?, render?(row)}]; render may return text or a node.
 */
export function table(columns, rows) {
  const head = h("tr", null, columns.map((c) => h("th", null, c.title)));
  const body = rows.map((row) =>
    h("tr", null, columns.map((c) => h("td", null, c.render ? c.render(row) : row[c.key] ?? ""))));
  return h("table", { class: "simple-table" }, h("thead", null, head), h("tbody", null, body));
}

// Made once: toLocaleString() with options builds a new formatter on every call (a screen of
// grid dates took 144 ms).
const DAY_FORMAT = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });

/** A date or timestamp for people: "12 Mar 2025" or "12 Mar 2025, 14:05". */
export function formatDate(iso) {
  if (!iso) return "";
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const date = new Date(dateOnly ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return (dateOnly ? DAY_FORMAT : TIME_FORMAT).format(date);
}

/** Call fn after `ms` of quiet; .flush() runs a pending call now. */
export function debounce(fn, ms) {
  let timer = null;
  let lastArgs = null;
  const debounced = (...args) => {
    lastArgs = args;
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...lastArgs); }, ms);
  };
  debounced.flush = () => {
    if (timer) { clearTimeout(timer); timer = null; fn(...lastArgs); }
  };
  return debounced;
}

/**
 * A table shown a page at a time, with "1–50 of 312" and previous / next.
 * load(limit, offset) answers {rows, total}; a failed load goes to onError. The element's
 * reload() shows the current page again, first() the first page.
 */
export function pagedTable(columns, load, { limit = 50, empty = "Nothing here.", onError } = {}) {
  let offset = 0;
  const body = h("div", { class: "paged-body" });
  const text = h("span", { class: "pager-text" });
  const prev = h("button", { type: "button", class: "btn btn-small", "aria-label": "Previous page" }, "‹ Previous");
  const next = h("button", { type: "button", class: "btn btn-small", "aria-label": "Next page" }, "Next ›");
  const pager = h("div", { class: "pager" }, prev, text, next);
  const box = h("div", { class: "paged-table" }, body, pager);

  async function show() {
    try {
      const { rows, total } = await load(limit, offset);
      if (!rows.length && offset > 0 && total > 0) { // the last page emptied meanwhile
        offset = Math.floor((total - 1) / limit) * limit;
        return show();
      }
      body.replaceChildren(rows.length ? table(columns, rows) : h("p", { class: "muted" }, empty));
      text.textContent = rows.length ? `${offset + 1}–${offset + rows.length} of ${total}` : "";
      pager.hidden = !rows.length;
      prev.disabled = offset === 0;
      next.disabled = offset + rows.length >= total;
    } catch (err) {
      if (onError) onError(err);
      else throw err;
    }
  }
  prev.addEventListener("click", () => { offset = Math.max(0, offset - limit); show(); });
  next.addEventListener("click", () => { offset += limit; show(); });
  box.reload = show;
  box.first = () => { offset = 0; return show(); };
  return box;
}
