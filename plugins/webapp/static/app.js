// The shell: login, a left nav of the registered pages, and hash routing (#/<path>).
import { api, ApiError, setUnauthorizedHandler } from "/assets/api.js";
import { h, errorText } from "/assets/ui.js";
import { showPublicUrlBanner } from "/assets/banner.js";
import { codeInput, enrolment, recoveryCodes } from "/assets/twofactor.js";

const pages = [];
const state = { user: null, cleanup: null, current: null, enrolling: false };

/**
 * Add a page; render(container, ctx) fills the container and may return a cleanup function.
 * ctx.params is the rest of the route after the page's path; a page that calls
 * ctx.watchParams(fn) gets fn(params) when only that rest changes, instead of a new render.
 */
export function registerPage({ id, title, path, nav = true, adminOnly = false, order = 100, render, badge = null }) {
  if (pages.some((p) => p.id === id)) throw new Error(`page ${id} is registered twice`);
  pages.push({ id, title, path: path.replace(/^\/+/, ""), nav, adminOnly, order, render, badge });
  pages.sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

export function confirmDialog(message, { ok = "OK", cancel = "Cancel" } = {}) {
  return new Promise((resolve) => {
    const close = (answer) => { overlay.remove(); resolve(answer); };
    const overlay = h("div", { class: "overlay" },
      h("div", { class: "card dialog", role: "dialog", "aria-modal": "true" },
        h("p", null, message),
        h("div", { class: "row" },
          h("button", { class: "btn", onclick: () => close(false) }, cancel),
          h("button", { class: "btn btn-primary", onclick: () => close(true) }, ok))));
    document.body.append(overlay);
    overlay.querySelector(".btn-primary").focus();
  });
}

export function navigate(path) {
  const target = `#/${path.replace(/^[#/]+/, "")}`;
  if (location.hash === target) route();
  else location.hash = target;
}

function context() {
  return { api, user: state.user, navigate, toast, confirm: (m) => confirmDialog(m) };
}

function visiblePages() {
  return pages.filter((p) => !p.adminOnly || state.user.role === "admin");
}

function findPage(path) {
  // The longest registered path that is the route or a prefix of it ("grid/investors/12").
  const matches = pages.filter((p) => path === p.path || path.startsWith(`${p.path}/`));
  return matches.sort((a, b) => b.path.length - a.path.length)[0];
}

function renderShell() {
  const app = document.getElementById("app");
  const navLinks = visiblePages().filter((p) => p.nav).map((p) =>
    h("a", { href: `#/${p.path}`, dataset: { path: p.path } }, p.title,
      p.badge ? h("span", { class: "nav-badge", dataset: { badge: p.id }, hidden: true }) : null));
  const shell = h("div", { class: "shell" },
    h("header", { class: "topbar" },
      h("button", { class: "btn nav-toggle", "aria-label": "Menu",
        onclick: () => document.body.classList.toggle("nav-open") }, "☰"),
      h("span", { class: "brand" }, "Venture CRM"),
      h("span", { class: "spacer" }),
      h("a", { class: "user-name", href: "#/profile", title: `${state.user.email}: your profile` },
        state.user.name),
      h("button", { class: "btn", onclick: logout }, "Log out")),
    h("div", { id: "banners", class: "banners" }),
    h("nav", { class: "sidenav", onclick: () => document.body.classList.remove("nav-open") }, navLinks),
    h("main", { id: "main" }));
  app.replaceChildren(shell);
  if (state.user.role === "admin") showPublicUrlBanner(api, document.getElementById("banners"));
}

/** A page that watches its params is told when only they change (#/grid/investors/12 to
 * #/grid/investors), instead of being rendered again. */
function paramsChanged(page, path) {
  const current = state.current;
  if (!page || !current || current.page !== page || !current.watch) return false;
  const params = path.slice(page.path.length + 1);
  if (params !== current.params) {
    current.params = params;
    current.watch(params);
  }
  return true;
}

/** Refresh the sidebar count of each page that registered `badge: async (api) => number`. */
export async function refreshBadges() {
  for (const page of visiblePages().filter((p) => p.nav && p.badge)) {
    const el = document.querySelector(`.nav-badge[data-badge="${page.id}"]`);
    if (!el) continue;
    try {
      const count = await page.badge(api);
      el.textContent = String(count);
      el.hidden = !count;
    } catch (err) { console.error(err); }
  }
}

async function route() {
  if (!state.user) return;
  refreshBadges();
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  const page = findPage(path);
  if (paramsChanged(page, path)) return;
  state.current = null;
  if (state.cleanup) { try { state.cleanup(); } catch (e) { console.error(e); } state.cleanup = null; }
  const main = document.getElementById("main");
  const first = visiblePages().find((p) => p.nav);
  if (!path && first) { location.replace(`#/${first.path}`); return; }
  for (const link of document.querySelectorAll(".sidenav a")) {
    link.classList.toggle("active", path === link.dataset.path || path.startsWith(`${link.dataset.path}/`));
  }
  main.replaceChildren();
  if (!page) { main.append(h("div", { class: "page" }, h("h1", null, "Not found"), h("p", { class: "muted" }, `No page at #/${path}`))); return; }
  if (page.adminOnly && state.user.role !== "admin") {
    main.append(h("div", { class: "page" }, h("h1", null, page.title), h("p", { class: "error" }, "You are not allowed to see this page: it is for admins.")));
    return;
  }
  document.title = `${page.title} · Venture CRM`;
  const container = h("div", { class: "page", dataset: { page: page.id } });
  main.append(container);
  const current = { page, params: path.slice(page.path.length + 1), watch: null };
  state.current = current;
  const watchParams = (fn) => { current.watch = fn; };
  try {
    const cleanup = await page.render(container, { ...context(), params: current.params, watchParams });
    if (typeof cleanup === "function") state.cleanup = cleanup;
  } catch (err) {
    console.error(err);
    current.watch = null; // a failed page is rendered again on the next route
    container.append(h("p", { class: "error" }, `This page failed: ${err.message}`));
  }
}

/** The signed-in user's name changed (the profile page): the top bar follows. */
export function updateUser(fields) {
  Object.assign(state.user, fields);
  const name = document.querySelector(".topbar .user-name");
  if (name) name.textContent = state.user.name;
}

function leaveApp() {
  state.user = null;
  state.enrolling = false;
  state.current = null;
  if (state.cleanup) { try { state.cleanup(); } catch (e) { console.error(e); } state.cleanup = null; }
}

function showLogin(message, knownEmail = "") {
  leaveApp();
  const error = h("p", { class: "error", role: "alert" }, message || "");
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true,
                             value: knownEmail });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "card login", onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const session = await api.post("/api/auth/login", { email: email.value, password: password.value });
      if (session.two_factor_required) showCodeStep(session.challenge, email.value);
      else signedIn(session.user, session.two_factor_enrolment_required);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
    }
  } },
  h("h1", null, "Venture CRM"),
  h("label", null, "Email", email),
  h("label", null, "Password", password),
  h("button", { class: "btn btn-primary", type: "submit" }, "Log in"),
  error);
  document.getElementById("app").replaceChildren(h("div", { class: "login-wrap" }, form));
  (knownEmail ? password : email).focus();
}

/** The second login step: a code from the authenticator app, or a recovery code. */
function showCodeStep(challenge, email) {
  const error = h("p", { class: "error", role: "alert" });
  const code = codeInput();
  const label = h("span", null, "Code from your authenticator app");
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Verify");
  const useRecovery = h("button", { class: "link-button", type: "button", onclick: () => {
    code.setAttribute("inputmode", "text"); // recovery codes have letters
    label.textContent = "Recovery code";
    useRecovery.hidden = true;
    code.focus();
  } }, "Use a recovery code instead");
  const form = h("form", { class: "card login", onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const session = await api.post("/api/auth/login/2fa", { challenge, code: code.value.trim() });
      signedIn(session.user, session.two_factor_enrolment_required);
    } catch (err) {
      if (err.status === 410) { showLogin(err.message, email); return; } // again from the password
      error.textContent = errorText(err);
      code.select();
    } finally {
      submit.disabled = false;
    }
  } },
  h("h1", null, "Two-factor check"),
  h("p", { class: "muted" }, `Signing in as ${email}. Open your authenticator app and type the `,
    "6-digit code it shows for Venture CRM."),
  h("label", null, label, code),
  submit, useRecovery,
  h("button", { class: "link-button", type: "button", onclick: () => showLogin("", email) },
    "Back to the password"),
  error);
  document.getElementById("app").replaceChildren(h("div", { class: "login-wrap" }, form));
  code.focus();
}

/**
 * The fund requires two-factor and this user has none yet: only the enrolment is shown (the
 * server refuses everything else meanwhile), then the recovery codes, then the app.
 */
export function showEnrolment(user) {
  leaveApp();
  state.enrolling = true;
  const body = h("div", { class: "page enrol-page" });
  const done = (codes) => body.replaceChildren(
    h("h1", null, "Two-factor is on"),
    recoveryCodes(codes, { email: user.email }),
    h("button", { class: "btn btn-primary", type: "button", onclick: () => start(user) },
      "I have saved my codes: continue"));
  body.append(
    h("h1", null, "Set up two-factor"),
    h("p", null, "Your fund requires two-factor for your account: besides your password, you ",
      "will sign in with a code from an app on your phone. Set it up now to continue."),
    enrolment({ onDone: done }));
  document.getElementById("app").replaceChildren(h("div", { class: "shell shell-bare" },
    h("header", { class: "topbar" },
      h("span", { class: "brand" }, "Venture CRM"),
      h("span", { class: "spacer" }),
      h("span", { class: "user-name", title: user.email }, user.name),
      h("button", { class: "btn", onclick: logout }, "Log out")),
    h("main", { id: "main" }, body)));
}

function signedIn(user, enrolmentRequired) {
  if (enrolmentRequired) showEnrolment(user);
  else start(user);
}

async function logout() {
  try { await api.post("/api/auth/logout"); } catch { /* the session is gone either way */ }
  showLogin("You are logged out.");
}

function start(user) {
  state.enrolling = false;
  state.user = user;
  renderShell();
  route();
}

async function boot() {
  setUnauthorizedHandler(() => {
    if (state.user || state.enrolling) showLogin("Your session ended; log in again.");
  });
  await import("/assets/pages.js");
  window.addEventListener("hashchange", route);
  try {
    const me = await api.get("/api/auth/me");
    signedIn(me.user, me.two_factor?.enrolment_required);
  } catch (err) {
    showLogin(err.status === 401 ? "" : `The server cannot be reached: ${err.message}`);
  }
}

boot();
