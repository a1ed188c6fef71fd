// The investors grid's "Last emailed by" column: who on the team last emailed each investor,
// and when (GET /api/gmail/last-emailed, for the rows the grid fetches).
import { formatDate } from "/assets/ui.js";
import { registerGridColumn } from "/assets/plugins/fundraising/grid_columns.js";

registerGridColumn({
  id: "last_emailed_by", table: "investors", title: "Last emailed by", width: 220,
  load: async (api, ids) => {
    const texts = new Map();
    for (let i = 0; i < ids.length; i += 500) {
      const { investors } = await api.get("/api/gmail/last-emailed", { ids: ids.slice(i, i + 500).join(",") });
      for (const { investor_id: id, last_email: last } of investors) {
        if (last) texts.set(id, `${last.user_name || "Someone"} · ${formatDate(last.at)}`);
      }
    }
    return texts;
  },
});
