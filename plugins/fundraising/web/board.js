// The Kanban board (#/board/<table>[/<view id>]): one column per choice of a single-select
// field, counts and sums per column from the server, cards moved by drag and drop or by their
// "Move to" select, each move a versioned PATCH of the record.
import { registerPage } from "/assets/app.js";
import { debounce, errorText, formatDate, h, INLINE } from "/assets/ui.js";

const TABLES = { investors: "Investors", contacts: "Contacts", funds: "Funds", commitments: "Commitments" };
const NUMERIC = new Set(["number", "currency", "percent"]);
const PAGE = 25; // cards per column per read (the server caps it at 50)
const MAX_CARD_FIELDS = 6;
const EMPTY = "\u0000"; // the "No <field>" column's key in selects (no choice is this)

/** A column's sum as the grid writes the field's values: $1,250,000, 12.5%. */
function sumText(total, field) {
  if (total === null || total === undefined || !field) return "";
  const options = field.options || {};
  if (field.type === "percent") return `${(total * 100).toLocaleString("en-US", { maximumFractionDigits: 2 })}%`;
  const digits = { maximumFractionDigits: options.precision ?? (Number.isInteger(total) ? 0 : 2) };
  const text = Math.abs(total).toLocaleString("en-US", digits);
  if (field.type !== "currency") return total < 0 ? `\u2212${text}` : text;
  return `${total < 0 ? "\u2212" : ""}${options.symbol || "$"}${text}`;
}

class BoardPage {
  constructor(container, ctx, table, viewId) {
    this.container = container;
    this.ctx = ctx;
    this.table = table;
    this.viewId = viewId;
    this.q = "";
    this.dragging = null;
    this.data = null;
    this.status = h("p", { class: "muted board-status", role: "status" });
    this.columnsBox = h("div", { class: "board-columns" });
  }

  async start() {
    const [fields, views] = await Promise.all([
      this.ctx.api.get("/api/fundraising/fields", { table: this.table }),
      this.ctx.api.get("/api/fundraising/views"),
    ]);
    this.fields = fields.fields;
    this.views = views.views.filter((v) => v.table === this.table);
    this.container.append(h("h1", null, `${TABLES[this.table]} board`), this.toolbar(), this.status, this.columnsBox);
    await this.load();
  }

  toolbar() {
    const tables = h("select", { "aria-label": "Table", onchange: (e) => this.ctx.navigate(`board/${e.target.value}`) },
      Object.entries(TABLES).map(([key, title]) => h("option", { value: key }, title)));
    tables.value = this.table;
    const boards = this.views.filter((v) => v.type === "board");
    const picker = h("select", { "aria-label": "Board view", onchange: (e) =>
      this.ctx.navigate(`board/${this.table}${e.target.value ? `/${e.target.value}` : ""}`) },
      h("option", { value: "" }, "Default board"),
      boards.map((v) => h("option", { value: String(v.id) }, v.owner === null ? v.name : `${v.name} (mine)`)));
    picker.value = this.viewId ? String(this.viewId) : "";
    const search = h("input", { type: "search", placeholder: "Search…", "aria-label": "Search the board",
      oninput: debounce((e) => { this.q = e.target.value.trim(); this.load(); }, 250) });
    const view = boards.find((v) => v.id === this.viewId);
    const user = this.ctx.user;
    const editable = view && (view.owner !== null || user.role === "admin" || view.created_by === user.id);
    return h("div", { class: "toolbar" }, tables, picker,
      h("button", { class: "btn", onclick: () => this.boardDialog() }, "New board"),
      editable && h("button", { class: "btn", onclick: () => this.boardDialog(view) }, "Edit board"),
      editable && h("button", { class: "btn", onclick: () => this.archive(view) }, "Archive board"), search);
  }

  /** Archive the board view (it comes back from the grid's Archived panel). */
  async archive(view) {
    if (!(await this.ctx.confirm(`Archive the board “${view.name}”? It can be restored from Archived in the grid.`))) return;
    try {
      await this.ctx.api.del(`/api/fundraising/views/${view.id}`);
      this.ctx.toast(`Archived board “${view.name}”`, "success");
      this.ctx.navigate(`board/${this.table}`);
    } catch (err) {
      this.ctx.toast(`Not archived: ${errorText(err)}`, "error");
    }
  }

  params(extra = {}) {
    return { view: this.viewId || undefined, q: this.q || undefined, limit: PAGE,
      ...(this.viewId ? {} : this.defaults()), ...extra };
  }

  /** The default board (no view): by the first single select, summing the first amount,
   * with the first few other fields on the cards, as a new board is offered. */
  defaults() {
    const money = this.fields.find((f) => f.type === "currency") || this.fields.find((f) => NUMERIC.has(f.type));
    const shown = this.fields.filter((f) => f.builtin !== "name" && f.type !== "single_select").slice(0, 3);
    return { sum_field: money ? String(money.id) : undefined, card_fields: shown.map((f) => f.id) };
  }

  async load() {
    const asked = (this.asked = (this.asked || 0) + 1);
    let data;
    try {
      data = await this.ctx.api.get(`/api/fundraising/${this.table}/board`, this.params());
    } catch (err) {
      if (asked !== this.asked) return;
      this.status.textContent = errorText(err);
      this.status.className = "error board-status";
      this.columnsBox.replaceChildren();
      this.container.dataset.loaded = "error";
      return;
    }
    if (asked !== this.asked) return; // a newer read (search, move) answers instead
    this.data = data;
    this.render();
  }

  render() {
    const { data } = this;
    const sum = data.sum_field ? ` · ${data.sum_field.name} ${sumText(data.sum, data.sum_field)}` : "";
    this.status.className = "muted board-status";
    this.status.textContent = `${data.total.toLocaleString("en-US")} records by ${data.group_field.name}${sum}`;
    // the "No <field>" column only when a record is in it; its Move to option stays
    const shown = data.columns.filter((c) => c.value !== null || c.count > 0);
    this.columnsBox.replaceChildren(...shown.map((column) => this.columnEl(column)));
    this.loads = (this.loads || 0) + 1;
    this.container.dataset.loaded = String(this.loads); // tests wait on this
  }

  columnEl(column) {
    const cards = h("div", { class: "board-cards" }, column.cards.map((card) => this.cardEl(card)));
    const el = h("section", { class: "board-column", "aria-label": column.title,
      dataset: { value: column.value ?? EMPTY },
      ondragover: (e) => { if (this.dragging) { e.preventDefault(); el.classList.add("board-drop"); } },
      ondragleave: () => el.classList.remove("board-drop"),
      ondrop: (e) => {
        e.preventDefault();
        el.classList.remove("board-drop");
        if (this.dragging) this.move(this.dragging, column.value, cards);
      } },
    h("header", { class: "board-column-head" },
      h("h2", null, column.title),
      h("span", { class: "badge board-count", title: "Records" }, column.count.toLocaleString("en-US")),
      this.data.sum_field && h("span", { class: "board-sum", title: `Sum of ${this.data.sum_field.name}` },
        sumText(column.sum, this.data.sum_field))),
    cards);
    if (column.cards.length < column.count) cards.after(this.moreButton(column, cards));
    return el;
  }

  moreButton(column, cards) {
    const button = h("button", { class: "btn board-more", onclick: async () => {
      button.disabled = true;
      try {
        const where = column.value === null ? { empty: true } : { column: column.value };
        const more = await this.ctx.api.get(`/api/fundraising/${this.table}/board`,
          this.params({ ...where, offset: column.cards.length }));
        const got = more.columns[0];
        column.cards.push(...got.cards);
        cards.append(...got.cards.map((card) => this.cardEl(card)));
        if (column.cards.length >= got.count || !got.cards.length) button.remove();
        else button.textContent = this.moreText(column);
      } catch (err) {
        this.ctx.toast(`Not loaded: ${errorText(err)}`, "error");
      }
      button.disabled = false;
    } }, this.moreText(column));
    return button;
  }

  moreText(column) {
    return `Show more (${(column.count - column.cards.length).toLocaleString("en-US")} left)`;
  }

  cardEl(card) {
    const open = `#/grid/${this.table}/${card.id}`;
    const move = h("select", { "aria-label": `Move ${card.name || "record"} to`, class: "board-move",
      onchange: (e) => this.move(card, e.target.value === EMPTY ? null : e.target.value, null) },
    this.data.columns.map((c) => h("option", { value: c.value ?? EMPTY }, c.title)));
    move.value = card.group ?? EMPTY;
    const values = card.values.filter((v) => v.text !== "" && !(Array.isArray(v.text) && !v.text.length));
    const el = h("article", { class: "board-card", draggable: true, dataset: { id: String(card.id) },
      ondragstart: (e) => {
        this.dragging = card;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", String(card.id));
        el.classList.add("board-dragging");
      },
      ondragend: () => { this.dragging = null; el.classList.remove("board-dragging"); },
      onclick: (e) => { if (!e.target.closest("select, label, a")) location.hash = open; } },
    h("a", { class: "board-card-name", href: open }, card.name || "(no name)"),
    values.length > 0 && h("dl", { class: "board-values" }, values.map((v) => h("div", null,
      h("dt", null, v.name), h("dd", null, Array.isArray(v.text) ? v.text.join(", ") : v.text)))),
    h("label", { class: "board-move-label", style: INLINE }, "Move to", move));
    card.el = el;
    return el;
  }

  /** Set the card's group field to `value` (null: empty) if its version is still current;
   * a 409 says who changed it, and the board is read again so the card goes back. */
  async move(card, value, cardsBox) {
    if ((card.group ?? null) === value) return;
    if (cardsBox && card.el) cardsBox.prepend(card.el); // where it was dropped, until read back
    const field = this.data.group_field.name;
    const to = this.data.columns.find((c) => c.value === value)?.title ?? value;
    try {
      await this.ctx.api.patch(`/api/fundraising/${this.table}/${card.id}`,
        { expected_version: card.version, fields: { [field]: value } });
      this.ctx.toast(`Moved “${card.name}” to ${to}`, "success");
    } catch (err) {
      const error = (err.body && err.body.error) || {};
      if (err.status === 409) {
        const who = (error.updated_by && error.updated_by.name) || "someone else";
        const when = error.updated_at ? ` (${formatDate(error.updated_at)})` : "";
        this.ctx.toast(`Not moved: “${card.name}” was changed by ${who}${when}. It is shown as it is now.`, "error");
      } else {
        this.ctx.toast(`Not moved: ${errorText(err)}`, "error");
      }
    }
    await this.load();
    // moved from the keyboard: stay on the card's Move to, where the card is now
    if (!cardsBox) this.columnsBox.querySelector(`.board-card[data-id="${card.id}"] .board-move`)?.focus();
  }

  /** The form of a new board, or of `view`'s settings (its filters and sorts are kept). */
  boardDialog(view = null) {
    const selects = this.fields.filter((f) => f.type === "single_select");
    if (!selects.length) {
      this.ctx.toast(`${TABLES[this.table]} has no single-select field to group by: add one in the grid first.`, "error");
      return;
    }
    const settings = view ? view.board : { ...this.defaults(), group_field: selects[0].id };
    const name = h("input", { name: "board-name", "aria-label": "Board name", required: true, maxLength: 200,
      value: view ? view.name : "" });
    const group = h("select", { name: "group-field", "aria-label": "Group by" },
      selects.map((f) => h("option", { value: String(f.id) }, f.name)));
    group.value = String(settings.group_field);
    const numeric = this.fields.filter((f) => NUMERIC.has(f.type) ||
      (f.type === "formula" && f.options.result_type === "number"));
    const sum = h("select", { name: "sum-field", "aria-label": "Sum of" }, h("option", { value: "" }, "No sum"),
      numeric.map((f) => h("option", { value: String(f.id) }, f.name)));
    sum.value = settings.sum_field ? String(settings.sum_field) : "";
    const candidates = this.fields.filter((f) => f.builtin !== "name");
    const shown = new Set(settings.card_fields.map(Number));
    const boxes = candidates.map((f) => h("input", { type: "checkbox", value: String(f.id),
      checked: shown.has(f.id), onchange: () => limitBoxes() }));
    const limitBoxes = () => {
      const full = boxes.filter((b) => b.checked).length >= MAX_CARD_FIELDS;
      boxes.forEach((b) => { b.disabled = full && !b.checked; });
    };
    limitBoxes();
    const grids = this.views.filter((v) => v.type !== "board" && v.filters && v.filters.conditions?.length);
    const from = h("select", { name: "filters-from", "aria-label": "Filters from" },
      h("option", { value: "" }, "All records"), grids.map((v) => h("option", { value: String(v.id) }, v.name)));
    const personal = h("input", { type: "checkbox", name: "personal", checked: this.ctx.user.role !== "admin" });
    const error = h("p", { class: "error", hidden: true });
    const close = () => overlay.remove();
    const submit = async (e) => {
      e.preventDefault();
      const board = { group_field: Number(group.value), sum_field: sum.value ? Number(sum.value) : null,
        card_fields: boxes.filter((b) => b.checked).map((b) => Number(b.value)) };
      try {
        let saved;
        if (view) {
          saved = await this.ctx.api.patch(`/api/fundraising/views/${view.id}`,
            { expected_version: view.version, name: name.value, board });
        } else {
          const source = grids.find((v) => String(v.id) === from.value);
          saved = await this.ctx.api.post("/api/fundraising/views", { table: this.table, name: name.value,
            type: "board", personal: personal.checked, board,
            ...(source ? { filters: source.filters, sorts: source.sorts || [] } : {}) });
        }
        close();
        this.ctx.toast(`Saved board “${saved.name}”`, "success");
        this.ctx.navigate(`board/${this.table}/${saved.id}`);
      } catch (err) {
        error.textContent = errorText(err);
        error.hidden = false;
      }
    };
    const title = view ? "Edit board" : "New board";
    const overlay = h("div", { class: "overlay" }, h("form", { class: "card dialog stack board-dialog",
      "aria-label": title, onsubmit: submit },
    h("h2", null, title),
    h("label", null, "Name", name),
    h("label", null, "Group by", group),
    h("fieldset", { class: "board-card-fields" }, h("legend", null, `Card fields (at most ${MAX_CARD_FIELDS})`),
      candidates.map((f, i) => h("label", { style: INLINE }, boxes[i], f.name))),
    h("label", null, "Sum of", sum),
    !view && h("label", null, "Filters from", from),
    !view && h("label", { style: INLINE }, personal, "Only me (a personal board)"),
    error,
    h("div", { class: "row" },
      h("button", { type: "button", class: "btn", onclick: close }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary" }, view ? "Save board" : "Create board"))));
    document.body.append(overlay);
    name.focus();
  }
}

registerPage({
  id: "board", title: "Board", path: "board", order: 15,
  render: async (container, ctx) => {
    const [table, view] = (ctx.params || "").split("/");
    if (!table) { ctx.navigate("board/investors"); return undefined; }
    if (!TABLES[table]) throw new Error(`No table ${table}`);
    await new BoardPage(container, ctx, table, Number(view) || null).start();
    return undefined;
  },
});
