// Two-factor enrolment and recovery codes, shared by the profile page and the enrolment that
// the fund's policy forces at login (app.js).
import { api } from "/assets/api.js";
import { h, say, errorText } from "/assets/ui.js";

/** An input for a 6-digit code from the app (or a recovery code where one is accepted). */
export function codeInput() {
  return h("input", { name: "code", autocomplete: "one-time-code", inputmode: "numeric",
                      required: true, spellcheck: "false" });
}

/**
 * The setup steps: asks the server for a secret, shows its QR code and the secret to type,
 * then confirms a code. onDone(recoveryCodes) runs once two-factor is on.
 */
export function enrolment({ onDone }) {
  const box = h("div", { class: "stack enrolment" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const code = codeInput();
  const confirm = h("button", { class: "btn btn-primary", type: "submit" }, "Confirm");
  box.append(h("p", { class: "muted" }, "Asking the server for a secret…"), error);

  async function begin() {
    try {
      const setup = await api.post("/api/auth/2fa/enroll");
      // An SVG shown through <img> never runs scripts, and the CSP allows data: images.
      const qr = h("img", { class: "qr-code", alt: "QR code",
                            src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}` });
      const form = h("form", { class: "row", onsubmit: submit },
        h("label", null, "Code from your app", code), confirm);
      box.replaceChildren(
        h("ol", { class: "steps" },
          h("li", null, "Open an authenticator app (Google Authenticator, 1Password, Authy, ",
            "Microsoft Authenticator…) and scan this code:", h("div", null, qr)),
          h("li", null, "Or, if you cannot scan it, type this key into the app: ",
            h("code", { class: "totp-secret" }, setup.secret)),
          h("li", null, "Type the 6-digit code the app shows, to check it works:", form)),
        error);
      code.focus();
    } catch (err) {
      say(error, errorText(err));
    }
  }

  async function submit(event) {
    event.preventDefault();
    confirm.disabled = true;
    try {
      const answer = await api.post("/api/auth/2fa/confirm", { code: code.value.trim() });
      onDone(answer.recovery_codes);
    } catch (err) {
      say(error, errorText(err));
      code.select();
    } finally {
      confirm.disabled = false;
    }
  }

  begin();
  return box;
}

/** The recovery codes, shown once: a list, a download as a text file, and what they are for. */
export function recoveryCodes(codes, { email = "" } = {}) {
  const download = () => {
    const text = [`Venture CRM recovery codes${email ? ` for ${email}` : ""}`,
                  "Each code works once, in place of a code from your app.", "", ...codes, ""];
    const url = URL.createObjectURL(new Blob([text.join("\n")], { type: "text/plain" }));
    const link = h("a", { href: url, download: "venture-crm-recovery-codes.txt" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return h("div", { class: "stack recovery-box" },
    h("h3", null, "Your recovery codes"),
    h("p", null, "If you lose your phone, each of these codes signs you in once instead of a ",
      "code from the app. Keep them somewhere safe (a password manager). ",
      h("strong", null, "They are shown only this once.")),
    h("ul", { class: "recovery-codes" }, codes.map((c) => h("li", null, h("code", null, c)))),
    h("div", { class: "row" },
      h("button", { class: "btn", type: "button", onclick: download }, "Download .txt")));
}
