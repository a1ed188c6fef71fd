"""Routes: /api/admin/gmail/accounts, /api/gmail/proposals, /api/gmail/drafts."""
import re
from email.message import EmailMessage

import falcon

from core.db import utcnow
from core.errors import APIError, not_found, unprocessable
from core.models import EMAIL_PATTERN
from core.openapi import operation
from plugins.gmail import models, proposals
from plugins.gmail.client import GmailError, create_draft, mailbox
from plugins.gmail.sync import settings_for


def accounts(db) -> list[dict]:
    rows = db.query(
        "SELECT u.id AS user_id, u.email, u.name, coalesce(a.enabled, 0) AS enabled, "
        "coalesce(a.address, u.email) AS address, a.last_sync_at, a.history_id, a.last_error, "
        "coalesce(a.messages_seen, 0) AS messages_seen FROM users u "
        "LEFT JOIN gmail_accounts a ON a.user_id = u.id WHERE u.active = 1 ORDER BY u.id")
    return [{**r, "enabled": bool(r["enabled"])} for r in rows]


def set_account(db, user_id, enabled, address, actor_id):
    user = db.execute("SELECT email FROM users WHERE id = ? AND active = 1", [user_id]).fetchone()
    if not user:
        raise not_found("No such active user")
    now = utcnow()
    db.execute(
        "INSERT INTO gmail_accounts (user_id, enabled, address, created_at, updated_at, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
        "enabled = excluded.enabled, address = excluded.address, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by, version = version + 1, "
        "history_id = CASE WHEN gmail_accounts.address IS excluded.address "
        "THEN gmail_accounts.history_id END",
        [user_id, int(enabled), address or user[0], now, now, actor_id])


class AccountsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Who is synced: each active user, their Workspace address, last sync and state",
               response=models.AccountList, admin=True)
    def on_get(self, req, resp):
        resp.media = {"accounts": accounts(self.crm.db)}


class AccountResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Turn Gmail sync on or off for a user (address defaults to their CRM email)",
               body=models.AccountPut, response=models.Account, admin=True, errors=(404,))
    def on_put(self, req, resp, user_id):
        body = req.context.body
        with self.crm.write() as db:
            set_account(db, user_id, body.enabled, body.address, req.context.user["id"])
        resp.media = next(a for a in accounts(self.crm.db) if a["user_id"] == user_id)


class ProposalsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Proposed email activity: yours (members) or everyone's (admins)",
               query=models.ProposalQuery, response=models.ProposalList)
    def on_get(self, req, resp):
        q = req.context.query
        resp.media = proposals.list_proposals(self.crm.db, req.context.user, q.status, q.limit,
                                              q.offset)


class DecisionResource:
    def __init__(self, crm, approve):
        self.crm, self.approve = crm, approve

    @operation("Approve (store as email activity) or reject a proposal", response=models.Proposal,
               errors=(404, 409))
    def on_post(self, req, resp, proposal_id):
        with self.crm.write() as db:
            resp.media = proposals.decide(db, proposal_id, req.context.user, self.approve)


class BulkApproveResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Approve many pending proposals in one transaction", body=models.BulkApprove,
               response=models.BulkResult)
    def on_post(self, req, resp):
        approved, skipped = [], []
        with self.crm.write() as db:
            for proposal_id in dict.fromkeys(req.context.body.ids):
                try:
                    proposals.decide(db, proposal_id, req.context.user, True)
                    approved.append(proposal_id)
                except APIError:
                    skipped.append(proposal_id)
        resp.media = {"approved": approved, "skipped": skipped}


class DraftsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Create a draft to a contact in your own Gmail (nothing is ever sent)",
               body=models.DraftBody, response=models.Draft, status=201, errors=(404, 502))
    def on_post(self, req, resp):
        body, user = req.context.body, req.context.user
        row = self.crm.db.execute(
            "SELECT c.email FROM fundraising_contacts c WHERE c.id = ? AND c.deleted_at IS NULL",
            [body.contact_id]).fetchone()
        if not row:
            raise not_found("No such contact")
        if not row[0]:
            raise unprocessable("This contact has no email address", field="contact_id")
        if not re.fullmatch(EMAIL_PATTERN, row[0]):
            raise unprocessable("This contact's email is not one valid address; fix it on the "
                                "contact first", field="contact_id", code="bad_contact_email")
        account = self.crm.db.execute("SELECT address FROM gmail_accounts WHERE user_id = ?",
                                      [user["id"]]).fetchone()
        address = (account[0] if account and account[0] else user["email"])
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = address, row[0], body.subject
        message.set_content(body.body)
        try:
            draft = create_draft(mailbox(self.crm, settings_for(self.crm), address), message)
        except GmailError as exc:
            raise APIError(falcon.HTTP_502, "gmail_failed",
                           f"Gmail did not take the draft ({exc.state}); see the server log")
        resp.media = {"draft_id": draft["id"], "to": row[0]}
