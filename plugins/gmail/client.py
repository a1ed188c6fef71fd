"""The Gmail API through google-api-python-client, impersonating one user (domain-wide
delegation). Errors become GmailError with a short state; details go to the log only."""
import base64
import functools
import logging
import random
import time

import google.auth.exceptions
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from plugins.gmail.settings import KEY_FILE, SCOPES

log = logging.getLogger(__name__)
RETRIES = 2
RETRY_STATUSES = {429, 500, 502, 503, 504}


class GmailError(Exception):
    """A call failed; `state` is safe to show (no server text, no credentials)."""

    def __init__(self, state: str, status: int | None = None):
        super().__init__(state)
        self.state, self.status = state, status


def key_path(crm):
    return crm.settings.secrets_dir / "gmail" / KEY_FILE


def mailbox(crm, settings, address: str):
    """A Gmail service acting as `address`."""
    path = key_path(crm)
    if not path.exists():
        raise GmailError("no_service_account")
    try:
        credentials = service_account.Credentials.from_service_account_file(
            str(path), scopes=SCOPES, subject=address)
    except (ValueError, KeyError) as exc:
        log.warning("the Gmail service account key cannot be read: %s", type(exc).__name__)
        raise GmailError("bad_service_account") from None
    options = {"api_endpoint": settings.api_endpoint} if settings.api_endpoint else None
    make_request = functools.partial(RetryingRequest, backoff=settings.retry_backoff_seconds)
    return build("gmail", "v1", credentials=credentials, client_options=options,
                 static_discovery=True, cache_discovery=False,
                 requestBuilder=make_request)


class RetryingRequest(HttpRequest):
    """A request that retries throttling, server and network errors RETRIES times; retry n
    waits up to `backoff` x 2^n seconds (GMAIL_RETRY_BACKOFF_SECONDS)."""

    def __init__(self, *args, backoff: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.backoff = backoff

    def execute(self, http=None, num_retries=0):
        for attempt in range(RETRIES + 1):
            if attempt:
                time.sleep(self.backoff * random.random() * 2 ** attempt)
            try:
                return super().execute(http=http)
            except HttpError as exc:
                if attempt == RETRIES or not _retryable(exc):
                    raise
            except (ConnectionError, TimeoutError):
                if attempt == RETRIES:
                    raise


def _retryable(exc: HttpError) -> bool:
    status = exc.resp.status if exc.resp is not None else None
    # Google answers 403 for per-user rate limits too
    content = exc.content if isinstance(exc.content, bytes) else str(exc.content or "").encode()
    return status in RETRY_STATUSES or (status == 403 and b"rateLimitExceeded" in content)


def call(request, what: str):
    """Execute one API request, mapping failures to GmailError."""
    try:
        return request.execute()
    except HttpError as exc:
        status = exc.resp.status if exc.resp is not None else None
        log.warning("Gmail %s failed: HTTP %s", what, status)
        raise GmailError("not_found" if status == 404 else f"api_error_{status}", status) from None
    except google.auth.exceptions.GoogleAuthError as exc:
        log.warning("Gmail %s: authorisation failed (%s)", what, type(exc).__name__)
        raise GmailError("auth_failed") from None
    except (OSError, TimeoutError) as exc:
        log.warning("Gmail %s: network error (%s)", what, type(exc).__name__)
        raise GmailError("network_error") from None


def pages(make_request, key: str, what: str):
    """Every item of a paged list call."""
    token = None
    while True:
        page = call(make_request(token), what)
        yield from page.get(key, [])
        token = page.get("nextPageToken")
        if not token:
            return


def create_draft(service, message) -> dict:
    """Create a draft (never send it): the raw message as base64url."""
    raw = base64.urlsafe_b64encode(message.as_bytes()).decode()
    return call(service.users().drafts().create(userId="me", body={"message": {"raw": raw}}),
                "drafts.create")
