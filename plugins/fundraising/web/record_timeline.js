// The record's timeline in the panel (GET /api/fundraising/<table>/{id}/timeline): every
// plugin's entries newest first, kinds picked as chips, "Load more" with the page's `next`.
// The "Emails" section is the same list of email entries alone.
import { formatDate, h } from "/assets/ui.js";
import { changeList, summaryNode } from "/assets/changes.js";
import { registerRecordSection } from "./record_sections.js";

export const KINDS = [["change", "Changes"], ["note", "Notes"], ["email", "Emails"], ["task", "Tasks"],
  ["list", "Lists"], ["automation", "Automation"]];
const PAGE = 25;

function who(entry) {
  return entry.actor?.name || (typeof entry.actor === "string" ? entry.actor : null);
}

function emailLines(e) {
  const to = (e.to || []).join(", ");
  return [
    h("div", null, h("strong", null, e.subject || "(subject withheld)")),
    (e.from || to) ? h("div", { class: "muted" }, [e.from, to].filter(Boolean).join(" → ")) : null,
    e.snippet ? h("div", { class: "timeline-snippet" }, e.snippet) : null,
  ];
}

/** One entry as nodes: field changes as the history shows them, the others by their summary. */
export function entryNode(entry) {
  const meta = h("span", { class: "muted" }, [who(entry), formatDate(entry.at)].filter(Boolean).join(" · "));
  const kind = h("span", { class: "chip timeline-kind" }, entry.kind);
  let body;
  if (entry.kind === "change") body = [h("div", null, summaryNode(entry, { link: false })), changeList(entry)];
  else if (entry.kind === "email") body = emailLines(entry);
  else body = [h("div", { class: "timeline-summary" }, entry.summary || "")];
  return h("li", { class: "timeline-entry", dataset: { kind: entry.kind, at: entry.at } },
    h("div", { class: "row timeline-head" }, kind, meta), ...body);
}

/**
 * A paged list of the record's entries of `kinds` (all when empty) in `container`;
 * returns reload(kinds).
 */
export function timelineList(container, { api, table, id }, { empty = "Nothing yet." } = {}) {
  const list = h("ol", { class: "timeline" });
  const moreButton = h("button", { class: "btn btn-small", hidden: true }, "Load more");
  const line = h("p", { class: "muted", hidden: true }, empty);
  container.append(list, line, moreButton);
  let kinds = [];
  let next = null;
  let asked = 0;

  async function page(before) {
    const mine = (asked += 1);
    const answer = await api.get(`/api/fundraising/${table}/${id}/timeline`, {
      kind: kinds.length ? kinds.join(",") : null, limit: PAGE, before });
    if (mine !== asked) return; // a newer filter answered meanwhile
    if (!before) list.replaceChildren();
    list.append(...answer.entries.map(entryNode));
    next = answer.next;
    moreButton.hidden = !next;
    line.hidden = list.children.length > 0;
  }
  moreButton.addEventListener("click", async () => {
    moreButton.disabled = true;
    try { await page(next); } finally { moreButton.disabled = false; }
  });
  return (chosen = kinds) => { kinds = chosen; return page(null); };
}

async function renderTimeline(container, ctx) {
  const chosen = new Set();
  const chips = h("div", { class: "row timeline-filter", role: "group", "aria-label": "Show kinds" });
  const body = h("div");
  container.append(chips, body);
  const reload = timelineList(body, ctx, { empty: "No entries of these kinds." });
  const all = h("button", { class: "chip-toggle", "aria-pressed": "true", dataset: { kind: "" } }, "All");
  const toggles = KINDS.map(([kind, label]) => h("button", {
    class: "chip-toggle", "aria-pressed": "false", dataset: { kind } }, label));
  const show = () => {
    all.setAttribute("aria-pressed", String(!chosen.size));
    toggles.forEach((t) => t.setAttribute("aria-pressed", String(chosen.has(t.dataset.kind))));
    return reload([...chosen]).catch((err) => ctx.toast(err.message, "error"));
  };
  all.addEventListener("click", () => { chosen.clear(); show(); });
  toggles.forEach((t) => t.addEventListener("click", () => {
    if (chosen.has(t.dataset.kind)) chosen.delete(t.dataset.kind); else chosen.add(t.dataset.kind);
    show();
  }));
  chips.append(all, ...toggles);
  await reload([]);
  // other sections (notes, tasks) call this after a write, so the timeline shows it
  container.closest(".side-panel")?.addEventListener("record-changed", () => show());
}

async function renderEmails(container, ctx) {
  await timelineList(container, ctx, { empty: "No approved emails." })(["email"]);
}

registerRecordSection({ id: "emails", title: "Emails", order: 30, tables: ["investors", "contacts"], render: renderEmails });
registerRecordSection({ id: "timeline", title: "Timeline", order: 80, render: renderTimeline });
