// The daily digest (admins): preview any day as it would be sent, the send ledger, a
// test email that proves the outbound mail path, and a test of the model server.
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, formatDate, say, errorText, INLINE } from "/assets/ui.js";
import { loadTeammates } from "/assets/teammates.js";

function yesterday() {
  const day = new Date();
  day.setDate(day.getDate() - 1);
  const pad = (n) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The test email's failure for people: 503 is "not set up", 502 "refused". */
function mailErrorText(err) {
  if (err instanceof ApiError && err.code === "not_configured") return `Mail is not set up: ${err.message}`;
  if (err instanceof ApiError && err.status === 502) return `The mail server refused the message: ${err.message}`;
  return errorText(err);
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function fallbackNote(digest) {
  if (!digest.fallback) return null;
  let text = "The model server did not answer for some summaries: they use the first sentences of each email.";
  if (!digest.summarized) {
    text = digest.model_server.available
      ? "Summaries are the first sentences of each email (summaries from the model server were turned off)."
      : "Summaries are the first sentences of each email: no model server is configured.";
  }
  return h("p", { class: "muted digest-fallback" }, text);
}

/** Which groups got the model's summary and which the extract, and why. */
function summaryLog(digest) {
  if (!digest.log || !digest.log.length) return null;
  return h("details", { class: "digest-log" },
    h("summary", null, "Summary log"),
    h("ul", null, digest.log.map((e) => h("li", { class: `digest-log-${e.source}` },
      `${e.user} / ${e.investor}: ${e.source === "model" ? "model summary" : "extract"}`,
      e.reason ? ` (${e.reason})` : "", e.note ? ` (${e.note})` : ""))));
}

/** The share of model summaries the guard replaced, over the ledger's runs. */
function rejectedRate(runs) {
  const calls = runs.reduce((n, r) => n + (r.model_calls || 0), 0);
  const rejected = runs.reduce((n, r) => n + (r.rejected || 0), 0);
  if (!calls) return "No model summaries yet: no rejection rate to show.";
  return `The guard rejected ${rejected} of ${count(calls, "model summary", "model summaries")} ` +
    `(${Math.round((100 * rejected) / calls)}%) over these runs; those use the first sentences of each email.`;
}

/** POST /api/admin/spark/check's answer for people (the advice is ours, never the server's error text). */
function checkView(result) {
  const facts = [
    ["Reachable", result.reachable ? "yes" : "no"],
    ["Model listed", result.model_listed ? "yes" : "no"],
    ["Context window", result.context_tokens
      ? `${result.context_tokens} tokens (${result.context_source === "server" ? "from the server" : `from ${result.context_source === "setting" ? "SPARK_CONTEXT_TOKENS" : "the default"}`})`
      : "unknown"],
    ["Tiny completion", result.seconds !== null ? `${result.seconds} s` : "not run"],
    ["Speed", result.tokens_per_second ? `${result.tokens_per_second} tokens/s` : "unknown"],
  ];
  return h("div", { class: "stack spark-check-result" },
    h("p", { class: result.ok ? "spark-check-ok" : "error" }, result.advice),
    h("dl", { class: "spark-check-facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])));
}

function previewView(digest) {
  // The email's own HTML, shown in a sandbox: no scripts, no access to this page.
  const frame = h("iframe", { sandbox: "", title: "Digest preview", class: "digest-frame",
    style: { width: "100%", minHeight: "28rem", border: "1px solid #ccc", background: "#fff" } });
  frame.srcdoc = digest.html;
  return h("div", { class: "card stack digest-preview" },
    h("div", null, h("strong", null, "Subject: "), h("span", { class: "digest-subject" }, digest.subject)),
    h("div", { class: "row" },
      h("span", { class: "badge" }, count(digest.people_count, "person", "people")),
      h("span", { class: "badge" }, count(digest.investor_count, "investor", "investors")),
      h("span", { class: "badge" }, count(digest.model_calls, "model call", "model calls")),
      digest.model_calls ? h("span", { class: "badge digest-rejected" },
        `${digest.rejected || 0} rejected by the guard`) : null),
    fallbackNote(digest),
    summaryLog(digest),
    frame);
}

function deliveriesText(run, names) {
  return run.deliveries.map((d) => `${names.get(d.user_id) || `User ${d.user_id}`}: ${d.status}`).join(", ");
}

function render(container, ctx) {
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const previewArea = h("div", { class: "digest-preview-area" });
  const runsArea = h("div", { class: "digest-runs" });
  const dateInput = h("input", { type: "date", name: "date", value: yesterday(), "aria-label": "Day" });
  const summarize = h("input", { type: "checkbox", name: "summarize",
    "aria-describedby": "digest-model-note" });
  summarize.checked = true;
  const modelNote = h("p", { class: "muted model-server-note", id: "digest-model-note", hidden: true });
  const schedule = h("p", { class: "muted digest-schedule" });
  const testTo = h("input", { type: "email", name: "to", placeholder: ctx.user.email,
    "aria-label": "Test email recipient (an active admin)" });
  const testResult = h("p", { class: "test-email-result" });
  const checkResult = h("div", { class: "spark-check-area" });
  const rateLine = h("p", { class: "muted digest-rejected-rate" });

  async function preview() {
    say(message, "");
    if (!dateInput.value) { say(message, "Pick a day."); return; }
    previewArea.replaceChildren(h("p", { class: "muted" }, "Building the digest…"));
    try {
      const digest = await api.get("/api/admin/digest/preview",
        { date: dateInput.value, format: "json", summarize: summarize.checked });
      previewArea.replaceChildren(previewView(digest));
    } catch (err) {
      previewArea.replaceChildren();
      say(message, errorText(err));
    }
  }

  // Without a model server the option cannot do anything: off, disabled, and why.
  async function loadSettings() {
    try {
      const settings = await api.get("/api/admin/digest/settings");
      schedule.textContent = settings.enabled
        ? `Sent each morning at ${settings.send_at} (${settings.tz}) to every active admin, covering the day before.`
        : "The daily digest is off (DIGEST_ENABLED=false): nothing is sent on schedule. A preview and a manual send still work.";
      const server = settings.model_server;
      summarize.disabled = !server.available;
      if (!server.available) summarize.checked = false;
      modelNote.hidden = server.available;
      const why = server.detail.charAt(0).toUpperCase() + server.detail.slice(1);
      modelNote.textContent = server.available ? "" : `${why}. Until then, digests use the first sentences of each email.`;
    } catch (err) {
      say(message, errorText(err));
    }
  }

  async function loadRuns() {
    try {
      const [{ runs }, users] = await Promise.all([api.get("/api/admin/digest/runs"), loadTeammates(api)]);
      const names = new Map(users.map((u) => [u.id, u.name]));
      rateLine.textContent = rejectedRate(runs);
      runsArea.replaceChildren(h("h3", null, "Sent digests"), runs.length ? table([
        { key: "day", title: "Day" },
        { key: "status", title: "Status", render: (r) => h("span", { class: "badge" }, r.status) },
        { key: "attempts", title: "Attempts", render: (r) => String(r.attempts) },
        { key: "people", title: "People", render: (r) => String(r.people) },
        { key: "investors", title: "Investors", render: (r) => String(r.investors) },
        { key: "model_calls", title: "Model calls", render: (r) => String(r.model_calls) },
        { key: "rejected", title: "Rejected by guard", render: (r) => (r.model_calls ? `${Math.round((100 * (r.rejected || 0)) / r.model_calls)}%` : "") },
        { key: "log", title: "Summaries", render: (r) => summaryLog(r) || "" },
        { key: "sent_at", title: "Sent", render: (r) => (r.sent_at ? formatDate(r.sent_at) : "") },
        { key: "deliveries", title: "Deliveries", render: (r) => deliveriesText(r, names) },
        { key: "last_error", title: "Last error", render: (r) => (r.last_error ? h("span", { class: "error" }, r.last_error) : "") },
      ], runs) : h("p", { class: "muted" }, "No digest sent yet."));
    } catch (err) {
      say(message, errorText(err));
    }
  }

  async function sendTest() {
    testResult.className = "test-email-result";
    testResult.textContent = "Sending…";
    const to = testTo.value.trim();
    try {
      const sent = await api.post("/api/admin/smtp/test-email", to ? { to } : {});
      testResult.textContent = `Test email sent to ${sent.to.join(", ")}.`;
      ctx.toast("Test email sent", "success");
    } catch (err) {
      testResult.className = "test-email-result error";
      testResult.textContent = mailErrorText(err);
    }
  }

  async function checkModel(event) {
    const button = event.currentTarget;
    button.disabled = true;
    checkResult.replaceChildren(h("p", { class: "muted" }, "Asking the model server for a tiny completion…"));
    try {
      checkResult.replaceChildren(checkView(await api.post("/api/admin/spark/check", {})));
    } catch (err) {
      checkResult.replaceChildren(h("p", { class: "error" }, errorText(err)));
    } finally {
      button.disabled = false;
    }
  }

  container.replaceChildren(h("div", { class: "stack" },
    h("h2", null, "Daily digest"),
    schedule,
    h("div", { class: "toolbar" }, dateInput,
      h("label", { style: INLINE }, summarize, "Summaries from the model server"),
      h("button", { type: "button", class: "btn btn-primary", onclick: preview }, "Preview")),
    modelNote, message, previewArea,
    h("div", { class: "card stack" }, h("h3", null, "Test email"),
      h("p", { class: "muted" }, "Sends a short test message to an active admin (you by default)."),
      h("div", { class: "row" }, testTo,
        h("button", { type: "button", class: "btn", onclick: sendTest }, "Send test email")),
      testResult),
    h("div", { class: "card stack" }, h("h3", null, "Model server"),
      h("p", { class: "muted" }, "Checks the fund's own model server: reachable, the model listed, its context window, and the time of a tiny completion."),
      h("div", { class: "row" },
        h("button", { type: "button", class: "btn spark-check", onclick: checkModel }, "Test the model server")),
      checkResult, rateLine),
    runsArea));
  loadSettings();
  loadRuns();
}

registerPage({ id: "digest", title: "Digest", path: "digest", nav: true, adminOnly: true,
  order: 80, render });
