"""A Gmail-shaped HTTP server for tests: the token endpoint and the read + draft API.

The real google-auth and google-api-python-client talk to it over loopback HTTP.
Nothing here can send mail: send endpoints answer 403 and are recorded.
"""
import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from tests.gmail import message_resource as resources
from tests.gmail.jwt_grant import (GOOGLE_TOKEN_URI, JWT_BEARER, GrantError, trusted_key_from_file,
                                   verify_assertion)
from tests.gmail.loopback_server import LoopbackServer
from tests.gmail.users_api import GmailError, Mailbox, route

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_COMPOSE = "https://www.googleapis.com/auth/gmail.compose"
API_ROOT = "/gmail/v1/users/"
TOKEN_LIFETIME = 3600


@dataclass
class RecordedRequest:
    """One request as received; mailbox is whose token it carried (for /token: the granted sub)."""
    method: str
    path: str
    query: dict
    mailbox: str | None


@dataclass
class _Grant:
    mailbox: str
    scopes: frozenset
    expires_at: float


@dataclass
class _Failure:
    path_prefix: str
    status: int
    message: str
    times: int
    after: int = 0


class FakeGmail:
    """Mailboxes, drafts and a record of every request, served over HTTP once started."""

    def __init__(self):
        self.mailboxes = {}
        self.requests = []
        self.forbidden_calls = []
        # the scopes domain-wide delegation grants; the client must ask for exactly these
        self.scopes = frozenset({GMAIL_READONLY, GMAIL_COMPOSE})
        self._trusted_keys = []
        self._grants = {}
        self._failures = []
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        """Serve on a free loopback port in a background thread; returns the endpoint URL."""
        self._server = LoopbackServer(self.handle)
        return self.endpoint

    def stop(self):
        self._server.stop()

    @property
    def endpoint(self):
        """The `api_endpoint` to give the client: http://127.0.0.1:PORT."""
        return self._server.url

    @property
    def token_uri(self):
        return f"{self.endpoint}/token"

    # -- set-up by tests -------------------------------------------------------------------
    def trust_service_account(self, key_path):
        """Accept assertions signed by the key in this service-account key file."""
        with self._lock:
            self._trusted_keys.append(trusted_key_from_file(key_path))

    @property
    def drafts(self):
        """{mailbox address (lower case): [Draft, ...]} of the drafts clients created."""
        return {address: box.drafts for address, box in self.mailboxes.items()}

    def add_mailbox(self, address):
        """A user the service account may impersonate (a known `sub`)."""
        with self._lock:
            key = address.lower()
            return self.mailboxes.setdefault(key, Mailbox(address, lambda: next(self._ids)))

    def add_message(self, mailbox, *, from_=None, to=(), cc=(), subject="", text=None, html=None,
                    date=None, thread_id=None, labels=("INBOX",), attachments=(), headers=(),
                    raw=None):
        """Store a message in an added mailbox; returns its id.

        `attachments` are (filename, mime_type, content bytes); `raw` (RFC 822
        bytes) replaces every content argument. `date` must be aware; it
        becomes the Date header and internalDate (default: now, or raw's Date).
        """
        if raw is None:
            date = date or resources.utc_now()
            raw = resources.build_email(from_=from_, to=to, cc=cc, subject=subject, text=text,
                                        html_body=html, date=date, attachments=attachments,
                                        headers=headers)
        else:
            date = date or resources.message_date(raw, resources.utc_now())
        with self._lock:
            return self.mailboxes[mailbox.lower()].store(raw, labels, resources.epoch_ms(date),
                                                         thread_id).id

    def expire_history(self, mailbox, before_history_id):
        """Make history.list with an older startHistoryId answer 404, as Gmail does."""
        with self._lock:
            self.mailboxes[mailbox.lower()].expired_before = before_history_id

    def expire_tokens(self):
        """Make every access token issued so far invalid (the client must refresh)."""
        with self._lock:
            for grant in self._grants.values():
                grant.expires_at = 0

    def fail_next(self, path_prefix, status, message="Injected failure", *, times=1, after=0):
        """Answer the next `times` requests whose path starts with path_prefix with this error,
        once `after` such requests have been served normally.

        path_prefix is the path as sent, e.g. "/gmail/v1/users/me/messages" or "/token".
        """
        with self._lock:
            self._failures.append(_Failure(path_prefix, status, message, times, after))

    # -- requests --------------------------------------------------------------------------
    def handle(self, method, path, query, headers, body):
        """(status, JSON body) for one HTTP request."""
        with self._lock:
            grant = self._grants.get(_bearer(headers))
            self.requests.append(RecordedRequest(method, path, query, grant and grant.mailbox))
            if self._sends_or_changes_mail(method, path):
                self.forbidden_calls.append(self.requests[-1])
                return 403, GmailError(403, "fake_gmail: the CRM may only read mail and create "
                                       "drafts; nothing may send or change mail").to_dict()
            failure = self._take_failure(path)
            if failure and path == "/token":
                return failure.status, {"error": "server_error",
                                        "error_description": failure.message}
            if failure:
                return failure.status, GmailError(failure.status, failure.message).to_dict()
            try:
                if path == "/token" and method == "POST":
                    return 200, self._token(body)
                return 200, self._api(method, path, query, headers, body)
            except GrantError as error:
                return error.status, error.to_dict()
            except GmailError as error:
                return error.code, error.to_dict()

    def _sends_or_changes_mail(self, method, path):
        if method == "GET" or not path.startswith(API_ROOT):
            return False
        parts = path[len(API_ROOT):].split("/")
        creates_draft = method == "POST" and parts[1:] == ["drafts"]
        return not creates_draft

    def _take_failure(self, path):
        for failure in self._failures:
            if path.startswith(failure.path_prefix):
                if failure.after > 0:
                    failure.after -= 1
                    return None
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    # -- token endpoint --------------------------------------------------------------------
    def _token(self, body):
        form = parse_qs(body.decode("utf-8"))
        if form.get("grant_type") != [JWT_BEARER] or len(form.get("assertion", [])) != 1:
            raise GrantError(400, "unsupported_grant_type", "Invalid grant_type.")
        # google-auth always puts Google's token URL in `aud`, whatever token_uri says
        claims = verify_assertion(form["assertion"][0], self._trusted_keys,
                                  (GOOGLE_TOKEN_URI, self.token_uri))
        subject = str(claims.get("sub", "")).lower()
        requested = frozenset(str(claims.get("scope", "")).split())
        if subject not in self.mailboxes or not requested <= self.scopes:
            raise GrantError(401, "unauthorized_client", "Client is unauthorized to retrieve "
                             "access tokens using this method, or client not authorized for any "
                             "of the scopes requested.")
        if requested != self.scopes:
            raise GrantError(400, "invalid_scope", "fake_gmail: request exactly these scopes: "
                             + " ".join(sorted(self.scopes)))
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        self._grants[token] = _Grant(subject, requested, time.time() + TOKEN_LIFETIME)
        self.requests[-1].mailbox = subject
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}

    # -- Gmail API -------------------------------------------------------------------------
    def _api(self, method, path, query, headers, body):
        if not path.startswith(API_ROOT):
            raise GmailError(404, f"fake_gmail does not serve {method} {path}")
        user_id, *rest = [unquote(part) for part in path[len(API_ROOT):].split("/")]
        found = route(method, rest)
        if found is None:
            raise GmailError(404, f"fake_gmail does not serve {method} {path}")
        box = self._authorize(headers, user_id)
        method_function, arguments = found
        return method_function(box, query, body, *arguments)

    def _authorize(self, headers, user_id):
        grant = self._grants.get(_bearer(headers))
        if grant is None or grant.expires_at < time.time():
            raise GmailError(401, "Request had invalid authentication credentials. Expected "
                             "OAuth 2 access token, login cookie or other valid authentication "
                             "credential.")
        if user_id != "me" and user_id.lower() != grant.mailbox:
            raise GmailError(403, f"Delegation denied for {grant.mailbox}")
        return self.mailboxes[grant.mailbox]


def _bearer(headers):
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    return token if scheme.lower() == "bearer" else None
