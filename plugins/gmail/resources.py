"""Routes: /api/admin/gmail/accounts, /api/gmail/proposals, /api/gmail/drafts."""
from core.errors import not_found
from core.openapi import operation
from plugins.fundraising.api import fundraising
from plugins.gmail import models, proposals, undo
from plugins.gmail.accounts import list_accounts, set_account
from plugins.gmail.timeline import last_email


class AccountsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Who is synced: each active user, their Workspace address, last sync and state",
               response=models.AccountList, admin=True)
    def on_get(self, req, resp):
        resp.media = {"accounts": list_accounts(self.crm.db)}


class AccountResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Turn Gmail sync on or off for a user (address defaults to their CRM email)",
               body=models.AccountPut, response=models.Account, admin=True, errors=(404,))
    def on_put(self, req, resp, user_id):
        body = req.context.body
        with self.crm.write() as db:
            set_account(db, user_id, body.enabled, body.address, req.context.user["id"],
                        self.crm.plugin_settings("gmail"))
        resp.media = next(a for a in list_accounts(self.crm.db) if a["user_id"] == user_id)


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
        resp.media = proposals.decide(self.crm, proposal_id, req.context.user, self.approve)


class BulkApproveResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Approve many pending proposals in one transaction", body=models.BulkApprove,
               response=models.BulkResult)
    def on_post(self, req, resp):
        resp.media = proposals.approve_many(self.crm, req.context.body.ids, req.context.user)


class UndoResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Undo an approval: the email activity is archived, Last Contact recomputed, the "
               "proposal pending again (the approver or an admin)", response=models.UndoResult,
               errors=(403, 404))
    def on_post(self, req, resp, activity_id):
        resp.media = undo.undo(self.crm, activity_id, req.context.user)


class LinkResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Move an approved email to another investor; both Last Contacts recomputed",
               body=models.LinkBody, response=models.LinkResult, errors=(403, 404))
    def on_post(self, req, resp, activity_id):
        resp.media = undo.link(self.crm, activity_id, req.context.body.investor_id,
                               req.context.user)


class LastEmailResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Who on the team sent or received the investor's latest approved email",
               errors=(404,))
    def on_get(self, req, resp, investor_id):
        if not fundraising(self.crm).live_ids("investors", [investor_id]):
            raise not_found("No such investor")
        resp.media = last_email(self.crm, investor_id)
