// Backups of the database: list, create, verify; restore preview, restore and the
// backup policy for admins.
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, formatDate, say, errorText, INLINE } from "/assets/ui.js";

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// Backups name the SQLite tables ("fundraising_investors"); people know "investors".
function tableName(name) {
  return name.replace(/^fundraising_/, "");
}

function tableCounts(tables) {
  return Object.entries(tables || {}).map(([name, n]) => `${tableName(name)} ${n}`).join(" · ");
}

function button(label, onclick, kind = "btn") {
  return h("button", { type: "button", class: kind, onclick }, label);
}

function verificationView(v) {
  return h("div", { class: "card stack" },
    h("h3", {}, `Backup ${v.id}: ${v.ok ? "verified" : "NOT OK"}`),
    h("p", { class: v.checksum_ok ? "" : "error" },
      `Checksum: ${v.checksum_ok ? "matches" : "does not match"} (${v.actual_sha256 || "file missing"})`),
    h("p", { class: v.integrity === "ok" ? "" : "error" }, `Integrity: ${v.integrity}`));
}

function changesTable(tables) {
  const rows = Object.entries(tables).map(([name, c]) => ({ ...c, name: tableName(name) }));
  return table([
    { key: "name", title: "Table" },
    { key: "added", title: "Added", render: (r) => String(r.added) },
    { key: "changed", title: "Changed", render: (r) => String(r.changed) },
    { key: "archived", title: "Archived", render: (r) => String(r.archived) },
    { key: "removed", title: "Removed", render: (r) => String(r.removed || 0) },
    { key: "unchanged", title: "Unchanged", render: (r) => String(r.unchanged) },
  ], rows);
}

function drillView(drill) {
  if (!drill) return h("p", { class: "muted" }, "No restore drill yet: one runs each day.");
  const rows = Object.entries(drill.tables).map(([name, c]) => ({ ...c, name: tableName(name) }));
  const count = (n) => (n === null || n === undefined ? "–" : String(n));
  return h("div", { class: "stack" },
    h("p", { class: drill.ok ? "" : "error" },
      `${drill.ok ? "Passed" : "FAILED"}: backup ${drill.backup_id}, ${formatDate(drill.at)}` +
      (drill.error ? ` (${drill.error})` : "")),
    table([
      { key: "name", title: "Table" },
      { key: "backup", title: "In the backup", render: (r) => count(r.backup) },
      { key: "restored", title: "Restored", render: (r) => count(r.restored) },
      { key: "live", title: "Live now", render: (r) => count(r.live) },
    ], rows));
}

function offsiteView(o) {
  if (!o.configured) {
    return h("p", { class: "muted" }, "Off-box copies are off: set CRM_BACKUPS_COPY_DIR to a " +
      "mounted disk or network share.");
  }
  return h("div", { class: "stack" },
    h("p", {}, `Every verified backup is copied to ${o.folder} (the last ${o.keep} kept).`),
    h("p", {}, o.last_ok_at ? `Last copy: ${o.last_ok_backup_id}, ${formatDate(o.last_ok_at)}`
      : "No copy yet."),
    o.last_error ? h("p", { class: "error" },
      `The last copy failed ${formatDate(o.last_error_at)}: ${o.last_error}`) : null);
}

function policyForm(policy, admin, save) {
  const enabled = h("input", { type: "checkbox", name: "enabled" });
  const time = h("input", { type: "time", name: "time", value: policy.time });
  const zone = h("input", { type: "text", name: "timezone", value: policy.timezone });
  const keep = h("input", { type: "number", name: "keep_last", min: "1", max: "1000",
    value: String(policy.keep_last) });
  enabled.checked = policy.enabled;
  for (const input of [enabled, time, zone, keep]) input.disabled = !admin;
  const form = h("form", { class: "stack" },
    h("label", { style: INLINE }, enabled, "Scheduled backups on"),
    h("label", {}, "Daily at ", time), h("label", {}, "Time zone ", zone),
    h("label", {}, "Scheduled backups kept ", keep));
  if (admin) form.append(h("div", { class: "toolbar" }, h("button", { type: "submit", class: "btn" }, "Save policy")));
  else form.append(h("p", { class: "muted" }, "Only admins change the policy."));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save({ enabled: enabled.checked, time: time.value, timezone: zone.value.trim(),
      keep_last: Number(keep.value) });
  });
  return form;
}

function render(container, ctx) {
  const admin = ctx.user.role === "admin";
  const listArea = h("div", { class: "backup-list" });
  const detailArea = h("div", { class: "backup-detail" });
  const policyArea = h("div", { class: "card backup-policy" });
  const drillArea = h("div", { class: "card stack backup-drill" });
  const message = h("p", { class: "error", role: "alert", hidden: true });

  function fail(err) {
    say(message, errorText(err));
  }

  async function loadList() {
    try {
      const { backups } = await api.get("/api/backups");
      listArea.replaceChildren(backups.length ? table([
        { key: "id", title: "Backup" },
        { key: "created_at", title: "Taken", render: (b) => formatDate(b.created_at) },
        { key: "kind", title: "Kind", render: (b) => h("span", { class: "badge" }, b.kind) },
        { key: "size", title: "Size", render: (b) => sizeText(b.size) },
        { key: "tables", title: "Rows", render: (b) => tableCounts(b.tables) },
        { key: "actions", title: "", render: actions },
      ], backups) : h("p", { class: "muted" }, "No backups yet."));
    } catch (err) {
      fail(err);
    }
  }

  function actions(b) {
    const row = h("div", { class: "row" }, button("Verify", () => verify(b.id)));
    if (admin) {
      row.append(button("Preview restore", () => previewRestore(b.id)),
        button("Restore…", () => askRestore(b.id), "btn btn-danger"),
        button("Delete", () => remove(b), "btn btn-danger"));
    }
    return row;
  }

  async function remove(b) {
    say(message, "");
    if (!(await ctx.confirm(`Delete the ${b.kind} backup ${b.id}? Its file is removed for good.`))) return;
    try {
      await api.del(`/api/backups/${encodeURIComponent(b.id)}`);
      ctx.toast(`Backup ${b.id} deleted`, "success");
      detailArea.replaceChildren();
      await loadList();
    } catch (err) {
      fail(err);
    }
  }

  async function create() {
    say(message, "");
    try {
      const made = await api.post("/api/backups", {});
      ctx.toast(`Backup ${made.id} taken`, "success");
      await Promise.all([loadList(), loadDrills()]);
    } catch (err) {
      fail(err);
    }
  }

  async function verify(id) {
    say(message, "");
    try {
      detailArea.replaceChildren(verificationView(
        await api.get(`/api/backups/${encodeURIComponent(id)}/verify`)));
    } catch (err) {
      fail(err);
    }
  }

  async function previewRestore(id) {
    say(message, "");
    try {
      const preview = await api.post("/api/backups/restore-preview", { backup_id: id });
      detailArea.replaceChildren(h("div", { class: "card stack" },
        h("h3", {}, `Restoring ${id} would change:`), changesTable(preview.tables),
        h("div", { class: "toolbar" }, button("Restore…", () => askRestore(id), "btn btn-danger"))));
    } catch (err) {
      fail(err);
    }
  }

  function askRestore(id) {
    const typed = h("input", { type: "text", name: "confirm_restore", autocomplete: "off",
      "aria-label": "Type the backup id to confirm" });
    const go = button("Restore now", () => restore(id), "btn btn-danger");
    go.disabled = true;
    typed.addEventListener("input", () => { go.disabled = typed.value.trim() !== id; });
    detailArea.replaceChildren(h("div", { class: "card stack" },
      h("h3", {}, `Restore backup ${id}`),
      h("p", {}, "Every plugin's data becomes the backup's (records, fields, views, tasks, " +
        "rules, email activity, settings): rows it lacks are archived, or removed from logs " +
        "and list memberships. Users and sessions stay. A safety backup is taken first."),
      h("label", {}, `Type ${id} to confirm: `, typed), h("div", { class: "toolbar" }, go)));
    typed.focus();
  }

  async function restore(id) {
    say(message, "");
    try {
      const done = await api.post("/api/backups/restore", { backup_id: id, confirm: true });
      detailArea.replaceChildren(h("div", { class: "card stack" },
        h("h3", {}, `Restored ${done.backup_id}`),
        h("p", {}, `Safety backup taken first: ${done.safety_backup_id}`),
        changesTable(done.tables)));
      ctx.toast("Restore finished", "success");
      await loadList();
    } catch (err) {
      fail(err);
    }
  }

  async function loadDrills() {
    try {
      const { drills, offsite } = await api.get("/api/backups/drills");
      drillArea.replaceChildren(h("h3", {}, "Restore drill"), drillView(drills[0]),
        admin ? h("div", { class: "toolbar" }, button("Run a drill now", runDrill)) : null,
        h("h3", {}, "Off-box copies"), offsiteView(offsite));
    } catch (err) {
      fail(err);
    }
  }

  async function runDrill() {
    say(message, "");
    try {
      const done = await api.post("/api/backups/drills", {});
      ctx.toast(done.ok ? "Restore drill passed" : "Restore drill FAILED", done.ok ? "success" : "error");
      await loadDrills();
    } catch (err) {
      fail(err);
    }
  }

  async function loadPolicy() {
    try {
      const policy = await api.get("/api/backups/policy");
      policyArea.replaceChildren(h("h3", {}, "Backup policy"), policyForm(policy, admin, savePolicy));
    } catch (err) {
      fail(err);
    }
  }

  async function savePolicy(changes) {
    say(message, "");
    try {
      await api.patch("/api/backups/policy", changes);
      ctx.toast("Backup policy saved", "success");
      await loadPolicy();
    } catch (err) {
      fail(err);
    }
  }

  container.replaceChildren(h("div", { class: "stack" },
    h("h2", {}, "Backups"),
    admin ? h("div", { class: "toolbar" }, button("Create backup", create, "btn btn-primary"),
      h("a", { class: "btn", href: "/api/backups/export", download: "" },
        "Download everything (JSON)")) : null,
    message, listArea, detailArea, drillArea, policyArea));
  loadList();
  loadDrills();
  loadPolicy();
}

registerPage({ id: "backups", title: "Backups", path: "backups", nav: true, adminOnly: false,
  order: 70, render });
