"""The fake Gmail speaks the protocol of the real google-auth + google-api-python-client."""
import base64
import datetime
import json
import os
import ssl
import stat
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import httplib2
import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from tests.gmail.conftest import gmail_client, write_service_account_key

PARTNER = "partner@fund.example"
UTC = datetime.timezone.utc


@pytest.fixture
def partner(fake_gmail):
    return fake_gmail.add_mailbox(PARTNER)


@pytest.fixture
def users(fake_gmail, service_account_key, partner):
    """The real client's `users()` resource, delegated to the partner's mailbox."""
    return gmail_client(service_account_key.path, PARTNER, fake_gmail.endpoint).users()


def google_error(error):
    return json.loads(error.content)["error"]


def b64url_bytes(text):
    return base64.urlsafe_b64decode(text)


def paths(fake_gmail):
    return [(r.method, r.path) for r in fake_gmail.requests]


def test_key_file_looks_like_googles_and_is_private(service_account_key, fake_gmail):
    info = json.loads(service_account_key.path.read_text())
    assert stat.S_IMODE(os.stat(service_account_key.path).st_mode) == 0o600
    assert info["type"] == "service_account"
    assert info["client_email"] == service_account_key.email
    assert info["token_uri"] == fake_gmail.token_uri
    assert info["private_key"].startswith("-----BEGIN PRIVATE KEY-----")


def test_token_exchange_with_a_wrong_key_is_refused(fake_gmail, service_account_key, partner,
                                                    tmp_path):
    trusted_id = json.loads(service_account_key.path.read_text())["private_key_id"]
    # same account and key id, another private key: only the signature can tell
    forged = write_service_account_key(tmp_path / "forged.json", fake_gmail.token_uri,
                                       key_id=trusted_id)
    client = gmail_client(forged.path, PARTNER, fake_gmail.endpoint)
    with pytest.raises(RefreshError, match="invalid_grant: Invalid JWT Signature"):
        client.users().getProfile(userId="me").execute()
    assert paths(fake_gmail) == [("POST", "/token")]


def test_unknown_subject_is_unauthorized_client(fake_gmail, service_account_key, partner):
    client = gmail_client(service_account_key.path, "stranger@fund.example", fake_gmail.endpoint)
    with pytest.raises(RefreshError, match="unauthorized_client") as refused:
        client.users().getProfile(userId="me").execute()
    assert refused.value.args[1]["error"] == "unauthorized_client"


def test_scopes_the_delegation_does_not_grant_are_refused(fake_gmail, service_account_key,
                                                         partner, users):
    fake_gmail.scopes = frozenset({"https://www.googleapis.com/auth/gmail.readonly"})
    with pytest.raises(RefreshError, match="unauthorized_client"):
        users.getProfile(userId="me").execute()


def test_client_calls_these_paths(fake_gmail, users):
    message_id = fake_gmail.add_message(PARTNER, from_="ann@lp.example", to=PARTNER,
                                        subject="Hi", text="Hello")
    users.getProfile(userId="me").execute()
    users.messages().list(userId=PARTNER, q="newer_than:1d").execute()
    users.messages().get(userId="me", id=message_id, format="raw").execute()
    users.history().list(userId="me", startHistoryId="1000").execute()
    draft = base64.urlsafe_b64encode(b"To: ann@lp.example\r\nSubject: Re: Hi\r\n\r\nThanks\r\n")
    users.drafts().create(userId="me", body={"message": {"raw": draft.decode()}}).execute()
    assert paths(fake_gmail) == [
        ("POST", "/token"),
        ("GET", "/gmail/v1/users/me/profile"),
        ("GET", "/gmail/v1/users/partner%40fund.example/messages"),
        ("GET", f"/gmail/v1/users/me/messages/{message_id}"),
        ("GET", "/gmail/v1/users/me/history"),
        ("POST", "/gmail/v1/users/me/drafts"),
    ]
    assert {r.mailbox for r in fake_gmail.requests} == {PARTNER}
    assert fake_gmail.requests[3].query["format"] == ["raw"]


def test_requests_without_a_token_or_for_another_mailbox_are_refused(fake_gmail, users):
    fake_gmail.add_mailbox("other@fund.example")
    anonymous = build("gmail", "v1", http=httplib2.Http(), static_discovery=True,
                      client_options={"api_endpoint": fake_gmail.endpoint})
    with pytest.raises(HttpError) as unauthenticated:
        anonymous.users().getProfile(userId="me").execute()
    assert unauthenticated.value.status_code == 401
    assert google_error(unauthenticated.value)["status"] == "UNAUTHENTICATED"
    with pytest.raises(HttpError) as denied:
        users.messages().list(userId="other@fund.example").execute()
    assert denied.value.status_code == 403


def test_profile(fake_gmail, users):
    fake_gmail.add_message(PARTNER, from_="ann@lp.example", to=PARTNER, subject="Hi", text="x")
    profile = users.getProfile(userId="me").execute()
    assert profile == {"emailAddress": PARTNER, "messagesTotal": 1, "threadsTotal": 1,
                       "historyId": str(fake_gmail.mailboxes[PARTNER].history_id)}


def test_list_pages_newest_first(fake_gmail, users):
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=UTC)
    ids = [fake_gmail.add_message(PARTNER, from_="ann@lp.example", to=PARTNER, subject=f"#{n}",
                                  text="x", date=start + datetime.timedelta(hours=n))
           for n in range(5)]
    request = users.messages().list(userId="me", maxResults=2)
    pages = []
    while request is not None:
        response = request.execute()
        pages.append([m["id"] for m in response["messages"]])
        assert response["resultSizeEstimate"] == 5
        request = users.messages().list_next(request, response)
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]


def test_list_filters_by_time_and_label(fake_gmail, users):
    now = datetime.datetime.now(UTC)
    old = fake_gmail.add_message(PARTNER, from_="a@lp.example", to=PARTNER, subject="old",
                                 text="x", date=datetime.datetime(2025, 12, 30, tzinfo=UTC))
    mid = fake_gmail.add_message(PARTNER, from_="a@lp.example", to=PARTNER, subject="mid",
                                 text="x", date=now - datetime.timedelta(days=3))
    new = fake_gmail.add_message(PARTNER, from_=PARTNER, to="a@lp.example", subject="new",
                                 text="x", date=now - datetime.timedelta(hours=1),
                                 labels=("SENT",))

    def listed(**params):
        return [m["id"] for m in users.messages().list(userId="me", **params)
                .execute().get("messages", [])]

    assert listed(q=f"after:{int((now - datetime.timedelta(days=4)).timestamp())}") == [new, mid]
    assert listed(q="after:2026/01/01 from:ignored") == [new, mid]
    assert listed(q="newer_than:2d") == [new]
    assert listed(labelIds=["SENT"]) == [new]
    assert listed(q="newer_than:1d", labelIds=["INBOX"]) == []
    assert old in listed()


def test_get_full_renders_mime_parts(fake_gmail, users):
    date = datetime.datetime(2026, 2, 3, 14, 5, tzinfo=UTC)
    message_id = fake_gmail.add_message(
        PARTNER, from_="Ann Lee <ann@lp.example>", to=[PARTNER], cc=["bo@fund.example"],
        subject="Fund III — data room", text="Hi, it's the deck.",
        html="<p>Hi, the <b>deck</b></p>",
        date=date, attachments=[("deck.pdf", "application/pdf", b"%PDF-1.7 deck")])
    message = users.messages().get(userId="me", id=message_id).execute()
    assert message["internalDate"] == str(int(date.timestamp() * 1000))
    assert message["labelIds"] == ["INBOX"] and message["threadId"] == message_id
    assert message["snippet"] == "Hi, it&#39;s the deck."
    payload = message["payload"]
    headers = {h["name"]: h["value"] for h in payload["headers"]}
    assert headers["Subject"] == "Fund III — data room"
    assert headers["Cc"] == "bo@fund.example"
    assert payload["mimeType"] == "multipart/mixed"
    alternative, attachment = payload["parts"]
    text, html = alternative["parts"]
    assert (text["partId"], text["mimeType"]) == ("0.0", "text/plain")
    assert (html["partId"], html["mimeType"]) == ("0.1", "text/html")
    assert b64url_bytes(text["body"]["data"]).strip() == b"Hi, it's the deck."
    assert attachment["filename"] == "deck.pdf" and "data" not in attachment["body"]
    fetched = users.messages().attachments().get(
        userId="me", messageId=message_id, id=attachment["body"]["attachmentId"]).execute()
    assert b64url_bytes(fetched["data"]) == b"%PDF-1.7 deck"


def test_get_raw_and_metadata(fake_gmail, users):
    message_id = fake_gmail.add_message(PARTNER, from_="ann@lp.example", to=PARTNER,
                                        subject="Raw", html="<p>only html</p>")
    raw = users.messages().get(userId="me", id=message_id, format="raw").execute()
    assert "payload" not in raw
    parsed = BytesParser(policy=policy.default).parsebytes(b64url_bytes(raw["raw"]))
    assert parsed["Subject"] == "Raw" and parsed.get_content_type() == "text/html"
    metadata = users.messages().get(userId="me", id=message_id, format="metadata",
                                    metadataHeaders=["From", "Subject"]).execute()
    assert metadata["payload"]["headers"] == [{"name": "From", "value": "ann@lp.example"},
                                              {"name": "Subject", "value": "Raw"}]


def test_raw_message_is_served_byte_for_byte(fake_gmail, users):
    original = (b"From: ann@lp.example\r\nTo: partner@fund.example\r\nSubject: As sent\r\n"
                b"Date: Tue, 03 Feb 2026 14:05:00 +0100\r\n\r\nBody\r\n")
    message_id = fake_gmail.add_message(PARTNER, raw=original, labels=("INBOX", "UNREAD"))
    message = users.messages().get(userId="me", id=message_id, format="raw").execute()
    assert b64url_bytes(message["raw"]) == original
    assert message["internalDate"] == str(int(datetime.datetime(
        2026, 2, 3, 13, 5, tzinfo=UTC).timestamp() * 1000))
    assert message["labelIds"] == ["INBOX", "UNREAD"] and message["snippet"] == "Body"


def test_unknown_message_is_404_in_googles_shape(users):
    with pytest.raises(HttpError) as missing:
        users.messages().get(userId="me", id="18f0000000000000").execute()
    assert missing.value.status_code == 404
    assert google_error(missing.value) | {"errors": None} == {
        "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
        "errors": None}


def test_history_is_incremental_and_pages(fake_gmail, users):
    fake_gmail.add_message(PARTNER, from_="a@lp.example", to=PARTNER, subject="before", text="x")
    start = users.getProfile(userId="me").execute()["historyId"]
    added = [fake_gmail.add_message(PARTNER, from_="a@lp.example", to=PARTNER, subject=f"#{n}",
                                    text="x") for n in range(3)]
    request = users.history().list(userId="me", startHistoryId=start,
                                   historyTypes=["messageAdded"], maxResults=2)
    seen = []
    while request is not None:
        response = request.execute()
        seen += [a["message"]["id"] for h in response["history"] for a in h["messagesAdded"]]
        request = users.history().list_next(request, response)
    assert seen == added
    latest = response["historyId"]
    assert "history" not in users.history().list(userId="me", startHistoryId=latest).execute()


def test_expired_history_id_is_404(fake_gmail, users):
    start = users.getProfile(userId="me").execute()["historyId"]
    fake_gmail.add_message(PARTNER, from_="a@lp.example", to=PARTNER, subject="x", text="x")
    fake_gmail.expire_history(PARTNER, int(start) + 1)
    with pytest.raises(HttpError) as expired:
        users.history().list(userId="me", startHistoryId=start).execute()
    assert expired.value.status_code == 404
    assert google_error(expired.value)["status"] == "NOT_FOUND"
    assert google_error(expired.value)["message"] == "Requested entity was not found."


def test_draft_create_stores_the_message(fake_gmail, users):
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = PARTNER, "ann@lp.example", "Re: Fund III"
    email.set_content("Thanks, Ann.")
    raw = base64.urlsafe_b64encode(email.as_bytes()).decode()
    created = users.drafts().create(userId="me", body={"message": {"raw": raw}}).execute()
    assert created["id"].startswith("r")
    assert created["message"]["labelIds"] == ["DRAFT"]
    (draft,) = fake_gmail.drafts[PARTNER]
    assert draft.id == created["id"] and draft.message_id == created["message"]["id"]
    assert draft.message["To"] == "ann@lp.example"
    assert draft.message.get_content().strip() == "Thanks, Ann."
    stored = users.messages().get(userId="me", id=draft.message_id).execute()
    assert stored["labelIds"] == ["DRAFT"]


def test_media_upload_cannot_reach_an_http_endpoint(fake_gmail, users):
    # the client moves uploads to api_endpoint's host but keeps https: drafts must be JSON
    upload = MediaInMemoryUpload(b"To: ann@lp.example\r\n\r\nhi\r\n", mimetype="message/rfc822")
    with pytest.raises(ssl.SSLError):
        users.drafts().create(userId="me", body={}, media_body=upload).execute()
    assert fake_gmail.drafts[PARTNER] == []


def test_sending_is_refused_and_recorded(fake_gmail, users):
    raw = base64.urlsafe_b64encode(b"To: ann@lp.example\r\nSubject: x\r\n\r\nx\r\n").decode()
    with pytest.raises(HttpError) as message_send:
        users.messages().send(userId="me", body={"raw": raw}).execute()
    with pytest.raises(HttpError) as draft_send:
        users.drafts().send(userId="me", body={"id": "r1"}).execute()
    assert message_send.value.status_code == draft_send.value.status_code == 403
    assert [(c.method, c.path) for c in fake_gmail.forbidden_calls] == [
        ("POST", "/gmail/v1/users/me/messages/send"), ("POST", "/gmail/v1/users/me/drafts/send")]
    assert fake_gmail.mailboxes[PARTNER].messages == {}


def test_fail_next_injects_one_error(fake_gmail, users):
    fake_gmail.fail_next("/gmail/v1/users/me/messages", 429, "Too many concurrent requests")
    with pytest.raises(HttpError) as throttled:
        users.messages().list(userId="me").execute()
    assert throttled.value.status_code == 429
    assert google_error(throttled.value)["status"] == "RESOURCE_EXHAUSTED"
    assert users.messages().list(userId="me").execute() == {"resultSizeEstimate": 0}


def test_expired_token_is_refreshed_by_the_client(fake_gmail, users):
    users.getProfile(userId="me").execute()
    fake_gmail.expire_tokens()
    users.getProfile(userId="me").execute()
    assert [p for p in paths(fake_gmail) if p[1] == "/token"] == [("POST", "/token")] * 2

