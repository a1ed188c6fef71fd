"""Sync pages through history and messages.list until done, resumes after a failure, and
falls back to a full list when the history id has expired; no message is lost or doubled."""
from datetime import timedelta

import pytest

from plugins.gmail import sync
from plugins.gmail.sync import sync_all
from tests.gmail.test_capture import ADA, NOW, mail

HISTORY = "/gmail/v1/users/me/history"


def quick(fake, n, days_ago=1):
    """n small investor messages in Ada's mailbox (a minimal RFC 822 form, fast to build)."""
    date = NOW - timedelta(days=days_ago)
    stamp = date.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return [fake.add_message(ADA, date=date, raw=(
        f"From: jo@acme.example\r\nTo: {ADA}\r\nSubject: note {i}\r\nDate: {stamp}\r\n"
        f"\r\nhi {i}\r\n").encode()) for i in range(n)]


def proposed_ids(crm, user_id):
    """Message ids of the user's proposals, one entry per stored row."""
    return [r["message_id"] for r in crm.db.query(
        "SELECT message_id FROM gmail_proposals WHERE user_id = ? AND deleted_at IS NULL",
        [user_id])]


def account(crm, user_id):
    return crm.db.execute("SELECT history_id, sync_cursor FROM gmail_accounts "
                          "WHERE user_id = ?", [user_id]).fetchone()


def calls(fake, since, suffix):
    return [r for r in fake.requests[since:] if r.path.endswith(suffix)]


def test_5000_new_messages_are_all_synced(synced, fake_gmail, admin):
    first = [mail(fake_gmail, ADA, subject="Before")]
    assert sync_all(synced, user_id=admin["id"])[0]["error"] is None
    added = quick(fake_gmail, 5000)
    before = len(fake_gmail.requests)
    (result,) = sync_all(synced, user_id=admin["id"])
    assert result["error"] is None and result["seen"] == 5000
    ids = proposed_ids(synced, admin["id"])
    assert len(ids) == len(set(ids)) == 5001
    assert set(ids) == set(first + added)
    pages = calls(fake_gmail, before, "/history")
    assert len(pages) == 10 and all(p.query.get("maxResults") == ["500"] for p in pages)
    history_id, cursor = account(synced, admin["id"])
    assert cursor is None
    assert history_id == str(fake_gmail.mailboxes[ADA].history_id)


def test_expired_history_id_recovers_by_a_full_list_without_duplicates(
        synced, fake_gmail, admin, monkeypatch):
    monkeypatch.setenv("GMAIL_PAGE_SIZE", "100")
    old = quick(fake_gmail, 120, days_ago=2)
    sync_all(synced, user_id=admin["id"])
    new = quick(fake_gmail, 230)
    mail(fake_gmail, ADA, days_ago=45, subject="Outside the lookback window")
    fake_gmail.expire_history(ADA, before_history_id=10**9)
    before = len(fake_gmail.requests)
    (result,) = sync_all(synced, user_id=admin["id"])
    assert result["error"] is None
    ids = proposed_ids(synced, admin["id"])
    assert len(ids) == len(set(ids)) and set(ids) == set(old + new)
    assert len(calls(fake_gmail, before, "/history")) == 1  # the 404
    listed = calls(fake_gmail, before, "/messages")
    assert len(listed) == 4  # 350 in the window, 100 a page
    fetched = [r for r in fake_gmail.requests[before:] if "/messages/" in r.path]
    assert len(fetched) == len(new), "messages already proposed are not read again"
    assert account(synced, admin["id"])[1] is None


@pytest.mark.parametrize("crash", ["gmail_503", "exception"])
def test_crash_after_page_2_resumes_with_every_message_once(
        synced, fake_gmail, admin, monkeypatch, crash):
    monkeypatch.setenv("GMAIL_PAGE_SIZE", "100")
    sync_all(synced, user_id=admin["id"])
    start_history = account(synced, admin["id"])[0]
    added = quick(fake_gmail, 450)
    if crash == "gmail_503":  # the third history page fails past the client's retries
        fake_gmail.fail_next(HISTORY, 503, after=2, times=3)
        (result,) = sync_all(synced, user_id=admin["id"])
        assert result["error"] == "api_error_503"
    else:  # the process dies while reading page 3
        real, read = sync.proposal_for, []

        def dies_on_page_3(message, *args):
            read.append(message["id"])
            if len(read) > 250:
                raise RuntimeError("killed")
            return real(message, *args)
        monkeypatch.setattr(sync, "proposal_for", dies_on_page_3)
        with pytest.raises(RuntimeError):
            sync_all(synced, user_id=admin["id"])
        monkeypatch.setattr(sync, "proposal_for", real)
    assert len(proposed_ids(synced, admin["id"])) == 200  # pages 1 and 2 stored
    history_id, cursor = account(synced, admin["id"])
    assert history_id == start_history and cursor is not None
    before = len(fake_gmail.requests)
    (result,) = sync_all(synced, user_id=admin["id"])
    assert result["error"] is None and result["seen"] == 250
    resumed = calls(fake_gmail, before, "/history")
    assert resumed[0].query.get("pageToken"), "the second sync resumes at page 3"
    ids = proposed_ids(synced, admin["id"])
    assert len(ids) == len(set(ids)) == 450 and set(ids) == set(added)
    assert account(synced, admin["id"]) == (str(fake_gmail.mailboxes[ADA].history_id), None)


def test_a_refused_saved_page_token_lists_again_without_duplicates(
        synced, fake_gmail, admin, monkeypatch):
    monkeypatch.setenv("GMAIL_PAGE_SIZE", "100")
    sync_all(synced, user_id=admin["id"])
    added = quick(fake_gmail, 250)
    fake_gmail.fail_next(HISTORY, 503, after=1, times=3)
    assert sync_all(synced, user_id=admin["id"])[0]["error"] == "api_error_503"
    fake_gmail.fail_next(HISTORY, 400, "Invalid pageToken")
    before = len(fake_gmail.requests)
    (result,) = sync_all(synced, user_id=admin["id"])
    assert result["error"] is None and result["seen"] == 150
    assert [bool(r.query.get("pageToken")) for r in calls(fake_gmail, before, "/history")] == [
        True, False, True, True]  # refused, then the list from its start
    ids = proposed_ids(synced, admin["id"])
    assert len(ids) == len(set(ids)) == 250 and set(ids) == set(added)


def test_a_message_deleted_after_listing_is_skipped(synced, fake_gmail, admin):
    sync_all(synced, user_id=admin["id"])
    gone, *kept = quick(fake_gmail, 3)
    fake_gmail.fail_next(f"/gmail/v1/users/me/messages/{gone}", 404,
                         "Requested entity was not found.")
    (result,) = sync_all(synced, user_id=admin["id"])
    assert result["error"] is None and result["seen"] == 2
    assert sorted(proposed_ids(synced, admin["id"])) == sorted(kept)
    assert account(synced, admin["id"]) == (str(fake_gmail.mailboxes[ADA].history_id), None)
