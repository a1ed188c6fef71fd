// The profile page (#/profile, from the name in the top bar): one's name, password,
// two-factor and signed-in sessions.
import { registerPage, updateUser, showEnrolment } from "/assets/app.js";
import { api } from "/assets/api.js";
import { h, say, errorText } from "/assets/ui.js";
import { codeInput, enrolment, recoveryCodes } from "/assets/twofactor.js";
import { sessionsTable } from "/assets/sessions.js";

function section(title, ...children) {
  return h("section", { class: "card profile-section" }, h("h2", null, title), ...children);
}

function messages() {
  return [h("p", { class: "error", role: "alert", hidden: true }),
          h("p", { class: "ok", role: "status", hidden: true })];
}

function nameSection(ctx) {
  const [error, ok] = messages();
  const name = h("input", { name: "name", autocomplete: "name", required: true, value: ctx.user.name });
  const form = h("form", { class: "row", onsubmit: async (event) => {
    event.preventDefault();
    say(error, "");
    try {
      const { user } = await api.patch("/api/auth/me", { name: name.value });
      updateUser({ name: user.name });
      say(ok, "Name saved.");
    } catch (err) {
      say(ok, "");
      say(error, errorText(err));
    }
  } }, h("label", null, "Your name, as teammates see it", name),
  h("button", { class: "btn btn-primary", type: "submit" }, "Save"));
  return section("Name", form, error, ok);
}

function passwordSection(ctx, onChanged) {
  const [error, ok] = messages();
  const field = (name, autocomplete) => h("input", { type: "password", name, autocomplete, required: true });
  const current = field("current_password", "current-password");
  const fresh = field("new_password", "new-password");
  const repeat = field("repeat_password", "new-password");
  fresh.minLength = 10;
  const inputs = { current_password: current, new_password: fresh, repeat_password: repeat };
  const form = h("form", { class: "stack narrow", onsubmit: async (event) => {
    event.preventDefault();
    say(ok, "");
    say(error, "");
    Object.values(inputs).forEach((i) => i.removeAttribute("aria-invalid"));
    if (fresh.value !== repeat.value) {
      repeat.setAttribute("aria-invalid", "true");
      say(error, "The two new passwords differ.");
      return;
    }
    try {
      const answer = await api.post("/api/auth/password",
                                    { current_password: current.value, new_password: fresh.value });
      form.reset();
      const n = answer.sessions_ended;
      say(ok, `Password changed. Your other sessions are signed out (${n} ended); this one stays.`);
      onChanged();
    } catch (err) {
      if (inputs[err.field]) inputs[err.field].setAttribute("aria-invalid", "true");
      say(error, errorText(err));
    }
  } },
  h("label", null, "Current password", current),
  h("label", null, "New password (at least 10 characters)", fresh),
  h("label", null, "Repeat the new password", repeat),
  h("div", null, h("button", { class: "btn btn-primary", type: "submit" }, "Change password")));
  return section("Password", form, error, ok);
}

/** A button that opens a small form asking for a code, then runs act(code). */
function withCode(title, buttonClass, act) {
  const box = h("div", { class: "stack" });
  const [error] = messages();
  const code = codeInput();
  code.setAttribute("inputmode", "text"); // a recovery code has letters
  const form = h("form", { class: "row code-form", hidden: true, onsubmit: async (event) => {
    event.preventDefault();
    say(error, "");
    try {
      await act(code.value.trim());
    } catch (err) {
      say(error, errorText(err));
      code.select();
    }
  } }, h("label", null, "Code from your app, or a recovery code", code),
  h("button", { class: `btn ${buttonClass}`, type: "submit" }, title),
  h("button", { class: "btn", type: "button", onclick: () => { form.hidden = true; open.hidden = false; } }, "Cancel"));
  const open = h("button", { class: "btn", type: "button", onclick: () => {
    form.hidden = false; open.hidden = true; code.focus();
  } }, title);
  box.append(h("div", null, open), form, error);
  return box;
}

function twoFactorSection(ctx) {
  const body = h("div", { class: "stack" });
  const [error] = messages();

  async function show() {
    try {
      const me = await api.get("/api/auth/me");
      if (me.two_factor.enrolment_required) { showEnrolment(me.user); return; }
      body.replaceChildren(me.two_factor.enabled ? onView(me.two_factor) : offView(me.two_factor));
    } catch (err) {
      say(error, errorText(err));
    }
  }

  function offView(status) {
    const start = h("button", { class: "btn btn-primary", type: "button", onclick: () => {
      view.replaceChildren(enrolment({ onDone: (codes) => view.replaceChildren(
        h("p", null, h("span", { class: "badge badge-ok" }, "On"), " Two-factor is on."),
        recoveryCodes(codes, { email: ctx.user.email }),
        h("div", null, h("button", { class: "btn", type: "button", onclick: show }, "Done"))) }));
    } }, "Set up two-factor");
    const view = h("div", { class: "stack" },
      h("p", null, h("span", { class: "badge badge-warn" }, "Off"),
        " Two-factor is off: your password alone signs you in."),
      status.required ? h("p", null, "Your fund requires two-factor for your account.") : null,
      h("p", { class: "muted" }, "With two-factor on, signing in also asks for a code from an ",
        "authenticator app on your phone."),
      h("div", null, start));
    return view;
  }

  function onView(status) {
    const codesArea = h("div");
    const left = status.recovery_codes_left;
    return h("div", { class: "stack" },
      h("p", null, h("span", { class: "badge badge-ok" }, "On"),
        " Two-factor is on: signing in asks for a code from your authenticator app."),
      h("p", { class: left < 3 ? "error" : "muted" },
        `${left} recovery ${left === 1 ? "code" : "codes"} left.`),
      withCode("New recovery codes", "btn-primary", async (code) => {
        const { recovery_codes: codes } = await api.post("/api/auth/2fa/recovery-codes", { code });
        codesArea.replaceChildren(
          h("p", { class: "muted" }, "Your earlier recovery codes no longer work."),
          recoveryCodes(codes, { email: ctx.user.email }));
      }),
      codesArea,
      withCode("Turn off two-factor", "btn-danger", async (code) => {
        await api.del("/api/auth/2fa", undefined, { code });
        ctx.toast("Two-factor is off", "success");
        show();
      }),
      status.required ? h("p", { class: "muted" }, "Your fund requires two-factor: turned off, ",
        "it must be set up again before you can go on.") : null);
  }

  show();
  return section("Two-factor", error, body);
}

function sessionsSection(ctx) {
  const [error, ok] = messages();
  const area = h("div");
  async function load() {
    try {
      const { sessions } = await api.get("/api/auth/sessions");
      area.replaceChildren(sessionsTable(sessions, { signOut: async (s) => {
        try {
          await api.del(`/api/auth/sessions/${s.id}`);
          say(ok, "That session is signed out.");
        } catch (err) {
          say(error, errorText(err));
        }
        load();
      } }));
      others.disabled = !sessions.some((s) => !s.current);
    } catch (err) {
      say(error, errorText(err));
    }
  }
  const others = h("button", { class: "btn", type: "button", onclick: async () => {
    say(error, "");
    try {
      const { ended } = await api.post("/api/auth/sessions/revoke-others");
      say(ok, `Signed out of ${ended} other ${ended === 1 ? "session" : "sessions"}.`);
    } catch (err) {
      say(error, errorText(err));
    }
    load();
  } }, "Sign out all other sessions");
  load();
  return [section("Sessions", h("p", { class: "muted" }, "Where you are signed in. Sign out any ",
                                  "device you do not recognise, then change your password."),
                  area, h("div", { class: "toolbar" }, others), error, ok), load];
}

function profile(container, ctx) {
  const [sessions, reloadSessions] = sessionsSection(ctx);
  container.append(h("h1", null, "Your profile"), h("p", { class: "muted" }, ctx.user.email),
    h("div", { class: "stack profile" }, nameSection(ctx), passwordSection(ctx, reloadSessions),
      twoFactorSection(ctx), sessions));
}

registerPage({ id: "profile", title: "Profile", path: "profile", nav: false, order: 200,
               render: profile });
