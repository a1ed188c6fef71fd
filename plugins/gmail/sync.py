"""Sync one user's mailbox page by page: a first window, then history (a full window again
when Google has expired the history id); matched mail becomes proposals."""
import logging
from datetime import datetime, timedelta, timezone

import orjson

from core.db import utc_text, utcnow
from plugins.fundraising.api import fundraising
from plugins.gmail import mime
from plugins.gmail.client import GmailError, call, mailbox
from plugins.gmail.matching import ContactIndex, addresses, fund_domains, skip_reason
from plugins.gmail.settings import GmailSettings

log = logging.getLogger(__name__)


def settings_for(crm) -> GmailSettings:
    return crm.plugin_settings("gmail")


class Cursor(dict):
    """Where a sync is: mode "history" (from `start`) or "window" (messages after `since`,
    epoch seconds), the next page `token`, and `target`, the history id the account moves
    to once every page is stored. Saved after each page, so a failure resumes there."""

    @classmethod
    def load(cls, text):
        return cls(orjson.loads(text)) if text else None

    def dump(self):
        return orjson.dumps(dict(self)).decode()


def _list_page(service, cursor, size):
    """(message ids, next page token) of the cursor's current page."""
    if cursor["mode"] == "history":
        page = call(service.users().history().list(
            userId="me", startHistoryId=cursor["start"], historyTypes="messageAdded",
            maxResults=size, pageToken=cursor.get("token")), "history.list")
        ids = [added["message"]["id"] for entry in page.get("history", [])
               for added in entry.get("messagesAdded", [])]
    else:
        page = call(service.users().messages().list(
            userId="me", q=f"after:{cursor['since']}", maxResults=size,
            pageToken=cursor.get("token")), "messages.list")
        ids = [m["id"] for m in page.get("messages", [])]
    return list(dict.fromkeys(ids)), page.get("nextPageToken")


def _window(settings, now, target):
    """A full list of the lookback window (GMAIL_FIRST_WINDOW_DAYS)."""
    since = int((now - timedelta(days=settings.first_window_days)).timestamp())
    return Cursor(mode="window", since=since, token=None, target=target)


def proposal_for(message, user_address, settings, index, internal, blocked):
    """The proposal row a message makes, or None when it is not investor mail."""
    if "DRAFT" in message.get("labelIds", []):
        return None  # an unsent draft is not correspondence
    payload = message.get("payload", {})
    head = mime.headers(payload)
    participants = addresses(head.get("from"), head.get("to"), head.get("cc"))
    if not participants or skip_reason(participants, internal, blocked):
        return None
    matched = index.match(participants)
    if not matched:
        return None
    sender = addresses(head.get("from"))
    direction = "out" if sender and (sender[0] == user_address.lower()
                                     or sender[0].rpartition("@")[2] in internal) else "in"
    sent = datetime.fromtimestamp(int(message.get("internalDate", "0")) / 1000, timezone.utc)
    subject = head.get("subject", "") if settings.share_level != "metadata" else None
    text = None
    if settings.share_level == "full":
        text = mime.excerpt(mime.body_text(payload), settings.excerpt_chars)
    _email, contact_id, investor_id = matched[0]
    links = list(dict.fromkeys((m[1], m[2]) for m in matched))  # every contact, once
    return {"message_id": message["id"], "thread_id": message.get("threadId"),
            "direction": direction, "from_address": sender[0] if sender else None,
            "to_addresses": orjson.dumps(addresses(head.get("to"), head.get("cc"))).decode(),
            "subject": subject, "excerpt": text,
            "sent_at": utc_text(sent),
            "investor_id": investor_id, "contact_id": contact_id,
            "matched": orjson.dumps([m[0] for m in matched]).decode(),
            "links": orjson.dumps(links).decode()}


def _known_ids(db, user_id, ids):
    """The ids among `ids` this user already has a proposal for (so not fetched again)."""
    if not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    return {r["message_id"] for r in db.query(
        f"SELECT message_id FROM gmail_proposals WHERE user_id = ? AND message_id IN ({marks})",
        [user_id, *ids])}


def _fetch(messages, message_id):
    """A message in full, or None when it was deleted since it was listed."""
    try:
        return call(messages.get(userId="me", id=message_id, format="full"), "messages.get")
    except GmailError as exc:
        if exc.status == 404:
            return None
        raise


class _Run:
    """One sync of one account: the matching context and the running stats."""

    def __init__(self, crm, account, settings, service):
        self.crm, self.account, self.settings, self.service = crm, account, settings, service
        self.messages = service.users().messages()  # built once: building it is slow
        self.index = ContactIndex(fundraising(crm).contacts_with_email())
        self.internal = fund_domains(crm.db, settings.fund_domains)
        self.blocked = set(settings.blocked_domains)
        self.stats = {"user_id": account["user_id"], "seen": 0, "proposed": 0, "error": None}
        self.fetched = set()  # ids read in this run (a list may repeat one across pages)

    def first_cursor(self, now, target):
        saved = Cursor.load(self.account.get("sync_cursor"))
        if saved:
            return saved
        if self.account["history_id"]:
            return Cursor(mode="history", start=self.account["history_id"], token=None,
                          target=target)
        return _window(self.settings, now, target)

    def page(self, cursor):
        """List one page, store its proposals and the next cursor in one transaction."""
        ids, token = _list_page(self.service, cursor, self.settings.page_size)
        user_id = self.account["user_id"]
        known = _known_ids(self.crm.db, user_id, ids)
        rows, seen = [], 0
        for message_id in ids:
            if message_id in known or message_id in self.fetched:
                continue
            self.fetched.add(message_id)
            message = _fetch(self.messages, message_id)
            if message is None:
                continue
            seen += 1
            row = proposal_for(message, self.account["address"], self.settings, self.index,
                               self.internal, self.blocked)
            if row:
                rows.append(row)
        done = not token
        with self.crm.write() as db:
            for row in rows:
                inserted = db.execute(
                    f"INSERT OR IGNORE INTO gmail_proposals ({', '.join(row)}, user_id, "
                    f"created_at) VALUES ({', '.join('?' * len(row))}, ?, ?)",
                    [*row.values(), user_id, utcnow()])
                self.stats["proposed"] += inserted.rowcount
            if done:
                db.execute("UPDATE gmail_accounts SET history_id = ?, sync_cursor = NULL, "
                           "last_sync_at = ?, last_error = NULL, "
                           "messages_seen = messages_seen + ? WHERE user_id = ?",
                           [cursor["target"], utcnow(), seen, user_id])
            else:
                cursor = Cursor(cursor, token=token)
                db.execute("UPDATE gmail_accounts SET sync_cursor = ?, "
                           "messages_seen = messages_seen + ? WHERE user_id = ?",
                           [cursor.dump(), seen, user_id])
        self.stats["seen"] += seen
        return None if done else cursor


def sync_user(crm, account, now=None, settings=None) -> dict:
    """Sync one account page by page until its lists end; failures are stored on the account
    as a short state, and the cursor saved after each page lets the next sync resume."""
    now = now or datetime.now(timezone.utc)
    settings = settings or settings_for(crm)
    account = dict(account)
    run = None
    try:
        service = mailbox(crm, settings, account["address"])
        # the history id before listing: whatever arrives later is in the next sync's history
        profile = call(service.users().getProfile(userId="me"), "getProfile")
        run = _Run(crm, account, settings, service)
        cursor, recovered = run.first_cursor(now, str(profile.get("historyId"))), False
        while cursor:
            try:
                cursor = run.page(cursor)
            except GmailError as exc:
                if recovered:  # recover once per sync; a second failure is stored
                    raise
                cursor, recovered = _recover(crm, account, settings, now, cursor, exc), True
    except GmailError as exc:
        with crm.write() as db:
            db.execute("UPDATE gmail_accounts SET last_error = ?, last_error_at = ? "
                       "WHERE user_id = ?", [exc.state, utcnow(), account["user_id"]])
        stats = run.stats if run else {"user_id": account["user_id"], "seen": 0,
                                       "proposed": 0}
        return {**stats, "error": exc.state}
    return run.stats


def _recover(crm, account, settings, now, cursor, exc):
    """The cursor to go on with after a failed list call, or raise `exc`.

    An expired history id (404) becomes a full list of the lookback window; a page token
    the server no longer accepts (400) restarts the same list (stored ids are skipped)."""
    if cursor["mode"] == "history" and exc.status == 404:
        log.info("Gmail history for user %s expired; listing the last %s days",
                 account["user_id"], settings.first_window_days)
        fresh = _window(settings, now, cursor["target"])
    elif exc.status == 400 and cursor.get("token"):
        log.info("Gmail refused a saved page token for user %s; listing again",
                 account["user_id"])
        fresh = Cursor(cursor, token=None)
    else:
        raise exc
    with crm.write() as db:
        db.execute("UPDATE gmail_accounts SET sync_cursor = ? WHERE user_id = ?",
                   [fresh.dump(), account["user_id"]])
    return fresh


def enabled_accounts(db, user_id=None):
    sql = ("SELECT a.* FROM gmail_accounts a JOIN users u ON u.id = a.user_id "
           "WHERE a.enabled = 1 AND u.active = 1")
    params = []
    if user_id is not None:
        sql += " AND a.user_id = ?"
        params.append(user_id)
    return list(db.query(sql, params))


def sync_all(crm, now=None, user_id=None) -> list[dict]:
    settings = settings_for(crm)
    return [sync_user(crm, account, now, settings)
            for account in enabled_accounts(crm.db, user_id)]
