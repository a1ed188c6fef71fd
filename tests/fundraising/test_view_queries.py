import json
import random

import pytest

from plugins.fundraising.field_defs import load_fields
from plugins.fundraising.query import Compiler, order_by

STAGES = ["Prospect", "Intro", "Meeting", "Diligence", "Committed", "Passed"]
SECTORS = ["Fintech", "Health", "Climate", "AI"]


@pytest.fixture
def seeded(crm, client, admin):
    h = admin["headers"]
    client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Sectors", "type": "multi_select",
        "options": {"choices": SECTORS}})
    client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Strategic", "type": "checkbox"})
    client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Region", "type": "text"})
    rng = random.Random(7)
    made = []
    for i in range(60):
        fields = {"Stage": rng.choice(STAGES), "Strategic": rng.random() < 0.3,
                  "Sectors": rng.sample(SECTORS, rng.randint(0, 2)),
                  "Region": rng.choice(["EMEA", "North America", "APAC", ""])}
        if rng.random() < 0.8:
            fields["Check Size"] = rng.choice([100_000, 250_000, 1_000_000, 5_000_000])
        if rng.random() < 0.7:
            fields["Last Contact"] = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        body = {"name": f"Investor {i:02d} {rng.choice(['Capital', 'Partners', 'LP'])}",
                "fields": fields}
        made.append(client.simulate_post("/api/fundraising/investors", headers=h,
                                         json=body).json)
    return made


def fetch(client, headers, **params):
    query = {k: json.dumps(v) if not isinstance(v, (str, int)) else str(v)
             for k, v in params.items()}
    query.setdefault("limit", "1000")
    return client.simulate_get("/api/fundraising/investors", headers=headers, params=query)


def names(result):
    assert result.status_code == 200, result.json
    return [r["name"] for r in result.json["records"]]


def test_and_with_nested_or_and_two_key_sort(client, admin, seeded):
    filters = {"op": "and", "conditions": [
        {"field": "Stage", "operator": "is", "value": "Meeting"},
        {"op": "or", "conditions": [
            {"field": "Check Size", "operator": ">=", "value": 1_000_000},
            {"field": "Sectors", "operator": "has_any_of", "value": ["AI"]}]}]}
    sorts = [{"field": "Check Size", "direction": "desc"}, {"field": "Name"}]
    got = fetch(client, admin["headers"], filters=filters, sorts=sorts)

    def wanted(r):
        f = r["fields"]
        return f["Stage"] == "Meeting" and (f.get("Check Size", 0) >= 1_000_000
                                            or "AI" in f.get("Sectors", []))
    expected = sorted([r for r in seeded if wanted(r)],
                      key=lambda r: r["name"].lower())
    expected.sort(key=lambda r: r["fields"].get("Check Size", -1), reverse=True)
    assert names(got) == [r["name"] for r in expected]
    assert got.json["total"] == len(expected) > 0


@pytest.mark.parametrize("condition,check", [
    ({"field": "Region", "operator": "contains", "value": "america"},
     lambda f, n: "america" in f.get("Region", "").lower()),
    ({"field": "Region", "operator": "is_empty"}, lambda f, n: not f.get("Region")),
    ({"field": "Region", "operator": "is_not", "value": "emea"},
     lambda f, n: f.get("Region", "").lower() != "emea"),
    ({"field": "Name", "operator": "not_contains", "value": "capital"},
     lambda f, n: "capital" not in n.lower()),
    ({"field": "Check Size", "operator": "<", "value": 1_000_000},
     lambda f, n: f.get("Check Size") is not None and f["Check Size"] < 1_000_000),
    ({"field": "Check Size", "operator": "!=", "value": 250_000},
     lambda f, n: f.get("Check Size") != 250_000),
    ({"field": "Check Size", "operator": "is_not_empty"}, lambda f, n: "Check Size" in f),
    ({"field": "Last Contact", "operator": "before", "value": "2026-06-01"},
     lambda f, n: f.get("Last Contact", "9999") < "2026-06-01"),
    ({"field": "Last Contact", "operator": "after", "value": "2026-06-01"},
     lambda f, n: f.get("Last Contact", "") > "2026-06-01"),
    ({"field": "Strategic", "operator": "is", "value": True}, lambda f, n: f["Strategic"]),
    ({"field": "Strategic", "operator": "is", "value": False}, lambda f, n: not f["Strategic"]),
    ({"field": "Sectors", "operator": "has_all_of", "value": ["AI", "Health"]},
     lambda f, n: {"AI", "Health"} <= set(f.get("Sectors", []))),
    ({"field": "Sectors", "operator": "is_empty"}, lambda f, n: not f.get("Sectors")),
])
def test_each_operator_matches_python(client, admin, seeded, condition, check):
    got = fetch(client, admin["headers"], filters={"op": "and", "conditions": [condition]})
    expected = [r["name"] for r in seeded if check(r["fields"], r["name"])]
    assert names(got) == expected


def test_or_at_top_level(client, admin, seeded):
    filters = {"op": "or", "conditions": [
        {"field": "Stage", "operator": "is", "value": "Passed"},
        {"field": "Stage", "operator": "is", "value": "Committed"}]}
    got = names(fetch(client, admin["headers"], filters=filters))
    assert got == [r["name"] for r in seeded if r["fields"]["Stage"] in ("Passed", "Committed")]


def test_within_dates(crm, seeded):
    from datetime import date
    fields = load_fields(crm.db, "investors")
    compiler = Compiler(fields, today=date(2026, 11, 26))
    where = compiler.where({"op": "and", "conditions": [
        {"field": "Last Contact", "operator": "within",
         "value": {"direction": "past", "days": 30}}]})
    rows = crm.db.execute(f"SELECT last_contact FROM fundraising_investors WHERE {where}",
                          compiler.params).fetchall()
    expected = [r["fields"]["Last Contact"] for r in seeded
                if "2026-10-27" <= r["fields"].get("Last Contact", "") <= "2026-11-26"]
    assert sorted(r[0] for r in rows) == sorted(expected)


@pytest.mark.parametrize("condition,field", [
    ({"field": "Check Size", "operator": "contains", "value": "1"}, "filters.conditions.0.operator"),
    ({"field": "Stage", "operator": ">", "value": 3}, "filters.conditions.0.operator"),
    ({"field": "Sectors", "operator": "is", "value": "AI"}, "filters.conditions.0.operator"),
    ({"field": "Check Size", "operator": ">", "value": "big"}, "filters.conditions.0.value"),
    ({"field": "Last Contact", "operator": "before", "value": "soon"},
     "filters.conditions.0.value"),
    ({"field": "Nope", "operator": "is", "value": "x"}, "filters.conditions.0.field"),
])
def test_wrong_operator_or_value_is_422_naming_it(client, admin, seeded, condition, field):
    got = fetch(client, admin["headers"], filters={"op": "and", "conditions": [condition]})
    assert got.status_code == 422
    assert got.json["error"]["field"] == field


def test_malformed_query_json(client, admin, seeded):
    bad = client.simulate_get("/api/fundraising/investors", headers=admin["headers"],
                              params={"filters": "{nope"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "filters"
    bad_sort = client.simulate_get("/api/fundraising/investors", headers=admin["headers"],
                                   params={"sorts": '[{"field": "Name", "direction": "up"}]'})
    assert bad_sort.status_code == 422 and bad_sort.json["error"]["field"].startswith("sorts")


def test_saved_view_by_id_survives_rename_and_is_private(client, crm, admin, member, seeded):
    body = {"table": "investors", "name": "Big tickets", "personal": True,
            "filters": {"op": "and", "conditions": [
                {"field": "Check Size", "operator": ">=", "value": 1_000_000}]},
            "sorts": [{"field": "Check Size", "direction": "desc"}, {"field": "Name"}]}
    view = client.simulate_post("/api/fundraising/views", headers=admin["headers"],
                                json=body).json
    before = names(fetch(client, admin["headers"], view=view["id"]))
    assert before and all(r["fields"].get("Check Size", 0) >= 1_000_000
                          for r in seeded if r["name"] in before)
    check_size = next(f for f in client.simulate_get(
        "/api/fundraising/fields", headers=admin["headers"]).json["fields"]
        if f["name"] == "Check Size" and f["table"] == "investors")
    client.simulate_patch(f"/api/fundraising/fields/{check_size['id']}",
                          headers=admin["headers"], json={"name": "Ticket"})
    assert names(fetch(client, admin["headers"], view=view["id"])) == before
    assert fetch(client, member["headers"], view=view["id"]).status_code == 404


def test_view_on_custom_field_gets_an_index(client, crm, admin, seeded):
    body = {"table": "investors", "name": "By region",
            "filters": {"op": "and", "conditions": [
                {"field": "Region", "operator": "is", "value": "EMEA"}]},
            "sorts": [{"field": "Region"}]}
    assert client.simulate_post("/api/fundraising/views", headers=admin["headers"],
                                json=body).status_code == 201
    fields = load_fields(crm.db, "investors")
    region = fields.get("Region")
    indexes = [r[0] for r in crm.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
        "'fundraising_investors'")]
    assert f"fundraising_investors_f{region.id}" in indexes
    order = order_by(fields, [{"field": "Region"}])
    plan = " ".join(str(r) for r in crm.db.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM fundraising_investors ORDER BY {order} LIMIT 5"))
    assert f"fundraising_investors_f{region.id}" in plan


def test_builtin_filter_and_sort_use_indexes(crm, seeded):
    fields = load_fields(crm.db, "investors")
    compiler = Compiler(fields)
    where = compiler.where({"op": "and", "conditions": [
        {"field": "Stage", "operator": "is", "value": "Meeting"}]})
    order = order_by(fields, [{"field": "Check Size", "direction": "desc"}])
    plan = " ".join(str(r) for r in crm.db.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM fundraising_investors WHERE deleted_at IS NULL "
        f"AND ({where}) ORDER BY {order} LIMIT 100", compiler.params))
    assert "investors_stage" in plan and "SCAN fundraising_investors" not in plan


def test_me_for_owner(client, crm, admin, member, seeded):
    rec = seeded[0]
    client.simulate_patch(f"/api/fundraising/investors/{rec['id']}", headers=admin["headers"],
                          json={"expected_version": rec["version"],
                                "fields": {"Owner": member["id"]}})
    mine = fetch(client, member["headers"], filters={"op": "and", "conditions": [
        {"field": "Owner", "operator": "is", "value": "me"}]})
    assert names(mine) == [rec["name"]]
