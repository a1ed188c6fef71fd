// Email proposals from Gmail sync: approve or reject each (or many at once) before they are
// stored as email activity. Admins also turn sync on or off per user.
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, formatDate, say, errorText, INLINE } from "/assets/ui.js";

const STATUSES = [["pending", "Pending"], ["approved", "Approved"], ["rejected", "Rejected"], ["all", "All"]];

function fromTo(p) {
  return h("div", null, h("div", null, `From: ${p.from_address || "?"}`),
    h("div", { class: "muted" }, `To: ${p.to_addresses.join(", ")}`));
}

function accountsSection(ctx, fail) {
  const area = h("div", { class: "card gmail-accounts" });

  function row(account) {
    const enabled = h("input", { type: "checkbox", "aria-label": `Sync for ${account.email}` });
    enabled.checked = account.enabled;
    const address = h("input", { type: "email", value: account.address || "", placeholder: account.email,
      "aria-label": `Workspace address of ${account.email}` });
    async function save() {
      try {
        await api.put(`/api/admin/gmail/accounts/${account.user_id}`,
          { enabled: enabled.checked, address: address.value.trim() || null });
        ctx.toast(`Gmail sync ${enabled.checked ? "on" : "off"} for ${account.name}`, "success");
      } catch (err) {
        fail(err);
      }
      await load();
    }
    enabled.addEventListener("change", save);
    return { ...account, enabledBox: h("label", { style: INLINE }, enabled, enabled.checked ? "on" : "off"),
      addressInput: h("span", { class: "row" }, address,
        h("button", { type: "button", class: "btn", onclick: save }, "Save")) };
  }

  async function load() {
    try {
      const { accounts } = await api.get("/api/admin/gmail/accounts");
      area.replaceChildren(h("h3", null, "Gmail accounts"), table([
        { key: "name", title: "User", render: (a) => `${a.name} (${a.email})` },
        { key: "enabledBox", title: "Sync" },
        { key: "addressInput", title: "Workspace address" },
        { key: "last_sync_at", title: "Last sync", render: (a) => (a.last_sync_at ? formatDate(a.last_sync_at) : "never") },
        { key: "messages_seen", title: "Messages seen", render: (a) => String(a.messages_seen) },
        { key: "last_error", title: "Last error", render: (a) => (a.last_error ? h("span", { class: "error" }, a.last_error) : "") },
      ], accounts.map(row)));
    } catch (err) {
      fail(err);
    }
  }
  load();
  return area;
}

function render(container, ctx) {
  const admin = ctx.user.role === "admin";
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const listArea = h("div", { class: "proposal-list" });
  const status = h("select", { name: "status", "aria-label": "Status" },
    STATUSES.map(([value, label]) => h("option", { value }, label)));
  const bulkButton = h("button", { type: "button", class: "btn btn-primary" }, "Approve selected");
  const selected = new Set();
  const investorNames = new Map();

  function fail(err) {
    say(message, errorText(err));
  }

  function investorName(id) {
    if (!investorNames.has(id)) {
      investorNames.set(id, api.get(`/api/fundraising/investors/${id}`)
        .then((record) => record.name, () => `Investor #${id}`));
    }
    return investorNames.get(id);
  }

  function updateBulk() {
    bulkButton.disabled = selected.size === 0;
    bulkButton.textContent = selected.size ? `Approve selected (${selected.size})` : "Approve selected";
  }

  function pick(p) {
    if (p.status !== "pending") return "";
    const box = h("input", { type: "checkbox", "aria-label": `Select ${p.subject || "proposal " + p.id}` });
    box.checked = selected.has(p.id);
    box.addEventListener("change", () => {
      if (box.checked) selected.add(p.id);
      else selected.delete(p.id);
      updateBulk();
    });
    return box;
  }

  async function decide(p, approve) {
    say(message, "");
    try {
      await api.post(`/api/gmail/proposals/${p.id}/${approve ? "approve" : "reject"}`, {});
      ctx.toast(`${approve ? "Approved" : "Rejected"}: ${p.subject || "(no subject)"}`, "success");
    } catch (err) {
      fail(err);
    }
    await load();
  }

  function actions(p) {
    if (p.status !== "pending") return h("span", { class: "badge" }, p.status);
    return h("div", { class: "row" },
      h("button", { type: "button", class: "btn btn-primary", onclick: () => decide(p, true) }, "Approve"),
      h("button", { type: "button", class: "btn btn-danger", onclick: () => decide(p, false) }, "Reject"));
  }

  async function approveSelected() {
    if (!selected.size) return;
    say(message, "");
    try {
      const result = await api.post("/api/gmail/proposals/approve", { ids: [...selected] });
      ctx.toast(`Approved ${result.approved.length}` +
        (result.skipped.length ? `, skipped ${result.skipped.length}` : ""), "success");
    } catch (err) {
      fail(err);
    }
    await load();
  }

  async function load() {
    selected.clear();
    updateBulk();
    try {
      const { proposals, total } = await api.get("/api/gmail/proposals", { status: status.value, limit: 500 });
      const names = await Promise.all(proposals.map((p) => (p.investor_id ? investorName(p.investor_id) : "")));
      const rows = proposals.map((p, i) => ({ ...p, investor: names[i] }));
      listArea.replaceChildren(h("p", { class: "muted" }, `${total} proposal(s)`), rows.length ? table([
        { key: "pick", title: "", render: pick },
        { key: "sent_at", title: "Sent", render: (p) => formatDate(p.sent_at) },
        { key: "from", title: "From / to", render: fromTo },
        { key: "subject", title: "Subject", render: (p) => p.subject || "(no subject)" },
        { key: "excerpt", title: "Excerpt", render: (p) => p.excerpt || "" },
        { key: "investor", title: "Investor" },
        { key: "actions", title: "", render: actions },
      ], rows) : h("p", { class: "muted" }, "Nothing to review."));
    } catch (err) {
      fail(err);
    }
  }

  status.addEventListener("change", load);
  bulkButton.addEventListener("click", approveSelected);
  container.replaceChildren(h("div", { class: "stack" },
    h("h2", null, "Email proposals"),
    h("p", { class: "muted" }, "Mail with investor contacts waits here until someone approves it as activity."),
    h("div", { class: "toolbar" }, status, bulkButton),
    message, listArea,
    admin ? accountsSection(ctx, fail) : null));
  load();
}

registerPage({ id: "proposals", title: "Email proposals", path: "proposals", nav: true,
  adminOnly: false, order: 50, render });
