// The Archived panel: records, fields (admins) and views of this table, each with Restore.
import { formatDate, h, table } from "/assets/ui.js";

function section(title, load, columns, restore) {
  const box = h("div", null, h("p", { class: "muted" }, `Loading archived ${title.toLowerCase()}…`));
  load().then(({ rows, total = rows.length }) => {
    const shown = total > rows.length ? ` (${rows.length} of ${total})` : rows.length ? ` (${total})` : "";
    box.replaceChildren(h("h2", null, title + shown), rows.length ? table([...columns, {
      title: "", render: (row) => h("button", { class: "btn btn-small", onclick: () => restore(row) }, "Restore"),
    }], rows) : h("p", { class: "muted" }, `No archived ${title.toLowerCase()}.`));
  }).catch((err) => box.replaceChildren(h("p", { class: "error" }, err.message)));
  return box;
}

async function restoring(grid, what, name, post, after) {
  try {
    await post();
    grid.ctx.toast(`Restored ${what ? `${what} ` : ""}“${name}”`, "success");
    await after();
    grid.refreshPanel();
  } catch (err) { grid.ctx.toast(err.message, "error"); }
}

async function reloadFields(grid) {
  const { fields } = await grid.api.get("/api/fundraising/fields", { table: grid.table, include_system: true });
  grid.fields = fields.sort((a, b) => a.position - b.position);
  grid.grid.setColumns(grid.columns());
  await grid.load();
}

async function reloadViews(grid) {
  const { views } = await grid.api.get("/api/fundraising/views");
  grid.views = views.filter((v) => v.table === grid.table);
  grid.renderViewBar();
}

export function archivedPanel(grid) {
  const { api } = grid;
  const records = section("Records", async () => {
    const { records: rows, total } = await api.get("/api/fundraising/archived", { table: grid.table, limit: 200 });
    return { rows, total };
  },
    [{ title: "Name", key: "name" }, { title: "Archived", render: (r) => formatDate(r.updated_at) }],
    (r) => restoring(grid, "", r.name, () => api.post(`/api/fundraising/${grid.table}/${r.id}/restore`), () => grid.load()));
  const fields = grid.ctx.user.role === "admin" && section("Fields",
    async () => ({ rows: (await api.get("/api/fundraising/fields", { table: grid.table, archived: true })).fields }),
    [{ title: "Name", key: "name" }, { title: "Type", render: (f) => f.type.replace("_", " ") },
      { title: "Archived", render: (f) => formatDate(f.archived_at) }],
    (f) => restoring(grid, "field", f.name, () => api.post(`/api/fundraising/fields/${f.id}/restore`), () => reloadFields(grid)));
  const views = section("Views",
    async () => ({ rows: (await api.get("/api/fundraising/views", { archived: true })).views.filter((v) => v.table === grid.table) }),
    [{ title: "Name", key: "name" }, { title: "Who sees it", render: (v) => (v.owner ? "Only you" : "Everyone") },
      { title: "Archived", render: (v) => formatDate(v.archived_at) }],
    (v) => restoring(grid, "view", v.name, () => api.post(`/api/fundraising/views/${v.id}/restore`), () => reloadViews(grid)));
  return h("div", { class: "stack archived-panel" }, records, fields, views);
}
