"""Field options that only change how values are shown: separator, and a formula's format."""
import json

from plugins.fundraising.imports.csv_import.infer import infer_field
from plugins.fundraising.tables import _vintage_without_separator
from tests.fundraising.test_fields_views import add_field


def fields_of(client, headers, table):
    return client.simulate_get("/api/fundraising/fields", headers=headers,
                               params={"table": table}).json["fields"]


def test_vintage_is_shown_without_a_thousands_separator(client, admin):
    vintage = next(f for f in fields_of(client, admin["headers"], "funds")
                   if f["builtin"] == "vintage")
    assert vintage["options"] == {"precision": 0, "separator": False}


def test_migration_7_gives_an_existing_vintage_field_the_option(crm):
    with crm.write() as db:  # a database made before migration 7
        db.execute("UPDATE fundraising_fields SET options = '{\"precision\":0}' "
                   "WHERE builtin = 'vintage'")
        _vintage_without_separator(db)
        (options,) = db.execute("SELECT options FROM fundraising_fields "
                                "WHERE builtin = 'vintage'").fetchone()
    assert json.loads(options) == {"precision": 0, "separator": False}


def test_separator_is_a_numeric_option_checked_by_type(client, admin):
    h = admin["headers"]
    made = add_field(client, h, table="funds", name="Founded", type="number",
                     options={"precision": 0, "separator": False})
    assert made.status_code == 201 and made.json["options"]["separator"] is False
    on_text = add_field(client, h, table="funds", name="Motto", type="text",
                        options={"separator": False})
    assert on_text.status_code == 422 and on_text.json["error"]["field"] == "options.separator"
    not_bool = add_field(client, h, table="funds", name="Closed", type="number",
                         options={"separator": "no"})
    assert not_bool.status_code == 422 and "separator" in not_bool.json["error"]["field"]


def test_a_formula_keeps_its_display_format_beside_its_result_type(client, admin):
    h = admin["headers"]
    made = add_field(client, h, table="investors", name="Fee", type="formula",
                     formula="{Check Size} * 0.02", options={"format": "currency", "symbol": "€"})
    assert made.status_code == 201
    assert made.json["options"] == {"format": "currency", "symbol": "€", "result_type": "number"}
    changed = client.simulate_patch(f"/api/fundraising/fields/{made.json['id']}", headers=h,
                                    json={"options": {"format": "percent", "precision": 1}})
    assert changed.status_code == 200
    assert changed.json["options"] == {"format": "percent", "precision": 1, "result_type": "number"}
    retyped = client.simulate_patch(f"/api/fundraising/fields/{made.json['id']}", headers=h,
                                    json={"formula": "{Name}"})
    assert retyped.json["options"] == {"format": "percent", "precision": 1, "result_type": "text"}
    bad = add_field(client, h, table="investors", name="Tier", type="number",
                    options={"format": "currency"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "options.format"
    unknown = add_field(client, h, table="investors", name="Fee 2", type="formula",
                        formula="1", options={"format": "roman"})
    assert unknown.status_code == 422


def test_an_imported_column_of_years_has_no_thousands_separator():
    assert infer_field(["2019", "2021", "", "2026"]) == ("number", {"precision": 0, "separator": False})
    assert infer_field(["2019", "12500"]) == ("number", {"precision": 0})
    assert infer_field(["1850"]) == ("number", {"precision": 0})
