"""Archived fields and views are listed and come back like records: with their values, their
formulas computed again, audited, versioned."""
F = "/api/fundraising"


def _field(client, h, name, ftype="text", **extra):
    answer = client.simulate_post(f"{F}/fields", headers=h, json={
        "table": "investors", "name": name, "type": ftype, **extra})
    assert answer.status_code == 201, answer.json
    return answer.json


def _investor(client, h, name, **fields):
    answer = client.simulate_post(f"{F}/investors", headers=h, json={"name": name,
                                                                      "fields": fields})
    assert answer.status_code == 201, answer.json
    return answer.json


def _get(client, h, record_id):
    return client.simulate_get(f"{F}/investors/{record_id}", headers=h).json["fields"]


def _audit(crm, table, row_id):
    return [r[0] for r in crm.db.execute(
        "SELECT action FROM audit_log WHERE plugin = 'fundraising' AND table_name = ? AND "
        "row_id = ? ORDER BY id", [table, str(row_id)])]


def test_an_archived_field_comes_back_with_its_values_and_formulas(crm, client, admin):
    h = admin["headers"]
    notes = _field(client, h, "Notes")
    shout = _field(client, h, "Shout", "formula", formula="UPPER({Notes})")
    acme = _investor(client, h, "Acme", Notes="warm")
    assert _get(client, h, acme["id"])["Shout"] == "WARM"
    assert client.simulate_delete(f"{F}/fields/{notes['id']}", headers=h).status_code == 200
    assert "Notes" not in _get(client, h, acme["id"])
    assert _get(client, h, acme["id"])["Shout"]["error"] == "#REF!"
    archived = client.simulate_get(f"{F}/fields", headers=h,
                                   params={"archived": "true", "table": "investors"}).json
    assert [f["name"] for f in archived["fields"]] == ["Notes"]
    assert archived["fields"][0]["archived_at"]
    version = crm.db.execute("SELECT version FROM fundraising_state").fetchone()[0]

    restored = client.simulate_post(f"{F}/fields/{notes['id']}/restore", headers=h)
    assert restored.status_code == 200, restored.json
    assert restored.json["name"] == "Notes" and restored.json["version"] == notes["version"] + 2
    assert _get(client, h, acme["id"]) == {"Notes": "warm", "Shout": "WARM"}
    assert client.simulate_get(f"{F}/fields", headers=h,
                               params={"archived": "true"}).json["fields"] == []
    assert _audit(crm, "fields", notes["id"]) == ["create", "archive", "restore"]
    assert crm.db.execute("SELECT version FROM fundraising_state").fetchone()[0] > version
    again = client.simulate_post(f"{F}/fields/{notes['id']}/restore", headers=h)
    assert again.status_code == 404
    assert shout["id"] != notes["id"]


def test_an_archived_formula_field_is_computed_again(client, admin):
    h = admin["headers"]
    _field(client, h, "Notes")
    acme = _investor(client, h, "Acme", Notes="a")
    shout = _field(client, h, "Shout", "formula", formula="UPPER({Notes})")
    client.simulate_delete(f"{F}/fields/{shout['id']}", headers=h)
    client.simulate_patch(f"{F}/investors/{acme['id']}", headers=h, json={
        "expected_version": acme["version"], "fields": {"Notes": "b"}})
    client.simulate_post(f"{F}/fields/{shout['id']}/restore", headers=h)
    assert _get(client, h, acme["id"])["Shout"] == "B"  # not the value from before


def test_a_field_whose_name_was_taken_is_409_and_members_cannot_restore(client, admin,
                                                                        member):
    h = admin["headers"]
    notes = _field(client, h, "Notes")
    client.simulate_delete(f"{F}/fields/{notes['id']}", headers=h)
    denied = client.simulate_post(f"{F}/fields/{notes['id']}/restore",
                                  headers=member["headers"])
    assert denied.status_code == 403
    _field(client, h, "notes")
    taken = client.simulate_post(f"{F}/fields/{notes['id']}/restore", headers=h)
    assert taken.status_code == 409 and taken.json["error"]["field"] == "name"
    missing = client.simulate_post(f"{F}/fields/999999/restore", headers=h)
    assert missing.status_code == 404


def test_views_come_back_for_those_who_may_edit_them(crm, client, admin, member):
    h, m = admin["headers"], member["headers"]
    shared = client.simulate_post(f"{F}/views", headers=h, json={
        "table": "investors", "name": "Big", "sorts": [{"field": "Check Size",
                                                        "direction": "desc"}]}).json
    mine = client.simulate_post(f"{F}/views", headers=m, json={
        "table": "investors", "name": "Mine", "personal": True}).json
    client.simulate_delete(f"{F}/views/{shared['id']}", headers=h)
    client.simulate_delete(f"{F}/views/{mine['id']}", headers=m)
    names = lambda headers: [v["name"] for v in client.simulate_get(  # noqa: E731
        f"{F}/views", headers=headers, params={"archived": "true"}).json["views"]]
    assert names(m) == ["Mine"]  # a shared view the member did not make is not theirs
    assert names(h) == ["Big"]  # nor is a member's personal view the admin's
    assert client.simulate_post(f"{F}/views/{shared['id']}/restore",
                                headers=m).status_code == 403
    assert client.simulate_post(f"{F}/views/{mine['id']}/restore",
                                headers=h).status_code == 404
    back = client.simulate_post(f"{F}/views/{shared['id']}/restore", headers=h)
    assert back.status_code == 200, back.json
    assert back.json["sorts"] == shared["sorts"] and back.json["version"] == 3
    assert client.simulate_post(f"{F}/views/{mine['id']}/restore", headers=m).status_code == 200
    assert {v["name"] for v in client.simulate_get(f"{F}/views", headers=m).json["views"]} == {
        "Big", "Mine"}
    assert _audit(crm, "views", shared["id"]) == ["create", "archive", "restore"]
    index = crm.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                           "name LIKE 'fundraising_investors_v_%'").fetchone()[0]
    assert index == 1  # the shared view is served by its index again
