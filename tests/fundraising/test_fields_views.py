from tests.fundraising.test_records import create


def add_field(client, headers, **body):
    return client.simulate_post("/api/fundraising/fields", headers=headers, json=body)


def test_admin_adds_custom_fields_members_may_not(client, admin, member):
    denied = add_field(client, member["headers"], table="investors", name="Region", type="text")
    assert denied.status_code == 403
    made = add_field(client, admin["headers"], table="investors", name="Sectors",
                     type="multi_select", options={"choices": ["Fintech", "Health"]})
    assert made.status_code == 201 and made.json["options"] == {"choices": ["Fintech", "Health"]}
    rec = create(client, member["headers"], **{"Sectors": ["Health"]})
    assert rec["fields"]["Sectors"] == ["Health"]
    bad = client.simulate_post("/api/fundraising/investors", headers=member["headers"],
                               json={"name": "B", "fields": {"Sectors": ["Crypto"]}})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "fields.Sectors"


def test_field_validation(client, admin):
    h = admin["headers"]
    assert add_field(client, h, table="investors", name="Stage", type="text").status_code == 409
    no_choices = add_field(client, h, table="investors", name="Tier", type="single_select")
    assert no_choices.status_code == 422 and no_choices.json["error"]["field"] == "options.choices"
    no_table = add_field(client, h, table="investors", name="Peers", type="link")
    assert no_table.json["error"]["field"] == "options.table"
    bad_type = add_field(client, h, table="investors", name="X", type="blob")
    assert bad_type.status_code == 422 and bad_type.json["error"]["field"] == "type"
    bad_table = add_field(client, h, table="people", name="X", type="text")
    assert bad_table.json["error"]["field"] == "table"


def test_rename_builtin_keeps_values_and_cannot_delete(client, admin, member):
    rec = create(client, member["headers"], **{"Stage": "Intro"})
    fields = client.simulate_get("/api/fundraising/fields", headers=member["headers"],
                                 params={"table": "investors"}).json["fields"]
    stage = next(f for f in fields if f["builtin"] == "stage")
    renamed = client.simulate_patch(f"/api/fundraising/fields/{stage['id']}",
                                    headers=admin["headers"], json={"name": "Pipeline Stage"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Pipeline Stage"
    got = client.simulate_get(f"/api/fundraising/investors/{rec['id']}",
                              headers=member["headers"]).json
    assert got["fields"] == {"Pipeline Stage": "Intro"}
    gone = client.simulate_delete(f"/api/fundraising/fields/{stage['id']}",
                                  headers=admin["headers"])
    assert gone.status_code == 422 and gone.json["error"]["code"] == "builtin_field"


def test_narrowing_choices_in_use_is_refused(client, admin, member):
    create(client, member["headers"], **{"Stage": "Diligence"})
    fields = client.simulate_get("/api/fundraising/fields", headers=admin["headers"]).json["fields"]
    stage = next(f for f in fields if f["builtin"] == "stage" and f["table"] == "investors")
    refused = client.simulate_patch(f"/api/fundraising/fields/{stage['id']}",
                                    headers=admin["headers"],
                                    json={"options": {"choices": ["Prospect", "Intro"]}})
    assert refused.status_code == 422 and refused.json["error"]["field"] == "options"
    type_change = client.simulate_patch(f"/api/fundraising/fields/{stage['id']}",
                                        headers=admin["headers"], json={"type": "text"})
    assert type_change.status_code == 422 and type_change.json["error"]["field"] == "type"


def test_archived_custom_field_disappears_from_records(client, admin, member):
    field = add_field(client, admin["headers"], table="investors", name="Region",
                      type="text").json
    rec = create(client, member["headers"], **{"Region": "EMEA"})
    assert client.simulate_delete(f"/api/fundraising/fields/{field['id']}",
                                  headers=admin["headers"]).status_code == 200
    got = client.simulate_get(f"/api/fundraising/investors/{rec['id']}",
                              headers=member["headers"]).json
    assert "Region" not in got["fields"]
    again = add_field(client, admin["headers"], table="investors", name="Region", type="text")
    assert again.status_code == 201


def view_body(**extra):
    return {"table": "investors", "name": "Hot deals",
            "filters": {"op": "and", "conditions": [
                {"field": "Stage", "operator": "is", "value": "Meeting"},
                {"op": "or", "conditions": [
                    {"field": "Check Size", "operator": ">=", "value": 1000000}]}]},
            "sorts": [{"field": "Check Size", "direction": "desc"}],
            "pinned": ["Name"], "hidden": ["Owner"], "widths": {"Stage": 140}, **extra}


def test_views_store_field_ids_and_survive_renames(client, admin, member):
    made = client.simulate_post("/api/fundraising/views", headers=member["headers"],
                                json=view_body(personal=True))
    assert made.status_code == 201
    view = made.json
    fields = {f["name"]: f["id"] for f in client.simulate_get(
        "/api/fundraising/fields", headers=member["headers"],
        params={"table": "investors"}).json["fields"]}
    assert view["filters"]["conditions"][0]["field"] == fields["Stage"]
    assert view["sorts"] == [{"field": fields["Check Size"], "direction": "desc"}]
    assert view["pinned"] == [fields["Name"]] and view["widths"] == {str(fields["Stage"]): 140}
    assert view["owner"] == member["id"]
    client.simulate_patch(f"/api/fundraising/fields/{fields['Stage']}", headers=admin["headers"],
                          json={"name": "Phase"})
    listed = client.simulate_get("/api/fundraising/views", headers=member["headers"]).json
    assert listed["views"][0]["filters"]["conditions"][0]["field"] == fields["Stage"]


def test_personal_views_are_private_and_shared_views_guarded(client, admin, member, crm):
    from tests.conftest import add_user, login
    add_user(crm, "nia@fund.example", "member", "Nia")
    nia = login(client, "nia@fund.example")
    personal = client.simulate_post("/api/fundraising/views", headers=member["headers"],
                                    json=view_body(personal=True)).json
    shared = client.simulate_post("/api/fundraising/views", headers=member["headers"],
                                  json=view_body(name="Team view")).json
    nia_sees = [v["name"] for v in client.simulate_get("/api/fundraising/views",
                                                       headers=nia).json["views"]]
    assert nia_sees == ["Team view"]
    assert client.simulate_patch(f"/api/fundraising/views/{personal['id']}", headers=nia,
                                 json={"name": "Mine now"}).status_code == 404
    assert client.simulate_patch(f"/api/fundraising/views/{shared['id']}", headers=nia,
                                 json={"name": "Nia's"}).status_code == 403
    by_creator = client.simulate_patch(f"/api/fundraising/views/{shared['id']}",
                                       headers=member["headers"], json={"name": "Team v2"})
    assert by_creator.status_code == 200
    by_admin = client.simulate_patch(f"/api/fundraising/views/{shared['id']}",
                                     headers=admin["headers"],
                                     json={"sorts": [{"field": "Name", "direction": "asc"}],
                                           "expected_version": 2})
    assert by_admin.status_code == 200 and by_admin.json["name"] == "Team v2"
    stale = client.simulate_patch(f"/api/fundraising/views/{shared['id']}",
                                  headers=admin["headers"],
                                  json={"name": "x", "expected_version": 1})
    assert stale.status_code == 409
    assert client.simulate_delete(f"/api/fundraising/views/{shared['id']}",
                                  headers=nia).status_code == 403
    assert client.simulate_delete(f"/api/fundraising/views/{shared['id']}",
                                  headers=admin["headers"]).status_code == 200
    assert client.simulate_get("/api/fundraising/views", headers=nia).json["views"] == []


def test_view_with_unknown_field_or_bad_shape(client, member):
    unknown = client.simulate_post("/api/fundraising/views", headers=member["headers"],
                                   json=view_body(sorts=[{"field": "Nope"}]))
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "sorts.0.field"
    bad_op = client.simulate_post("/api/fundraising/views", headers=member["headers"],
                                  json=view_body(filters={"op": "xor", "conditions": []}))
    assert bad_op.status_code == 422 and bad_op.json["error"]["field"].startswith("filters")
