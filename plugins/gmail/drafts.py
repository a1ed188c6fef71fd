"""Drafts to a contact in the user's own Gmail: created, never sent; those made from a record's
panel are listed on it (subject for the team, body for its writer only)."""
import re
from email.message import EmailMessage

import falcon

from core import audit
from core.db import utcnow
from core.errors import APIError, not_found, unprocessable
from core.models import EMAIL_PATTERN
from plugins.fundraising.api import fundraising
from plugins.gmail.client import GmailError, create_draft, mailbox
from plugins.gmail.sync import settings_for

RECORD_TABLES = ("investors", "contacts")  # the records a draft can be made from


def check_contact_on_record(crm, contact, record: tuple[str, int]):
    """404 when the record is missing or archived; 422 naming contact_id when the contact is
    not the record itself (a contact) or one of its contacts (an investor)."""
    table, record_id = record
    if not fundraising(crm).live_ids(table, [record_id]):
        raise not_found(f"No such {table[:-1]}")
    belongs = (contact.id == record_id if table == "contacts"
               else contact.value("investor") == record_id)
    if not belongs:
        raise unprocessable(f"This contact is not on that {table[:-1]}", field="contact_id",
                            code="contact_not_on_record")


def create_contact_draft(crm, user: dict, contact_id: int, subject: str, body: str,
                         record: tuple[str, int] | None = None, origin: str = "person") -> dict:
    """A draft from `user`'s Workspace address to the contact's email: {draft_id, to, id}.
    `record` (table, id) is where it was written; it is then listed there (id: that row).
    422 naming contact_id when the contact has no one valid address; 502 when Gmail refuses."""
    contact = fundraising(crm).find("contacts", contact_id)
    if contact is None:
        raise not_found("No such contact")
    if record is not None:
        check_contact_on_record(crm, contact, record)
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
    result = {"draft_id": draft["id"], "to": to, "id": None}
    if record is not None:
        result["id"] = _record_draft(crm, user, contact_id, record, draft["id"], to, subject,
                                     body, origin)
    return result


def _record_draft(crm, user, contact_id, record, draft_id, to, subject, body, origin) -> int:
    table, record_id = record
    row = {"table_name": table, "record_id": record_id, "contact_id": contact_id,
           "user_id": user["id"], "draft_id": draft_id, "to_address": to, "subject": subject,
           "origin": origin}
    with crm.write() as db:
        draft_row = db.execute(
            "INSERT INTO gmail_drafts (table_name, record_id, contact_id, user_id, draft_id, "
            "to_address, subject, body, origin, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [table, record_id, contact_id, user["id"], draft_id, to, subject, body, origin,
             utcnow()]).lastrowid
        # the body stays out of the audit log: only its writer may read it
        audit.record_change(db, actor_id=user["id"], plugin="gmail", table="gmail_drafts",
                            row_id=draft_row, action="create", after=row)
    return draft_row


def record_contacts(crm, table: str, record_id: int) -> list[dict]:
    """Whom a draft from this record may go to: the investor's contacts with an email, or the
    contact itself."""
    column = "id" if table == "contacts" else "investor_id"
    return [{"id": c.id, "name": c.name, "email": c.email}
            for c in fundraising(crm).contacts_with_email()
            if getattr(c, column) == record_id]


def record_drafts(crm, table: str, record_id: int, user: dict) -> list[dict]:
    """The drafts made from a record, newest first: who, when, to whom, the subject; the body
    only on the viewer's own drafts (null on the others')."""
    if not fundraising(crm).live_ids(table, [record_id]):
        raise not_found(f"No such {table[:-1]}")
    rows = crm.db.query(
        "SELECT d.*, u.name AS user_name FROM gmail_drafts d LEFT JOIN users u ON u.id = "
        "d.user_id WHERE d.deleted_at IS NULL AND d.table_name = ? AND d.record_id = ? "
        "ORDER BY d.created_at DESC, d.id DESC LIMIT 200", [table, record_id])
    names = {}
    rows = list(rows)
    if rows:
        names = fundraising(crm).names("contacts", [r["contact_id"] for r in rows],
                                       archived=False)
    return [{"id": r["id"], "user": {"id": r["user_id"], "name": r["user_name"]},
             "created_at": r["created_at"], "contact_id": r["contact_id"],
             "contact_name": names.get(r["contact_id"]), "to": r["to_address"],
             "subject": r["subject"], "origin": r["origin"],
             "body": r["body"] if r["user_id"] == user["id"] else None}
            for r in rows]
