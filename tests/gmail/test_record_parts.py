"""The gmail plugin's part of My day: the pending proposals of the user's own mailbox."""
from plugins.fundraising.records import RecordStore
from plugins.gmail.sync import sync_all
from tests.gmail.test_capture import ADA, MAX, mail


def test_my_day_proposals_are_the_users_own_pending(synced, fake_gmail, client, admin, member):
    mail(fake_gmail, ADA, subject="For Ada")
    mail(fake_gmail, MAX, to=[MAX], subject="For Max")
    mail(fake_gmail, MAX, to=[MAX], subject="Max rejects", days_ago=2)
    assert [r["error"] for r in sync_all(synced)] == [None, None]
    rejected = [p for p in client.simulate_get("/api/gmail/proposals", headers=member["headers"]
                                               ).json["proposals"]
                if p["subject"] == "Max rejects"][0]
    result = client.simulate_post(f"/api/gmail/proposals/{rejected['id']}/reject",
                                  headers=member["headers"])
    assert result.status_code == 200, result.json
    parts = synced.pm.hook.my_day(crm=synced, user=admin, params={})
    mine = [p for part in parts for p in part.get("proposals", [])]
    assert [p["subject"] for p in mine] == ["For Ada"]
    parts = synced.pm.hook.my_day(crm=synced, user=member, params={})
    theirs = [p for part in parts for p in part.get("proposals", [])]
    assert [p["subject"] for p in theirs] == ["For Max"]
    assert theirs[0]["user_id"] == member["id"] and theirs[0]["status"] == "pending"


def _approve(client, headers, proposal):
    result = client.simulate_post(f"/api/gmail/proposals/{proposal['id']}/approve",
                                  headers=headers)
    assert result.status_code == 200, result.json
    return result.json


def test_record_timeline_email_newest_first_on_investor_and_contact(synced, fake_gmail, client,
                                                                     admin):
    mail(fake_gmail, ADA, subject="Older", days_ago=3, text="First note.")
    mail(fake_gmail, ADA, from_=ADA, to=["jo@acme.example"], subject="Newer", days_ago=1,
         labels=("SENT",), text="Second note.")
    mail(fake_gmail, ADA, subject="Left pending", days_ago=2)
    sync_all(synced)
    by_subject = {p["subject"]: p for p in client.simulate_get(
        "/api/gmail/proposals", headers=admin["headers"]).json["proposals"]}
    for subject in ("Older", "Newer"):
        _approve(client, admin["headers"], by_subject[subject])
    hook = synced.pm.hook.record_timeline
    for table, record in (("investors", synced.acme), ("contacts", synced.jo)):
        entries = [e for part in hook(crm=synced, table=table, record_id=record["id"],
                                      kinds={"email"}, before=None, limit=10) for e in part]
        assert [e["summary"] for e in entries] == ["Newer", "Older"]
        assert [e["direction"] for e in entries] == ["out", "in"]
        assert entries[0]["from"] == ADA and entries[0]["to"] == ["jo@acme.example"]
        assert entries[1]["snippet"] == "First note." and entries[0]["actor"] == admin["id"]
    older = [e for part in hook(crm=synced, table="investors", record_id=synced.acme["id"],
                                kinds={"email"}, before=entries[0]["at"], limit=10)
             for e in part]
    assert [e["summary"] for e in older] == ["Older"]
    assert [e for part in hook(crm=synced, table="investors", record_id=synced.acme["id"],
                               kinds={"note"}, before=None, limit=10) for e in part] == []


def test_record_timeline_email_share_level_subject_keeps_no_snippet(synced, fake_gmail, client,
                                                                     admin, monkeypatch):
    monkeypatch.setenv("GMAIL_SHARE_LEVEL", "subject")
    mail(fake_gmail, ADA, subject="Terms", text="Confidential body.")
    sync_all(synced)
    [proposal] = client.simulate_get("/api/gmail/proposals",
                                     headers=admin["headers"]).json["proposals"]
    _approve(client, admin["headers"], proposal)
    [entry] = [e for part in synced.pm.hook.record_timeline(
        crm=synced, table="investors", record_id=synced.acme["id"], kinds={"email"}, before=None,
        limit=10) for e in part]
    assert entry["summary"] == "Terms" and not entry["snippet"]


def _second_investor(crm, name="Beta Ventures", email="kim@beta.example"):
    with crm.write() as db:
        beta = RecordStore(db, "investors").create(name, {"Last Contact": "2026-01-01"}, None)
        kim = RecordStore(db, "contacts").create("Kim", {"Investor": beta["id"], "Email": email},
                                                 None)
    return beta, kim


def _timeline(crm, table, record_id):
    return [e for part in crm.pm.hook.record_timeline(crm=crm, table=table, record_id=record_id,
                                                      kinds={"email"}, before=None, limit=20)
            for e in part]


def test_message_matching_contacts_of_two_investors_appears_on_both(synced, fake_gmail, client,
                                                                    admin):
    beta, kim = _second_investor(synced)
    mail(fake_gmail, ADA, from_=ADA, to=["jo@acme.example", "Kim@Beta.example"],
                subject="Co-invest", days_ago=1, labels=("SENT",))
    sync_all(synced)
    [proposal] = client.simulate_get("/api/gmail/proposals",
                                     headers=admin["headers"]).json["proposals"]
    assert sorted(proposal["investor_ids"]) == sorted([synced.acme["id"], beta["id"]])
    _approve(client, admin["headers"], proposal)
    for table, record_id in (("investors", synced.acme["id"]), ("investors", beta["id"]),
                             ("contacts", synced.jo["id"]), ("contacts", kim["id"])):
        assert [e["summary"] for e in _timeline(synced, table, record_id)] == ["Co-invest"]
    day = proposal["sent_at"][:10]
    for investor_id in (synced.acme["id"], beta["id"]):
        record = client.simulate_get(f"/api/fundraising/investors/{investor_id}",
                                     headers=admin["headers"])
        assert record.status_code == 200, record.json
        assert record.json["fields"]["Last Contact"] == day


def _last_contact(client, headers, investor_id):
    record = client.simulate_get(f"/api/fundraising/investors/{investor_id}", headers=headers)
    assert record.status_code == 200, record.json
    return record.json["fields"].get("Last Contact")


def _approve_all(synced, client, admin):
    sync_all(synced)
    found = client.simulate_get("/api/gmail/proposals", headers=admin["headers"]).json
    for proposal in found["proposals"]:
        _approve(client, admin["headers"], proposal)
    return {e["summary"]: e for e in _timeline(synced, "investors", synced.acme["id"])}


def test_undo_approval_restores_previous_last_contact(synced, fake_gmail, client, admin, member):
    mail(fake_gmail, ADA, subject="Older", days_ago=5)
    mail(fake_gmail, ADA, subject="Newer", days_ago=2)
    emails = _approve_all(synced, client, admin)
    acme = synced.acme["id"]
    assert _last_contact(client, admin["headers"], acme) == emails["Newer"]["at"][:10]
    path = f"/api/gmail/activities/{emails['Newer']['id']}/undo"
    assert client.simulate_post(path, headers=member["headers"]).status_code == 403
    result = client.simulate_post(path, headers=admin["headers"])
    assert result.status_code == 200, result.json
    assert result.json["proposal_status"] == "pending" and result.json["investor_ids"] == [acme]
    assert _last_contact(client, admin["headers"], acme) == emails["Older"]["at"][:10]
    assert [e["summary"] for e in _timeline(synced, "investors", acme)] == ["Older"]
    pending = client.simulate_get("/api/gmail/proposals", headers=admin["headers"]).json
    assert [p["subject"] for p in pending["proposals"]] == ["Newer"]
    assert client.simulate_post(path, headers=admin["headers"]).status_code == 404
    undone = client.simulate_post(f"/api/gmail/activities/{emails['Older']['id']}/undo",
                                  headers=admin["headers"])
    assert undone.status_code == 200, undone.json
    assert _last_contact(client, admin["headers"], acme) == "2026-01-01"  # the value before
    audit = synced.db.execute("SELECT count(*) FROM audit_log WHERE plugin = 'gmail' AND "
                              "action = 'archive'").fetchone()[0]
    assert audit == 2
    # approved again: the email is back on the record
    again = _approve(client, admin["headers"], pending["proposals"][0])
    assert again["status"] == "approved"
    assert [e["summary"] for e in _timeline(synced, "investors", acme)] == ["Newer"]
    assert _last_contact(client, admin["headers"], acme) == emails["Newer"]["at"][:10]


def test_link_email_to_other_investor_recomputes_both(synced, fake_gmail, client, admin):
    beta, _kim = _second_investor(synced)
    mail(fake_gmail, ADA, subject="Wrong one", days_ago=3)
    emails = _approve_all(synced, client, admin)
    entry = emails["Wrong one"]
    path = f"/api/gmail/activities/{entry['id']}/link"
    missing = client.simulate_post(path, headers=admin["headers"], json={"investor_id": 999999})
    assert missing.status_code == 404
    bad = client.simulate_post(path, headers=admin["headers"], json={"investor_id": "x"})
    assert bad.status_code in (400, 422) and "investor_id" in str(bad.json)
    moved = client.simulate_post(path, headers=admin["headers"], json={"investor_id": beta["id"]})
    assert moved.status_code == 200, moved.json
    assert _last_contact(client, admin["headers"], synced.acme["id"]) == "2026-01-01"
    assert _last_contact(client, admin["headers"], beta["id"]) == entry["at"][:10]
    assert _timeline(synced, "investors", synced.acme["id"]) == []
    assert [e["summary"] for e in _timeline(synced, "investors", beta["id"])] == ["Wrong one"]


def test_last_emailed_by_is_the_teammate_of_the_latest_approved(synced, fake_gmail, client,
                                                                 admin, member):
    path = f"/api/gmail/investors/{synced.acme['id']}/last-email"
    assert client.simulate_get(path, headers=member["headers"]).json["last_email"] is None
    mail(fake_gmail, ADA, subject="Ada's", days_ago=4)
    mail(fake_gmail, MAX, to=[MAX], subject="Max's", days_ago=1)
    sync_all(synced)
    for proposal in client.simulate_get("/api/gmail/proposals",
                                        headers=admin["headers"]).json["proposals"]:
        _approve(client, admin["headers"], proposal)
    last = client.simulate_get(path, headers=member["headers"]).json["last_email"]
    assert (last["subject"], last["user_id"], last["user_name"]) == ("Max's", member["id"],
                                                                      "Max Member")
    client.simulate_post(f"/api/gmail/activities/{last['id']}/undo", headers=admin["headers"])
    last = client.simulate_get(path, headers=member["headers"]).json["last_email"]
    assert (last["subject"], last["user_id"]) == ("Ada's", admin["id"])
    assert client.simulate_get("/api/gmail/investors/999999/last-email",
                               headers=member["headers"]).status_code == 404
