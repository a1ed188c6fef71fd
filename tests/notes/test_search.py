"""Records found by their notes' text: the search_extra hook (declared by fundraising,
answered by notes) behind the records' search (?q=), its totals too; deleted notes, other
tables' notes and archived records are not found."""
BASE = "/api/fundraising"


def _record(client, h, name, table="investors"):
    made = client.simulate_post(f"{BASE}/{table}", headers=h, json={"name": name, "fields": {}})
    assert made.status_code == 201, made.json
    return made.json


def _note(client, h, record, body, table="investors"):
    made = client.simulate_post(f"{BASE}/{table}/{record['id']}/notes", headers=h,
                                json={"body": body})
    assert made.status_code == 201, made.json
    return made.json


def _found(client, h, q, table="investors"):
    answer = client.simulate_get(f"{BASE}/{table}", headers=h, params={"q": q})
    assert answer.status_code == 200, answer.json
    return {r["name"] for r in answer.json["records"]}


def test_search_extra_finds_records_by_their_notes(crm, client, admin):
    h = admin["headers"]
    acme = _record(client, h, "Acme Capital")
    boreal = _record(client, h, "Borealis Partners")
    _record(client, h, "Lisbon Ventures")  # found by its name, as before
    note = _note(client, h, boreal, "Met at the **Lisbon** conférence; keen on climate")
    assert _found(client, h, "lisbon") == {"Borealis Partners", "Lisbon Ventures"}
    assert _found(client, h, "lisb confer") == {"Borealis Partners"}  # prefixes, accents
    assert _found(client, h, "acme") == {"Acme Capital"}
    assert _found(client, h, "acme lisbon") == set()  # every word in the record or one note
    assert crm.pm.hook.search_extra(crm=crm, table="investors", query="climate") == [
        [boreal["id"]]]
    totals = client.simulate_get(f"{BASE}/investors/totals", headers=h,
                                 params={"q": "climate"})
    assert totals.status_code == 200 and totals.json["total"] == 1
    # an edited note is found by its new text only
    client.simulate_patch(f"/api/notes/{note['id']}", headers=h,
                          json={"body": "Call about the Oslo fund", "expected_version": 1})
    assert _found(client, h, "climate") == set()
    assert _found(client, h, "oslo") == {"Borealis Partners"}
    # a deleted note finds nothing
    client.simulate_delete(f"/api/notes/{note['id']}", headers=h)
    assert _found(client, h, "oslo") == set()
    # an archived record is not listed, whatever its notes say
    _note(client, h, acme, "Oslo again")
    assert _found(client, h, "oslo") == {"Acme Capital"}
    client.simulate_delete(f"{BASE}/investors/{acme['id']}", headers=h)
    assert _found(client, h, "oslo") == set()


def test_search_extra_keeps_to_the_table_of_the_note(client, admin):
    h = admin["headers"]
    investor = _record(client, h, "Acme Capital")
    contact = _record(client, h, "Jo Bloggs", table="contacts")
    _note(client, h, contact, "Prefers zebra-striped decks", table="contacts")
    _note(client, h, investor, "A note with nothing striking")
    assert _found(client, h, "zebra") == set()
    assert _found(client, h, "zebra", table="contacts") == {"Jo Bloggs"}
    assert _found(client, h, "striking") == {"Acme Capital"}
    assert _found(client, h, "striking", table="contacts") == set()
    # the search's own rules still apply: too many words is a 422 naming q
    many = client.simulate_get(f"{BASE}/investors", headers=h, params={"q": "w " * 21})
    assert many.status_code == 422 and many.json["error"]["field"] == "q"
