// The core's pages: the activity feed, users and invites, and the security status.
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, formatDate, say, errorText } from "/assets/ui.js";
import { changeList, summaryNode } from "/assets/changes.js";
import { sessionsTable } from "/assets/sessions.js";

function activity(container) {
  const list = h("div", { class: "stack activity-list" });
  const more = h("button", { class: "btn" }, "Older");
  const error = h("p", { class: "error", role: "alert", hidden: true });
  let cursor = null;
  let shown = 0;
  async function load() {
    try {
      const page = await api.get("/api/activity", cursor ? { limit: 50, cursor } : { limit: 50 });
      page.entries.forEach((e) => list.append(h("div", { class: "card activity-entry" },
        h("div", { class: "muted" }, formatDate(e.at), " · ", e.source.replace(/_/g, " ")),
        summaryNode(e),
        // a summary worded by its plugin names who did it; others get the name after it
        e.actor?.name && !(e.summary || "").includes(e.actor.name)
          ? h("span", { class: "muted" }, " — ", e.actor.name) : null,
        changeList(e))));
      shown += page.entries.length;
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
      if (!shown) list.append(h("p", { class: "muted" }, "Nothing has happened yet."));
    } catch (err) {
      say(error, errorText(err));
    }
  }
  more.onclick = load;
  container.append(h("h1", null, "Activity"), error, list, more);
  load();
}

function users(container, ctx) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const area = h("div");
  const invites = h("div");
  const email = h("input", { type: "email", name: "invite-email", placeholder: "name@fund.com",
                             required: true });
  const role = h("select", { name: "invite-role" }, h("option", { value: "member" }, "Member"),
                 h("option", { value: "admin" }, "Admin"));
  const link = h("p", { class: "invite-link" });
  const resetLink = h("div", { class: "reset-link", hidden: true });
  const sessions = h("div", { class: "user-sessions" });
  let sessionsOf = null; // the user whose sessions are shown

  async function load() {
    try {
      const [{ users: rows }, { invites: pending }] = await Promise.all([
        api.get("/api/admin/users"), api.get("/api/admin/invites")]);
      area.replaceChildren(table([
        { title: "Name", key: "name" }, { title: "Email", key: "email" },
        { title: "Role", render: (u) => roleSelect(u) },
        { title: "Active", render: (u) => activeBox(u) },
        { title: "Two-factor", render: (u) => h("span", { class: u.two_factor ? "badge badge-ok" : "muted" },
                                                      u.two_factor ? "on" : "off") },
        { title: "Last login", render: (u) => formatDate(u.last_login_at) },
        { title: "", render: (u) => accountButtons(u) },
      ], rows));
      invites.replaceChildren(pending.length ? table([
        { title: "Invited", key: "email" }, { title: "Role", key: "role" },
        { title: "Expires", render: (i) => formatDate(i.expires_at) }], pending)
        : h("p", { class: "muted" }, "No pending invites."));
    } catch (err) {
      say(error, errorText(err));
    }
  }

  async function change(user, body) {
    try {
      await api.patch(`/api/admin/users/${user.id}`, body);
      ctx.toast("Saved", "ok");
    } catch (err) {
      say(error, errorText(err));
    }
    load();
  }

  function roleSelect(user) {
    const select = h("select", { "aria-label": `Role of ${user.email}`,
                                 onchange: () => change(user, { role: select.value }) },
      h("option", { value: "member" }, "Member"), h("option", { value: "admin" }, "Admin"));
    select.value = user.role;
    return select;
  }

  function accountButtons(user) {
    const self = user.id === ctx.user.id;
    return h("div", { class: "row account-buttons" },
      h("button", { class: "btn btn-small", type: "button", onclick: () => makeResetLink(user) },
        "Reset link"),
      user.two_factor && !self ? h("button", { class: "btn btn-small", type: "button",
                                               onclick: () => resetTwoFactor(user) }, "Reset two-factor") : null,
      h("button", { class: "btn btn-small", type: "button", onclick: () => showSessions(user) },
        "Sessions"));
  }

  async function makeResetLink(user) {
    try {
      const made = await api.post(`/api/admin/users/${user.id}/reset-link`);
      const code = h("code", null, made.reset_url);
      const copy = h("button", { class: "btn btn-small", type: "button", onclick: async () => {
        try {
          await navigator.clipboard.writeText(made.reset_url);
          copy.textContent = "Copied";
        } catch { // no clipboard here (plain http): select the link to copy by hand
          getSelection().selectAllChildren(code);
        }
      } }, "Copy");
      resetLink.replaceChildren(h("p", null, `Hand this one-time link to ${user.name} (${user.email}) `,
        `yourself, in person or by a channel you trust; it lets them choose a new password until `,
        `${formatDate(made.expires_at)}, and any earlier link for them no longer works:`),
        h("div", { class: "row" }, code, copy));
      resetLink.hidden = false;
      say(error, "");
      resetLink.scrollIntoView({ block: "nearest" });
    } catch (err) {
      say(error, errorText(err));
    }
  }

  async function resetTwoFactor(user) {
    if (!await ctx.confirm(`Turn off two-factor for ${user.name}? They will sign in with their `
        + "password alone (and set two-factor up again if the fund requires it). Their sessions end.")) return;
    try {
      await api.del(`/api/admin/users/${user.id}/2fa`);
      ctx.toast(`Two-factor is off for ${user.name}`, "success");
      say(error, "");
      if (sessionsOf === user.id) showSessions(user); // those ended too
    } catch (err) {
      say(error, errorText(err));
    }
    load();
  }

  async function showSessions(user) {
    sessionsOf = user.id;
    try {
      const { sessions: rows } = await api.get("/api/auth/sessions", { user_id: user.id });
      const everywhere = h("button", { class: "btn btn-danger", type: "button", onclick: async () => {
        if (!await ctx.confirm(`Sign ${user.name} out on every device?`)) return;
        try {
          const { ended } = await api.del(`/api/admin/users/${user.id}/sessions`);
          ctx.toast(`${ended} ${ended === 1 ? "session" : "sessions"} of ${user.name} ended`, "success");
        } catch (err) {
          say(error, errorText(err));
        }
        showSessions(user);
      } }, "Sign out everywhere");
      everywhere.disabled = !rows.length;
      sessions.replaceChildren(h("h2", null, `Sessions of ${user.name}`),
        rows.length ? sessionsTable(rows, { signOut: async (s) => {
          try {
            await api.del(`/api/auth/sessions/${s.id}`);
          } catch (err) {
            say(error, errorText(err));
          }
          showSessions(user);
        } }) : h("p", { class: "muted" }, `${user.name} is not signed in anywhere.`),
        h("div", { class: "toolbar" }, everywhere));
      sessions.scrollIntoView({ block: "nearest" });
    } catch (err) {
      say(error, errorText(err));
    }
  }

  function activeBox(user) {
    const box = h("input", { type: "checkbox", "aria-label": `${user.email} active`,
                             checked: user.active,
                             onchange: () => change(user, { active: box.checked }) });
    return box;
  }

  const form = h("form", { class: "row toolbar", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const made = await api.post("/api/admin/invites", { email: email.value, role: role.value });
      link.replaceChildren("Send this one-time link to ", email.value, ": ",
                           h("code", null, made.invite_url));
      email.value = "";
      say(error, "");
      load();
    } catch (err) {
      say(error, errorText(err));
    }
  } }, email, role, h("button", { class: "btn btn-primary", type: "submit" }, "Invite"));
  container.append(h("h1", null, "Users"), error, area, resetLink, sessions,
                   h("h2", null, "Invite someone"), form,
                   link, h("h2", null, "Pending invites"), invites);
  load();
}

function security(container) {
  const area = h("div");
  container.append(h("h1", null, "Security"),
                   h("p", { class: "muted" }, "The go-live checklist (SECURITY.md)."), area);
  api.get("/api/admin/security").then((report) => {
    area.replaceChildren(
      h("p", { class: report.passed ? "badge" : "error" },
        report.passed ? "Every check passes" : "Some checks fail"),
      table([{ title: "Check", key: "description" },
             { title: "Result", render: (c) => h("span", { class: c.passed ? "badge" : "error" },
                                                   c.passed ? "pass" : "fail") },
             { title: "Detail", key: "detail" }], report.checks));
  }).catch((err) => area.replaceChildren(h("p", { class: "error" }, errorText(err))));
}

registerPage({ id: "activity", title: "Activity", path: "activity", order: 60, render: activity });
registerPage({ id: "users", title: "Users", path: "users", adminOnly: true, order: 90,
               render: users });
registerPage({ id: "security", title: "Security", path: "security", adminOnly: true,
               order: 95, render: security });
