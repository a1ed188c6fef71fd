"""The test email: proves the mail path works, sent to active admins only (no open relay)."""
from html import escape

import falcon

from core.accounts import Accounts
from core.errors import APIError, unprocessable
from core.plugin_types import OutgoingEmail
from core.services import NoProvider, deliver_email


def admin_recipients(crm, wanted: list[str]) -> list[str]:
    """The active admins named; anything else is refused (this is no open relay)."""
    admins = {a["email"].casefold(): a["email"] for a in Accounts(crm).active_admins()}
    refused = [w for w in wanted if w.strip().casefold() not in admins]
    if refused:
        raise unprocessable("Test emails go only to active admins of this CRM", field="to",
                            code="recipient_not_admin")
    return [admins[w.strip().casefold()] for w in wanted]


def test_message(to: list[str], sender_name: str) -> OutgoingEmail:
    text = (f"This is a test email from Venture CRM, sent by {sender_name}.\n\n"
            "If you can read it, the CRM's outbound mail account works.")
    html = (f"<p>This is a test email from <b>Venture CRM</b>, sent by "
            f"{escape(sender_name, quote=True)}.</p><p>If you can read it, the CRM's outbound mail "
            "account works.</p>")
    return OutgoingEmail(to=to, subject="Venture CRM test email", text=text, html=html)


def send_test_email(crm, to: list[str], sender_name: str):
    """Send and return the DeliveryResult; raises APIError for the HTTP and CLI callers."""
    try:
        result = deliver_email(crm, test_message(to, sender_name))
    except NoProvider:
        raise APIError(falcon.HTTP_503, "not_configured",
                       "No mail delivery plugin is enabled") from None
    if not result.ok and result.error == "not_configured":
        raise APIError(falcon.HTTP_503, "not_configured",
                       "SMTP is not configured: run `crm smtp configure`")
    if not result.ok:
        raise APIError(falcon.HTTP_502, "send_failed",
                       "The mail server did not accept the message; the server log has details")
    return result
