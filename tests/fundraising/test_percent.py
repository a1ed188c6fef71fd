"""Percent fields hold fractions everywhere (12.5% is 0.125, as Airtable's API has it): import,
POST/PATCH, PUT /state, filters, formulas, CSV and JSON export, and the migration of values
written on the 0-100 scale."""
import csv
import io
from pathlib import Path

import orjson
import pytest

from core.migrations import migrate
from plugins.fundraising.imports.csv_import import parse_cell
from plugins.fundraising.imports.csv_import.writer import make_formatter

FIXTURE = Path(__file__).parent.parent / "fixtures" / "airtable_investors.csv"
INVESTORS = "/api/fundraising/investors"


def fixture_rows():
    with FIXTURE.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def import_csv(client, headers, text, **extra):
    result = client.simulate_post("/api/fundraising/import", headers=headers, json={
        "table": "investors", "csv": text, "confirm": True, "mapping": {"Owner": None},
        **extra})
    assert result.status_code == 200, result.json
    return result.json


def records(client, headers, **params):
    result = client.simulate_get(INVESTORS, headers=headers, params={"limit": "1000", **params})
    assert result.status_code == 200, result.json
    return result.json["records"]


def probability_at_least(client, headers, value):
    filters = {"op": "and", "conditions": [
        {"field": "Probability", "operator": ">=", "value": value}]}
    return {r["name"] for r in records(client, headers, filters=orjson.dumps(filters).decode())}


def add_field(client, headers, name="Probability", type="percent", **extra):
    result = client.simulate_post("/api/fundraising/fields", headers=headers, json={
        "table": "investors", "name": name, "type": type, **extra})
    assert result.status_code == 201, result.json
    return result.json


def create(client, headers, name, **fields):
    result = client.simulate_post(INVESTORS, headers=headers, json={"name": name,
                                                                    "fields": fields})
    assert result.status_code == 201, result.json
    return result.json


def patch(client, headers, record, **fields):
    return client.simulate_patch(f"{INVESTORS}/{record['id']}", headers=headers, json={
        "expected_version": record["version"], "fields": fields})


def test_import_stores_fractions_and_filters_take_fractions_or_percent_text(client, admin):
    h = admin["headers"]
    import_csv(client, h, FIXTURE.read_text(encoding="utf-8-sig"))
    rows = fixture_rows()
    expected = {r["Name"]: float(r["Probability"].rstrip("%")) / 100 for r in rows
                if r["Probability"]}
    got = {r["name"]: r["fields"].get("Probability") for r in records(client, h)}
    assert {n: got[n] for n in expected} == pytest.approx(expected)
    at_least_half = {name for name, value in expected.items() if value >= 0.5}
    assert at_least_half and at_least_half != set(expected)
    assert probability_at_least(client, h, 0.5) == at_least_half
    assert probability_at_least(client, h, "50%") == at_least_half  # text with % is read too
    bad = client.simulate_get(INVESTORS, headers=h, params={"filters": orjson.dumps(
        {"conditions": [{"field": "Probability", "operator": ">=", "value": "fifty"}]}).decode()})
    assert bad.status_code == 422
    assert bad.json["error"]["field"] == "filters.conditions.0.value"


def test_post_and_patch_take_a_fraction_or_percent_text(client, member, admin):
    h = member["headers"]
    add_field(client, admin["headers"])
    low = create(client, h, "Low", Probability="12.5%")
    assert low["fields"]["Probability"] == 0.125
    high = create(client, h, "High", Probability=0.4)
    assert high["fields"]["Probability"] == 0.4
    changed = patch(client, h, high, Probability="75 %")
    assert changed.status_code == 200, changed.json
    assert changed.json["fields"]["Probability"] == 0.75
    assert probability_at_least(client, h, 0.5) == {"High"}
    for wrong in ("40", "forty%", True, [40]):
        refused = patch(client, h, changed.json, Probability=wrong)
        assert refused.status_code == 422, wrong
        assert refused.json["error"]["field"] == "fields.Probability"
    stored = client.simulate_get(f"{INVESTORS}/{high['id']}", headers=h).json
    assert stored["fields"]["Probability"] == 0.75  # nothing lost


def test_put_state_takes_a_fraction_or_percent_text(client, member, admin):
    h = member["headers"]
    add_field(client, admin["headers"])
    create(client, h, "Acme", Probability=0.2)
    create(client, h, "Birch")
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    rows = got["state"]["investors"]
    by_name = {r["name"]: r for r in rows}
    by_name["Acme"]["fields"]["Probability"] = 0.6
    by_name["Birch"]["fields"]["Probability"] = "5%"
    put = client.simulate_put("/api/fundraising/state", headers=h, json={
        "expected_version": got["version"], "state": {"investors": rows}})
    assert put.status_code == 200, put.json
    values = {r["name"]: r["fields"]["Probability"] for r in records(client, h)}
    assert values == {"Acme": 0.6, "Birch": 0.05}
    assert probability_at_least(client, h, 0.5) == {"Acme"}


def test_formulas_read_fractions(client, admin):
    h = admin["headers"]
    add_field(client, h)
    add_field(client, h, "Expected", "formula", formula="{Check Size} * {Probability}")
    add_field(client, h, "Odds", "formula", formula="{Probability} * 2")
    record = create(client, h, "Acme", **{"Check Size": 1_250_000, "Probability": "40%"})
    assert record["fields"]["Expected"] == 500_000
    assert record["fields"]["Odds"] == 0.8  # a percent result is a fraction too
    record = patch(client, h, record, Probability="75%").json
    assert record["fields"]["Expected"] == 937_500
    filters = {"conditions": [{"field": "Expected", "operator": ">", "value": 900_000}]}
    assert [r["name"] for r in records(client, h, filters=orjson.dumps(filters).decode())] \
        == ["Acme"]


def test_csv_export_writes_percentages_and_imports_back_unchanged(client, admin):
    h = admin["headers"]
    import_csv(client, h, FIXTURE.read_text(encoding="utf-8-sig"))
    add_field(client, h, "Expected", "formula", formula="{Check Size} * {Probability}")
    odd = create(client, h, 'Odd "Quoted", Fund', Probability=0.333, Sectors=["Fintech"],
                 **{"Check Size": -5.5})
    before = {r["name"]: r for r in records(client, h)}
    result = client.simulate_get("/api/fundraising/export.csv", headers=h,
                                 params={"table": "investors"})
    assert result.status_code == 200
    assert result.headers["content-type"].startswith("text/csv")
    text = result.content.decode("utf-8-sig")
    exported = {r["Name"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    for row in fixture_rows():  # percent cells as Airtable writes them
        assert exported[row["Name"]]["Probability"] == row["Probability"]
    assert exported[odd["name"]]["Probability"] == "33.3%"
    assert exported[odd["name"]]["Check Size"] == "-$5.50"
    again = import_csv(client, h, text)
    assert (again["creates"], again["updates"]) == (0, 0)
    after = {r["name"]: r for r in records(client, h)}
    assert {n: r["fields"] for n, r in after.items()} == \
        {n: r["fields"] for n, r in before.items()}
    snapshot = client.simulate_get("/api/fundraising/export", headers=h).json
    exported_json = {r["name"]: r["fields"].get("Probability") for r in snapshot["investors"]}
    assert exported_json[odd["name"]] == 0.333
    assert exported_json == {n: r["fields"].get("Probability") for n, r in before.items()}


def test_csv_export_needs_a_table_and_a_login(client, member):
    assert client.simulate_get("/api/fundraising/export.csv",
                               params={"table": "investors"}).status_code == 401
    wrong = client.simulate_get("/api/fundraising/export.csv", headers=member["headers"],
                                params={"table": "users"})
    assert wrong.status_code == 422


def rerun_percent_migration(crm):
    """Run the percent migration again, on data written since the database was made."""
    with crm.write() as db:
        db.execute("DELETE FROM crm_migrations WHERE plugin = 'fundraising' AND version = 8")
    return migrate(crm.pm, crm.database)


def stored_value(crm, record_id, field_id):
    (data,) = crm.db.execute("SELECT data FROM fundraising_investors WHERE id = ?",
                             [record_id]).fetchone()
    return orjson.loads(data).get(str(field_id))


def test_migration_moves_values_typed_on_the_0_100_scale(crm, client, admin):
    h = admin["headers"]
    import_csv(client, h, FIXTURE.read_text(encoding="utf-8-sig"))  # fractions
    fields = {f["name"]: f for f in client.simulate_get(
        "/api/fundraising/fields", headers=h, params={"table": "investors"}).json["fields"]}
    probability = fields["Probability"]["id"]
    expected = add_field(client, h, "Expected", "formula",
                         formula="{Check Size} * {Probability}")
    # what the grid's editor sent before: the number typed, 40 for 40%
    typed = create(client, h, "Typed", Probability=40, **{"Check Size": 1_000_000})
    edited = records(client, h)[0]
    edited = patch(client, h, edited, Probability=75).json
    small = create(client, h, "Small", Probability=0.5)  # 50%, or 0.5% typed: ambiguous
    with crm.write() as db:  # no audit entry explains it (as after a restore)
        sql = create(client, h, "By SQL")
        db.execute("UPDATE fundraising_investors SET data = json_set(data, ?, 60) WHERE id = ?",
                   [f'$."{probability}"', sql["id"]])
    imported = {r["name"]: r["fields"].get("Probability") for r in records(client, h)
                if r["name"] not in ("Typed", "Small", "By SQL", edited["name"])}
    likely = {"op": "and", "conditions": [  # typed in the filter panel as a percentage
        {"field": "Probability", "operator": ">=", "value": 50},
        {"op": "or", "conditions": [{"field": "Probability", "operator": "<", "value": 0.9}]}]}
    view = client.simulate_post("/api/fundraising/views", headers=h, json={
        "table": "investors", "name": "Likely", "filters": likely})
    assert view.status_code == 201, view.json

    applied = rerun_percent_migration(crm)
    assert applied == ["fundraising:8 percent values on the 0-100 scale to fractions"]

    got = {r["name"]: r for r in records(client, h)}
    assert got["Typed"]["fields"]["Probability"] == 0.4
    assert got["Typed"]["fields"]["Expected"] == 400_000  # formulas computed again
    assert got["Typed"]["version"] == typed["version"] + 1
    assert got[edited["name"]]["fields"]["Probability"] == 0.75
    assert got["Small"]["fields"]["Probability"] == 0.5  # left as it was
    assert stored_value(crm, sql["id"], probability) == 0.6
    assert {n: got[n]["fields"].get("Probability") for n in imported} == imported
    history = client.simulate_get(f"{INVESTORS}/{typed['id']}/history", headers=h).json
    assert history["entries"][0]["changes"] == {"Probability": [40, 0.4]}
    (summary,) = crm.db.execute("SELECT summary FROM audit_log WHERE table_name = "
                                "'investors' AND row_id = ? ORDER BY id DESC LIMIT 1",
                                [str(typed["id"])]).fetchone()
    assert summary.startswith("percent to fraction (migration)")
    assert got["Typed"]["fields"]["Expected"] == \
        stored_value(crm, typed["id"], expected["id"])
    assert small["version"] == got["Small"]["version"]
    saved = next(v for v in client.simulate_get("/api/fundraising/views", headers=h).json[
        "views"] if v["id"] == view.json["id"])
    assert [c.get("value") for c in saved["filters"]["conditions"]] == [0.5, None]
    assert saved["filters"]["conditions"][1]["conditions"][0]["value"] == 0.9
    likely_names = {r["name"] for r in records(client, h, view=str(saved["id"]))}
    assert likely_names == {n for n, r in got.items()
                            if 0.5 <= (r["fields"].get("Probability") or 0) < 0.9}
    assert "Typed" not in likely_names and edited["name"] in likely_names
    rerun_percent_migration(crm)  # a second run finds nothing more to move
    assert {r["name"]: r for r in records(client, h)} == got


def test_migration_leaves_a_field_whose_imports_exceed_100_percent(crm, client, admin):
    h = admin["headers"]
    import_csv(client, h, "Name,Growth\r\nAcme,150%\r\nBirch,20%\r\n")
    growth = next(f["id"] for f in client.simulate_get(
        "/api/fundraising/fields", headers=h, params={"table": "investors"}).json["fields"]
        if f["name"] == "Growth")
    cedar = create(client, h, "Cedar")
    with crm.write() as db:  # unexplained, in a field that holds values over 100%
        db.execute("UPDATE fundraising_investors SET data = json_set(data, ?, 60) WHERE id = ?",
                   [f'$."{growth}"', cedar["id"]])
    import_csv(client, h, "Name,Growth\r\nBirch,250%\r\n")  # an import's update
    rerun_percent_migration(crm)
    got = {r["name"]: r["fields"].get("Growth") for r in records(client, h)}
    assert got == {"Acme": 1.5, "Birch": 2.5, "Cedar": 60}


def test_migration_moves_a_rule_threshold_typed_as_a_percentage(crm, client, admin):
    h = admin["headers"]
    field = add_field(client, h)
    create(client, h, "Unlikely", Probability="10%")
    create(client, h, "Likely", Probability="40%")
    rules = client.simulate_get("/api/automation/rules", headers=h).json["rules"]
    longshot = next(r for r in rules if r["type"] == "amount_below")
    changed = client.simulate_patch(f"/api/automation/rules/{longshot['id']}", headers=h, json={
        "config": {**longshot["config"], "field": field["id"], "threshold": 25}})
    assert changed.status_code == 200, changed.json
    with crm.write() as db:
        db.execute("DELETE FROM crm_migrations WHERE plugin = 'automation' AND version = 3")
    assert migrate(crm.pm, crm.database) == ["automation:3 percent thresholds as fractions"]
    rules = client.simulate_get("/api/automation/rules", headers=h).json["rules"]
    assert next(r for r in rules if r["id"] == longshot["id"])["config"]["threshold"] == 0.25
    assert client.simulate_post("/api/automation/run", headers=h).json["errors"] == 0
    listed = client.simulate_get("/api/fundraising/lists/longshot", headers=h).json["records"]
    assert [r["name"] for r in listed] == ["Unlikely"]


@pytest.mark.parametrize("field_type, options, value, text", [
    ("percent", {}, 0.125, "12.5%"), ("percent", {}, 0.07, "7%"), ("percent", {}, 1, "100%"),
    ("percent", {}, -0.03, "-3%"), ("percent", {}, 0.1 + 0.2, "30.000000000000004%"),
    ("currency", {"symbol": "$"}, 1_250_000, "$1,250,000.00"),
    ("currency", {"symbol": "$"}, -5, "-$5.00"), ("currency", {"symbol": "€"}, 0.125, "€0.125"),
    ("number", {}, 1234.5, "1234.5"), ("number", {}, 1e-05, "0.00001"),
    ("checkbox", {}, True, "checked"), ("checkbox", {}, False, ""),
    ("multi_select", {}, ["Fintech", "Health, Bio", 'Say "hi"'],
     'Fintech,"Health, Bio","Say ""hi"""'),
    ("long_text", {}, "two\nlines", "two\nlines"), ("date", {}, "2026-11-25", "2026-11-25"),
])
def test_each_cell_is_written_as_the_importer_reads_it(field_type, options, value, text):
    assert make_formatter(field_type, options)(value) == text
    assert parse_cell(text, field_type, options) == value
