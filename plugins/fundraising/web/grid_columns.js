// Read-only columns that other plugins add to a table's grid, after its fields:
// registerGridColumn({id, table, title, width?, load(api, ids) -> Promise<Map(id -> text)>}).
// Each block of rows the grid fetches asks every column of its table for those rows' texts.
const columns = [];

export function registerGridColumn(spec) {
  columns.push(spec);
}

export function gridColumns(table) {
  return columns.filter((c) => c.table === table);
}

export const extraKey = (column) => `x_${column.id}`;

/** {record id: {column key: text}} of `ids` from every column of `table`; a column that fails
 * shows nothing (the grid still loads). */
export async function extraValues(api, table, ids) {
  const out = {};
  await Promise.all(gridColumns(table).map(async (column) => {
    try {
      const texts = await column.load(api, ids);
      for (const [id, text] of texts) (out[id] ??= {})[extraKey(column)] = text;
    } catch { /* the column stays empty for these rows */ }
  }));
  return out;
}
