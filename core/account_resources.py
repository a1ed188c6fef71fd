"""Routes of one's own account (password, two-factor, sessions), teammates, and the admin's
account tools (reset links, two-factor resets, ending a user's sessions)."""
from core import account_models as m
from core import audit, models, twofactor
from core.accounts import public_user, teammate
from core.auth import set_session_cookie
from core.errors import forbidden, not_found
from core.openapi import operation
from core.passwords import Passwords, reset_url
from core.sessions import client_of, end_sessions

LIMITED = {"rate_limit": "login"}  # guesses of a password or code count as login attempts
ENROLMENT = {"before_enrolment": True}  # open while CRM_REQUIRE_2FA waits for enrolment


def me_answer(accounts, user) -> dict:
    return {"user": public_user(user), "two_factor": accounts.two_factor.status(user)}


class MeResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("The signed-in user and their two-factor status", response=m.MeAnswer,
               extra=ENROLMENT)
    def on_get(self, req, resp):
        resp.media = me_answer(self.accounts, req.context.user)

    @operation("Change one's own display name", body=m.MePatch, response=m.MeAnswer)
    def on_patch(self, req, resp):
        user = self.accounts.update_user(req.context.user["id"],
                                         {"name": req.context.body.name}, req.context.user["id"])
        resp.media = me_answer(self.accounts, user)


class TeammatesResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("Every user's id, name, email and active flag (for owners and assignees)",
               response=m.Teammates)
    def on_get(self, req, resp):
        users = sorted(self.accounts.list_users(), key=lambda u: (u["name"].casefold(), u["id"]))
        resp.media = {"users": [teammate(u) for u in users]}


class LoginCodeResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("Second sign-in step: a code from the app or a recovery code",
               body=m.LoginCodeBody, response=m.LoginAnswer, public=True,
               errors=(401, 410), extra=LIMITED)
    def on_post(self, req, resp):
        body = req.context.body
        answer = self.accounts.finish_login(body.challenge, body.code, client_of(req))
        set_session_cookie(req, resp, answer["token"], self.crm)
        resp.media = answer


class PasswordResource:
    def __init__(self, accounts):
        self.passwords = Passwords(accounts)

    @operation("Change one's password (the current one is needed); other sessions end",
               body=m.PasswordBody, response=m.PasswordChanged, extra=LIMITED)
    def on_post(self, req, resp):
        body = req.context.body
        ended = self.passwords.change(req.context.user["id"], req.context.session_id,
                                      body.current_password, body.new_password)
        resp.media = {"ok": True, "sessions_ended": ended}


class ResetLinkResource:
    def __init__(self, crm, accounts):
        self.crm, self.passwords = crm, Passwords(accounts)

    @operation("A one-time password reset link for a user, to hand over",
               response=m.ResetLink, status=201, admin=True)
    def on_post(self, req, resp, user_id):
        token, expires_at = self.passwords.reset_link(user_id, req.context.user["id"])
        resp.media = {"reset_url": reset_url(self.crm, token, req), "reset_token": token,
                      "expires_at": expires_at}


class ResetResource:
    def __init__(self, accounts):
        self.passwords = Passwords(accounts)

    @operation("Set a new password with a reset link; every session of the user ends",
               body=m.ResetBody, response=m.ResetDone, public=True, errors=(410,),
               extra=LIMITED)
    def on_post(self, req, resp):
        body = req.context.body
        resp.media = self.passwords.reset(body.token, body.password)


class EnrollResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("Start setting up two-factor: a new secret and its QR code",
               response=m.Enrolment, errors=(409,), extra=ENROLMENT)
    def on_post(self, req, resp):
        resp.media = self.accounts.two_factor.enroll(req.context.user["id"])


class ConfirmResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("Turn two-factor on with a code from the app; gives 10 recovery codes",
               body=m.CodeBody, response=m.RecoveryCodes, errors=(409,),
               extra={**LIMITED, **ENROLMENT})
    def on_post(self, req, resp):
        codes = self.accounts.two_factor.confirm(req.context.user["id"], req.context.body.code)
        resp.media = {"recovery_codes": codes}


class RecoveryCodesResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("New recovery codes (the old ones stop working); needs a code",
               body=m.CodeBody, response=m.RecoveryCodes, errors=(409,), extra=LIMITED)
    def on_post(self, req, resp):
        codes = self.accounts.two_factor.new_recovery_codes(req.context.user["id"],
                                                            req.context.body.code)
        resp.media = {"recovery_codes": codes}


class TwoFactorResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("Turn two-factor off; needs a code", body=m.CodeBody, response=models.Ok,
               errors=(409,), extra=LIMITED)
    def on_delete(self, req, resp):
        self.accounts.two_factor.turn_off(req.context.user["id"], req.context.body.code)
        resp.media = {"ok": True}


class AdminTwoFactorResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("Turn off a user's two-factor (a lost phone); their sessions end",
               response=models.Ok, admin=True)
    def on_delete(self, req, resp, user_id):
        if user_id == req.context.user["id"]:
            raise forbidden("Turn off your own two-factor on your profile, with a code",
                            code="own_account")
        if self.accounts.get_user(user_id) is None:
            raise not_found("No such user")
        with self.crm.write() as db:
            twofactor.reset_by_admin(db, user_id, req.context.user["id"])
            end_sessions(db, user_id)
        resp.media = {"ok": True}


class SessionsResource:
    def __init__(self, accounts):
        self.accounts = accounts

    @operation("Signed-in sessions: one's own, or (admins) another user's",
               query=m.SessionsQuery, response=m.SessionList)
    def on_get(self, req, resp):
        user = req.context.user
        wanted = req.context.query.user_id or user["id"]
        if wanted != user["id"] and user["role"] != "admin":
            raise forbidden("Only admins see other people's sessions")
        resp.media = {"sessions": self.accounts.sessions.of_user(wanted, req.context.session_id)}


class SessionResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("End a session (one's own; admins any)", response=models.Ok, errors=(404,))
    def on_delete(self, req, resp, session_id):
        user = req.context.user
        owner = self.accounts.sessions.owner_of(session_id)
        if owner != user["id"] and user["role"] != "admin":
            raise not_found("No such session")
        with self.crm.write() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
            audit.record_event(db, actor_id=user["id"], plugin="core", table="users",
                               row_id=owner, event="sessions_ended", sessions_ended=1)
        resp.media = {"ok": True}


class OtherSessionsResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("End every other session of one's own", response=m.Ended)
    def on_post(self, req, resp):
        user_id = req.context.user["id"]
        with self.crm.write() as db:
            ended = end_sessions(db, user_id, keep=req.context.session_id)
            if ended:
                audit.record_event(db, actor_id=user_id, plugin="core", table="users",
                                   row_id=user_id, event="sessions_ended", sessions_ended=ended)
        resp.media = {"ended": ended}


class UserSessionsResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("End every session of a user", response=m.Ended, admin=True)
    def on_delete(self, req, resp, user_id):
        if self.accounts.get_user(user_id) is None:
            raise not_found("No such user")
        with self.crm.write() as db:
            ended = end_sessions(db, user_id)
            audit.record_event(db, actor_id=req.context.user["id"], plugin="core",
                               table="users", row_id=user_id, event="sessions_ended",
                               sessions_ended=ended)
        resp.media = {"ended": ended}
