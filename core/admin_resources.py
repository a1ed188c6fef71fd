"""Routes under /api/admin: users, invites and the security status page."""
from core import models
from core.accounts import admin_view
from core.links import app_link, public_url_status
from core.openapi import operation
from core.security import security_report


def invite_url(crm, token, req=None):
    return app_link(crm, f"/invite#token={token}", req)


class InvitesResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("Invite a person by email", body=models.InviteBody, response=models.Invite,
               status=201, admin=True, errors=(409,))
    def on_post(self, req, resp):
        body = req.context.body
        token, expires_at = self.accounts.create_invite(body.email, body.role,
                                                        req.context.user["id"])
        resp.media = {"invite_token": token, "invite_url": invite_url(self.crm, token, req),
                      "expires_at": expires_at}

    @operation("Pending invites", response=models.PendingInvites, admin=True)
    def on_get(self, req, resp):
        invites = [i for i in self.accounts.pending_invites() if i["purpose"] == "invite"]
        resp.media = {"invites": [
            {k: i[k] for k in ("id", "email", "role", "created_at", "expires_at")}
            for i in invites]}


class UsersResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("All users", response=models.Users, admin=True)
    def on_get(self, req, resp):
        resp.media = {"users": [admin_view(u) for u in self.accounts.list_users()]}


class UserResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("Change a user's role, name or active flag", body=models.UserPatch,
               response=models.AdminUser, admin=True, errors=(404,))
    def on_patch(self, req, resp, user_id):
        changes = req.context.body.model_dump(exclude_unset=True, exclude_none=True)
        if "active" in changes:
            changes["active"] = int(changes["active"])
        user = self.accounts.update_user(user_id, changes, req.context.user["id"])
        resp.media = admin_view(user)


class SecurityResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Go-live checklist, each item pass or fail", response=models.SecurityReport,
               admin=True)
    def on_get(self, req, resp):
        resp.media = security_report(self.crm)


class PublicUrlResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("The public URL links are built on (CRM_PUBLIC_URL), for the admins' banner",
               response=models.PublicUrl, admin=True)
    def on_get(self, req, resp):
        resp.media = public_url_status(self.crm, req)
