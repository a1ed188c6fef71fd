"""Who is calling: a Bearer token or the session cookie; role checks from the operation."""
from core.errors import APIError, forbidden
from core.twofactor import enrolment_required

COOKIE = "crm_session"


def unauthorized():
    return APIError("401 Unauthorized", "unauthorized", "Log in to continue",
                    headers={"WWW-Authenticate": "Bearer"})


def request_token(req) -> str | None:
    header = req.get_header("Authorization") or ""
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    values = req.get_cookie_values(COOKIE)
    return values[0] if values else None


class AuthMiddleware:
    """Every operation needs a logged-in, active user unless it is marked public."""

    def __init__(self, accounts):
        self.accounts = accounts

    def process_resource(self, req, resp, resource, params):
        req.context.user = None
        if req.method == "OPTIONS" or resource is None:
            return
        responder = getattr(resource, f"on_{req.method.lower()}", None)
        if responder is None:  # Falcon answers 405 itself
            return
        op = getattr(responder, "operation", None)
        token = request_token(req)
        user, session_id = self.accounts.sessions.lookup(token) if token else (None, None)
        req.context.user = user
        req.context.token = token
        req.context.session_id = session_id
        if op is not None and op.public:
            return
        if user is None:
            raise unauthorized()
        if enrolment_required(self.accounts.crm.settings, user) and not (
                op is not None and op.extra.get("before_enrolment")):
            raise forbidden("Set up two-factor sign-in first (your profile page)",
                            code="two_factor_enrolment_required")
        if (op is None or op.admin) and user["role"] != "admin":
            raise forbidden("This needs an admin")


def set_session_cookie(req, resp, token, crm):
    resp.set_cookie(COOKIE, token, max_age=crm.settings.session_hours * 3600, path="/",
                    http_only=True, same_site="Strict",
                    secure=crm.settings.base_url.startswith("https://"))


def clear_session_cookie(resp, crm):
    resp.unset_cookie(COOKIE, path="/", same_site="Strict")
