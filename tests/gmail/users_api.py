"""The Gmail API's users.* methods that the fake serves, over one mailbox's state."""
import json
from dataclasses import dataclass, field
from typing import Callable

from tests.gmail import message_resource as resources
from tests.gmail.search_query import QueryError, time_bounds

NOT_FOUND = "Requested entity was not found."
_STATUS = {400: ("INVALID_ARGUMENT", "badRequest"), 401: ("UNAUTHENTICATED", "authError"),
           403: ("PERMISSION_DENIED", "forbidden"), 404: ("NOT_FOUND", "notFound"),
           429: ("RESOURCE_EXHAUSTED", "rateLimitExceeded"), 500: ("INTERNAL", "backendError"),
           503: ("UNAVAILABLE", "backendError")}


class GmailError(Exception):
    """An API error, answered in Google's JSON shape."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message

    def to_dict(self):
        status, reason = _STATUS.get(self.code, ("UNKNOWN", "unknown"))
        return {"error": {"code": self.code, "message": self.message, "status": status,
                          "errors": [{"message": self.message, "domain": "global",
                                      "reason": reason}]}}


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    label_ids: list
    internal_date: int
    history_id: int
    raw: bytes


@dataclass
class Draft:
    """A draft the client created; `message` is the decoded EmailMessage."""
    id: str
    message_id: str
    thread_id: str
    message: object
    raw: bytes


@dataclass
class Mailbox:
    """One user's messages (by id, in insertion order), drafts and history counter."""
    address: str
    new_id: Callable[[], int]
    history_id: int = 1000
    expired_before: int = 0
    messages: dict = field(default_factory=dict)
    drafts: list = field(default_factory=list)

    def store(self, raw, labels, internal_date, thread_id=None):
        """Add a message under the next history id; a new message starts its own thread."""
        self.history_id += 1
        message_id = f"{0x18f0a1b2c3d40000 + self.new_id():x}"
        stored = StoredMessage(message_id, thread_id or message_id, list(labels), internal_date,
                               self.history_id, raw)
        self.messages[message_id] = stored
        return stored

    def message(self, message_id):
        if message_id not in self.messages:
            raise GmailError(404, NOT_FOUND)
        return self.messages[message_id]


def route(method, rest):
    """(method function, path arguments) for the path below users/{userId}/, or None."""
    match method, rest:
        case "GET", ["profile"]:
            return get_profile, ()
        case "GET", ["messages"]:
            return list_messages, ()
        case "GET", ["messages", message_id]:
            return get_message, (message_id,)
        case "GET", ["messages", message_id, "attachments", attachment]:
            return get_attachment, (message_id, attachment)
        case "GET", ["history"]:
            return list_history, ()
        case "POST", ["drafts"]:
            return create_draft, ()
    return None


def get_profile(box, query, body):
    return {"emailAddress": box.address, "messagesTotal": len(box.messages),
            "threadsTotal": len({m.thread_id for m in box.messages.values()}),
            "historyId": str(box.history_id)}


def list_messages(box, query, body):
    try:
        earliest, latest = time_bounds(_one(query, "q"))
    except QueryError as error:
        raise GmailError(400, "Invalid query") from error
    labels = set(query.get("labelIds", []))
    hidden = set() if _one(query, "includeSpamTrash") == "true" else {"SPAM", "TRASH"}
    found = [m for m in sorted(box.messages.values(), reverse=True,
                               key=lambda m: (m.internal_date, m.history_id))
             if labels <= set(m.label_ids) and not hidden & set(m.label_ids)
             and (earliest is None or m.internal_date >= earliest)
             and (latest is None or m.internal_date <= latest)]
    page, next_token = _page(found, query)
    answer = {"resultSizeEstimate": len(found)}
    if page:  # Gmail leaves `messages` out of an empty answer
        answer["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in page]
    if next_token:
        answer["nextPageToken"] = next_token
    return answer


def get_message(box, query, body, message_id):
    form = _one(query, "format") or "full"
    if form not in ("full", "raw", "metadata", "minimal"):
        raise GmailError(400, f"Invalid value at 'format' ({form})")
    return resources.message_resource(box.message(message_id), form,
                                      query.get("metadataHeaders", []))


def get_attachment(box, query, body, message_id, attachment):
    data = resources.attachment_data(box.message(message_id), attachment)
    if data is None:
        raise GmailError(400, "Invalid attachment token")
    return {"size": len(data), "data": resources.b64url(data)}


def list_history(box, query, body):
    start = _one(query, "startHistoryId")
    if start is None or not start.isdigit():
        raise GmailError(400, "Invalid startHistoryId")
    if int(start) < box.expired_before:
        raise GmailError(404, NOT_FOUND)
    types, label = query.get("historyTypes"), _one(query, "labelId")
    added = [m for m in sorted(box.messages.values(), key=lambda m: m.history_id)
             if m.history_id > int(start) and (types is None or "messageAdded" in types)
             and (label is None or label in m.label_ids)]
    page, next_token = _page(added, query)
    answer = {"historyId": str(box.history_id)}
    if page:
        answer["history"] = [{"id": str(m.history_id),
                              "messages": [{"id": m.id, "threadId": m.thread_id}],
                              "messagesAdded": [{"message": {"id": m.id, "threadId": m.thread_id,
                                                             "labelIds": list(m.label_ids)}}]}
                             for m in page]
    if next_token:
        answer["nextPageToken"] = next_token
    return answer


def create_draft(box, query, body):
    try:
        message = json.loads(body or b"{}")["message"]
        raw, thread_id = resources.b64url_decode(message["raw"]), message.get("threadId")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise GmailError(400, "fake_gmail: drafts.create takes a JSON body "
                         "{\"message\": {\"raw\": base64url}}") from error
    # like Gmail, a draft is also a DRAFT-labelled message that history reports as added
    stored = box.store(raw, ["DRAFT"], resources.epoch_ms(resources.utc_now()), thread_id)
    draft = Draft(f"r{7395218842961275000 + box.new_id()}", stored.id, stored.thread_id,
                  resources.parse_email(raw), raw)
    box.drafts.append(draft)
    return {"id": draft.id, "message": {"id": stored.id, "threadId": stored.thread_id,
                                        "labelIds": ["DRAFT"]}}


def _one(query, name):
    values = query.get(name)
    return values[0] if values else None


def _page(items, query):
    """(this page, next page token or None) by maxResults (default 100, at most 500)."""
    try:
        size = min(int(_one(query, "maxResults") or 100), 500)
        offset = int(_one(query, "pageToken") or 0)
    except ValueError as error:
        raise GmailError(400, "Invalid pageToken or maxResults") from error
    end = offset + max(size, 1)
    return items[offset:end], (f"{end:020d}" if end < len(items) else None)
