"""Saved views are bounded (conditions, nesting, sorts, lists, values, size), and only shared
views make indexes: capped per table and dropped when no live shared view uses them."""
import re

import orjson

from plugins.fundraising.field_defs import load_fields
from tests.fundraising.test_records import create

VIEWS = "/api/fundraising/views"
FIELDS = "/api/fundraising/fields"
VIEW_INDEX = re.compile(r"^fundraising_investors_(f\d+|v_[0-9a-f]{12})$")


def leaf(value="Meeting"):
    return {"field": "Stage", "operator": "is", "value": value}


def nested(depth):
    """A filter group `depth` groups deep (the top group counts as one)."""
    group = {"op": "and", "conditions": [leaf()]}
    for _ in range(depth - 1):
        group = {"op": "or", "conditions": [group]}
    return group


def post_view(client, h, **extra):
    body = {"table": "investors", "name": "View", **extra}
    return client.simulate_post(VIEWS, headers=h, json=body)


def indexes(crm):
    """Every index on the investors table, with its SQL."""
    return dict(crm.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                               "tbl_name = 'fundraising_investors'").fetchall())


def view_made(crm):
    return {name for name in indexes(crm) if VIEW_INDEX.match(name)}


def add_text_field(client, h, name):
    made = client.simulate_post(FIELDS, headers=h, json={"table": "investors", "name": name,
                                                         "type": "text"})
    assert made.status_code == 201, made.json
    return made.json


def error_field(result):
    assert result.status_code == 422, result.json
    return result.json["error"]["field"]


# Limits of a view's settings

def test_conditions_are_counted_across_nested_groups(client, member):
    h = member["headers"]
    # three groups of 40: each group is under the old per-group cap of 100, the total is not
    groups = [{"op": "or", "conditions": [leaf() for _ in range(40)]} for _ in range(3)]
    too_many = post_view(client, h, filters={"op": "and", "conditions": groups})
    assert error_field(too_many) == "filters"
    assert "100" in too_many.json["error"]["message"]
    # 100 entries in all (a group counts as one) is allowed
    at_limit = {"op": "and", "conditions": [{"op": "or", "conditions": [leaf()] * 49},
                                            *[leaf()] * 50]}
    assert post_view(client, h, filters=at_limit).status_code == 201


def test_nesting_depth_is_capped(client, member):
    h = member["headers"]
    assert post_view(client, h, filters=nested(5)).status_code == 201
    deep = post_view(client, h, filters=nested(6))
    assert error_field(deep) == "filters"
    assert "deep" in deep.json["error"]["message"]


def test_sorts_and_field_lists_are_capped(client, member):
    h = member["headers"]
    assert error_field(post_view(client, h, sorts=[{"field": "Name"}] * 11)) == "sorts"
    assert error_field(post_view(client, h, pinned=["Name"] * 1001)) == "pinned"
    assert error_field(post_view(client, h, hidden=["Name"] * 1001)) == "hidden"
    assert error_field(post_view(client, h, order=["Name"] * 1001)) == "order"
    widths = {f"f{i}": 100 for i in range(1001)}
    assert error_field(post_view(client, h, widths=widths)) == "widths"
    assert error_field(post_view(client, h, pinned=["x" * 201])).startswith("pinned")


def test_a_huge_condition_value_is_refused(client, member):
    h = member["headers"]
    huge = post_view(client, h, filters={"op": "and", "conditions": [leaf("x" * 10_000_000)]})
    assert error_field(huge) == "filters"
    assert "conditions.0.value" in huge.json["error"]["message"]
    many = post_view(client, h, filters={"op": "and", "conditions": [
        {"field": "Stage", "operator": "is", "value": ["x" * 100] * 50}]})
    assert error_field(many) == "filters"
    assert post_view(client, h, filters={"op": "and", "conditions": [
        leaf("x" * 1000)]}).status_code == 201


def test_the_whole_config_is_capped_in_size(client, admin):
    h = admin["headers"]
    names = [add_text_field(client, h, f"{i:03d}" + "n" * 190)["name"] for i in range(3)]
    # 3 lists of 120 long names: each list is allowed, together they pass 64 KiB
    big = post_view(client, h, pinned=names * 40, hidden=names * 40, order=names * 40)
    assert big.status_code == 422, big.json
    assert "65,536" in big.json["error"]["message"]


def test_a_patch_is_held_to_the_same_limits(client, member):
    h = member["headers"]
    view = post_view(client, h, personal=True).json
    groups = [{"op": "or", "conditions": [leaf() for _ in range(40)]} for _ in range(3)]
    patched = client.simulate_patch(f"{VIEWS}/{view['id']}", headers=h,
                                    json={"filters": {"op": "and", "conditions": groups}})
    assert error_field(patched) == "filters"
    deep = client.simulate_patch(f"{VIEWS}/{view['id']}", headers=h,
                                 json={"filters": nested(6)})
    assert error_field(deep) == "filters"


def test_state_put_views_are_held_to_the_same_limits(client, admin):
    h = admin["headers"]
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    groups = [{"op": "or", "conditions": [leaf() for _ in range(40)]} for _ in range(3)]
    view = {"table": "investors", "name": "Big", "filters": {"op": "and",
                                                               "conditions": groups}}
    state = {**got["state"], "views": [view]}
    put = client.simulate_put("/api/fundraising/state", headers=h,
                              json={"expected_version": got["version"], "state": state})
    assert error_field(put) == "state.views.0.filters"
    state["views"] = [{"table": "investors", "name": "Sorted", "sorts": [{"field": "Name"}] * 11}]
    put = client.simulate_put("/api/fundraising/state", headers=h,
                              json={"expected_version": got["version"], "state": state})
    assert error_field(put) == "state.views.0.sorts"


def test_a_stored_view_over_the_limits_is_refused_before_it_is_compiled(client, crm, member):
    """A view saved before the limits (100,000 conditions) no longer costs seconds a read."""
    h = member["headers"]
    view = post_view(client, h, personal=True).json
    stage = load_fields(crm.db, "investors").get("Stage").id
    config = {"filters": {"op": "or", "conditions": [
        {"field": stage, "operator": "is", "value": f"v{i}"} for i in range(100_000)]},
        "sorts": [], "pinned": [], "hidden": [], "order": [], "widths": {}}
    with crm.write() as db:
        db.execute("UPDATE fundraising_views SET config = ? WHERE id = ?",
                   [orjson.dumps(config).decode(), view["id"]])
    got = client.simulate_get("/api/fundraising/investors", headers=h,
                              params={"view": str(view["id"])})
    assert error_field(got) == "view"


def test_ad_hoc_filters_are_held_to_the_same_limits(client, member):
    got = client.simulate_get("/api/fundraising/investors", headers=member["headers"],
                              params={"filters": orjson.dumps(nested(6)).decode()})
    assert error_field(got) == "filters"


# Indexes made for views

def test_personal_views_make_no_index(client, crm, admin, member):
    fields = [add_text_field(client, admin["headers"], f"Custom {i}")["name"] for i in range(5)]
    before = indexes(crm)
    for i in range(50):
        made = post_view(client, member["headers"], name=f"Mine {i}", personal=True,
                         filters={"op": "and", "conditions": [
                             {"field": fields[i % 5], "operator": "is", "value": f"v{i}"}]},
                         sorts=[{"field": fields[(i + 1) % 5]}, {"field": "Check Size"}])
        assert made.status_code == 201, made.json
    assert indexes(crm) == before


def test_archiving_the_only_shared_view_using_an_index_drops_it(client, crm, admin):
    h = admin["headers"]
    region = add_text_field(client, h, "Region")
    create(client, h, "investors", "Acme", Region="EMEA")
    body = {"filters": {"op": "and", "conditions": [
        {"field": "Region", "operator": "is", "value": "EMEA"}]}, "sorts": [{"field": "Region"}]}
    first = post_view(client, h, name="EMEA", **body).json
    second = post_view(client, h, name="EMEA too", **body).json
    made = view_made(crm)
    assert f"fundraising_investors_f{region['id']}" in made
    assert any(name.startswith("fundraising_investors_v_") for name in made)
    assert client.simulate_delete(f"{VIEWS}/{first['id']}", headers=h).status_code == 200
    assert view_made(crm) == made  # the second view still uses them
    got = client.simulate_get("/api/fundraising/investors", headers=h,
                              params={"view": str(second["id"])})
    assert [r["name"] for r in got.json["records"]] == ["Acme"]
    assert client.simulate_delete(f"{VIEWS}/{second['id']}", headers=h).status_code == 200
    assert view_made(crm) == set()


def test_changing_or_unsharing_a_view_drops_what_it_no_longer_uses(client, crm, admin, member):
    h = admin["headers"]
    region = add_text_field(client, h, "Region")
    sector = add_text_field(client, h, "Sector")
    view = post_view(client, member["headers"], name="Team", sorts=[{"field": "Region"}]).json
    assert f"fundraising_investors_f{region['id']}" in view_made(crm)
    changed = client.simulate_patch(f"{VIEWS}/{view['id']}", headers=h,
                                    json={"sorts": [{"field": "Sector"}]})
    assert changed.status_code == 200, changed.json
    made = view_made(crm)
    assert f"fundraising_investors_f{sector['id']}" in made
    assert f"fundraising_investors_f{region['id']}" not in made
    unshared = client.simulate_patch(f"{VIEWS}/{view['id']}", headers=member["headers"],
                                     json={"personal": True})
    assert unshared.status_code == 200 and unshared.json["owner"] == member["id"]
    assert view_made(crm) == set()
    shared = client.simulate_patch(f"{VIEWS}/{view['id']}", headers=member["headers"],
                                   json={"personal": False})
    assert shared.status_code == 200
    assert f"fundraising_investors_f{sector['id']}" in view_made(crm)


def test_archiving_a_field_drops_the_view_indexes_on_it(client, crm, admin):
    h = admin["headers"]
    region = add_text_field(client, h, "Region")
    post_view(client, h, name="By region", sorts=[{"field": "Region"}, {"field": "Name"}])
    assert view_made(crm)
    assert client.simulate_delete(f"{FIELDS}/{region['id']}", headers=h).status_code == 200
    assert not any(f'"{region["id"]}"' in indexes(crm)[name] for name in view_made(crm))
    assert view_made(crm) == set()


def test_view_indexes_per_table_are_capped(client, crm, admin):
    h = admin["headers"]
    names = [add_text_field(client, h, f"Custom {i}")["name"] for i in range(15)]
    create(client, h, "investors", "Acme", **{names[0]: "a"})
    made = [post_view(client, h, name=f"By {name}", sorts=[{"field": name}]).json
            for name in names]
    assert len(view_made(crm)) == 20  # 15 field indexes and 15 view indexes would be 30
    for view in made:  # every view still answers, indexed or not
        got = client.simulate_get("/api/fundraising/investors", headers=h,
                                  params={"view": str(view["id"])})
        assert got.status_code == 200 and got.json["total"] == 1
    for view in made[:10]:
        client.simulate_delete(f"{VIEWS}/{view['id']}", headers=h)
    assert len(view_made(crm)) == 10  # what the 5 live shared views use, nothing more


def test_only_view_made_indexes_are_named_like_them(crm):
    """Nothing else in the schema takes the names views' indexes are recognised by."""
    names = [r[0] for r in crm.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
    assert names and not [name for name in names if name.startswith("fundraising_")]
