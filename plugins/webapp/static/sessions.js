// Signed-in sessions as people read them: "Chrome on Linux", when, from where; used by the
// profile page and the admin's Users page.
import { h, table, formatDate } from "/assets/ui.js";

const BROWSERS = [ // the first match wins: Edge and Opera also say "Chrome", Chrome says "Safari"
  [/Edg(e|A|iOS)?\//, "Edge"], [/OPR\/|Opera/, "Opera"], [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"], [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"], [/curl\//i, "curl"], [/python|httpx|aiohttp/i, "A Python script"],
];
const SYSTEMS = [
  [/iPhone/, "iPhone"], [/iPad/, "iPad"], [/Android/, "Android"], [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"], [/Mac OS X|Macintosh/, "macOS"], [/Linux|X11/, "Linux"],
];

/** A user agent in plain words: "Chrome on Linux", "Safari on iPhone", "curl". */
export function deviceName(userAgent) {
  const ua = userAgent || "";
  if (!ua) return "Unknown device";
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser || (system ? `A browser on ${system}` : ua.split(/[\s/]/)[0] || "Unknown device");
}

/** A table of sessions; signOut(session) is offered on each one but the current session. */
export function sessionsTable(sessions, { signOut }) {
  return h("div", { class: "table-scroll" }, table([
    { title: "Device", render: (s) => h("span", { title: s.user_agent || "" }, deviceName(s.user_agent)) },
    { title: "IP address", render: (s) => s.ip || "" },
    { title: "Signed in", render: (s) => formatDate(s.created_at) },
    { title: "Last seen", render: (s) => formatDate(s.last_seen_at) },
    { title: "", render: (s) => s.current
      ? h("span", { class: "badge badge-ok" }, "This session")
      : h("button", { class: "btn btn-small", type: "button", onclick: () => signOut(s) }, "Sign out") },
  ], sessions));
}
