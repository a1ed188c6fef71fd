// Audit entries as the server words them (record history, the activity feed): a summary
// whose record name links to the record, and each changed field as "Owner: empty → Max".
// Values are the server's text; lists are chips; dates as the grid shows them.
import { formatDate, h } from "/assets/ui.js";

/** The entry's summary; the last mention of its record's name is a link to the record. */
export function summaryNode(entry, { link = true } = {}) {
  const text = entry.summary || "";
  const record = entry.record;
  const at = record && record.name ? text.lastIndexOf(record.name) : -1;
  if (!link || at < 0 || !/^#\/[\w/-]+$/.test(record.url || "")) {
    return h("span", { class: "entry-summary" }, text);
  }
  return h("span", { class: "entry-summary" }, text.slice(0, at),
    h("a", { class: "record-link", href: record.url, title: `Open ${record.name}` }, record.name),
    text.slice(at + record.name.length),
    record.archived ? h("span", { class: "muted" }, " (archived)") : null);
}

function valueNode(detail, side) {
  const raw = detail[side];
  if (raw === null || raw === undefined || raw === "" || (Array.isArray(raw) && !raw.length)) {
    return h("span", { class: "change-value muted" }, "empty");
  }
  const items = detail[`${side}_items`];
  if (items) {
    return h("span", { class: "chips" }, items.map((item) => h("span", { class: "chip" }, item)));
  }
  const text = detail.type === "date" && typeof raw === "string" ? formatDate(raw)
    : detail[`${side}_text`] ?? String(raw);
  return h("span", { class: "change-value" }, text);
}

/** Each changed field on a line: "Owner: empty → Max Member"; a create lists what was set. */
export function changeList(entry) {
  const details = entry.details || [];
  if (!details.length) return null;
  const created = entry.kind === "create";
  return h("ul", { class: "change-list" }, details.map((d) => h("li", null,
    h("span", { class: "change-field" }, d.field), ": ",
    created ? valueNode(d, "after") : [valueNode(d, "before"), " → ", valueNode(d, "after")])));
}
