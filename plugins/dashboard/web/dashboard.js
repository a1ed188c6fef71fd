// The dashboard page: the fundraise at a glance, one card per /api/dashboard route, each over
// an optional saved view (investors' for the investor cards, commitments' for the funds card).
import { registerPage } from "/assets/app.js";
import { h } from "/assets/ui.js";
import { chartCard, loadECharts } from "./chart_card.js";
import { dashboardCards } from "./dashboard_cards.js";

const STYLESHEET = "/assets/plugins/dashboard/dashboard.css";

/** The page's stylesheet, added once; charts are sized by it, so they wait for it. */
function addStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = h("link", { rel: "stylesheet", href: STYLESHEET });
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve); // unstyled beats no page
    document.head.append(link);
  });
}

function viewSelect(label, table, views, onChange) {
  const select = h("select", { "aria-label": label, onchange: () => onChange(Number(select.value) || null) },
    h("option", { value: "" }, `All ${table}`),
    views.filter((v) => v.table === table).map((v) => h("option", { value: String(v.id) }, v.name)));
  return h("label", null, label, select);
}

async function render(container, ctx) {
  const styled = addStylesheet();
  const chosen = { investors: null, commitments: null };
  loadECharts().catch(() => {}); // fetched while the cards are read; a card shows the failure
  const made = dashboardCards(ctx.api, () => chosen);
  const cards = made.cards.map(chartCard);
  const [funds, ...others] = cards;
  const refreshAll = async () => {
    await Promise.all(cards.map((card) => card.refresh()));
    // The weekly cards mark the fund close dates the funds card found, perhaps after they drew.
    if (made.hasCloses()) await Promise.all(others.map((card) => card.redraw()));
  };
  const toolbar = h("div", { class: "toolbar dash-toolbar" });
  await styled; // the charts take their size from it
  container.append(h("h1", null, "Dashboard"), toolbar,
    h("div", { class: "dash-grid" }, cards.map((card) => card.el)));
  const loaded = refreshAll();
  const { views } = await ctx.api.get("/api/fundraising/views");
  toolbar.append(
    viewSelect("Investors view", "investors", views, (id) => {
      chosen.investors = id;
      others.forEach((card) => card.refresh());
    }),
    viewSelect("Commitments view", "commitments", views, (id) => { chosen.commitments = id; funds.refresh(); }),
    h("button", { type: "button", class: "btn", onclick: refreshAll }, "Refresh"));
  await loaded;
  container.dataset.loaded = "1";
  return () => cards.forEach((card) => card.dispose());
}

registerPage({ id: "dashboard", title: "Dashboard", path: "dashboard", order: 25, render });
