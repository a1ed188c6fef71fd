// The parts of the import preview to review before applying: what to do with people who
// are no user, each new field's type, and what the updates change (old -> new).
import { h, table, formatDate } from "/assets/ui.js";

export const TYPES = ["text", "long_text", "number", "currency", "percent", "date", "checkbox",
  "single_select", "multi_select", "email", "url", "phone"];
const KEEP = "keep";
const INVITE = "invite";

/** The counts of a preview or a result, every skipped row included. */
export function countItems(s) {
  const done = s.applied;
  const items = [
    ["Rows in the file", s.rows], [done ? "Created" : "To create", s.creates],
    [done ? "Updated" : "To update", s.updates], ["Unchanged", s.unchanged],
    [done ? "Archived" : "To archive", s.archived],
    [done ? "Skipped for errors" : "Rows with errors (skipped)", s.error_rows],
    ["Skipped (archived in the CRM)", s.skipped_archived],
    ["Owners kept as text", s.kept_names],
  ];
  if (s.overwrites) items.push(["Changes overwriting CRM edits", s.overwrites]);
  if (done) items.push(["Invites made", (s.invites || []).length]);
  return items;
}

export function countList(s) {
  return h("ul", { class: "import-counts" },
    ...countItems(s).map(([label, n]) => h("li", {}, `${label}: ${n}`)));
}

/** The confirm dialog's message: every count, and what will happen to unknown people. */
export function confirmMessage(s, tableName, archive) {
  const lines = [`Import into ${tableName}: create ${s.creates}, update ${s.updates}` +
    (archive ? `, archive ${s.archived}` : "") + ".",
  `Skipped: ${s.error_rows} row(s) with errors, ${s.skipped_archived} archived in the CRM ` +
    `(${s.skipped_rows} of ${s.rows} rows in all).`];
  for (const p of s.people) lines.push(personLine(p));
  if (s.overwrites) {
    lines.push(`Warning: ${s.overwrites} change(s) in ${s.overwrite_rows} record(s) overwrite ` +
      "edits made in the CRM since the last import.");
  }
  return h("div", { class: "import-confirm" }, ...lines.map((line) => h("p", {}, line)));
}

function personLine(p) {
  if (p.action === "user") {
    return `“${p.name}” (${p.rows} rows): owner ${p.user_name}` +
      (p.remembered ? " (as in the last import)." : ".");
  }
  if (p.action === INVITE) {
    return `“${p.name}” (${p.rows} rows): invite ${p.email}; the name is kept in “${p.kept_in}”.`;
  }
  return `“${p.name}” (${p.rows} rows): name kept as text in “${p.kept_in}”.`;
}

/** The mapping step for people who are no user: an existing user, invite, or keep. */
export function peopleStep(people, choices, users, admin, onChange) {
  if (!people.length) return null;
  const rows = people.map((p) => ({ ...p }));
  return h("section", { class: "import-people" },
    h("h4", {}, "People who are not users"),
    h("p", { class: "muted" }, "No row is dropped for them. Pick an existing user, invite them " +
      "as members (admins; the invite link is shown after the import), or keep the name as " +
      "text in a “… (imported)” text field, which the import creates if needed."),
    table([
      { key: "name", title: "Name in the file" },
      { key: "column", title: "Column" },
      { key: "rows", title: "Rows", render: (p) => String(p.rows) },
      { key: "choice", title: "Becomes", render: (p) => personChoice(p, choices, users, admin, onChange) },
    ], rows));
}

function personChoice(p, choices, users, admin, onChange) {
  // the server's answer says what applies when nothing was chosen (a remembered user)
  const current = choices[p.name] || { action: p.action, user_id: p.user_id, email: p.email };
  const select = h("select", { "aria-label": `What to do with ${p.name}` },
    h("option", { value: KEEP }, `Keep the name as text (${p.kept_in || "… (imported)"})`),
    admin ? h("option", { value: INVITE }, "Invite them (email)…") : null,
    ...users.map((u) => h("option", { value: `user:${u.id}` }, `${u.name} (${u.email})`)));
  select.value = current.action === "user" ? `user:${current.user_id}` : current.action;
  const email = h("input", { type: "email", placeholder: "their email",
    "aria-label": `Email to invite ${p.name}`, value: current.email || "" });
  email.hidden = select.value !== INVITE;
  const changed = () => {
    email.hidden = select.value !== INVITE;
    if (select.value.startsWith("user:")) {
      choices[p.name] = { action: "user", user_id: Number(select.value.slice(5)) };
    } else if (select.value === INVITE) {
      choices[p.name] = { action: INVITE, email: email.value.trim() };
      if (!email.value.trim()) { email.focus(); return; } // preview once there is an email
    } else choices[p.name] = { action: KEEP };
    onChange();
  };
  select.addEventListener("change", changed);
  email.addEventListener("change", changed);
  const note = p.remembered && !choices[p.name]
    ? h("span", { class: "muted" }, "as in the last import") : null;
  return h("span", { class: "row" }, select, email, note);
}

/** New fields with a type select each (the inferred type by default). */
export function newFieldStep(fields, types, onChange) {
  if (!fields.length) return h("p", { class: "muted" }, "No new fields.");
  // the text field that keeps the names of people who are no user has no column of its own
  const keepsNames = (f) => f.column !== f.name && f.name.endsWith(" (imported)");
  return table([
    { key: "column", title: "Column" },
    { key: "name", title: "New field" },
    { key: "type", title: "Type", render: (f) => {
      if (keepsNames(f)) return "text (names of people who are not users)";
      const select = h("select", { "aria-label": `Type of ${f.name}` },
        ...TYPES.map((t) => h("option", { value: t },
          t === f.inferred_type ? `${t} (inferred)` : t)));
      select.value = f.type;
      select.addEventListener("change", () => {
        if (select.value === f.inferred_type) delete types[f.column];
        else types[f.column] = select.value;
        onChange();
      });
      return select;
    } },
  ], fields);
}

/** A sample of the changes, old -> new, with the overwrite warnings; and the CSV download. */
export function changeStep(s, download) {
  const parts = [h("h4", {}, `Changes (${s.changed_fields} field(s) in ${s.updates} row(s))`)];
  if (s.overwrites) {
    parts.push(h("p", { class: "error", role: "alert" },
      `${s.overwrites} change(s) in ${s.overwrite_rows} record(s) overwrite edits made in the ` +
      "CRM since the last import (marked below)."));
  }
  if (!s.changes.length) {
    parts.push(h("p", { class: "muted" }, "No existing record changes."));
    return h("section", { class: "import-changes" }, ...parts);
  }
  parts.push(table([
    { key: "row", title: "Row", render: (c) => String(c.row) },
    { key: "record", title: "Record" },
    { key: "field", title: "Field" },
    { key: "old", title: "Old", render: (c) => c.old || "(empty)" },
    { key: "new", title: "New", render: (c) => c.new || "(empty)" },
    { key: "edited_in_crm", title: "Edited in the CRM", render: (c) => (c.edited_in_crm
      ? h("span", { class: "error" }, `⚠ ${c.edited_by}, ${formatDate(c.edited_at)}`) : "") },
  ], s.changes));
  if (s.changed_fields > s.changes.length) {
    parts.push(h("p", { class: "muted" },
      `Showing ${s.changes.length} of ${s.changed_fields} changes.`));
  }
  parts.push(h("button", { type: "button", class: "btn", onclick: download },
    "Download all changes (CSV)"));
  return h("section", { class: "import-changes" }, ...parts);
}

/** The invites an import made, each with its link to pass on. */
export function inviteList(invites) {
  if (!invites || !invites.length) return null;
  return h("section", {}, h("h4", {}, "Invites"),
    h("p", { class: "muted" }, "Send each person their link (valid for a limited time). " +
      "Their rows keep the name as text until you import again mapping them to their account."),
    table([
      { key: "name", title: "Name" },
      { key: "email", title: "Email" },
      { key: "invite_url", title: "Link", render: (i) => h("code", {}, i.invite_url) },
    ], invites));
}
