"""Sync one user's mailbox: a first window, then history; matched mail becomes proposals."""
import logging
from datetime import datetime, timedelta, timezone

import orjson

from core.db import utc_text, utcnow
from plugins.fundraising.api import fundraising
from plugins.gmail import mime
from plugins.gmail.client import GmailError, call, mailbox, pages
from plugins.gmail.matching import ContactIndex, addresses, fund_domains, skip_reason
from plugins.gmail.settings import GmailSettings

log = logging.getLogger(__name__)


def settings_for(crm) -> GmailSettings:
    return crm.plugin_settings("gmail")


def _window_ids(service, settings, now):
    since = int((now - timedelta(days=settings.first_window_days)).timestamp())
    ids = [m["id"] for m in pages(
        lambda token: service.users().messages().list(
            userId="me", q=f"after:{since}", maxResults=500, pageToken=token),
        "messages", "messages.list")]
    return list(dict.fromkeys(ids))  # a message on a page boundary may come twice


def _history_ids(service, start):
    ids = []
    for entry in pages(lambda token: service.users().history().list(
            userId="me", startHistoryId=start, historyTypes="messageAdded", pageToken=token),
            "history", "history.list"):
        for added in entry.get("messagesAdded", []):
            if added["message"]["id"] not in ids:
                ids.append(added["message"]["id"])
    return ids


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
    return {"message_id": message["id"], "thread_id": message.get("threadId"),
            "direction": direction, "from_address": sender[0] if sender else None,
            "to_addresses": orjson.dumps(addresses(head.get("to"), head.get("cc"))).decode(),
            "subject": subject, "excerpt": text,
            "sent_at": utc_text(sent),
            "investor_id": investor_id, "contact_id": contact_id,
            "matched": orjson.dumps([m[0] for m in matched]).decode()}


def sync_user(crm, account, now=None, settings=None) -> dict:
    """Sync one account; failures are stored on the account as a short state."""
    now = now or datetime.now(timezone.utc)
    settings = settings or settings_for(crm)
    address = account["address"]
    stats = {"user_id": account["user_id"], "seen": 0, "proposed": 0, "error": None}
    try:
        service = mailbox(crm, settings, address)
        profile = call(service.users().getProfile(userId="me"), "getProfile")
        ids = None
        if account["history_id"]:
            try:
                ids = _history_ids(service, account["history_id"])
            except GmailError as exc:
                if exc.status != 404:
                    raise
                log.info("Gmail history for user %s expired; syncing a window", account["user_id"])
        if ids is None:
            ids = _window_ids(service, settings, now)
        ids = ids[:settings.max_messages_per_sync]
        db = crm.db
        index = ContactIndex(fundraising(crm).contacts_with_email())
        internal = fund_domains(db, settings.fund_domains)
        blocked = set(settings.blocked_domains)
        rows = []
        for message_id in ids:
            message = call(service.users().messages().get(userId="me", id=message_id,
                                                          format="full"), "messages.get")
            stats["seen"] += 1
            row = proposal_for(message, address, settings, index, internal, blocked)
            if row:
                rows.append(row)
        with crm.write() as db:
            for row in rows:
                cursor = db.execute(
                    f"INSERT OR IGNORE INTO gmail_proposals ({', '.join(row)}, user_id, "
                    f"created_at) VALUES ({', '.join('?' * len(row))}, ?, ?)",
                    [*row.values(), account["user_id"], utcnow()])
                stats["proposed"] += cursor.rowcount
            db.execute("UPDATE gmail_accounts SET history_id = ?, last_sync_at = ?, "
                       "last_error = NULL, messages_seen = messages_seen + ? WHERE user_id = ?",
                       [str(profile.get("historyId")), utcnow(), stats["seen"],
                        account["user_id"]])
    except GmailError as exc:
        stats["error"] = exc.state
        with crm.write() as db:
            db.execute("UPDATE gmail_accounts SET last_error = ?, last_error_at = ? "
                       "WHERE user_id = ?", [exc.state, utcnow(), account["user_id"]])
    return stats


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
