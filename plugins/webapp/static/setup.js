// The first-admin (/setup) and accept-invite (/invite#token=...) page: one form, two routes.
import { api } from "/assets/api.js";
import { errorText, say } from "/assets/ui.js";

const setup = location.pathname === "/setup";
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const byId = (id) => document.getElementById(id);
const message = byId("message");

const title = byId("title");
title.textContent = setup ? title.dataset.setup : title.dataset.invite;
if (!setup) byId("email-row").remove();
else byId("email").required = true;

byId("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { token, name: byId("name").value, password: byId("password").value };
  if (setup) body.email = byId("email").value;
  try {
    const session = await api.post(setup ? "/api/auth/setup" : "/api/auth/accept-invite", body);
    history.replaceState(null, "", location.pathname);
    message.className = "ok";
    say(message, `Account created for ${session.user.email}. You are logged in.`);
    setTimeout(() => { location.href = "/"; }, 800);
  } catch (err) {
    message.className = "error";
    say(message, errorText(err));
  }
});
