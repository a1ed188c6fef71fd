// Automation: the rules (admins turn them on and off and run them), the run log, and the
// four lists the rules fill, each a table shown a page at a time with its count.
import { registerPage } from "/assets/app.js";
import { api } from "/assets/api.js";
import { h, table, formatDate, say, errorText, pagedTable, INLINE } from "/assets/ui.js";

const LISTS = [
  ["main", "Main"], ["follow_up", "Follow-up"], ["graveyard", "Graveyard"], ["longshot", "Longshot"],
];
const LIST_PAGE = 25;
const RUN_PAGE = 20;

function configText(key, value, fieldNames) {
  if (key === "field") return fieldNames[value] ? `${fieldNames[value]} (#${value})` : `#${value}`;
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

function configView(config, fieldNames) {
  const entries = Object.entries(config || {});
  if (!entries.length) return h("span", { class: "muted" }, "no settings");
  return h("ul", { class: "rule-config" },
    entries.map(([key, value]) => h("li", null, `${key}: ${configText(key, value, fieldNames)}`)));
}

/** Only the rules that changed something or failed: a run of five quiet rules is one line. */
function runRulesView(run) {
  const notable = run.rules.filter((r) => r.changed || r.error);
  if (!notable.length) return h("span", { class: "muted" }, "no changes");
  return h("ul", { class: "run-rules" }, notable.map((r) => h("li", null,
    `${r.name}: matched ${r.matched}, changed ${r.changed}`,
    r.error ? h("span", { class: "error" }, ` (error: ${r.error})`) : null)));
}

/** The columns of a list's members; built-in fields are found by key (names can change). */
function memberColumns(fields) {
  const byKey = Object.fromEntries(fields.filter((f) => f.builtin).map((f) => [f.builtin, f]));
  const value = (key, show) => (r) => {
    const field = byKey[key];
    const v = field ? r.fields[field.name] : undefined;
    return v === undefined || v === null ? "" : show(v, field);
  };
  const money = (v, field) => `${(field.options && field.options.symbol) || ""}${Number(v).toLocaleString()}`;
  return [
    { title: "Investor", render: (r) => h("a", { href: `#/grid/investors/${r.id}` }, r.name) },
    { title: (byKey.stage && byKey.stage.name) || "Stage", render: value("stage", String) },
    { title: (byKey.check_size && byKey.check_size.name) || "Check Size", render: value("check_size", money) },
    { title: (byKey.last_contact && byKey.last_contact.name) || "Last Contact", render: value("last_contact", formatDate) },
  ];
}

function listCard(id, title, columns, fail) {
  const count = h("span", { class: "badge" }, "…");
  const members = pagedTable(columns, async (limit, offset) => {
    const page = await api.get(`/api/automation/lists/${id}`, { limit, offset });
    count.textContent = String(page.total);
    return { rows: page.records, total: page.total };
  }, { limit: LIST_PAGE, empty: "No investors.", onError: fail });
  const card = h("div", { class: "card automation-list", dataset: { list: id } },
    h("h3", null, `${title} `, count), members);
  card.reload = members.reload;
  return card;
}

function render(container, ctx) {
  const admin = ctx.user.role === "admin";
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const rulesArea = h("div", { class: "automation-rules" });
  const listsArea = h("div", { class: "automation-lists" });
  let fieldNames = {};
  let cards = null;

  function fail(err) {
    say(message, errorText(err));
  }

  function toggle(rule) {
    const box = h("input", { type: "checkbox", "aria-label": `${rule.name} on` });
    box.checked = rule.enabled;
    box.disabled = !admin;
    box.addEventListener("change", async () => {
      say(message, "");
      try {
        await api.patch(`/api/automation/rules/${rule.id}`,
          { enabled: box.checked, expected_version: rule.version });
        ctx.toast(`${rule.name} turned ${box.checked ? "on" : "off"}`, "success");
      } catch (err) {
        fail(err);
      }
      await refresh();
    });
    return h("label", { style: INLINE }, box, box.checked ? "on" : "off");
  }

  async function loadRules() {
    const [{ rules }, { fields }] = await Promise.all([
      api.get("/api/automation/rules"), api.get("/api/fundraising/fields", { table: "investors" }),
    ]);
    fieldNames = Object.fromEntries(fields.map((f) => [f.id, f.name]));
    rulesArea.replaceChildren(h("h3", null, "Rules"), rules.length ? table([
      { key: "enabled", title: "On", render: toggle },
      { key: "name", title: "Rule" },
      { key: "type", title: "Type" },
      { key: "config", title: "Settings", render: (r) => configView(r.config, fieldNames) },
    ], rules) : h("p", { class: "muted" }, "No rules."),
    ...(admin ? [] : [h("p", { class: "muted" }, "Only admins change rules.")]));
  }

  const runs = pagedTable([
    { key: "started_at", title: "Started", render: (r) => formatDate(r.started_at) },
    { key: "trigger", title: "Trigger" },
    { key: "changed", title: "Changed", render: (r) => String(r.changed) },
    { key: "errors", title: "Errors", render: (r) => String(r.errors) },
    { key: "rules", title: "Per rule", render: runRulesView },
  ], async (limit, offset) => {
    const page = await api.get("/api/automation/runs", { limit, offset });
    return { rows: page.runs, total: page.total };
  }, { limit: RUN_PAGE, empty: "No runs yet.", onError: fail });
  const runsArea = h("div", { class: "automation-runs" }, h("h3", null, "Run log"), runs);

  async function loadLists() {
    if (!cards) { // the member columns name fields, so the cards wait for the fields
      const { fields } = await api.get("/api/fundraising/fields", { table: "investors" });
      const columns = memberColumns(fields);
      cards = LISTS.map(([id, title]) => listCard(id, title, columns, fail));
      listsArea.replaceChildren(...cards);
    }
    await Promise.all(cards.map((card) => card.reload()));
  }

  async function refresh(firstRuns = false) {
    try {
      await Promise.all([loadRules(), firstRuns ? runs.first() : runs.reload(), loadLists()]);
    } catch (err) {
      fail(err);
    }
  }

  async function runNow() {
    say(message, "");
    try {
      const run = await api.post("/api/automation/run", {});
      ctx.toast(`Run finished: ${run.changed} changed, ${run.errors} errors`,
        run.errors ? "error" : "success");
    } catch (err) {
      fail(err);
    }
    await refresh(true);
  }

  container.replaceChildren(h("div", { class: "stack" },
    h("h2", null, "Automation"),
    admin ? h("div", { class: "toolbar" },
      h("button", { type: "button", class: "btn btn-primary", onclick: runNow }, "Run now")) : null,
    message, rulesArea, h("h3", null, "Lists"), listsArea, runsArea));
  refresh();
}

registerPage({ id: "automation", title: "Automation", path: "automation", nav: true,
  adminOnly: false, order: 40, render });
