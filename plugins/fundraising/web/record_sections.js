// Sections of the record panel that plugins add (timeline, notes, drafts, tasks), each
// registered once when its module loads:
//   registerRecordSection({ id, title, order, tables: ["investors"],
//     render: async (container, { api, grid, table, id, record, user, toast, refresh }) => cleanup? })
// `tables` left out means every table; `refresh()` reloads the whole panel.
const sections = [];

export function registerRecordSection(section) {
  if (sections.some((s) => s.id === section.id)) return;
  sections.push(section);
  sections.sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
}

export function recordSections(table) {
  return sections.filter((s) => !s.tables || s.tables.includes(table));
}
