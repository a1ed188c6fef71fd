"""GET /api/fundraising/{table}/totals and /groups: aggregates in SQL over the list's WHERE."""
import json
import random
from statistics import mean

import pytest

BASE = "/api/fundraising/investors"
STAGES = ["Prospect", "Intro", "Meeting", "Diligence", "Committed", "Passed"]
SECTORS = ["Fintech", "Health", "Climate", "AI"]


def add_field(client, h, name, type, **options):
    body = {"table": "investors", "name": name, "type": type}
    if options:
        body["options"] = options
    answer = client.simulate_post("/api/fundraising/fields", headers=h, json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


@pytest.fixture
def seeded(crm, client, admin):
    h = admin["headers"]
    fields = {f["name"]: f for f in [
        add_field(client, h, "Sectors", "multi_select", choices=SECTORS),
        add_field(client, h, "Strategic", "checkbox"),
        add_field(client, h, "Region", "text"),
        add_field(client, h, "Ownership", "percent"),
        add_field(client, h, "Score", "number"),
        add_field(client, h, "Notes", "long_text")]}
    answer = client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Fee", "type": "formula", "formula": "{Check Size} * 0.02"})
    fields["Fee"] = answer.json
    rng = random.Random(11)
    made = []
    for i in range(80):
        values = {"Stage": rng.choice(STAGES), "Strategic": rng.random() < 0.3,
                  "Sectors": rng.sample(SECTORS, rng.randint(0, 2)),
                  "Region": rng.choice(["EMEA", "North America", "APAC", ""])}
        if rng.random() < 0.8:
            values["Check Size"] = rng.choice([100_000, 250_000, 1_000_000, 5_000_000])
        if rng.random() < 0.6:
            values["Ownership"] = rng.choice([0.05, 0.125, 0.2])
        if rng.random() < 0.5:
            values["Score"] = rng.randint(-5, 40) + rng.choice([0, 0.5])
        if rng.random() < 0.7:
            values["Last Contact"] = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        answer = client.simulate_post(BASE, headers=h, json={
            "name": f"Investor {i:02d} {rng.choice(['Capital', 'Partners', 'LP'])}",
            "fields": values})
        assert answer.status_code == 201, answer.json
        made.append(answer.json)
    # archived records count nowhere
    for record in made[:5]:
        client.simulate_delete(f"{BASE}/{record['id']}", headers=h)
    return {"records": made[5:], "fields": fields}


def get(client, headers, path, **params):
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return client.simulate_get(f"{BASE}/{path}", headers=headers, params=query)


def by_name(answer):
    assert answer.status_code == 200, answer.json
    return {t["name"]: t for t in answer.json["totals"]}


def values(records, name):
    return [r["fields"][name] for r in records if r["fields"].get(name) is not None]


def test_totals_per_type_match_the_records(client, admin, seeded):
    records = seeded["records"]
    answer = get(client, admin["headers"], "totals")
    totals = by_name(answer)
    assert answer.json["total"] == len(records) == 75
    for name in ("Check Size", "Ownership", "Score", "Fee"):
        got, wanted = totals[name], values(records, name)
        assert got["kind"] == "number"
        assert got["filled"] == len(wanted) and got["empty"] == 75 - len(wanted)
        assert got["sum"] == pytest.approx(sum(wanted))
        assert got["average"] == pytest.approx(mean(wanted))
        assert (got["min"], got["max"]) == (min(wanted), max(wanted))
    assert totals["Strategic"] == {**totals["Strategic"], "kind": "checkbox",
                                   "checked": sum(r["fields"]["Strategic"] for r in records)}
    assert totals["Strategic"]["checked"] + totals["Strategic"]["unchecked"] == 75
    days = values(records, "Last Contact")
    assert totals["Last Contact"]["kind"] == "date"
    assert (totals["Last Contact"]["earliest"], totals["Last Contact"]["latest"],
            totals["Last Contact"]["filled"]) == (min(days), max(days), len(days))
    assert totals["Region"]["kind"] == "filled"
    assert totals["Region"]["filled"] == sum(1 for r in records if r["fields"].get("Region"))
    assert totals["Sectors"]["filled"] == sum(1 for r in records if r["fields"].get("Sectors"))
    assert totals["Notes"]["filled"] == 0
    assert totals["Name"]["filled"] == 75
    assert totals["Stage"]["filled"] == 75
    # the read-only columns are totalled too: every record has a creator and a day
    assert totals["Created by"]["filled"] == 75
    assert totals["Created at"]["kind"] == "date"
    assert totals["Created at"]["latest"] == records[-1]["created_at"][:10]


def test_totals_equal_sql_over_the_live_rows(crm, client, admin, seeded):
    score = seeded["fields"]["Score"]["id"]
    expr = f"json_extract(data, '$.\"{score}\"')"
    wanted = crm.db.execute(f"SELECT sum({expr}), avg({expr}), count({expr}), sum(check_size) "
                            "FROM fundraising_investors WHERE deleted_at IS NULL").fetchone()
    totals = by_name(get(client, admin["headers"], "totals"))
    assert totals["Score"]["sum"] == pytest.approx(wanted[0])
    assert totals["Score"]["average"] == pytest.approx(wanted[1])
    assert totals["Score"]["filled"] == wanted[2]
    assert totals["Check Size"]["sum"] == wanted[3]
    assert isinstance(totals["Check Size"]["sum"], int)  # a whole sum reads as one


def test_totals_follow_filters_search_and_a_saved_view(client, admin, seeded):
    h, records = admin["headers"], seeded["records"]
    meeting = [r for r in records if r["fields"]["Stage"] == "Meeting"]
    filters = {"op": "and", "conditions": [{"field": "Stage", "operator": "is",
                                            "value": "Meeting"}]}
    answer = get(client, h, "totals", filters=filters)
    totals = by_name(answer)
    assert answer.json["total"] == len(meeting) > 0
    assert totals["Check Size"]["sum"] == sum(values(meeting, "Check Size"))

    capital = [r for r in records if "Capital" in r["name"]]
    answer = get(client, h, "totals", q="capital")
    assert answer.json["total"] == len(capital) > 0
    assert by_name(answer)["Check Size"]["sum"] == sum(values(capital, "Check Size"))

    view = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "Strategic", "personal": True,
        "filters": {"op": "and", "conditions": [
            {"field": "Strategic", "operator": "is", "value": True}]}}).json
    strategic = [r for r in records if r["fields"]["Strategic"]]
    answer = get(client, h, "totals", view=str(view["id"]))
    assert answer.json["total"] == len(strategic) > 0
    assert by_name(answer)["Strategic"]["unchecked"] == 0
    assert by_name(answer)["Score"]["sum"] == pytest.approx(sum(values(strategic, "Score")))
    # view and search together, as the list route takes them
    both = [r for r in strategic if "Capital" in r["name"]]
    answer = get(client, h, "totals", view=str(view["id"]), q="capital")
    assert answer.json["total"] == len(both)
    listed = client.simulate_get(BASE, headers=h, params={"view": str(view["id"]),
                                                          "q": "capital"}).json
    assert listed["total"] == answer.json["total"]


def test_totals_of_chosen_fields_only(client, admin, seeded):
    score = seeded["fields"]["Score"]["id"]
    answer = get(client, admin["headers"], "totals", fields=[score, "Stage", -1, score])
    assert answer.status_code == 200, answer.json
    assert [t["name"] for t in answer.json["totals"]] == ["Score", "Stage", "Created at"]
    assert answer.json["left_off"] == 0


@pytest.mark.parametrize("params,field", [
    ({"fields": [999]}, "fields.0"),
    ({"fields": ["Stage", "Nope"]}, "fields.1"),
    ({"fields": "[1,"}, "fields"),
    ({"fields": list(range(1, 202))}, "fields"),
    ({"filters": {"op": "and", "conditions": [{"field": "Nope", "operator": "is",
                                               "value": "x"}]}}, "filters.conditions.0.field"),
    ({"view": "99999"}, None),
])
def test_totals_refuse_bad_input(client, admin, seeded, params, field):
    answer = get(client, admin["headers"], "totals", **params)
    if field is None:
        assert answer.status_code == 404
        return
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == field


def test_totals_and_groups_need_a_login_and_serve_members(client, member, seeded):
    assert client.simulate_get(f"{BASE}/totals").status_code == 401
    assert client.simulate_get(f"{BASE}/groups", params={"field": "Stage"}).status_code == 401
    assert get(client, member["headers"], "totals").json["total"] == 75
    assert get(client, member["headers"], "groups", field="Stage").json["total"] == 75


def test_groups_by_a_single_select_in_choice_order(client, admin, seeded):
    records = seeded["records"]
    answer = get(client, admin["headers"], "groups", field="Stage")
    assert answer.status_code == 200, answer.json
    body = answer.json
    present = [s for s in STAGES if any(r["fields"]["Stage"] == s for r in records)]
    schema_order = ["Prospect", "Intro", "Meeting", "Diligence", "Soft Circle", "Committed",
                    "Passed", "Declined"]  # the built-in field's choices
    assert [g["value"] for g in body["groups"]] == [s for s in schema_order if s in present]
    check = str(next(t["field"] for t in by_name(get(client, admin["headers"], "totals")).values()
                     if t["name"] == "Check Size"))
    for group in body["groups"]:
        members = [r for r in records if r["fields"]["Stage"] == group["value"]]
        assert group["count"] == len(members)
        assert group["label"] == group["value"]
        assert group["sums"][check] == sum(values(members, "Check Size"))
    assert body["total"] == 75 and sum(g["count"] for g in body["groups"]) == 75
    assert body["sums"][check] == sum(values(records, "Check Size"))
    assert body["others"] is None
    # by default every number field is summed: Check Size, Ownership, Score, Fee
    names = {seeded["fields"][n]["id"] for n in ("Ownership", "Score", "Fee")}
    assert names <= set(body["sum_fields"])


def test_groups_by_a_multi_select_count_a_record_in_each_choice(client, admin, seeded):
    records = seeded["records"]
    score = seeded["fields"]["Score"]["id"]
    answer = get(client, admin["headers"], "groups", field="Sectors", sums=[score])
    body = answer.json
    assert answer.status_code == 200, body
    assert body["sum_fields"] == [score]
    wanted = [(s, [r for r in records if s in r["fields"]["Sectors"]]) for s in SECTORS]
    wanted = [(s, rs) for s, rs in wanted if rs]
    wanted.append((None, [r for r in records if not r["fields"]["Sectors"]]))
    assert [(g["value"], g["count"]) for g in body["groups"]] == \
        [(s, len(rs)) for s, rs in wanted]
    for group, (_, rs) in zip(body["groups"], wanted):
        assert group["sums"][str(score)] == pytest.approx(sum(values(rs, "Score")))
    assert body["total"] == 75 < sum(g["count"] for g in body["groups"])


def test_groups_by_text_checkbox_user_and_filtered(client, admin, seeded):
    h, records = admin["headers"], seeded["records"]
    region = get(client, h, "groups", field="Region").json
    wanted = sorted({r["fields"]["Region"] for r in records if r["fields"]["Region"]},
                    key=str.lower)
    assert [g["value"] for g in region["groups"]] == [*wanted, None]  # empty text: empty group
    strategic = get(client, h, "groups", field=str(seeded["fields"]["Strategic"]["id"])).json
    counts = {g["value"]: (g["label"], g["count"]) for g in strategic["groups"]}
    checked = sum(r["fields"]["Strategic"] for r in records)
    assert counts == {False: ("Unchecked", 75 - checked), True: ("Checked", checked)}
    creators = get(client, h, "groups", field="Created by").json
    assert [(g["value"], g["label"], g["count"]) for g in creators["groups"]] == \
        [(admin["id"], "Ada Admin", 75)]
    filters = {"op": "and", "conditions": [{"field": "Region", "operator": "is", "value": "EMEA"}]}
    emea = get(client, h, "groups", field="Stage", filters=filters, q="partners").json
    listed = client.simulate_get(BASE, headers=h, params={
        "filters": json.dumps(filters), "q": "partners"}).json
    assert emea["total"] == listed["total"] == sum(g["count"] for g in emea["groups"])


def test_groups_past_the_cap_are_summed_as_others(client, admin, seeded, monkeypatch):
    from plugins.fundraising import totals
    monkeypatch.setattr(totals, "MAX_GROUPS", 3)
    check = "Check Size"
    body = get(client, admin["headers"], "groups", field="Name", sums=[check]).json
    assert len(body["groups"]) == 3
    assert body["others"]["groups"] == 72 and body["others"]["count"] == 72
    check_id = str(body["sum_fields"][0])
    shown = sum(g["sums"][check_id] for g in body["groups"])
    assert shown + body["others"]["sums"][check_id] == body["sums"][check_id]


@pytest.mark.parametrize("params,field", [
    ({"field": "Nope"}, "field"),
    ({"field": "Notes"}, "field"),
    ({"field": "Stage", "sums": ["Region"]}, "sums.0"),
    ({"field": "Stage", "sums": [12345]}, "sums.0"),
    ({"field": "Stage", "sums": list(range(21))}, "sums"),
    ({}, "field"),
])
def test_groups_refuse_bad_input(client, admin, seeded, params, field):
    answer = get(client, admin["headers"], "groups", **params)
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == field


def test_totals_are_documented(client, admin):
    spec = client.simulate_get("/api/openapi.json", headers=admin["headers"]).json
    for path in (f"{BASE}/totals", f"{BASE}/groups"):
        assert "get" in spec["paths"][path]


def test_a_write_moves_the_totals_and_groups_at_once(client, admin, seeded):
    h = admin["headers"]
    before = by_name(get(client, h, "totals"))["Check Size"]["sum"]
    groups = get(client, h, "groups", field="Stage").json
    record = seeded["records"][0]
    answer = client.simulate_patch(f"{BASE}/{record['id']}", headers=h, json={
        "expected_version": record["version"],
        "fields": {"Check Size": (record["fields"].get("Check Size") or 0) + 7, "Stage": "Passed"}})
    assert answer.status_code == 200, answer.json
    assert by_name(get(client, h, "totals"))["Check Size"]["sum"] == before + 7
    after = get(client, h, "groups", field="Stage").json
    passed = {g["value"]: g["count"] for g in after["groups"]}
    was = {g["value"]: g["count"] for g in groups["groups"]}
    assert passed["Passed"] == was.get("Passed", 0) + (record["fields"]["Stage"] != "Passed")
    client.simulate_delete(f"{BASE}/{record['id']}", headers=h)
    assert get(client, h, "totals").json["total"] == 74


def test_the_empty_group_is_shown_past_the_cap(client, admin, seeded, monkeypatch):
    from plugins.fundraising import totals
    monkeypatch.setattr(totals, "MAX_GROUPS", 2)
    records = seeded["records"]
    body = get(client, admin["headers"], "groups", field="Region").json
    regions = sorted({r["fields"]["Region"] for r in records if r["fields"]["Region"]},
                     key=str.lower)
    count = {v: sum(1 for r in records if (r["fields"]["Region"] or None) == v)
             for v in [*regions, None]}
    assert [(g["value"], g["count"]) for g in body["groups"]] == \
        [(v, count[v]) for v in [*regions[:2], None]]
    assert body["others"]["groups"] == len(regions) - 2
    assert body["others"]["count"] == sum(count[v] for v in regions[2:])
    assert sum(g["count"] for g in body["groups"]) + body["others"]["count"] == 75


def test_text_groups_without_case_as_the_is_filter_lists_them(client, admin, seeded):
    """A group opens to the records the list route gives for `Region is <value>`, which
    matches without case: "emea" and "EMEA" are one group, its count that list's total."""
    h, records = admin["headers"], seeded["records"]
    emea = [r for r in records if r["fields"]["Region"] == "EMEA"]
    changed = client.simulate_patch(f"{BASE}/{emea[0]['id']}", headers=h, json={
        "expected_version": emea[0]["version"], "fields": {"Region": "emea"}})
    assert changed.status_code == 200, changed.json
    groups = get(client, h, "groups", field="Region").json["groups"]
    counts = {g["value"].lower(): g["count"] for g in groups if g["value"]}
    assert counts["emea"] == len(emea)
    assert sorted(counts) == sorted({r["fields"]["Region"].lower() for r in records
                                     if r["fields"]["Region"]})
    filters = {"op": "and", "conditions": [{"field": "Region", "operator": "is", "value": "EMEA"}]}
    listed = client.simulate_get(BASE, headers=h, params={"filters": json.dumps(filters)}).json
    assert listed["total"] == counts["emea"]


def test_a_formula_error_is_empty_to_filters_as_to_groups(client, admin, seeded):
    """The groups count a formula's error in the empty group; the list's is_empty (what the
    empty group opens to) finds the same records."""
    h, records = admin["headers"], seeded["records"]
    made = client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Per Score", "type": "formula",
        "formula": "{Check Size} / {Score}"})
    assert made.status_code == 201, made.json
    listed = client.simulate_get(BASE, headers=h, params={"limit": 200}).json["records"]
    errors = [r for r in listed if isinstance(r["fields"].get("Per Score"), dict)]
    no_value = [r for r in listed if r["fields"].get("Per Score") is None]
    assert errors  # a Score of 0 divides by zero
    groups = get(client, h, "groups", field="Per Score").json["groups"]
    empty = next(g for g in groups if g["value"] is None)
    assert empty["count"] == len(errors) + len(no_value)
    for operator, expected in (("is_empty", empty["count"]),
                               ("is_not_empty", len(records) - empty["count"])):
        filters = {"op": "and", "conditions": [{"field": "Per Score", "operator": operator}]}
        found = client.simulate_get(BASE, headers=h, params={"filters": json.dumps(filters)})
        assert found.status_code == 200 and found.json["total"] == expected, operator
