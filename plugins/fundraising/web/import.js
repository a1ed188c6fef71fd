// The Airtable CSV import wizard: choose a file, preview with an editable column mapping,
// map people who are no user, choose new fields' types, review the changes (old -> new),
// then import in one transaction (admins only; members can preview).
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, say, errorText, INLINE } from "/assets/ui.js";
import { loadTeammates } from "/assets/teammates.js";
import { changeStep, confirmMessage, countList, inviteList, newFieldStep, peopleStep } from "./import_review.js";

const TABLES = ["investors", "contacts", "funds", "commitments"];
const RECORD_ID_NAMES = ["record id", "airtable record id", "airtable id", "record_id"];
const AUTO = "";
const IGNORE = "__ignore__";

/** The header row of a CSV text (quotes, doubled quotes, a BOM and blank lines handled). */
function csvHeader(text) {
  const cells = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && (text[i] === "\n" || text[i] === "\r")) i++;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { cells.push(cell.trim()); cell = ""; }
    else if (c === "\n" || c === "\r") break;
    else cell += c;
  }
  cells.push(cell.trim());
  return cells.filter((name) => name !== "");
}

function checkbox(name, label) {
  const input = h("input", { type: "checkbox", name });
  return { input, label: h("label", { style: INLINE }, input, label) };
}

function errorTable(errors) {
  if (!errors || !errors.length) return h("p", { class: "muted" }, "No row errors.");
  return table([
    { key: "row", title: "Row", render: (e) => String(e.row) },
    { key: "column", title: "Column" },
    { key: "message", title: "Problem" },
  ], errors);
}

function render(container, ctx) {
  const admin = ctx.user.role === "admin";
  const state = { file: null, headers: [], fields: [], mapping: {}, summary: null, people: {},
    types: {}, users: [] };
  const fileInput = h("input", { type: "file", accept: ".csv,text/csv", name: "file" });
  const tableSelect = h("select", { name: "table" },
    ...TABLES.map((t) => h("option", { value: t }, t)));
  const keySelect = h("select", { name: "key" });
  const archive = checkbox("archive_missing", "Archive records the file lacks");
  const strict = checkbox("strict", "Strict: import nothing if any row has an error");
  const mappingArea = h("div", { class: "import-mapping" });
  const previewArea = h("div", { class: "import-preview" });
  const resultArea = h("div", { class: "import-result" });
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const previewButton = h("button", { type: "button", class: "btn" }, "Preview");
  const importButton = h("button", { type: "button", class: "btn btn-primary" }, "Import");
  previewButton.disabled = true;
  importButton.disabled = true;

  function fieldNamed(name) {
    const wanted = name.toLowerCase();
    return state.fields.find((f) => f.name.toLowerCase() === wanted);
  }

  function autoLabel(header) {
    if (RECORD_ID_NAMES.includes(header.toLowerCase())) return "Automatic: record id";
    const field = fieldNamed(header);
    return field ? `Automatic: ${field.name}` : "Automatic: new field";
  }

  function mappingBody() {
    const body = {};
    for (const [header, target] of Object.entries(state.mapping)) {
      if (target !== AUTO) body[header] = target === IGNORE ? null : target;
    }
    return body;
  }

  function peopleBody() {  // an invite without an email yet stays "keep" until one is typed
    const body = {};
    for (const [name, choice] of Object.entries(state.people)) {
      if (choice.action !== "invite" || choice.email) body[name] = choice;
    }
    return body;
  }

  function formData(confirm) {
    const form = new FormData();
    form.append("file", state.file, state.file.name);
    form.append("table", tableSelect.value);
    if (keySelect.value) form.append("key", keySelect.value);
    form.append("mapping", JSON.stringify(mappingBody()));
    form.append("people", JSON.stringify(peopleBody()));
    form.append("types", JSON.stringify(state.types));
    form.append("archive_missing", archive.input.checked ? "true" : "false");
    if (confirm) {
      form.append("strict", strict.input.checked ? "true" : "false");
      form.append("confirm", "true");
    }
    return form;
  }

  function drawKeys() {
    keySelect.replaceChildren(h("option", { value: "" }, "Default (record id, else the primary field)"),
      ...state.headers.map((name) => h("option", { value: name }, name)));
  }

  function drawMapping() {
    const created = {};
    for (const f of (state.summary && state.summary.new_fields) || []) created[f.column] = f;
    const rows = state.headers.map((header) => ({ header }));
    mappingArea.replaceChildren(h("h3", {}, "Columns"), table([
      { key: "header", title: "CSV column" },
      { key: "target", title: "Goes to", render: (row) => targetSelect(row.header) },
      { key: "result", title: "In the preview", render: (row) => {
        const f = created[row.header];
        return f ? `new ${f.type} field “${f.name}”` : "";
      } },
    ], rows));
  }

  function targetSelect(header) {
    const usable = state.fields.filter((f) => f.type !== "formula");
    const select = h("select", { "aria-label": `Field for ${header}` },
      h("option", { value: AUTO }, autoLabel(header)),
      h("option", { value: IGNORE }, "Ignore this column"),
      ...usable.map((f) => h("option", { value: f.name }, f.name)));
    select.value = state.mapping[header] || AUTO;
    select.addEventListener("change", () => {
      state.mapping[header] = select.value;
      delete state.types[header]; // a type is chosen for a new field's column only
      preview();
    });
    return select;
  }

  async function loadUsers() {
    try { // members preview with them too (a remembered mapping shows), though only admins apply
      state.users = (await loadTeammates(api)).filter((u) => u.active);
    } catch (err) {
      say(message, errorText(err));
    }
  }

  async function downloadChanges() {
    const response = await fetch("/api/fundraising/import/changes", {
      method: "POST", credentials: "same-origin", body: formData(false) });
    if (!response.ok) {
      say(message, `The change list cannot be made (${response.status})`);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: `import-changes-${tableSelect.value}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function loadFields() {
    try {
      const answer = await api.get("/api/fundraising/fields", { table: tableSelect.value });
      state.fields = answer.fields;
    } catch (err) {
      state.fields = [];
      say(message, errorText(err));
    }
  }

  async function preview() {
    if (!state.file) return;
    await usersReady;
    say(message, "");
    previewButton.disabled = true;
    try {
      const s = await api.upload("/api/fundraising/import/preview", formData(false));
      state.summary = s;
      previewArea.replaceChildren(h("h3", {}, "Preview"), countList(s),
        peopleStep(s.people, state.people, state.users, admin, preview),
        h("h4", {}, "New fields"), newFieldStep(s.new_fields, state.types, preview),
        changeStep(s, downloadChanges),
        h("h4", {}, "Row errors"), errorTable(s.errors));
      importButton.disabled = !admin;
    } catch (err) {
      state.summary = null;
      previewArea.replaceChildren();
      importButton.disabled = true;
      say(message, errorText(err));
    } finally {
      previewButton.disabled = false;
      drawMapping();
    }
  }

  async function apply() {
    const s = state.summary;
    if (!(await ctx.confirm(confirmMessage(s, tableSelect.value, archive.input.checked)))) return;
    importButton.disabled = true;
    say(message, "");
    try {
      const done = await api.upload("/api/fundraising/import", formData(true));
      resultArea.replaceChildren(h("div", { class: "card", role: "status" }, h("h3", {}, "Imported"),
        countList(done), inviteList(done.invites),
        h("h4", {}, `Skipped rows (${done.skipped_rows})`), errorTable(done.errors)));
      resultArea.scrollIntoView({ block: "start" });
      ctx.toast(`Imported: ${done.creates} created, ${done.updates} updated, ` +
        `${done.skipped_rows} skipped`, done.skipped_rows ? "info" : "success");
      await loadFields(); // the import may have added fields
      await preview(); // what importing again would do: unchanged rows now
      resultArea.scrollIntoView({ block: "start" });
    } catch (err) {
      say(message, errorText(err));
      const errors = err instanceof ApiError && err.body && err.body.error && err.body.error.errors;
      if (errors) resultArea.replaceChildren(h("h4", {}, "Row errors"), errorTable(errors));
    } finally {
      importButton.disabled = !state.summary;
    }
  }

  async function fileChosen() {
    state.file = fileInput.files[0] || null;
    state.mapping = {};
    state.people = {};
    state.types = {};
    state.summary = null;
    previewArea.replaceChildren();
    resultArea.replaceChildren();
    importButton.disabled = true;
    state.headers = state.file ? csvHeader(await state.file.text()) : [];
    drawKeys();
    previewButton.disabled = !state.file;
    if (state.file) await preview();
  }

  async function tableChosen() {
    state.mapping = {};
    state.types = {};
    resultArea.replaceChildren();
    await loadFields();
    if (state.file) await preview();
  }

  fileInput.addEventListener("change", fileChosen);
  tableSelect.addEventListener("change", tableChosen);
  keySelect.addEventListener("change", preview);
  archive.input.addEventListener("change", preview);
  previewButton.addEventListener("click", preview);
  importButton.addEventListener("click", apply);
  drawKeys();
  const usersReady = loadUsers();

  container.replaceChildren(h("div", { class: "stack" },
    h("h2", {}, "Import an Airtable CSV"),
    h("div", { class: "card stack" },
      h("label", {}, "CSV file ", fileInput),
      h("label", {}, "Table ", tableSelect),
      h("label", {}, "Match rows by ", keySelect),
      archive.label),
    message, mappingArea, previewArea,
    admin
      ? h("div", { class: "toolbar" }, strict.label, previewButton, importButton)
      : h("div", { class: "toolbar" }, previewButton,
        h("span", { class: "muted" }, "Only admins can apply an import.")),
    resultArea));
  loadFields();
}

registerPage({ id: "import", title: "Import", path: "import", nav: true, adminOnly: false,
  order: 60, render });
