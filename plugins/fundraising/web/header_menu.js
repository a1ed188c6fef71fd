// A grid column header's menu: pin or hide the column, sort by it.
import { asText } from "./columns.js";

export function headerMenu(page, field) {
  const pinned = page.config.pinned.includes(field.id);
  const menu = [];
  if (field.builtin !== "name") {
    menu.push({ label: asText(pinned ? "Unpin column" : "Pin column"), action: () => {
      page.config.pinned = pinned ? page.config.pinned.filter((id) => id !== field.id)
        : [...page.config.pinned, field.id];
      page.layoutChanged(true);
    } });
    menu.push({ label: asText("Hide column"), action: () => {
      page.config.hidden = [...page.config.hidden, field.id];
      page.layoutChanged(true);
    } });
  }
  menu.push({ label: asText("Sort ascending"), action: () => page.applyConfig({ sorts: [{ field: field.id, direction: "asc" }] }) });
  menu.push({ label: asText("Sort descending"), action: () => page.applyConfig({ sorts: [{ field: field.id, direction: "desc" }] }) });
  if (page.config.sorts.some((s) => s.field === field.id)) {
    menu.push({ label: asText("Remove sort"), action: () => page.applyConfig({ sorts: page.config.sorts.filter((s) => s.field !== field.id) }) });
  }
  return menu;
}
