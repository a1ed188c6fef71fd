"""GET /api/gmail/last-emailed?ids=: who on the team last emailed each investor (the grid's
"Last emailed by" column), for many investors in one call."""
import pytest

from plugins.fundraising.records import RecordStore
from plugins.gmail.last_emailed import MAX_IDS
from plugins.gmail.sync import sync_all
from tests.gmail.test_capture import ADA, MAX, mail

ROUTE = "/api/gmail/last-emailed"


@pytest.fixture
def routed(synced, client):
    return client


def _last(client, headers, ids):
    answer = client.simulate_get(ROUTE, headers=headers,
                                 params={"ids": ",".join(map(str, ids))})
    assert answer.status_code == 200, answer.json
    return {e["investor_id"]: e["last_email"] for e in answer.json["investors"]}


def test_last_emailed_by_for_many_investors(synced, routed, fake_gmail, admin, member):
    client, h = routed, member["headers"]
    with synced.write() as db:
        store = RecordStore(db, "investors")
        beta, quiet, gone = (store.create(n, {}, None) for n in ("Beta", "Quiet", "Gone"))
        RecordStore(db, "contacts").create("Bo", {"Investor": beta["id"],
                                                  "Email": "bo@beta.example"}, None)
    mail(fake_gmail, ADA, subject="Acme to Ada", days_ago=4)
    mail(fake_gmail, MAX, from_="bo@beta.example", to=[MAX], subject="Beta to Max", days_ago=3)
    mail(fake_gmail, ADA, from_=ADA, to=["bo@beta.example"], subject="Ada to Beta",
         days_ago=1, labels=("SENT",))
    assert [r["error"] for r in sync_all(synced)] == [None, None]
    for proposal in client.simulate_get("/api/gmail/proposals", headers=admin["headers"],
                                        ).json["proposals"]:
        approved = client.simulate_post(f"/api/gmail/proposals/{proposal['id']}/approve",
                                        headers=admin["headers"])
        assert approved.status_code == 200, approved.json
    client.simulate_delete(f"/api/fundraising/investors/{gone['id']}", headers=admin["headers"])
    acme = synced.acme["id"]
    last = _last(client, h, [acme, beta["id"], quiet["id"], gone["id"], 999_999, acme])
    assert set(last) == {acme, beta["id"], quiet["id"]}  # archived and unknown ids left out
    assert (last[acme]["user_name"], last[acme]["subject"], last[acme]["direction"]) == (
        "Ada Admin", "Acme to Ada", "in")
    assert (last[beta["id"]]["user_id"], last[beta["id"]]["direction"]) == (admin["id"], "out")
    assert last[quiet["id"]] is None
    # the one-investor route answers the same
    one = client.simulate_get(f"/api/gmail/investors/{beta['id']}/last-email", headers=h).json
    assert one["last_email"] == last[beta["id"]]
    # an undone approval no longer counts
    undone = client.simulate_post(f"/api/gmail/activities/{last[beta['id']]['id']}/undo",
                                  headers=admin["headers"])
    assert undone.status_code == 200, undone.json
    again = _last(client, h, [beta["id"]])
    assert (again[beta["id"]]["user_name"], again[beta["id"]]["subject"]) == (
        "Max Member", "Beta to Max")


def test_last_emailed_ids_are_checked(synced, routed, member):
    client, h = routed, member["headers"]
    for bad in ("", "abc", "1,-2", "1;2", ",".join(["1"] * (MAX_IDS + 1))):
        answer = client.simulate_get(ROUTE, headers=h, params={"ids": bad})
        assert answer.status_code == 422, bad
        assert answer.json["error"]["field"] == "ids"
    assert client.simulate_get(ROUTE, headers=h).json["error"]["field"] == "ids"
    assert client.simulate_get(ROUTE, params={"ids": "1"}).status_code == 401
