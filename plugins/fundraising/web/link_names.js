// Names of linked records. A small table's names load at once (GET .../names); a large one's
// are fetched for the ids the grid draws, a few hundred at a time, and pickers search it by
// what is typed: a link to 100,000 investors never loads them all.
export const ALL_AT_ONCE = 2000;
const BATCH = 500;

export class LinkNames {
  constructor(api, onNames) {
    this.api = api;
    this.onNames = onNames; // called after names arrive, to redraw the cells that wanted them
    this.maps = {}; // table -> Map(id -> name): the lookups.records of the grid
    this.partial = new Set(); // tables whose names are not all loaded
    this.wanted = new Map(); // table -> Set of ids to fetch
    this.asked = new Set(); // "table|id" already asked, found or not
    this.timer = null;
  }

  async load(table) {
    const { names, total } = await this.api.get(`/api/fundraising/${table}/names`, { limit: ALL_AT_ONCE });
    this.maps[table] = new Map(names);
    if (total > names.length) this.partial.add(table);
  }

  /** The name of a linked record, or undefined while it is fetched (then onNames runs). */
  name(table, id) {
    const map = this.maps[table];
    const known = map?.get(id);
    if (known !== undefined || !this.partial.has(table) || this.asked.has(`${table}|${id}`)) return known;
    if (!this.wanted.has(table)) this.wanted.set(table, new Set());
    this.wanted.get(table).add(id);
    this.timer ??= setTimeout(() => this.fetchWanted(), 20);
    return undefined;
  }

  pending(table, id) {
    return this.wanted.get(table)?.has(id) || false;
  }

  async fetchWanted() {
    const wanted = this.wanted;
    this.wanted = new Map();
    this.timer = null;
    await Promise.all([...wanted].flatMap(([table, ids]) => {
      const all = [...ids];
      all.forEach((id) => this.asked.add(`${table}|${id}`));
      const parts = [];
      for (let i = 0; i < all.length; i += BATCH) parts.push(all.slice(i, i + BATCH));
      return parts.map(async (part) => {
        try {
          const { names } = await this.api.get(`/api/fundraising/${table}/names`, { ids: part.join(",") });
          for (const [id, name] of names) this.maps[table].set(id, name);
        } catch {
          part.forEach((id) => this.asked.delete(`${table}|${id}`)); // asked again at the next draw
        }
      });
    }));
    this.onNames?.();
  }

  /** Records whose names contain `text`, for pickers: [{label, value}]. */
  async search(table, text) {
    const query = text.trim() ? { q: text.trim(), limit: 50 } : { limit: 50 };
    const { names } = await this.api.get(`/api/fundraising/${table}/names`, query);
    for (const [id, name] of names) this.maps[table].set(id, name);
    return names.map(([value, label]) => ({ label, value }));
  }

  /** Names typed or pasted into link cells, looked up on the server first (large tables). */
  async resolve(table, texts) {
    if (!this.partial.has(table)) return;
    const distinct = [...new Set(texts.map((t) => t.trim()).filter((t) => t && !/^#\d+$/.test(t)))];
    await Promise.all(distinct.slice(0, 200).map((t) => this.search(table, t)));
  }
}
