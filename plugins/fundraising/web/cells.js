// How a field's value is shown: as text (displayValue) and as the node a grid cell or the
// record panel shows (valueNode): chips for choices, links for URLs and emails, line breaks
// kept in long text, exact amounts (a compact one only where a grid cell is too narrow).
// Every node is built with h(): values are people's text and never parsed as HTML.
import { formatDate, h } from "/assets/ui.js";

const MINUS = "\u2212";
const NUMERIC = new Set(["number", "currency", "percent"]);

/** The {type, options} a value is shown as: a field's own, or a formula's result format. */
export function shownAs(field, fields = []) {
  if (field.type === "datetime") return { ...field, type: "date" }; // formatDate shows the time too
  if (field.type !== "formula") return field;
  const options = field.options || {};
  const result = options.result_type;
  if (result === "number") {
    const format = options.format ? { type: options.format } : inferredFormat(field, fields);
    const source = format.field ? format.field.options : {};
    return { ...field, type: format.type, options: { ...source, ...options } };
  }
  const type = { date: "date", datetime: "date", checkbox: "checkbox", array: "list" }[result];
  return { ...field, type: type || "text", options };
}

// A number formula with no format of its own is shown like the numbers it is made of:
// money when it uses a currency field and divides nothing ({Check Size} * {Probability}),
// a percent when every number it uses is a percent.
function inferredFormat(field, fields) {
  const names = [...(field.formula || "").matchAll(/\{([^}]+)\}/g)].map((m) => m[1].toLowerCase());
  const used = fields.filter((f) => names.includes(f.name.toLowerCase()) && NUMERIC.has(f.type));
  const money = used.find((f) => f.type === "currency");
  if (money && !field.formula.includes("/")) return { type: "currency", field: money };
  if (used.length && used.every((f) => f.type === "percent")) return { type: "percent", field: used[0] };
  return { type: "number" };
}

/** Whether values of this kind line up on the right (numbers and money). */
export function alignsRight(shown) {
  return NUMERIC.has(shown.type);
}

function isYear(value) {
  return Number.isInteger(value) && value >= 1900 && value <= 2100;
}

// Number formats made once per set of options: toLocaleString() with options builds one on
// every call, a cost per cell on every screen of the grid.
const formats = new Map();
function localized(number, options) {
  const key = JSON.stringify(options);
  if (!formats.has(key)) formats.set(key, new Intl.NumberFormat(undefined, options));
  return formats.get(key).format(number);
}

/** A number for people: precision decimals, no thousands separator when asked or a year. */
export function numberText(value, options = {}) {
  const precision = options.precision;
  const grouping = options.separator ?? !(precision === 0 && isYear(value));
  return localized(Number(value), {
    minimumFractionDigits: precision ?? 0, maximumFractionDigits: precision ?? 4, useGrouping: grouping,
  });
}

/** A percent stored as a fraction: 0.125 -> "12.5%". */
export function percentText(value, options = {}) {
  const percent = Number(value) * 100;
  const digits = options.precision;
  return `${localized(percent, {
    minimumFractionDigits: digits ?? 0, maximumFractionDigits: digits ?? 2,
    useGrouping: options.separator !== false,
  })}%`;
}

/** Money: "$1,250,000", "−$5"; compact "$1.3M" for narrow cells. */
export function moneyText(value, options = {}, compact = false) {
  const number = Number(value);
  const abs = Math.abs(number);
  const symbol = options.symbol ?? "$";
  let amount;
  if (compact && abs >= 1e3) {
    const [unit, size] = abs >= 1e9 ? ["B", 1e9] : abs >= 1e6 ? ["M", 1e6] : ["K", 1e3];
    const short = abs / size;
    amount = `${localized(short, { maximumFractionDigits: short >= 100 ? 0 : 1 })}${unit}`;
  } else {
    const precision = options.precision ?? (Number.isInteger(abs) ? 0 : 2);
    amount = localized(abs, {
      minimumFractionDigits: precision, maximumFractionDigits: precision,
      useGrouping: options.separator !== false,
    });
  }
  return `${number < 0 ? MINUS : ""}${symbol}${amount}`;
}

// A large table's names arrive as the cells are drawn: "…" until then.
function linkNames(field, value, lookups) {
  const table = field.options.table;
  const names = lookups.records[table] || new Map();
  return [].concat(value).map((id) => names.get(id) || lookups.links?.name(table, id)
    || (lookups.links?.pending(table, id) ? "…" : `#${id}`));
}

/** A value as plain text for people (sorting menus, titles, the record panel's fallbacks). */
export function displayValue(field, value, lookups, fields) {
  if (value === null || value === undefined || value === "") return "";
  const shown = shownAs(field, fields);
  switch (shown.type) {
    case "currency": return moneyText(value, shown.options);
    case "percent": return percentText(value, shown.options);
    case "number": return numberText(value, shown.options);
    case "date": return formatDate(value);
    case "checkbox": return value ? "✓" : "";
    case "multi_select": case "list": return [].concat(value).join("; ");
    case "link": return linkNames(shown, value, lookups).join("; ");
    case "user": return lookups.users.get(value) || `User ${value}`;
    default: return String(value);
  }
}

function chips(labels) {
  return h("span", { class: "chips", title: labels.join("; ") },
    labels.map((label) => h("span", { class: "chip" }, label)));
}

// Only web and mail addresses become links: a stored "javascript:" text stays text.
function link(text, href) {
  if (!/^(https?:|mailto:)/i.test(href)) return h("span", null, text);
  const web = !href.toLowerCase().startsWith("mailto:");
  return h("a", {
    class: "cell-link", href, title: web ? `Open ${text} in a new tab` : `Write to ${text}`,
    target: web ? "_blank" : undefined, rel: "noopener noreferrer",
    // Following the link is not an edit of the cell it sits in.
    onclick: (e) => e.stopPropagation(), onmousedown: (e) => e.stopPropagation(),
  }, text);
}

// A money cell shows the exact amount, and the compact one only while that does not fit its
// column (`narrow()`: the column has a width, as every grid column does). One observer
// watches every money cell on screen: the room comes from its entries and the text is
// measured on a canvas, so drawing a screen of cells forces no layout per cell.
const fitted = new WeakMap(); // cell -> {node, exact, compact}
let fitter = null;
let pen = null;

function textWidth(text, cell) {
  if (!pen) {
    pen = document.createElement("canvas").getContext("2d");
    pen.font = getComputedStyle(cell).font; // the grid's cell font, read once
  }
  return pen.measureText(text).width;
}

function fitMoney(entries) {
  for (const { target, contentRect } of entries) {
    const cell = fitted.get(target);
    if (!cell || cell.node.parentElement !== target) { // the cell was redrawn
      fitter.unobserve(target);
      fitted.delete(target);
    } else if (contentRect.width) {
      cell.node.textContent = textWidth(cell.exact, target) > contentRect.width + 0.5 ? cell.compact : cell.exact;
    }
  }
}

function money(shown, value, onRendered, narrow) {
  const exact = moneyText(value, shown.options);
  const compact = moneyText(value, shown.options, true);
  const node = h("span", { class: "cell-money", title: exact }, exact);
  onRendered?.(() => {
    const cell = node.parentElement;
    if (!cell || !narrow?.() || exact === compact) return;
    fitter ??= new ResizeObserver(fitMoney);
    fitted.set(cell, { node, exact, compact });
    fitter.unobserve(cell); // observed again: a first entry for this cell's new text
    fitter.observe(cell);
  });
  return node;
}

/**
 * A value as a DOM node: `where` is "cell" (one grid cell; long text clamped to a few
 * lines) or "panel" (the record panel; everything shown). onRendered is Tabulator's;
 * narrow() says whether the cell's column has a set width (money may then be compact).
 */
export function valueNode(field, value, lookups, { fields, where = "cell", onRendered, narrow } = {}) {
  if (value === null || value === undefined || value === "") return document.createTextNode("");
  const shown = shownAs(field, fields);
  switch (shown.type) {
    case "currency": return money(shown, value, where === "cell" ? onRendered : null, narrow);
    case "multi_select": case "list": return chips([].concat(value).map(String));
    case "link":
      return shown.options.multiple === false ? h("span", null, linkNames(shown, value, lookups)[0])
        : chips(linkNames(shown, value, lookups));
    case "url": return link(String(value), String(value));
    case "email": return link(String(value), `mailto:${value}`);
    case "long_text": case "text": {
      const text = String(value);
      if (!text.includes("\n")) return document.createTextNode(text);
      return h("div", { class: where === "cell" ? "cell-lines" : "value-lines", title: where === "cell" ? text : undefined }, text);
    }
    default: return document.createTextNode(displayValue(field, value, lookups, fields));
  }
}
