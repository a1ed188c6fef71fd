// The admins' warning while links the CRM hands out (invites, password resets) would not open
// from the team's browsers: no public URL set, or one other than the address in use here.
import { h } from "/assets/ui.js";

function origin(url) {
  try { return new URL(url).origin; } catch { return null; }
}

/** The banner's text for GET /api/admin/public-url's answer, or null when all is well. */
export function publicUrlWarning(status, here = location.origin) {
  if (!status.public_url) {
    return `No public URL is set, so invite and reset links start with ${status.links_base}, ` +
      "the address you opened the CRM at. Set CRM_PUBLIC_URL to the address your team " +
      "opens (StartOS: the \"Set Public URL\" action) so links work for everyone.";
  }
  if (origin(status.public_url) !== here) {
    return `Invite and reset links start with ${status.public_url}, but you opened the CRM at ` +
      `${here}. If teammates cannot open that address, set CRM_PUBLIC_URL to one they can ` +
      "(StartOS: the \"Set Public URL\" action).";
  }
  return null;
}

/** Fill `slot` with the banner when the public URL needs attention (admins only). */
export async function showPublicUrlBanner(api, slot) {
  try {
    const text = publicUrlWarning(await api.get("/api/admin/public-url"));
    slot.replaceChildren(...(text ? [h("div", { class: "banner banner-warn", role: "status" },
      h("strong", null, "Links: "), text)] : []));
  } catch { /* the banner is a hint; a failure to fetch it shows nothing */ }
}
