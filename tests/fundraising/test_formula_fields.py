import copy

from tests.fundraising.test_records import create

FIELDS = "/api/fundraising/fields"


def add_formula(client, h, name, formula, table="investors"):
    return client.simulate_post(FIELDS, headers=h, json={"table": table, "name": name,
                                                         "type": "formula", "formula": formula})


def get(client, h, rec):
    return client.simulate_get(f"/api/fundraising/investors/{rec['id']}", headers=h).json


def test_formula_values_follow_their_inputs(client, admin, member):
    h = admin["headers"]
    acme = create(client, h, "investors", "Acme", **{"Check Size": 1_000_000, "Stage": "Intro"})
    made = add_formula(client, h, "Fee", "{Check Size} * 0.02")
    assert made.status_code == 201, made.json
    assert made.json["options"] == {"result_type": "number"}
    add_formula(client, h, "Label", 'CONCAT({Name}, " - ", {Stage}, " - ", {Fee})')
    assert get(client, h, acme)["fields"]["Fee"] == 20000
    assert get(client, h, acme)["fields"]["Label"] == "Acme - Intro - 20000"
    beta = create(client, member["headers"], "investors", "Beta", **{"Check Size": 50_000})
    assert beta["fields"]["Fee"] == 1000 and beta["fields"]["Label"] == "Beta -  - 1000"
    patched = client.simulate_patch(f"/api/fundraising/investors/{acme['id']}",
                                    headers=member["headers"], json={
                                        "expected_version": 1, "name": "Acme Capital",
                                        "fields": {"Check Size": 2_000_000}})
    assert patched.json["fields"]["Fee"] == 40000
    assert patched.json["fields"]["Label"] == "Acme Capital - Intro - 40000"
    history = client.simulate_get(f"/api/fundraising/investors/{acme['id']}/history",
                                  headers=h).json["entries"]
    assert set(history[0]["changes"]) == {"Name", "Check Size"}  # computed values not logged


def test_writing_a_formula_value_is_refused(client, admin):
    h = admin["headers"]
    add_formula(client, h, "Fee", "{Check Size} * 0.02")
    result = client.simulate_post("/api/fundraising/investors", headers=h,
                                  json={"name": "X", "fields": {"Fee": 5}})
    assert result.status_code == 422 and result.json["error"]["field"] == "fields.Fee"


def test_bad_formulas_are_422_with_position(client, admin):
    h = admin["headers"]
    syntax = add_formula(client, h, "Bad", "{Check Size} * (2 +")
    assert syntax.status_code == 422
    assert syntax.json["error"]["field"] == "formula"
    assert syntax.json["error"]["position"] >= 15
    unknown = add_formula(client, h, "Bad", "{Nope} + 1")
    assert unknown.status_code == 422 and "Nope" in unknown.json["error"]["message"]
    empty = add_formula(client, h, "Bad", "  ")
    assert empty.status_code == 422


def test_cycles_are_refused_at_definition(client, admin):
    h = admin["headers"]
    a = add_formula(client, h, "A", "{Check Size} + 1").json
    add_formula(client, h, "B", "{A} * 2")
    cycle = client.simulate_patch(f"{FIELDS}/{a['id']}", headers=h, json={"formula": "{B} + 1"})
    assert cycle.status_code == 422 and cycle.json["error"]["code"] == "circular"
    itself = client.simulate_patch(f"{FIELDS}/{a['id']}", headers=h, json={"formula": "{A}"})
    assert itself.status_code == 422 and itself.json["error"]["code"] == "circular"


def test_changing_a_formula_recomputes_its_column_and_readers(client, admin):
    h = admin["headers"]
    recs = [create(client, h, "investors", f"I{i}", **{"Check Size": 100 * (i + 1)})
            for i in range(3)]
    fee = add_formula(client, h, "Fee", "{Check Size} * 0.02").json
    add_formula(client, h, "Double Fee", "{Fee} * 2")
    changed = client.simulate_patch(f"{FIELDS}/{fee['id']}", headers=h,
                                    json={"formula": "{Check Size} * 0.1"})
    assert changed.status_code == 200
    values = [get(client, h, r)["fields"] for r in recs]
    assert [(v["Fee"], v["Double Fee"]) for v in values] == [(10, 20), (20, 40), (30, 60)]


def test_renaming_a_field_rewrites_formulas(client, admin):
    h = admin["headers"]
    rec = create(client, h, "investors", "Acme", **{"Check Size": 1000})
    fee = add_formula(client, h, "Fee", '{Check Size} * 2 & " {Check Size}"').json
    fields = client.simulate_get(FIELDS, headers=h, params={"table": "investors"}).json["fields"]
    check = next(f for f in fields if f["name"] == "Check Size")
    client.simulate_patch(f"{FIELDS}/{check['id']}", headers=h, json={"name": "Ticket"})
    fields = client.simulate_get(FIELDS, headers=h, params={"table": "investors"}).json["fields"]
    assert next(f for f in fields if f["id"] == fee["id"])["formula"] == \
        '{Ticket} * 2 & " {Check Size}"'
    assert get(client, h, rec)["fields"]["Fee"] == "2000 {Check Size}"


def test_deleting_a_read_field_turns_values_into_ref_errors(client, admin):
    h = admin["headers"]
    region = client.simulate_post(FIELDS, headers=h, json={
        "table": "investors", "name": "Region", "type": "text"}).json
    rec = create(client, h, "investors", "Acme", **{"Region": "EMEA"})
    add_formula(client, h, "Where", "LOWER({Region})")
    assert get(client, h, rec)["fields"]["Where"] == "emea"
    client.simulate_delete(f"{FIELDS}/{region['id']}", headers=h)
    value = get(client, h, rec)["fields"]["Where"]
    assert value["error"] == "#REF!"


def test_errors_are_values(client, admin):
    h = admin["headers"]
    rec = create(client, h, "investors", "Acme", **{"Check Size": 0})
    add_formula(client, h, "Ratio", "100 / {Check Size}")
    assert get(client, h, rec)["fields"]["Ratio"]["error"] == "#DIV/0!"


def test_views_filter_and_sort_on_formula_values(client, admin):
    h = admin["headers"]
    for i, size in enumerate([300, 100, 200, 50]):
        create(client, h, "investors", f"I{i}", **{"Check Size": size})
    add_formula(client, h, "Fee", "{Check Size} / 10")
    result = client.simulate_get("/api/fundraising/investors", headers=h, params={
        "filters": '{"op": "and", "conditions": [{"field": "Fee", "operator": ">=", "value": 10}]}',
        "sorts": '[{"field": "Fee", "direction": "desc"}]'})
    assert [r["fields"]["Fee"] for r in result.json["records"]] == [30, 20, 10]


def test_state_round_trip_with_formulas_changes_nothing(client, admin):
    h = admin["headers"]
    create(client, h, "investors", "Acme", **{"Check Size": 1000})
    add_formula(client, h, "Fee", "{Check Size} * 0.02")
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    state = copy.deepcopy(got["state"])
    put = client.simulate_put("/api/fundraising/state", headers=h,
                              json={"expected_version": got["version"], "state": state})
    assert put.status_code == 200 and put.json["version"] == got["version"]
    state["investors"][0]["fields"]["Check Size"] = 2000
    put = client.simulate_put("/api/fundraising/state", headers=h,
                              json={"expected_version": got["version"], "state": state})
    assert put.json["changes"]["investors"]["updated"] == 1
    rec = client.simulate_get("/api/fundraising/investors", headers=h).json["records"][0]
    assert rec["fields"]["Fee"] == 40


def test_validate_endpoint(client, member):
    h = member["headers"]
    ok = client.simulate_post("/api/fundraising/formula/validate", headers=h,
                              json={"table": "investors", "expression": "{Check Size} * 2"})
    assert ok.json == {"ok": True, "type": "number", "error": None} or ok.json["ok"] is True
    bad = client.simulate_post("/api/fundraising/formula/validate", headers=h,
                               json={"table": "investors", "expression": "SUM({Check Size}"})
    assert bad.json["ok"] is False and bad.json["error"]["position"] >= 0
    hostile = client.simulate_post("/api/fundraising/formula/validate", headers=h,
                                   json={"table": "investors",
                                         "expression": "(" * 4000 + "1" + ")" * 4000})
    assert hostile.status_code == 200 and hostile.json["ok"] is False
