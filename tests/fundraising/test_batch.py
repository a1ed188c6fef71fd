"""POST /api/fundraising/{table}/batch: many writes in one transaction, all or nothing, every
failing item named by its index."""
import pytest
from falcon import testing

from core.app import create_app
from tests.conftest import add_user, login

URL = "/api/fundraising/investors/batch"


def _new(client, headers, name, **fields):
    answer = client.simulate_post("/api/fundraising/investors", headers=headers,
                                  json={"name": name, "fields": fields})
    assert answer.status_code == 201, answer.json
    return answer.json


def _all(client, headers):
    page = client.simulate_get("/api/fundraising/investors", headers=headers,
                               params={"limit": "1000"}).json
    return {r["name"]: r for r in page["records"]}


def _audit_count(crm):
    return crm.db.execute("SELECT count(*) FROM audit_log WHERE plugin = 'fundraising'"
                          ).fetchone()[0]


def test_a_batch_creates_updates_and_archives_in_order(client, admin):
    h = admin["headers"]
    acme, birch, cedar = (_new(client, h, n) for n in ("Acme", "Birch", "Cedar"))
    answer = client.simulate_post(URL, headers=h, json={
        "creates": [{"name": "Dune", "fields": {"Stage": "Intro"}}, {"name": "Elm"}],
        "updates": [{"id": birch["id"], "expected_version": birch["version"],
                     "fields": {"Check Size": 250_000}},
                    {"id": acme["id"], "expected_version": acme["version"], "name": "Acme LP"}],
        "archives": [{"id": cedar["id"], "expected_version": cedar["version"]}]})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert [r["name"] for r in body["creates"]] == ["Dune", "Elm"]
    assert body["creates"][0]["fields"]["Stage"] == "Intro"
    assert [(r["id"], r["version"]) for r in body["updates"]] == [(birch["id"], 2),
                                                                   (acme["id"], 2)]
    assert body["updates"][0]["fields"]["Check Size"] == 250_000
    assert body["archives"][0]["id"] == cedar["id"]
    assert set(_all(client, h)) == {"Acme LP", "Birch", "Dune", "Elm"}
    history = client.simulate_get(f"/api/fundraising/investors/{birch['id']}/history",
                                  headers=h).json["entries"]
    assert history[0]["kind"] == "update" and history[0]["actor"]["id"] == admin["id"]


def test_one_stale_version_writes_nothing_and_is_named(crm, client, admin):
    h = admin["headers"]
    records = [_new(client, h, f"LP {i}") for i in range(3)]
    stale = client.simulate_patch(f"/api/fundraising/investors/{records[1]['id']}", headers=h,
                                  json={"expected_version": 1, "fields": {"Check Size": 1}})
    assert stale.status_code == 200
    before = _audit_count(crm)
    answer = client.simulate_post(URL, headers=h, json={
        "creates": [{"name": "New LP"}],
        "updates": [{"id": r["id"], "expected_version": 1, "fields": {"Check Size": 99}}
                    for r in records]})
    assert answer.status_code == 409, answer.json
    error = answer.json["error"]
    assert error["code"] == "batch_conflict"
    assert [(f["op"], f["index"], f["id"], f["code"]) for f in error["failures"]] == [
        ("updates", 1, records[1]["id"], "version_conflict")]
    assert error["failures"][0]["current_version"] == 2
    assert error["failures"][0]["updated_by"] == {"id": admin["id"], "name": "Ada Admin"}
    assert _audit_count(crm) == before  # nothing written, the create neither
    current = _all(client, h)
    assert "New LP" not in current
    assert [current[f"LP {i}"]["fields"].get("Check Size") for i in range(3)] == [None, 1, None]


def test_every_failing_item_is_named_with_its_field(client, admin):
    h = admin["headers"]
    acme = _new(client, h, "Acme")
    answer = client.simulate_post(URL, headers=h, json={
        "creates": [{"name": "Fine"}, {"name": "Bad", "fields": {"Stage": "Maybe"}}],
        "updates": [{"id": acme["id"], "expected_version": 1, "fields": {"Nope": 1}}],
        "archives": [{"id": 99999, "expected_version": 1}]})
    assert answer.status_code == 422, answer.json
    failures = answer.json["error"]["failures"]
    assert [(f["op"], f["index"]) for f in failures] == [("creates", 1), ("updates", 0),
                                                          ("archives", 0)]
    assert failures[0]["field"] == "creates.1.fields.Stage"
    assert failures[1]["field"] == "updates.0.fields.Nope"
    assert failures[2]["status"] == 404 and failures[2]["id"] == 99999
    assert answer.json["error"]["field"] == "creates.1.fields.Stage"
    assert set(_all(client, h)) == {"Acme"}


@pytest.mark.parametrize("body,field", [
    ({"creates": [{"name": f"LP {i}"} for i in range(1001)]}, "body"),
    ({}, "body"),
    ({"updates": [{"id": 1, "expected_version": 1}], "archives": [{"id": 1,
                                                                   "expected_version": 1}]},
     "body"),
    ({"updates": [{"id": 1}]}, "updates.0.expected_version"),
    ({"creates": [{"name": "x", "colour": "red"}]}, "creates.0.colour"),
])
def test_bad_batches_are_refused_before_any_work(client, admin, body, field):
    answer = client.simulate_post(URL, headers=admin["headers"], json=body)
    assert answer.status_code == 422 and answer.json["error"]["field"] == field


def test_a_members_batch_archives_at_most_the_member_limit(make_crm):
    crm = make_crm()
    client = testing.TestClient(create_app(crm))
    add_user(crm, "ada@fund.example", "admin")
    add_user(crm, "max@fund.example", "member")
    ada, max_ = login(client, "ada@fund.example"), login(client, "max@fund.example")
    made = client.simulate_post(URL, headers=ada, json={
        "creates": [{"name": f"LP {i}"} for i in range(30)]}).json["creates"]
    archives = [{"id": r["id"], "expected_version": r["version"]} for r in made]
    refused = client.simulate_post(URL, headers=max_, json={"archives": archives})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "archive_limit"
    assert client.simulate_post(URL, headers=max_, json={"archives": archives[:25]}
                                ).status_code == 200
    assert client.simulate_post(URL, headers=ada, json={"archives": archives[25:]}
                                ).status_code == 200


def _lists_and_formulas(client, h):
    lists = {name: sorted(r["name"] for r in client.simulate_get(
        f"/api/fundraising/lists/{name}", headers=h, params={"limit": "1000"}).json["records"])
        for name in ("main", "follow_up", "graveyard", "longshot")}
    formulas = {n: r["fields"]["Size band"] for n, r in _all(client, h).items()}
    return lists, formulas


def test_single_edits_and_one_batch_end_the_same(make_crm, tmp_path):
    """Automation lists and formula values after ten single PATCHes equal those after the
    same ten changes as one batch."""
    results = []
    for use_batch in (False, True):
        crm = make_crm(data_dir=tmp_path / f"batch-{use_batch}")
        client = testing.TestClient(create_app(crm))
        add_user(crm, "ada@fund.example")
        h = login(client, "ada@fund.example")
        client.simulate_post("/api/fundraising/fields", headers=h, json={
            "table": "investors", "name": "Size band", "type": "formula",
            "formula": 'IF({Check Size} >= 1000000, "large", "small")'})
        records = [_new(client, h, f"LP {i}", **{"Check Size": 500_000}) for i in range(10)]
        changes = [{"Check Size": 50_000 * (i + 1) * (i % 3)} if i % 2 else
                   {"Stage": "Passed" if i % 4 == 0 else "Meeting", "Check Size": 2_000_000}
                   for i in range(10)]
        if use_batch:
            answer = client.simulate_post(URL, headers=h, json={"updates": [
                {"id": r["id"], "expected_version": r["version"], "fields": c}
                for r, c in zip(records, changes)]})
            assert answer.status_code == 200, answer.json
        else:
            for r, c in zip(records, changes):
                assert client.simulate_patch(f"/api/fundraising/investors/{r['id']}", headers=h,
                                             json={"expected_version": r["version"],
                                                   "fields": c}).status_code == 200
        results.append(_lists_and_formulas(client, h))
    assert results[0] == results[1]
    lists, formulas = results[1]
    assert lists["graveyard"] and lists["longshot"] and "large" in formulas.values()
