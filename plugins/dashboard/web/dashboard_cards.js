// The dashboard's cards: what each reads from /api/dashboard, draws, and lists as a table.
// Names (funds, investors, members) reach the page as text: h() nodes, or ECharts' canvas text.
import { h } from "/assets/ui.js";
import { num, weekLabel } from "./chart_card.js";

const WEEKS = { label: "Weeks", value: 12, choices: [[4, "4 weeks"], [8, "8 weeks"], [12, "12 weeks"],
  [26, "6 months"], [52, "1 year"], [104, "2 years"]] };
const DAYS = { label: "No contact for", value: 30, choices: [[7, "7+ days"], [14, "14+ days"],
  [30, "30+ days"], [60, "60+ days"], [90, "90+ days"], [180, "180+ days"]] };
const compact = new Intl.NumberFormat(undefined, { notation: "compact" });
const BASE = { animation: false, grid: { left: 56, right: 24, top: 40, bottom: 32, containLabel: true },
  tooltip: { trigger: "axis" }, textStyle: { fontFamily: "system-ui, sans-serif" } };

/** The Monday (UTC) of an ISO date's week, as the API labels weeks. */
function mondayOf(date) {
  const day = new Date(`${String(date).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return null;
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

/** Fund first/final close dates as [{label, date}], when the funds card has them. */
function closesOf(funds) {
  return funds.flatMap((f) => [["first_close", "first close"], ["final_close", "final close"]]
    .filter(([key]) => f[key]).map(([key, what]) => ({ label: `${f.name} ${what}`, date: f[key] })));
}

/** Series for a weekly chart, with a vertical marker at each fund close in range. */
function withCloses(series, weeks, closes) {
  const marks = closes.map((c) => ({ ...c, week: mondayOf(c.date) })).filter((c) => weeks.includes(c.week))
    .map((c) => ({ xAxis: c.week, label: { formatter: () => c.label } }));
  if (!marks.length) return series;
  const host = { type: "line", name: "Fund closes", data: [], silent: true,
    markLine: { symbol: "none", lineStyle: { type: "dashed", color: "#b7791f" },
      label: { position: "insideEndTop", color: "#b7791f" }, data: marks } };
  return [...series, host];
}

function weekly(weeks, series, closes, { stack = false } = {}) {
  return { ...BASE,
    legend: { type: "scroll", top: 0, data: series.map((s) => s.name) },
    xAxis: { type: "category", data: weeks, axisLabel: { formatter: weekLabel } },
    yAxis: { type: "value", minInterval: 1 },
    series: withCloses(series.map((s) => (stack ? { ...s, stack: "all" } : s)), weeks, closes) };
}

const investorLink = (id, name) => h("a", { href: `#/grid/investors/${id}` }, name || `#${id}`);

/** The cards, in page order, and whether the funds card found fund close dates to mark.
 * views(): {investors, commitments} view ids (null: none). */
export function dashboardCards(api, views) {
  let closes = [];
  const funds = {
    id: "funds", title: "Funds: commitments against target", wide: true,
    height: ({ funds: list }) => Math.max(220, 90 + 44 * list.length),
    load: async () => {
      const data = await api.get("/api/dashboard/funds", { view: views().commitments });
      closes = closesOf(data.funds);
      return data;
    },
    option: ({ funds: list }) => ({ ...BASE, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      yAxis: { type: "category", inverse: true, data: list.map((f) => f.name) },
      xAxis: { type: "value", axisLabel: { formatter: (v) => compact.format(v) } },
      series: [
        ["Committed", "committed", "#1a7f4b"], ["Soft-circled", "soft_circled", "#6aa84f"],
        ["Pipeline", "pipeline", "#9fc5e8"],
      ].map(([name, key, color]) => ({ name, type: "bar", stack: "amount", color, barMaxWidth: 28,
        data: list.map((f) => f[key]) }))
        .concat({ name: "Target", type: "scatter", symbol: "rect", symbolSize: [4, 30], color: "#172033",
          z: 5, data: list.map((f) => f.target ?? null) }) }),
    rows: ({ funds: list }) => ({
      columns: [
        { title: "Fund", key: "name" },
        { title: "Target", render: (f) => (f.target == null ? "" : num(f.target)) },
        { title: "Committed", render: (f) => num(f.committed) },
        { title: "Soft-circled", render: (f) => num(f.soft_circled) },
        { title: "Pipeline", render: (f) => num(f.pipeline) },
        { title: "Committed %", render: (f) => (f.target ? `${Math.round((100 * f.committed) / f.target)}%` : "") },
        { title: "First close", render: (f) => f.first_close || "" },
        { title: "Final close", render: (f) => f.final_close || "" },
      ], rows: list }),
  };
  const funnel = {
    id: "funnel", title: "Investors by stage",
    load: () => api.get("/api/dashboard/funnel", { view: views().investors }),
    option: ({ stages }) => ({ ...BASE, legend: { top: 0 },
      xAxis: { type: "category", data: stages.map((s) => s.stage), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: "value", name: "Investors", minInterval: 1 },
        { type: "value", name: "Check Size", axisLabel: { formatter: (v) => compact.format(v) } }],
      series: [
        { name: "Investors", type: "bar", color: "#2f5bea", data: stages.map((s) => s.count) },
        { name: "Check Size", type: "line", yAxisIndex: 1, color: "#b7791f", data: stages.map((s) => s.amount) },
      ] }),
    rows: ({ stages }) => ({ columns: [{ title: "Stage", key: "stage" },
      { title: "Investors", render: (s) => num(s.count) }, { title: "Check Size", render: (s) => num(s.amount) }],
    rows: stages }),
  };
  const movements = {
    id: "movements", title: "Stage moves per week", range: WEEKS,
    load: (weeks) => api.get("/api/dashboard/movements", { weeks, view: views().investors }),
    option: ({ weeks }) => {
      const pairs = [...new Set(weeks.flatMap((w) => w.moves.map(moveName)))];
      const series = pairs.map((pair) => ({ name: pair, type: "bar", data: weeks.map((w) =>
        w.moves.filter((m) => moveName(m) === pair).reduce((sum, m) => sum + m.count, 0)) }));
      return weekly(weeks.map((w) => w.week), series, closes, { stack: true });
    },
    rows: ({ weeks }) => ({ columns: [{ title: "Week", key: "week" }, { title: "From", render: (m) => m.from ?? "" },
      { title: "To", render: (m) => m.to ?? "" }, { title: "Moves", render: (m) => num(m.count) }],
    rows: weeks.flatMap((w) => w.moves.map((m) => ({ week: w.week, ...m }))) }),
  };
  const emails = {
    id: "emails", title: "Emails per week per member", range: WEEKS,
    load: (weeks) => api.get("/api/dashboard/emails", { weeks, view: views().investors }),
    option: ({ weeks }) => {
      const people = members(weeks);
      const series = people.map((p) => ({ name: p.name, type: "line", data: weeks.map((w) => countOf(w, p.id)) }));
      return weekly(weeks.map((w) => w.week), series, closes);
    },
    rows: ({ weeks }) => ({ columns: [{ title: "Week", key: "week" },
      ...members(weeks).map((p) => ({ title: p.name, render: (w) => num(countOf(w, p.id)) }))], rows: weeks }),
  };
  const fresh = {
    id: "new", title: "New investors per week", range: WEEKS,
    load: async (weeks) => {
      try {
        return await api.get("/api/dashboard/new", { weeks, view: views().investors });
      } catch (err) {
        if (err.status === 404 && !err.field) return null; // a server without this card
        throw err;
      }
    },
    option: ({ weeks }) => weekly(weeks.map((w) => w.week),
      [{ name: "New investors", type: "bar", color: "#2f5bea", data: weeks.map((w) => w.count) }], closes),
    rows: ({ weeks }) => ({ columns: [{ title: "Week", key: "week" },
      { title: "New investors", render: (w) => num(w.count) }], rows: weeks }),
  };
  const stale = {
    id: "stale", title: "Stale investors by owner", range: DAYS, wide: true,
    load: (days) => api.get("/api/dashboard/stale", { days, view: views().investors }),
    rows: ({ owners }) => (owners.length ? h("div", { class: "stack" }, owners.map(staleOwner))
      : h("p", { class: "muted" }, "No stale investors: everyone owned was contacted recently.")),
  };
  return { cards: [funds, funnel, movements, emails, fresh, stale], hasCloses: () => closes.length > 0 };
}

function moveName(move) {
  return `${move.from ?? "(none)"} → ${move.to ?? "(none)"}`;
}

/** Every member with an email in the weeks shown, by name. */
function members(weeks) {
  const seen = new Map();
  for (const w of weeks) for (const m of w.members) seen.set(m.user.id, m.user.name);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

function countOf(week, userId) {
  return week.members.find((m) => m.user.id === userId)?.count ?? 0;
}

function staleOwner({ owner, count, investors }) {
  const more = count > investors.length ? ` (the ${investors.length} oldest shown)` : "";
  return h("div", { class: "dash-owner", dataset: { owner: owner.id } },
    h("h3", null, owner.name, h("span", { class: "muted" }, ` · ${num(count)} stale${more}`)),
    h("table", { class: "simple-table" },
      h("thead", null, h("tr", null, h("th", null, "Investor"), h("th", null, "Last contact"))),
      h("tbody", null, investors.map((i) => h("tr", null, h("td", null, investorLink(i.id, i.name)),
        h("td", null, i.last_contact || "never"))))));
}
