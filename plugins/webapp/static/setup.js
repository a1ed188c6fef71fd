// The first-admin (/setup), accept-invite (/invite#token=...) and password reset
// (/reset#token=...) page: one form, three routes.
import { api } from "/assets/api.js";
import { errorText, h, say } from "/assets/ui.js";

const mode = { "/setup": "setup", "/reset": "reset" }[location.pathname] || "invite";
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const byId = (id) => document.getElementById(id);
const message = byId("message");

const title = byId("title");
title.textContent = title.dataset[mode];
document.title = `Venture CRM — ${title.dataset[mode].toLowerCase()}`;
if (mode !== "setup") byId("email-row").remove();
else byId("email").required = true;
if (mode === "reset") {
  byId("name-row").remove();
  byId("repeat").required = true;
  byId("submit").textContent = byId("submit").dataset.reset;
} else {
  byId("repeat-row").remove();
}

function fail(text) {
  message.className = "error";
  say(message, text);
}

if (mode === "reset" && !token) fail("This link is incomplete: ask an admin for a new reset link.");

async function reset() {
  if (byId("password").value !== byId("repeat").value) {
    fail("The two passwords differ.");
    return;
  }
  const answer = await api.post("/api/auth/reset", { token, password: byId("password").value });
  history.replaceState(null, "", location.pathname);
  byId("form").remove();
  message.className = "ok";
  message.replaceChildren(`Password changed for ${answer.email}. `,
                          h("a", { href: "/" }, "Log in"));
}

async function create() {
  const body = { token, name: byId("name").value, password: byId("password").value };
  if (mode === "setup") body.email = byId("email").value;
  const session = await api.post(mode === "setup" ? "/api/auth/setup" : "/api/auth/accept-invite", body);
  history.replaceState(null, "", location.pathname);
  message.className = "ok";
  say(message, `Account created for ${session.user.email}. You are logged in.`);
  setTimeout(() => { location.href = "/"; }, 800);
}

byId("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await (mode === "reset" ? reset() : create());
  } catch (err) {
    fail(errorText(err));
  }
});
