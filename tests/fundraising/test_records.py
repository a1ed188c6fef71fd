import threading

import pytest
from falcon import testing

from core.app import create_app
from tests.conftest import add_user, login


def create(client, headers, table="investors", name="Acme Capital", **fields):
    result = client.simulate_post(f"/api/fundraising/{table}", headers=headers,
                                  json={"name": name, "fields": fields})
    assert result.status_code == 201, result.json
    return result.json


def test_create_get_list_shape(client, member):
    h = member["headers"]
    made = create(client, h, "investors", "Acme Capital", **{"Stage": "Intro",
                                                             "Check Size": 250000})
    assert made["version"] == 1 and made["fields"] == {"Stage": "Intro", "Check Size": 250000}
    assert made["created_by"] == member["id"] == made["updated_by"]
    assert set(made) == {"id", "version", "name", "fields", "created_at", "created_by",
                         "updated_at", "updated_by"}
    assert client.simulate_get(f"/api/fundraising/investors/{made['id']}", headers=h).json == made
    for i in range(4):
        create(client, h, "investors", f"Fund {i}")
    page = client.simulate_get("/api/fundraising/investors", headers=h,
                               params={"limit": "2", "offset": "1"}).json
    assert page["total"] == 5 and [r["name"] for r in page["records"]] == ["Fund 0", "Fund 1"]


@pytest.mark.parametrize("fields,field", [
    ({"Nope": 1}, "fields.Nope"),
    ({"Check Size": "a lot"}, "fields.Check Size"),
    ({"Check Size": True}, "fields.Check Size"),
    ({"Stage": "Maybe"}, "fields.Stage"),
    ({"Last Contact": "25/11/2026"}, "fields.Last Contact"),
    ({"Owner": 999}, "fields.Owner"),
])
def test_bad_values_get_422_naming_the_field(client, member, fields, field):
    result = client.simulate_post("/api/fundraising/investors", headers=member["headers"],
                                  json={"name": "X", "fields": fields})
    assert result.status_code == 422
    assert result.json["error"]["field"] == field
    assert client.simulate_get("/api/fundraising/investors",
                               headers=member["headers"]).json["total"] == 0


def test_blank_name_and_unknown_body_keys(client, member):
    blank = client.simulate_post("/api/fundraising/investors", headers=member["headers"],
                                 json={"name": "  "})
    assert blank.status_code == 422 and blank.json["error"]["field"] == "name"
    extra = client.simulate_post("/api/fundraising/investors", headers=member["headers"],
                                 json={"name": "A", "stage": "Intro"})
    assert extra.status_code == 422 and extra.json["error"]["field"] == "stage"


def test_links_and_contacts(client, member):
    h = member["headers"]
    investor = create(client, h, "investors", "Beta LP")
    contact = create(client, h, "contacts", "Jo Smith", **{"Investor": investor["id"],
                                                          "Email": "jo@beta.example"})
    assert contact["fields"]["Investor"] == investor["id"]
    bad = client.simulate_post("/api/fundraising/contacts", headers=h,
                               json={"name": "Ghost", "fields": {"Investor": 424242}})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "fields.Investor"
    bad_email = client.simulate_post("/api/fundraising/contacts", headers=h,
                                     json={"name": "Bad", "fields": {"Email": "not-an-email"}})
    assert bad_email.json["error"]["field"] == "fields.Email"


def test_patch_updates_version_and_history(client, member, admin):
    h = member["headers"]
    rec = create(client, h, **{"Stage": "Intro"})
    url = f"/api/fundraising/investors/{rec['id']}"
    patched = client.simulate_patch(url, headers=h, json={
        "expected_version": 1, "name": "Acme Capital II", "fields": {"Stage": "Meeting",
                                                                      "Check Size": 1.5e6}})
    assert patched.status_code == 200
    assert patched.json["version"] == 2 and patched.json["fields"]["Check Size"] == 1500000
    history = client.simulate_get(f"{url}/history", headers=admin["headers"]).json["entries"]
    assert [e["kind"] for e in history] == ["update", "create"]
    assert history[0]["changes"] == {"Name": ["Acme Capital", "Acme Capital II"],
                                     "Stage": ["Intro", "Meeting"],
                                     "Check Size": [None, 1500000]}
    assert history[0]["actor"] == {"id": member["id"], "name": "Max Member"}
    same = client.simulate_patch(url, headers=h, json={"expected_version": 2,
                                                       "fields": {"Stage": "Meeting"}})
    assert same.json["version"] == 2  # nothing changed, nothing written
    cleared = client.simulate_patch(url, headers=h, json={"expected_version": 2,
                                                          "fields": {"Check Size": None}})
    assert "Check Size" not in cleared.json["fields"] and cleared.json["version"] == 3


def test_stale_patch_is_409_with_who_and_when(client, member, admin):
    rec = create(client, member["headers"])
    url = f"/api/fundraising/investors/{rec['id']}"
    first = client.simulate_patch(url, headers=admin["headers"],
                                  json={"expected_version": 1, "fields": {"Stage": "Intro"}})
    stale = client.simulate_patch(url, headers=member["headers"],
                                  json={"expected_version": 1, "fields": {"Stage": "Meeting"}})
    assert stale.status_code == 409
    error = stale.json["error"]
    assert error["code"] == "version_conflict" and error["current_version"] == 2
    assert error["updated_at"] == first.json["updated_at"]
    assert error["updated_by"] == {"id": admin["id"], "name": "Ada Admin"}
    assert client.simulate_get(url, headers=member["headers"]).json["fields"] == {"Stage": "Intro"}


def test_two_clients_same_version_exactly_one_wins(crm, member, admin):
    app = create_app(crm)
    client = testing.TestClient(app)
    rec = create(client, member["headers"])
    url = f"/api/fundraising/investors/{rec['id']}"
    barrier = threading.Barrier(2)
    results = {}

    def edit(who, headers, stage):
        c = testing.TestClient(app)
        barrier.wait()
        results[who] = c.simulate_patch(url, headers=headers, json={
            "expected_version": 1, "fields": {"Stage": stage}})

    threads = [threading.Thread(target=edit, args=("a", admin["headers"], "Intro")),
               threading.Thread(target=edit, args=("m", member["headers"], "Meeting"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409]
    winner = next(r for r in results.values() if r.status_code == 200)
    history = client.simulate_get(f"{url}/history", headers=admin["headers"]).json["entries"]
    updates = [e for e in history if e["kind"] == "update"]
    assert len(updates) == 1
    assert updates[0]["changes"]["Stage"][1] == winner.json["fields"]["Stage"]


def test_different_records_never_conflict(client, member, admin):
    a = create(client, member["headers"], name="A")
    b = create(client, member["headers"], name="B")
    ra = client.simulate_patch(f"/api/fundraising/investors/{a['id']}", headers=member["headers"],
                               json={"expected_version": 1, "fields": {"Stage": "Intro"}})
    rb = client.simulate_patch(f"/api/fundraising/investors/{b['id']}", headers=admin["headers"],
                               json={"expected_version": 1, "fields": {"Stage": "Meeting"}})
    assert ra.status_code == rb.status_code == 200


def test_archive_and_restore(client, member):
    h = member["headers"]
    rec = create(client, h, name="Gone LP")
    url = f"/api/fundraising/investors/{rec['id']}"
    stale = client.simulate_delete(url, headers=h, params={"expected_version": "7"})
    assert stale.status_code == 409
    assert client.simulate_delete(url, headers=h).status_code == 200
    got = client.simulate_get(url, headers=h)
    assert got.status_code == 404 and got.json["error"]["code"] == "archived"
    assert client.simulate_patch(url, headers=h, json={"expected_version": 2}).status_code == 404
    archived = client.simulate_get("/api/fundraising/archived", headers=h,
                                   params={"table": "investors"}).json
    assert [r["name"] for r in archived["records"]] == ["Gone LP"] and archived["total"] == 1
    restored = client.simulate_post(f"{url}/restore", headers=h)
    assert restored.status_code == 200 and restored.json["name"] == "Gone LP"
    assert client.simulate_post(f"{url}/restore", headers=h).status_code == 404
    kinds = [e["kind"] for e in client.simulate_get(f"{url}/history", headers=h).json["entries"]]
    assert kinds == ["restore", "archive", "create"]


def test_not_found_ids(client, member):
    for path in ("/api/fundraising/investors/999", "/api/fundraising/investors/abc",
                 "/api/fundraising/investors/99999999999999999999999"):
        assert client.simulate_get(path, headers=member["headers"]).status_code == 404


def test_record_changes_reach_the_activity_feed(client, member):
    create(client, member["headers"], name="Feedy LP")
    entries = client.simulate_get("/api/activity", headers=member["headers"]).json["entries"]
    entries = [e for e in entries if e["source"] == "fundraising"]
    assert entries[0]["kind"] == "create"
    assert entries[0]["changes"]["Name"] == [None, "Feedy LP"]


def test_anonymous_cannot_read_records(client, member):
    assert client.simulate_get("/api/fundraising/investors").status_code == 401


def test_member_without_other_setup(make_crm):
    crm = make_crm()
    add_user(crm, "solo@fund.example", "member")
    client = testing.TestClient(create_app(crm))
    h = login(client, "solo@fund.example")
    assert client.simulate_get("/api/fundraising/state", headers=h).status_code == 200
