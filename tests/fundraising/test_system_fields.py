"""Created at/by and Last modified at/by: read-only columns of every table, sortable and
filterable like fields, shown as each record's created_*/updated_* keys."""
import json
from datetime import datetime, timezone

import time_machine

from plugins.fundraising.api import Condition, FilterGroup, fundraising
from tests.fundraising.test_records import create

INVESTORS = "/api/fundraising/investors"


def at(day):
    return time_machine.travel(datetime(2026, 3, day, 15, 30, tzinfo=timezone.utc), tick=False)


def names(client, headers, **params):
    query = {k: json.dumps(v) for k, v in params.items()}
    result = client.simulate_get(INVESTORS, headers=headers, params={"limit": "100", **query})
    assert result.status_code == 200, result.json
    return [r["name"] for r in result.json["records"]]


def seed(client, admin, member):
    """Made on 1, 2 and 3 March by Ada, Max and Ada; Max edits the first on 10 March."""
    made = {}
    for day, who, name in ((1, admin, "Acme"), (2, member, "Birch"), (3, admin, "Cedar")):
        with at(day):
            made[name] = create(client, who["headers"], "investors", name)
    with at(10):
        edited = client.simulate_patch(f"{INVESTORS}/{made['Acme']['id']}",
                                       headers=member["headers"],
                                       json={"expected_version": 1, "fields": {"Stage": "Intro"}})
    assert edited.status_code == 200
    return made


def test_they_are_listed_with_fixed_ids_and_read_only(client, admin, member):
    h = member["headers"]
    fields = client.simulate_get("/api/fundraising/fields", headers=h,
                                 params={"table": "funds", "include_system": "true"}).json
    system = [(f["id"], f["name"], f["type"], f["builtin"]) for f in fields["fields"]
              if f.get("system")]
    assert system == [(-1, "Created at", "datetime", "created_at"),
                      (-2, "Created by", "user", "created_by"),
                      (-3, "Last modified at", "datetime", "updated_at"),
                      (-4, "Last modified by", "user", "updated_by")]
    plain = client.simulate_get("/api/fundraising/fields", headers=h,
                                params={"table": "funds"}).json["fields"]
    assert not any(f.get("system") for f in plain)
    record = create(client, h, "investors", "Acme")
    assert "Created at" not in record["fields"]
    refused = client.simulate_patch(f"{INVESTORS}/{record['id']}", headers=h, json={
        "expected_version": 1, "fields": {"Created by": admin["id"]}})
    assert refused.status_code == 422
    assert refused.json["error"]["field"] == "fields.Created by"
    assert "read-only" in refused.json["error"]["message"]


def test_filter_by_the_day_created_and_modified(client, admin, member):
    seed(client, admin, member)
    h = admin["headers"]

    def where(field, operator, value):
        return names(client, h, filters={"conditions": [
            {"field": field, "operator": operator, "value": value}]}, sorts=[{"field": "Name"}])

    assert where("Created at", "is", "2026-03-02") == ["Birch"]
    assert where(-1, "before", "2026-03-02") == ["Acme"]
    assert where("created_at", "after", "2026-03-01") == ["Birch", "Cedar"]
    assert where("Last modified at", "after", "2026-03-03") == ["Acme"]
    assert where(-3, "is_not", "2026-03-10") == ["Birch", "Cedar"]
    with at(12):
        assert where(-3, "within", {"direction": "past", "days": 5}) == ["Acme"]
    assert where("Created by", "is", member["id"]) == ["Birch"]
    assert where("Created by", "is", "me") == ["Acme", "Cedar"]  # Ada asks
    assert where("Last modified by", "is_not", admin["id"]) == ["Acme", "Birch"]
    bad = client.simulate_get(INVESTORS, headers=h, params={"filters": json.dumps(
        {"conditions": [{"field": -1, "operator": "contains", "value": "x"}]})})
    assert bad.status_code == 422
    assert bad.json["error"]["field"] == "filters.conditions.0.operator"
    bad = client.simulate_get(INVESTORS, headers=h, params={"filters": json.dumps(
        {"conditions": [{"field": -1, "operator": "is", "value": "March"}]})})
    assert bad.json["error"]["field"] == "filters.conditions.0.value"


def test_sort_by_when_and_by_whom(client, admin, member):
    seed(client, admin, member)
    h = admin["headers"]
    assert names(client, h, sorts=[{"field": "Last modified at", "direction": "desc"}]) == \
        ["Acme", "Cedar", "Birch"]
    assert names(client, h, sorts=[{"field": -1, "direction": "desc"}]) == \
        ["Cedar", "Birch", "Acme"]
    # by the name shown: Ada Admin before Max Member (Max's user id is the larger, too)
    by_modifier = names(client, h, sorts=[{"field": "Last modified by", "direction": "desc"},
                                          {"field": "Name"}])
    assert by_modifier == ["Acme", "Birch", "Cedar"]
    assert names(client, h, sorts=[{"field": -2}, {"field": "Name", "direction": "desc"}]) == \
        ["Cedar", "Acme", "Birch"]


def test_a_saved_view_keeps_them_and_is_served_by_an_index(crm, client, admin, member):
    seed(client, admin, member)
    h = admin["headers"]
    view = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "Recently changed",
        "filters": {"conditions": [{"field": "Created by", "operator": "is",
                                    "value": admin["id"]}]},
        "sorts": [{"field": "Last modified at", "direction": "desc"}],
        "hidden": ["Created at"], "widths": {"-4": 150}})
    assert view.status_code == 201, view.json
    assert view.json["sorts"] == [{"field": -3, "direction": "desc"}]
    assert view.json["hidden"] == [-1] and view.json["widths"] == {"-4": 150}
    assert names(client, h, view=view.json["id"]) == ["Acme", "Cedar"]
    plan = " ".join(str(r) for r in crm.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM fundraising_investors WHERE deleted_at IS NULL "
        "AND created_by = ? ORDER BY updated_at DESC, id DESC", [admin["id"]]))
    assert "USING INDEX fundraising_investors_v_" in plan and "TEMP B-TREE" not in plan


def test_the_public_api_filters_on_them_by_key(crm, client, admin, member):
    made = seed(client, admin, member)
    api = fundraising(crm)
    assert api.field("investors", "updated_by").name == "Last modified by"
    mine = api.select_ids("investors", FilterGroup((Condition("created_by", "is", member["id"]),)))
    assert mine == {made["Birch"]["id"]}
    early = api.select_ids("investors", FilterGroup((Condition("created_at", "before",
                                                               "2026-03-03"),)))
    assert early == {made["Acme"]["id"], made["Birch"]["id"]}
