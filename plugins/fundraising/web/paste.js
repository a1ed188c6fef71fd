// Cells as text and back: the TSV a copy gives (Excel, Google Sheets and this grid's own) and
// each pasted text read as a value of its field, or an error for that one cell.
import { parsePercent } from "./editors.js";

const NUMERIC = new Set(["number", "currency"]);
const TRUE = new Set(["true", "yes", "y", "1", "x", "✓", "✔", "checked", "on"]);
const FALSE = new Set(["false", "no", "n", "0", "", "unchecked", "off"]);
const SCALE = { k: 1e3, m: 1e6, b: 1e9, bn: 1e9 };

/** TSV as rows of cells; quoted cells may hold tabs, new lines and "" (as Excel writes them). */
export function parseTsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  const src = String(text).replace(/\r\n?/g, "\n").replace(/\n$/, "");
  for (let i = 0; i < src.length; i += 1) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === "\t") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else cell += c;
  }
  row.push(cell);
  rows.push(row);
  return rows;
}

/** Rows of texts as TSV, quoting what needs it. */
export function toTsv(rows) {
  const quote = (t) => (/[\t\n"]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
  return rows.map((cells) => cells.map((t) => quote(String(t ?? ""))).join("\t")).join("\n");
}

/** A value as the text a copy gives: what a paste reads back to the same value. */
export function copyText(field, value, lookups) {
  if (value === null || value === undefined || value === "") return "";
  switch (field.type) {
    case "percent": return `${Number((Number(value) * 100).toPrecision(12))}%`;
    case "checkbox": return value ? "checked" : "";
    case "multi_select": return [].concat(value).join(", ");
    case "link": {
      const names = lookups.records[field.options.table] || new Map();
      return [].concat(value).map((id) => names.get(id) ?? `#${id}`).join(", ");
    }
    case "user": return lookups.users.get(value) ?? `#${value}`;
    default: return String(value);
  }
}

function number(text) {
  const m = /^\s*(-|−|\()?\s*[$€£¥]?\s*([0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:e([+-]?\d+))?\s*(k|m|bn|b)?\s*\)?\s*$/i
    .exec(text);
  if (!m) return undefined;
  let value = Number(m[2].replace(/,/g, "")) * 10 ** Number(m[3] || 0);
  if (m[4]) value *= SCALE[m[4].toLowerCase()];
  if (m[1]) value = -value;
  return Number.isFinite(value) ? value : undefined;
}

function isoDate(text) {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  let [y, mo, d] = m ? [m[1], m[2], m[3]] : [];
  if (!m && (m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text))) [mo, d, y] = [m[1], m[2], m[3]];
  if (!m) {
    const parsed = new Date(text);
    if (Number.isNaN(parsed.getTime()) || !/[a-z]/i.test(text)) return undefined;
    [y, mo, d] = [parsed.getFullYear(), parsed.getMonth() + 1, parsed.getDate()];
  }
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return date.toISOString().slice(0, 10);
}

function byName(entries, text) {
  const key = text.trim().toLowerCase();
  const found = entries.filter(([, label]) => String(label).trim().toLowerCase() === key);
  return found.length === 1 ? found[0][0] : found.length ? "ambiguous" : undefined;
}

export function several(text) {
  return text.split(/[;,\n]/).map((t) => t.trim()).filter(Boolean);
}

/** {value} for a pasted text, or {error} saying why this cell cannot take it. */
export function parseCell(field, raw, lookups) {
  const text = String(raw ?? "").trim();
  if (field.system || field.type === "formula") return { error: `${field.name} is computed` };
  if (text === "") return { value: field.type === "checkbox" ? false : null };
  switch (field.type) {
    case "number": case "currency": {
      const value = number(text);
      return value === undefined ? { error: `“${text}” is not a number` } : { value };
    }
    case "percent": {
      const value = parsePercent(text);
      return value === undefined ? { error: `“${text}” is not a percent` } : { value };
    }
    case "checkbox": {
      const t = text.toLowerCase();
      if (TRUE.has(t)) return { value: true };
      return FALSE.has(t) ? { value: false } : { error: `“${text}” is not yes or no` };
    }
    case "date": {
      const value = isoDate(text);
      return value ? { value } : { error: `“${text}” is not a date (use 2026-03-31)` };
    }
    case "single_select": {
      const value = byName((field.options.choices || []).map((c) => [c, c]), text);
      return value && value !== "ambiguous" ? { value } : { error: `“${text}” is not a choice of ${field.name}` };
    }
    case "multi_select": {
      const choices = (field.options.choices || []).map((c) => [c, c]);
      const values = several(text).map((t) => [t, byName(choices, t)]);
      const bad = values.filter(([, v]) => !v || v === "ambiguous").map(([t]) => t);
      return bad.length ? { error: `not a choice of ${field.name}: ${bad.join(", ")}` }
        : { value: [...new Set(values.map(([, v]) => v))] };
    }
    case "link": {
      const names = [...(lookups.records[field.options.table] || new Map())];
      const parts = field.options.multiple === false ? [text] : several(text);
      const ids = parts.map((t) => [t, /^#\d+$/.test(t) ? Number(t.slice(1)) : byName(names, t)]);
      const bad = ids.filter(([, v]) => !v || v === "ambiguous").map(([t]) => t);
      if (bad.length) return { error: `no single record named ${bad.map((t) => `“${t}”`).join(", ")}` };
      const values = [...new Set(ids.map(([, v]) => v))];
      return { value: field.options.multiple === false ? values[0] : values };
    }
    case "user": {
      const people = lookups.teammates.filter((u) => u.active !== false);
      const id = byName(people.map((u) => [u.id, u.name]), text) || byName(people.map((u) => [u.id, u.email]), text);
      return id && id !== "ambiguous" ? { value: id } : { error: `no active teammate “${text}”` };
    }
    default: return { value: text };
  }
}

export { NUMERIC };
