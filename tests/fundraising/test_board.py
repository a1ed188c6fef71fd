"""Boards: views of type board, and GET /{table}/board with counts and sums per column."""
import json
import random

import pytest

from plugins.fundraising.schema import STAGES

BOARD = "/api/fundraising/investors/board"


@pytest.fixture
def seeded(client, admin):
    h = admin["headers"]
    client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Region", "type": "single_select",
        "options": {"choices": ["EMEA", "Americas", "APAC"]}})
    client.simulate_post("/api/fundraising/fields", headers=h, json={
        "table": "investors", "name": "Notes", "type": "text"})
    rng = random.Random(23)
    made = []
    for i in range(70):
        fields = {"Region": rng.choice(["EMEA", "Americas", "APAC"]), "Owner": admin["id"]}
        if rng.random() < 0.85:
            fields["Stage"] = rng.choice(STAGES)
        if rng.random() < 0.8:
            fields["Check Size"] = rng.choice([250_000, 1_000_000, 2_500_000, 7_500_000])
        made.append(client.simulate_post("/api/fundraising/investors", headers=h, json={
            "name": f"Fund {i:02d}", "fields": fields}).json)
    for record in made[:5]:  # archived: never on a board
        client.simulate_delete(f"/api/fundraising/investors/{record['id']}", headers=h)
    return made


def board(client, headers, status=200, **params):
    query = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v)
             for k, v in params.items()}
    result = client.simulate_get(BOARD, headers=headers, params=query)
    assert result.status_code == status, result.json
    return result.json


def sql_columns(crm, where="1", params=()):
    """{stage or None: (count, sum)} straight from SQL over the live rows."""
    rows = crm.db.execute(
        "SELECT NULLIF(stage, ''), count(*), total(check_size) FROM fundraising_investors "
        f"WHERE deleted_at IS NULL AND ({where}) GROUP BY 1", list(params)).fetchall()
    return {stage: (count, amount) for stage, count, amount in rows}


def as_sql(result):
    return {c["value"]: (c["count"], c["sum"]) for c in result["columns"] if c["count"]}


def test_default_board_groups_by_stage_with_counts_and_sums(crm, client, admin, seeded):
    got = board(client, admin["headers"], sum_field="Check Size", card_fields=["Check Size"])
    assert got["group_field"]["name"] == "Stage"
    assert [c["value"] for c in got["columns"]] == [None, *STAGES]
    assert got["columns"][0]["title"] == "No Stage"
    assert as_sql(got) == sql_columns(crm)
    assert got["total"] == 65  # 70 made, 5 archived
    archived = {r["id"] for r in seeded[:5]}
    shown = [card["id"] for c in got["columns"] for card in c["cards"]]
    assert len(shown) == len(set(shown)) and not archived & set(shown)
    card = next(card for c in got["columns"] for card in c["cards"] if card["values"][0]["value"])
    assert card["values"][0]["text"].startswith("$") and card["version"] >= 1


def test_filters_and_search_apply_to_counts_and_sums(crm, client, admin, seeded):
    filters = {"conditions": [{"field": "Region", "operator": "is", "value": "EMEA"},
                              {"field": "Check Size", "operator": ">=", "value": 1_000_000}]}
    got = board(client, admin["headers"], sum_field="Check Size", filters=filters)
    region = crm.db.execute("SELECT id FROM fundraising_fields WHERE name = 'Region'").fetchone()[0]
    where = f"json_extract(data, '$.\"{region}\"') = 'EMEA' AND check_size >= 1000000"
    assert as_sql(got) == sql_columns(crm, where)
    searched = board(client, admin["headers"], sum_field="Check Size", q="Fund 1")
    assert searched["total"] == 10  # Fund 10 to Fund 19
    assert as_sql(searched) == sql_columns(crm, "name LIKE 'Fund 1_'")


def test_saved_board_view_and_paging_a_column(crm, client, admin, seeded):
    view = client.simulate_post("/api/fundraising/views", headers=admin["headers"], json={
        "table": "investors", "name": "Pipeline", "type": "board",
        "filters": {"conditions": [{"field": "Region", "operator": "is_not", "value": "APAC"}]},
        "sorts": [{"field": "Check Size", "direction": "desc"}],
        "board": {"group_field": "Region", "card_fields": ["Stage", "Check Size", "Owner"],
                  "sum_field": "Check Size"}})
    assert view.status_code == 201, view.json
    assert view.json["type"] == "board" and len(view.json["board"]["card_fields"]) == 3
    got = board(client, admin["headers"], view=view.json["id"], limit=3)
    assert [c["value"] for c in got["columns"]] == [None, "EMEA", "Americas", "APAC"]
    assert got["columns"][3]["count"] == 0
    emea = got["columns"][1]
    sizes = [card["values"][1]["value"] or 0 for card in emea["cards"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == 3
    assert emea["cards"][0]["values"][2]["text"] == "Ada Admin"
    rest = board(client, admin["headers"], view=view.json["id"], column="EMEA", offset=3,
                 limit=50)
    assert [c["value"] for c in rest["columns"]] == ["EMEA"]
    ids = [c["id"] for c in emea["cards"]] + [c["id"] for c in rest["columns"][0]["cards"]]
    assert len(set(ids)) == emea["count"]
    listed = client.simulate_get("/api/fundraising/views", headers=admin["headers"]).json
    assert {v["name"]: v["type"] for v in listed["views"]} == {"Pipeline": "board"}


def test_group_field_must_be_a_live_single_select(client, admin, seeded):
    h = admin["headers"]
    for board_settings, field in [({"group_field": "Notes"}, "board.group_field"),
                                  ({"group_field": "Nope"}, "board.group_field"),
                                  ({"sum_field": "Notes"}, "board.sum_field"),
                                  ({"card_fields": [1, 2, 3, 4, 5, 6, 7, 8]}, "board.card_fields")]:
        result = client.simulate_post("/api/fundraising/views", headers=h, json={
            "table": "investors", "name": "Bad", "type": "board", "board": board_settings})
        assert result.status_code == 422, board_settings
        assert result.json["error"]["field"] == field, result.json
    grid = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "A grid", "board": {"group_field": "Stage"}})
    assert grid.status_code == 422 and grid.json["error"]["field"] == "board"
    assert board(client, h, 422, group_field="Notes")["error"]["field"] == "group_field"
    assert board(client, h, 422, card_fields="[1,")["error"]["field"] == "card_fields"
    assert board(client, h, 422, limit=51)["error"]["field"] == "limit"
    view = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "By region", "type": "board",
        "board": {"group_field": "Region"}}).json
    region = view["board"]["group_field"]
    assert client.simulate_delete(f"/api/fundraising/fields/{region}", headers=h).status_code == 200
    gone = board(client, h, 422, view=view["id"])
    assert gone["error"]["field"] == "board.group_field"


def test_member_rights_as_for_views(client, admin, member, seeded):
    shared = client.simulate_post("/api/fundraising/views", headers=admin["headers"], json={
        "table": "investors", "name": "Team board", "type": "board"}).json
    assert shared["board"]["group_field"] and shared["board"]["card_fields"] == []
    assert board(client, member["headers"], view=shared["id"])["total"] == 65
    change = {"board": {"sum_field": "Check Size"}}
    refused = client.simulate_patch(f"/api/fundraising/views/{shared['id']}",
                                    headers=member["headers"], json=change)
    assert refused.status_code == 403
    mine = client.simulate_post("/api/fundraising/views", headers=member["headers"], json={
        "table": "investors", "name": "My board", "type": "board", "personal": True}).json
    changed = client.simulate_patch(f"/api/fundraising/views/{mine['id']}",
                                    headers=member["headers"], json=change)
    assert changed.status_code == 200, changed.json
    assert changed.json["board"]["sum_field"] and changed.json["board"]["group_field"]
    board(client, admin["headers"], 404, view=mine["id"])  # another's personal view
    assert client.simulate_get(BOARD).status_code == 401


def test_moving_a_card_is_a_versioned_update(client, admin, member, seeded):
    record = seeded[10]
    url = f"/api/fundraising/investors/{record['id']}"
    moved = client.simulate_patch(url, headers=admin["headers"], json={
        "expected_version": record["version"], "fields": {"Stage": "Diligence"}})
    assert moved.status_code == 200
    stale = client.simulate_patch(url, headers=member["headers"], json={
        "expected_version": record["version"], "fields": {"Stage": "Passed"}})
    assert stale.status_code == 409
    assert stale.json["error"]["updated_by"]["name"] == "Ada Admin"
    got = board(client, admin["headers"], column="Diligence", limit=50)
    assert record["id"] in [c["id"] for c in got["columns"][0]["cards"]]


def test_a_board_view_survives_a_whole_state_save(client, admin, seeded):
    h = admin["headers"]
    made = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "Pipeline", "type": "board",
        "board": {"group_field": "Region", "sum_field": "Check Size"}}).json
    state = client.simulate_get("/api/fundraising/state", headers=h).json
    copy = {k: v for k, v in made.items() if k != "id"}
    views = [*state["state"]["views"], {**copy, "name": "Pipeline copy"}]
    saved = client.simulate_put("/api/fundraising/state", headers=h, json={
        "expected_version": state["version"], "state": {"views": views}})
    assert saved.status_code == 200, saved.json
    listed = client.simulate_get("/api/fundraising/views", headers=h).json["views"]
    assert [(v["name"], v["type"], v["board"]) for v in listed] == [
        ("Pipeline", "board", made["board"]), ("Pipeline copy", "board", made["board"])]
