"""Drafts to a contact in the user's own Gmail: created, never sent."""
import re
from email.message import EmailMessage

import falcon

from core.errors import APIError, not_found, unprocessable
from core.models import EMAIL_PATTERN
from plugins.fundraising.api import fundraising
from plugins.gmail.client import GmailError, create_draft, mailbox
from plugins.gmail.sync import settings_for


def create_contact_draft(crm, user: dict, contact_id: int, subject: str, body: str) -> dict:
    """A draft from `user`'s Workspace address to the contact's email: {draft_id, to}.
    422 naming contact_id when the contact has no one valid address; 502 when Gmail refuses."""
    contact = fundraising(crm).find("contacts", contact_id)
    if contact is None:
        raise not_found("No such contact")
    to = contact.value("email")
    if not to:
        raise unprocessable("This contact has no email address", field="contact_id")
    if not re.fullmatch(EMAIL_PATTERN, to):
        raise unprocessable("This contact's email is not one valid address; fix it on the "
                            "contact first", field="contact_id", code="bad_contact_email")
    account = crm.db.execute("SELECT address FROM gmail_accounts WHERE user_id = ?",
                             [user["id"]]).fetchone()
    address = account[0] if account and account[0] else user["email"]
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = address, to, subject
    message.set_content(body)
    try:
        draft = create_draft(mailbox(crm, settings_for(crm), address), message)
    except GmailError as exc:
        raise APIError(falcon.HTTP_502, "gmail_failed",
                       f"Gmail did not take the draft ({exc.state}); see the server log")
    return {"draft_id": draft["id"], "to": to}
