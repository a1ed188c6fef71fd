"""Each fund of GET /api/dashboard/funds carries its first and final close dates (built-in
date fields of funds, added by fundraising migration 13)."""
from plugins.fundraising.tables import _fund_closes
from plugins.fundraising.api import fundraising

CLOSES = ("first_close", "final_close")


def _funds(crm, uid):
    api = fundraising(crm)
    funds = [api.create("funds", {"name": f"Fund {n}", "target_size": 1e7 * n}, uid)
             for n in (1, 2, 3)]
    api.archive("funds", funds[2].id, uid)
    return funds[:2]


def test_close_dates_are_null_until_set(crm, client, member):
    funds = _funds(crm, member["id"])
    got = client.get("/api/dashboard/funds", headers=member["headers"]).json["funds"]
    assert [(f["id"], f["first_close"], f["final_close"]) for f in got] == [
        (f.id, None, None) for f in funds]


def test_close_dates_come_from_the_funds(crm, client, member):
    api, funds = fundraising(crm), _funds(crm, member["id"])
    dates = {funds[0].id: {"first_close": "2026-03-31", "final_close": "2027-01-15"},
             funds[1].id: {"first_close": "2026-09-01"}}
    for fund_id, values in dates.items():
        api.update("funds", fund_id, values, member["id"])
    got = client.get("/api/dashboard/funds", headers=member["headers"]).json["funds"]
    assert [(f["id"], f["first_close"], f["final_close"]) for f in got] == [
        (f.id, dates[f.id].get("first_close"), dates[f.id].get("final_close")) for f in funds]
    record = api.get("funds", funds[0].id)
    assert got[0]["first_close"] == record.value("first_close")


def test_migration_13_adds_the_close_dates_to_an_existing_database(crm):
    with crm.write() as db:  # made before migration 13, with a field of the same name
        db.execute("DELETE FROM fundraising_fields WHERE builtin IN ('first_close', 'final_close')")
        db.execute("ALTER TABLE fundraising_funds DROP COLUMN first_close")
        db.execute("ALTER TABLE fundraising_funds DROP COLUMN final_close")
        db.execute("UPDATE fundraising_fields SET builtin = NULL, column_name = NULL, "
                   "name = 'First Close' WHERE builtin = 'vintage'")
        _fund_closes(db)
        _fund_closes(db)  # twice changes nothing more
        fields = db.execute("SELECT builtin, name, type FROM fundraising_fields WHERE "
                            "builtin IN ('first_close', 'final_close') ORDER BY id").fetchall()
        columns = {row[1] for row in db.execute("PRAGMA table_info(fundraising_funds)")}
    assert fields == [("first_close", "First Close (close date)", "date"),
                      ("final_close", "Final Close", "date")]
    assert set(CLOSES) <= columns
