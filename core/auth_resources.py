"""Routes under /api/auth: login, logout, invites and the first-admin setup."""
import falcon

from core import models
from core.account_models import LoginAnswer
from core.accounts import public_user
from core.auth import clear_session_cookie, set_session_cookie
from core.errors import forbidden
from core.openapi import operation
from core.sessions import client_of

LOGIN_LIMITED = {"rate_limit": "login"}


class LoginResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("Log in with email and password (then a code, when two-factor is on)",
               body=models.LoginBody, response=LoginAnswer, public=True, errors=(401,),
               extra=LOGIN_LIMITED)
    def on_post(self, req, resp):
        body = req.context.body
        answer = self.accounts.login(body.email, body.password, client_of(req))
        if "token" in answer:
            set_session_cookie(req, resp, answer["token"], self.crm)
        resp.media = answer


class LogoutResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("End this session", response=models.Ok, extra={"before_enrolment": True})
    def on_post(self, req, resp):
        self.accounts.logout(req.context.token)
        clear_session_cookie(resp, self.crm)
        resp.media = {"ok": True}


class RegisterResource:
    @operation("Self-registration is disabled: always 403", body=models.RegisterBody,
               public=True, errors=(403,))
    def on_post(self, req, resp):
        raise forbidden("Accounts are invite-only; ask an admin for an invite",
                        code="registration_disabled")


class AcceptInviteResource:
    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("Create an account from an invite", body=models.AcceptInviteBody,
               response=models.Session, status=201, public=True, errors=(409, 410),
               extra=LOGIN_LIMITED)
    def on_post(self, req, resp):
        body = req.context.body
        token, user = self.accounts.accept_invite(body.token, body.name, body.password,
                                                  client=client_of(req))
        set_session_cookie(req, resp, token, self.crm)
        resp.media = {"token": token, "user": public_user(user)}


class SetupResource:
    """The first admin chooses email, name and password through the one-time link."""

    def __init__(self, crm, accounts):
        self.crm, self.accounts = crm, accounts

    @operation("Create the first admin from the one-time setup link", body=models.SetupBody,
               response=models.Session, status=201, public=True, errors=(409, 410),
               extra=LOGIN_LIMITED)
    def on_post(self, req, resp):
        body = req.context.body
        token, user = self.accounts.accept_invite(
            body.token, body.name, body.password, email=body.email, purpose="setup",
            client=client_of(req))
        set_session_cookie(req, resp, token, self.crm)
        resp.media = {"token": token, "user": public_user(user)}


class SetupPage:
    def __init__(self, html: bytes):
        self.html = html

    @operation("The first-admin setup page", public=True, content_type="text/html")
    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_HTML
        resp.data = self.html
