"""?q= on GET /api/fundraising/{table}: full-text search over a table's text fields, prefix
matching, combined with filters and views, and in sync after every kind of write."""
import json

import pytest

URL = "/api/fundraising/investors"


def _new(client, headers, name, table="investors", **fields):
    answer = client.simulate_post(f"/api/fundraising/{table}", headers=headers,
                                  json={"name": name, "fields": fields})
    assert answer.status_code == 201, answer.json
    return answer.json


def found(client, headers, q, table="investors", **params):
    answer = client.simulate_get(f"/api/fundraising/{table}", headers=headers,
                                 params={"q": q, **params})
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == len(answer.json["records"])
    return sorted(r["name"] for r in answer.json["records"])


def _field(client, headers, name, ftype, table="investors", **options):
    answer = client.simulate_post("/api/fundraising/fields", headers=headers, json={
        "table": table, "name": name, "type": ftype, **({"options": options} if options else {})})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_every_text_field_is_searched_by_word_prefix(client, admin):
    h = admin["headers"]
    _field(client, h, "Notes", "long_text")
    _field(client, h, "Website", "url")
    _field(client, h, "Sectors", "multi_select", choices=["Fintech", "Climate Tech"])
    _field(client, h, "Phone", "phone")
    _field(client, h, "Size", "number")
    _new(client, h, "Acme Capital", Stage="Diligence", Notes="Met at SOSV, très chaud")
    _new(client, h, "Birch Partners", Website="https://birch.example", Sectors=["Climate Tech"])
    _new(client, h, "Cedar LP", Phone="+1 415 555 0100", Size=4242)
    assert found(client, h, "acm") == ["Acme Capital"]
    assert found(client, h, "ACME cap") == ["Acme Capital"]
    assert found(client, h, "dilig") == ["Acme Capital"]  # a single select's choice
    assert found(client, h, "tres") == ["Acme Capital"]  # accents ignored
    assert found(client, h, "sosv") == ["Acme Capital"]
    assert found(client, h, "birch.exam") == ["Birch Partners"]
    assert found(client, h, "climate") == ["Birch Partners"]  # a multi select's choice
    assert found(client, h, "0100") == ["Cedar LP"]
    assert found(client, h, "4242") == []  # numbers are not text
    assert found(client, h, "capital birch") == []  # every word must match
    assert found(client, h, "apital") == []  # a prefix of a word, not any part of it
    assert len(found(client, h, "  ")) == 3  # no words: no search


def test_search_combines_with_filters_sorts_views_and_paging(client, admin):
    h = admin["headers"]
    for name, stage in (("Acme One", "Intro"), ("Acme Two", "Meeting"), ("Acme Three", "Intro"),
                        ("Other", "Intro")):
        _new(client, h, name, Stage=stage)
    intro = json.dumps({"op": "and", "conditions": [
        {"field": "Stage", "operator": "is", "value": "Intro"}]})
    assert found(client, h, "acme", filters=intro) == ["Acme One", "Acme Three"]
    page = client.simulate_get(URL, headers=h, params={
        "q": "acme", "sorts": json.dumps([{"field": "Name", "direction": "desc"}]),
        "limit": "2", "offset": "1"}).json
    assert page["total"] == 3
    assert [r["name"] for r in page["records"]] == ["Acme Three", "Acme One"]
    view = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "Intro", "filters": json.loads(intro)}).json
    assert found(client, h, "acme", view=str(view["id"])) == ["Acme One", "Acme Three"]


def test_every_table_has_its_own_search(client, admin):
    h = admin["headers"]
    acme = _new(client, h, "Acme Capital")
    _new(client, h, "Ann Lee", table="contacts", Email="ann@acme.example", Title="Partner",
         Investor=acme["id"])
    _new(client, h, "Fund I", table="funds")
    _new(client, h, "Acme in Fund I", table="commitments", Status="Committed")
    assert found(client, h, "partner", table="contacts") == ["Ann Lee"]
    assert found(client, h, "acme.exa", table="contacts") == ["Ann Lee"]
    assert found(client, h, "committed", table="commitments") == ["Acme in Fund I"]
    assert found(client, h, "fund", table="funds") == ["Fund I"]
    assert found(client, h, "partner") == []


def test_search_follows_edits_archives_and_restores(client, admin):
    h = admin["headers"]
    acme = _new(client, h, "Acme Capital")
    changed = client.simulate_patch(f"{URL}/{acme['id']}", headers=h, json={
        "expected_version": acme["version"], "name": "Zenith Capital"}).json
    assert found(client, h, "acme") == []
    assert found(client, h, "zen") == ["Zenith Capital"]
    client.simulate_delete(f"{URL}/{acme['id']}", headers=h,
                           params={"expected_version": str(changed["version"])})
    assert found(client, h, "zen") == []
    client.simulate_post(f"{URL}/{acme['id']}/restore", headers=h)
    assert found(client, h, "zen") == ["Zenith Capital"]


def test_search_follows_batch_writes(client, admin):
    h = admin["headers"]
    acme, birch = _new(client, h, "Acme"), _new(client, h, "Birch")
    answer = client.simulate_post(f"{URL}/batch", headers=h, json={
        "creates": [{"name": "Quasar Ventures"}],
        "updates": [{"id": acme["id"], "expected_version": acme["version"],
                     "fields": {"Stage": "Soft Circle"}}],
        "archives": [{"id": birch["id"], "expected_version": birch["version"]}]})
    assert answer.status_code == 200, answer.json
    assert found(client, h, "quasar") == ["Quasar Ventures"]
    assert found(client, h, "soft circ") == ["Acme"]
    assert found(client, h, "birch") == []


def test_search_follows_imports_and_whole_grid_saves(client, admin):
    h = admin["headers"]
    csv = "Name,Stage,Memo\r\nNebula Partners,Intro,warm lead\r\nOrion Fund,Meeting,cold\r\n"
    answer = client.simulate_post("/api/fundraising/import", headers=h, json={
        "table": "investors", "csv": csv, "confirm": True})
    assert answer.status_code in (200, 201), answer.json
    assert found(client, h, "nebula") == ["Nebula Partners"]
    assert found(client, h, "warm") == ["Nebula Partners"]  # a column the import added
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    state = got["state"]
    for record in state["investors"]:
        if record["name"] == "Orion Fund":
            record["name"] = "Pulsar Fund"
    state["investors"] = [r for r in state["investors"] if r["name"] != "Nebula Partners"]
    put = client.simulate_put("/api/fundraising/state", headers=h,
                              json={"expected_version": got["version"], "state": state})
    assert put.status_code == 200, put.json
    assert found(client, h, "orion") == []
    assert found(client, h, "pulsar") == ["Pulsar Fund"]
    assert found(client, h, "nebula") == []


def test_search_follows_a_backup_restore(client, admin):
    h = admin["headers"]
    acme = _new(client, h, "Acme Capital")
    backup = client.simulate_post("/api/fundraising/backup", headers=h)
    assert backup.status_code == 201, backup.json
    client.simulate_patch(f"{URL}/{acme['id']}", headers=h, json={
        "expected_version": acme["version"], "name": "Renamed"})
    _new(client, h, "Later Ventures")
    assert found(client, h, "acme") == []
    restored = client.simulate_post("/api/fundraising/restore", headers=h, json={
        "backup_id": backup.json["id"], "confirm": True})
    assert restored.status_code == 200, restored.json
    assert found(client, h, "acme") == ["Acme Capital"]
    assert found(client, h, "renamed") == []
    assert found(client, h, "later") == []  # archived by the restore


def test_the_index_is_built_for_rows_that_were_there_before(crm):
    """The migration fills the index from existing rows (a database upgraded in place)."""
    from plugins.fundraising.search import create_search_index
    with crm.write() as db:
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER fundraising_investors_search_{event}")
        db.execute("DROP TABLE fundraising_investors_search")
        db.execute("INSERT INTO fundraising_investors (name, data, created_at, updated_at) "
                   "VALUES ('Old Timer', '{\"9\": \"legacy note\"}', 'x', 'x')")
        create_search_index(db, "investors")
    rows = crm.db.execute("SELECT rowid FROM fundraising_investors_search WHERE "
                          "fundraising_investors_search MATCH 'legacy'").fetchall()
    assert len(rows) == 1


@pytest.mark.parametrize("q", ['"', "a AND", "NEAR(x y)", "*", "x OR y -z", "^a", "col:x"])
def test_search_syntax_is_never_an_error(client, admin, q):
    _new(client, admin["headers"], "Acme")
    answer = client.simulate_get(URL, headers=admin["headers"], params={"q": q})
    assert answer.status_code == 200, answer.json


def test_too_many_words_is_422_naming_q(client, admin):
    answer = client.simulate_get(URL, headers=admin["headers"],
                                 params={"q": " ".join(["w"] * 21)})
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "q"
    assert "at most 20 words" in answer.json["error"]["message"]
