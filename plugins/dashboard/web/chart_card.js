// One dashboard card: a title, its own range selector, an ECharts chart with a "Table" toggle
// (the same numbers as a plain, copyable <table>) and a PNG export. ECharts (UMD, vendored
// like Tabulator) is loaded by a <script> element the first time a card draws.
import { h, table, errorText } from "/assets/ui.js";

const ECHARTS_URL = "/assets/vendor/echarts.min.js";
let loading = null;

/** window.echarts, loaded once on first use. */
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = ECHARTS_URL;
    script.addEventListener("load", () => resolve(window.echarts));
    script.addEventListener("error", () => {
      loading = null;
      script.remove();
      reject(new Error("The chart library is missing: run make install on the server"));
    });
    document.head.append(script);
  });
  return loading;
}

/** A number for people: "1,250,000". */
export function num(value) {
  return Number(value ?? 0).toLocaleString();
}

/** A week's Monday ("2026-11-30") as a short axis label ("30 Nov"). */
export function weekLabel(week) {
  const day = new Date(`${week}T00:00:00`);
  return Number.isNaN(day.getTime()) ? week
    : day.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

function rangeSelect(range, onChange) {
  const select = h("select", { "aria-label": range.label, onchange: () => onChange(Number(select.value)) },
    range.choices.map(([value, text]) => h("option", { value: String(value) }, text)));
  select.value = String(range.value);
  return select;
}

/**
 * A card. load(range) answers the data (null: the server has no such card, the card hides);
 * option(data) is the ECharts option, or null for a card without a chart; rows(data) is
 * {columns, rows} for ui.table() (or a node). range: {label, choices: [[value, text]], value};
 * height(data), when given, is the chart's height in pixels (a bar per fund).
 */
export function chartCard({ id, title, wide = false, range = null, load, option = null, rows, height = null }) {
  const chartBox = option ? h("div", { class: "dash-chart", role: "img", "aria-label": title }) : null;
  const tableBox = h("div", { class: "dash-table table-scroll", hidden: Boolean(option) });
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const state = { range: range ? range.value : null, data: null, chart: null, loads: 0 };
  const toggle = option ? h("button", { type: "button", class: "btn btn-small", "aria-pressed": "false",
    onclick: () => showTable(tableBox.hidden) }, "Table") : null;
  const png = option ? h("a", { class: "btn btn-small", href: "#", download: `${id}.png`,
    title: "Download the chart as a PNG image", onclick: exportPng }, "PNG") : null;
  const el = h("section", { class: `card dash-card${wide ? " dash-wide" : ""}`, dataset: { card: id },
    "aria-label": title },
  h("div", { class: "dash-head" }, h("h2", null, title),
    range ? rangeSelect(range, (value) => { state.range = value; refresh(); }) : null, toggle, png),
  message, chartBox, tableBox);
  const observer = chartBox ? new ResizeObserver(() => state.chart?.resize()) : null;

  function showTable(on) {
    tableBox.hidden = !on;
    chartBox.hidden = on;
    toggle.setAttribute("aria-pressed", String(on));
    toggle.classList.toggle("active", on);
    if (!on) state.chart?.resize();
  }

  function exportPng(event) {
    if (!state.chart) { event.preventDefault(); return; }
    // Set just before the browser follows the link: a data: URL of the chart as drawn now.
    png.href = state.chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
  }

  async function draw(data) {
    const made = rows(data);
    tableBox.replaceChildren(made instanceof Node ? made : table(made.columns, made.rows));
    if (!chartBox) return;
    const echarts = await loadECharts();
    if (height) chartBox.style.height = `${height(data)}px`;
    if (!state.chart) {
      state.chart = echarts.init(chartBox, null, { renderer: "canvas" });
      observer.observe(chartBox);
    }
    state.chart.resize();
    state.chart.setOption(option(data), { notMerge: true });
  }

  async function refresh() {
    const ticket = ++state.loads; // a slower earlier answer never overwrites a newer one
    try {
      const data = await load(state.range);
      if (ticket !== state.loads) return;
      el.hidden = data === null;
      if (data !== null) {
        state.data = data;
        await draw(data);
      }
      message.hidden = true;
    } catch (err) {
      if (ticket !== state.loads) return;
      message.textContent = `${title}: ${errorText(err)}`;
      message.hidden = false;
    }
    el.dataset.loaded = String(ticket);
  }

  function dispose() {
    observer?.disconnect();
    state.chart?.dispose();
    state.chart = null;
  }

  return { el, refresh, dispose, redraw: async () => { if (state.data) await draw(state.data).catch(() => {}); } };
}
