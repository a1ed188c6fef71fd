// Every record has its own URL, #/grid/<table>/<id>: opening a record changes the URL and the
// router then shows it (GridPage.showRecord), so a reload or a teammate's tab shows it too;
// closing the panel names the table again.
import { h } from "/assets/ui.js";

export function recordLink(table, id) {
  return `${location.origin}${location.pathname}#/grid/${table}/${id}`;
}

/** Open a record by its URL; the router then calls grid.showRecord. */
export function openRecordUrl(grid, id) {
  if (String(id) === grid.recordParam) grid.showRecord(grid.recordParam);
  else grid.ctx.navigate(`grid/${grid.table}/${id}`);
}

/** The record panel was closed by hand: the URL names the table again. */
export function closeRecordUrl(grid) {
  if (grid.recordParam) grid.ctx.navigate(`grid/${grid.table}`);
}

export async function copyRecordLink(grid, id) {
  const link = recordLink(grid.table, id);
  try {
    await navigator.clipboard.writeText(link);
    grid.ctx.toast("Link copied", "success");
  } catch { // no clipboard access here: show the link selected, to copy by hand
    const input = h("input", { readOnly: true, value: link, "aria-label": "Link to the record" });
    const close = () => overlay.remove();
    const overlay = h("div", { class: "overlay", onclick: (e) => { if (e.target === overlay) close(); } },
      h("div", { class: "card dialog stack", role: "dialog", "aria-modal": "true" },
        h("p", null, "Copy this link to the record:"), input,
        h("div", { class: "row" }, h("button", { class: "btn btn-primary", onclick: close }, "Done"))));
    document.body.append(overlay);
    input.select();
  }
}
