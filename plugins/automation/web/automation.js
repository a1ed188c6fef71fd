// Automation: the rules (admins turn them on and off and run them), the run log, and the
// four lists the rules fill.
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, formatDate, say, errorText, INLINE } from "/assets/ui.js";

const LISTS = [
  ["main", "Main"], ["follow_up", "Follow-up"], ["graveyard", "Graveyard"], ["longshot", "Longshot"],
];
const SHOWN = 100;

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

function runRulesView(run) {
  return h("ul", { class: "run-rules" }, run.rules.map((r) => h("li", null,
    `${r.name}: matched ${r.matched}, changed ${r.changed}`,
    r.error ? h("span", { class: "error" }, ` (error: ${r.error})`) : null)));
}

function listCard(id, title, page) {
  const names = page.records.map((record) => h("li", null, record.name));
  const more = page.total > page.records.length ? `…and ${page.total - page.records.length} more` : null;
  return h("div", { class: "card", dataset: { list: id } },
    h("h3", null, `${title} `, h("span", { class: "badge" }, String(page.total))),
    names.length ? h("ul", null, names) : h("p", { class: "muted" }, "No investors."),
    more ? h("p", { class: "muted" }, more) : null);
}

function render(container, ctx) {
  const admin = ctx.user.role === "admin";
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const rulesArea = h("div", { class: "automation-rules" });
  const runsArea = h("div", { class: "automation-runs" });
  const listsArea = h("div", { class: "row automation-lists" });
  let fieldNames = {};

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

  async function loadRuns() {
    const { runs } = await api.get("/api/automation/runs", { limit: 20 });
    runsArea.replaceChildren(h("h3", null, "Run log"), runs.length ? table([
      { key: "started_at", title: "Started", render: (r) => formatDate(r.started_at) },
      { key: "trigger", title: "Trigger" },
      { key: "changed", title: "Changed", render: (r) => String(r.changed) },
      { key: "errors", title: "Errors", render: (r) => String(r.errors) },
      { key: "rules", title: "Per rule", render: runRulesView },
    ], runs) : h("p", { class: "muted" }, "No runs yet."));
  }

  async function loadLists() {
    const pages = await Promise.all(LISTS.map(([id]) =>
      api.get(`/api/fundraising/lists/${id}`, { limit: SHOWN })));
    listsArea.replaceChildren(...LISTS.map(([id, title], i) => listCard(id, title, pages[i])));
  }

  async function refresh() {
    try {
      await Promise.all([loadRules(), loadRuns(), loadLists()]);
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
    await refresh();
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
