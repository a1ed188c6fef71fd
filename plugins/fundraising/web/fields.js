// The fields panel (admins): add and edit fields of every type, with a formula editor that
// validates as you type and points at the error.
import { debounce, h } from "/assets/ui.js";

const TYPES = ["text", "long_text", "number", "currency", "percent", "date", "checkbox",
  "single_select", "multi_select", "email", "url", "phone", "link", "user", "formula"];

function optionInputs(type, options) {
  const inputs = {};
  const parts = [];
  if (type === "single_select" || type === "multi_select") {
    inputs.choices = h("input", { "aria-label": "Choices", placeholder: "Choice A, Choice B", value: (options.choices || []).join(", ") });
    parts.push(h("label", null, "Choices (comma-separated)", inputs.choices));
  }
  if (type === "currency") {
    inputs.symbol = h("input", { "aria-label": "Symbol", value: options.symbol || "$", style: { width: "4rem" } });
    parts.push(h("label", null, "Symbol", inputs.symbol));
  }
  if (type === "number" || type === "currency" || type === "percent") {
    inputs.precision = h("input", { type: "number", min: 0, max: 8, "aria-label": "Precision", value: options.precision ?? "", style: { width: "5rem" } });
    parts.push(h("label", null, "Decimals", inputs.precision));
  }
  if (type === "formula") {
    inputs.format = h("select", { "aria-label": "Number format" },
      [["", "as its fields are"], ["number", "number"], ["currency", "currency"], ["percent", "percent"]]
        .map(([value, label]) => h("option", { value }, label)));
    inputs.format.value = options.format || "";
    inputs.symbol = h("input", { "aria-label": "Symbol", value: options.symbol || "", placeholder: "$", style: { width: "4rem" } });
    inputs.precision = h("input", { type: "number", min: 0, max: 8, "aria-label": "Precision", value: options.precision ?? "", style: { width: "5rem" } });
    parts.push(h("label", null, "Show a number result", inputs.format), h("label", null, "Symbol", inputs.symbol),
      h("label", null, "Decimals", inputs.precision));
  }
  if (type === "number" || type === "currency" || type === "percent" || type === "formula") {
    inputs.separator = h("input", { type: "checkbox", checked: options.separator !== false });
    parts.push(h("label", { class: "row" }, inputs.separator, "Thousands separator (off for years)"));
  }
  if (type === "link") {
    inputs.table = h("select", { "aria-label": "Linked table" }, ["investors", "contacts", "funds", "commitments"].map((t) => h("option", { value: t }, t)));
    inputs.table.value = options.table || "investors";
    inputs.multiple = h("input", { type: "checkbox", checked: options.multiple !== false });
    parts.push(h("label", null, "Links to", inputs.table), h("label", { class: "row" }, inputs.multiple, "Several records"));
  }
  if (type === "date") {
    inputs.include_time = h("input", { type: "checkbox", checked: !!options.include_time });
    parts.push(h("label", { class: "row" }, inputs.include_time, "Include time"));
  }
  const read = () => {
    const out = {};
    if (inputs.choices) out.choices = inputs.choices.value.split(",").map((c) => c.trim()).filter(Boolean);
    if (inputs.symbol && inputs.symbol.value) out.symbol = inputs.symbol.value;
    if (inputs.format && inputs.format.value) out.format = inputs.format.value;
    if (inputs.separator && !inputs.separator.checked) out.separator = false;
    if (inputs.precision && inputs.precision.value !== "") out.precision = Number(inputs.precision.value);
    if (inputs.table) { out.table = inputs.table.value; out.multiple = inputs.multiple.checked; }
    if (inputs.include_time) out.include_time = inputs.include_time.checked;
    return out;
  };
  return { parts, read };
}

/** A textarea that asks the server whether the formula is valid, as you type. */
export function formulaEditor(api, table, initial = "") {
  const input = h("textarea", { class: "formula-input", "aria-label": "Formula", spellcheck: false }, initial);
  const result = h("div", { class: "formula-result", "aria-live": "polite" });
  const check = debounce(async () => {
    if (!input.value.trim()) { result.replaceChildren(); return; }
    try {
      const answer = await api.post("/api/fundraising/formula/validate", { table, expression: input.value });
      if (answer.ok) result.replaceChildren(h("span", { class: "badge badge-ok" }, `✓ valid · ${answer.type}`));
      else {
        const pos = answer.error.position ?? 0;
        const line = input.value.slice(0, pos).split("\n").length;
        const lineStart = input.value.lastIndexOf("\n", pos - 1) + 1;
        const text = input.value.split("\n")[line - 1];
        result.replaceChildren(
          h("div", { class: "error" }, `${answer.error.message} (at character ${pos + 1})`),
          h("div", { class: "formula-caret" }, `${text}\n${" ".repeat(pos - lineStart)}^`));
      }
    } catch (err) {
      result.replaceChildren(h("div", { class: "error" }, err.message));
    }
  }, 250);
  input.addEventListener("input", check);
  if (initial) check();
  return { input, result, value: () => input.value };
}

function fieldForm(grid, field, done) {
  const name = h("input", { "aria-label": "Field name", value: field ? field.name : "", required: true });
  const type = h("select", { "aria-label": "Field type", disabled: !!field }, TYPES.map((t) => h("option", { value: t }, t.replace("_", " "))));
  type.value = field ? field.type : "text";
  const optionsBox = h("div", { class: "row" });
  const error = h("p", { class: "error" });
  let options = null;
  let formula = null;
  const renderOptions = () => {
    if (type.value === "formula") {
      formula = formulaEditor(grid.api, grid.table, field?.formula || "");
      options = optionInputs("formula", field ? field.options : {});
      optionsBox.replaceChildren(h("div", { class: "stack", style: { width: "100%" } }, formula.input, formula.result,
        h("div", { class: "row" }, ...options.parts)));
    } else {
      formula = null;
      options = optionInputs(type.value, field ? field.options : {});
      optionsBox.replaceChildren(...options.parts);
    }
  };
  type.addEventListener("change", renderOptions);
  renderOptions();
  return h("form", { class: "stack card", onsubmit: async (e) => {
    e.preventDefault();
    const body = { name: name.value };
    if (options && options.parts.length) body.options = options.read();
    if (formula) body.formula = formula.value();
    try {
      if (field) await grid.api.patch(`/api/fundraising/fields/${field.id}`, { ...body, expected_version: field.version });
      else await grid.api.post("/api/fundraising/fields", { ...body, table: grid.table, type: type.value });
      await done();
    } catch (err) {
      error.textContent = err.message;
    }
  } },
  h("div", { class: "row" }, h("label", null, "Name", name), h("label", null, "Type", type)),
  optionsBox, error,
  h("div", { class: "row" }, h("button", { class: "btn btn-primary", type: "submit" }, field ? "Save field" : "Add field")));
}

export function fieldsPanel(grid) {
  const box = h("div", { class: "stack" });
  const reload = async () => {
    const { fields } = await grid.api.get("/api/fundraising/fields", { table: grid.table });
    grid.fields = fields.sort((a, b) => a.position - b.position);
    grid.grid.setColumns(grid.columns());
    await grid.load();
    render();
  };
  const render = (editing) => box.replaceChildren(
    h("div", { class: "row" }, grid.fields.map((f) => h("button", {
      class: `btn btn-small${editing === f ? " active" : ""}`, title: f.type, onclick: () => render(f),
    }, f.name, h("span", { class: "muted" }, ` · ${f.type.replace("_", " ")}`)))),
    ...(editing ? [h("h2", null, `Edit “${editing.name}”`), fieldForm(grid, editing, reload),
      !editing.builtin && h("button", { class: "btn btn-danger", onclick: async () => {
        if (!(await grid.ctx.confirm(`Archive the field “${editing.name}”?`))) return;
        try { await grid.api.del(`/api/fundraising/fields/${editing.id}`); await reload(); } catch (err) { grid.ctx.toast(err.message, "error"); }
      } }, "Archive field")]
      : [h("h2", null, "Add a field"), fieldForm(grid, null, reload)]).filter(Boolean));
  render();
  return box;
}
