"""Recomputing a formula column is bounded in time and leaves the write lock to other writers:
evaluated outside it, written in short transactions, refused (422) when too slow."""
import threading
import time

import pytest

from plugins.fundraising import formula_fields
from plugins.fundraising.formula import compile_formula
from plugins.fundraising.formula_fields import TableFormulas
from plugins.fundraising.records import RecordStore

FIELDS = "/api/fundraising/fields"
ROWS = 200
CATASTROPHIC = 'REGEX_MATCH({Notes}, "(a|aa)+$")'  # backtracks without end on "aaa…a!"


@pytest.fixture
def notes_table(crm, client, admin):
    """ROWS investors whose Notes make CATASTROPHIC hit its time limit on every row."""
    made = client.simulate_post(FIELDS, headers=admin["headers"], json={
        "table": "investors", "name": "Notes", "type": "text"})
    assert made.status_code == 201, made.json
    with crm.write() as db:
        store = RecordStore(db, "investors")
        ids = [store.create(f"Investor {i}", {"Notes": "a" * 40 + "!", "Check Size": i}, None)["id"]
               for i in range(ROWS)]
    return ids


def add_formula(client, h, name, formula):
    return client.simulate_post(FIELDS, headers=h, json={
        "table": "investors", "name": name, "type": "formula", "formula": formula})


def stored(crm, field_id):
    return [r[0] for r in crm.db.execute(
        f"SELECT json_extract(data, '$.\"{field_id}\"') FROM fundraising_investors ORDER BY id")]


def test_one_cell_of_a_catastrophic_regex_is_cut_short():
    """Six regex calls on a catastrophic pattern, each error caught: the evaluation's whole
    regex time is capped (0.05 s), not each call's."""
    caught = f"IF(ISERROR({CATASTROPHIC}), 1, 0)"
    formula = compile_formula(" + ".join([caught] * 6), {"Notes": "text"})
    started = time.monotonic()
    result = formula.evaluate({"Notes": "a" * 40 + "!"})
    assert time.monotonic() - started < 0.2
    assert result == 6


def test_a_too_slow_formula_is_refused_within_the_budget(client, crm, admin, notes_table,
                                                          monkeypatch):
    monkeypatch.setattr(formula_fields, "RECOMPUTE_BUDGET", 1.0)
    h = admin["headers"]
    fast = add_formula(client, h, "Match", "LEN({Notes})")
    assert fast.status_code == 201
    started = time.monotonic()
    slow = client.simulate_patch(f"{FIELDS}/{fast.json['id']}", headers=h,
                                 json={"formula": CATASTROPHIC})
    took = time.monotonic() - started
    assert slow.status_code == 422, slow.json
    error = slow.json["error"]
    assert error["field"] == "formula" and error["code"] == "formula_too_slow"
    assert f"{ROWS} rows" in error["message"]
    assert took < 5  # the budget (1 s) and one cell more; all 200 cells would take 10 s
    field = client.simulate_get(FIELDS, headers=h, params={"table": "investors"}).json
    assert [f["formula"] for f in field["fields"] if f["name"] == "Match"] == ["LEN({Notes})"]
    assert stored(crm, fast.json["id"]) == [41] * ROWS  # nothing was written
    created = add_formula(client, h, "Slow", CATASTROPHIC)
    assert created.status_code == 422 and created.json["error"]["code"] == "formula_too_slow"
    assert "Slow" not in [f["name"] for f in client.simulate_get(
        FIELDS, headers=h, params={"table": "investors"}).json["fields"]]


def test_other_writers_get_through_while_a_column_is_computed(client, crm, admin, notes_table,
                                                              monkeypatch):
    """Half-way through evaluating the new column, a record PATCH from another thread must
    commit at once: it waits for nothing but its own transaction."""
    h = admin["headers"]
    first = notes_table[0]
    recompute_thread = threading.get_ident()
    calls, during = [0], {}
    compute = TableFormulas.compute

    def patch_first_record():
        during["status"] = client.simulate_patch(
            f"/api/fundraising/investors/{first}", headers=h,
            json={"expected_version": 1, "fields": {"Check Size": 1000}}).status_code

    def compute_and_let_a_writer_in(self, values, fields):
        if threading.get_ident() == recompute_thread:
            calls[0] += 1
            if calls[0] == ROWS // 2:  # the first record is computed already
                writer = threading.Thread(target=patch_first_record)
                writer.start()
                writer.join(timeout=8)
                during["done"] = not writer.is_alive()
                during["thread"] = writer
        return compute(self, values, fields)

    monkeypatch.setattr(TableFormulas, "compute", compute_and_let_a_writer_in)
    made = add_formula(client, h, "Double", "{Check Size} * 2")
    during["thread"].join(timeout=20)
    assert made.status_code == 201, made.json
    assert during["done"], "the record PATCH waited for the whole recompute"
    assert during["status"] == 200
    # the record changed after it was evaluated: it was evaluated again before being written
    assert stored(crm, made.json["id"]) == [2000] + [i * 2 for i in range(1, ROWS)]


def test_rows_created_during_the_recompute_are_computed_too(client, crm, admin, notes_table,
                                                            monkeypatch):
    h = admin["headers"]
    recompute_thread = threading.get_ident()
    calls = [0]
    compute = TableFormulas.compute

    def create_a_record():
        client.simulate_post("/api/fundraising/investors", headers=h,
                             json={"name": "Late", "fields": {"Check Size": 7}})

    def compute_and_create(self, values, fields):
        if threading.get_ident() == recompute_thread:
            calls[0] += 1
            if calls[0] == 10:
                writer = threading.Thread(target=create_a_record)
                writer.start()
                writer.join(timeout=8)
        return compute(self, values, fields)

    monkeypatch.setattr(TableFormulas, "compute", compute_and_create)
    made = add_formula(client, h, "Double", "{Check Size} * 2")
    assert made.status_code == 201, made.json
    assert stored(crm, made.json["id"])[-1] == 14


def test_a_whole_grid_save_is_held_to_the_smaller_budget_in_its_transaction(
        client, crm, admin, notes_table, monkeypatch):
    monkeypatch.setattr(formula_fields, "LOCKED_RECOMPUTE_BUDGET", 0.5)
    h = admin["headers"]
    got = client.simulate_get("/api/fundraising/state", headers=h).json
    fields = got["state"]["fields"] + [{"table": "investors", "name": "Slow", "type": "formula",
                                        "formula": CATASTROPHIC}]
    started = time.monotonic()
    put = client.simulate_put("/api/fundraising/state", headers=h, json={
        "expected_version": got["version"], "state": {"fields": fields}})
    assert time.monotonic() - started < 5
    assert put.status_code == 422, put.json
    assert put.json["error"]["code"] == "formula_too_slow"


def test_archiving_a_field_recomputes_only_the_formulas_reading_it(client, crm, admin,
                                                                   notes_table, monkeypatch):
    h = admin["headers"]
    region = client.simulate_post(FIELDS, headers=h, json={
        "table": "investors", "name": "Region", "type": "text"}).json
    reads = add_formula(client, h, "Where", "{Region}").json
    other = add_formula(client, h, "Double", "{Check Size} * 2").json
    evaluated = []
    compute = TableFormulas.compute

    def counting(self, values, fields):
        evaluated.extend(f.name for f in fields)
        return compute(self, values, fields)

    monkeypatch.setattr(TableFormulas, "compute", counting)
    assert client.simulate_delete(f"{FIELDS}/{region['id']}", headers=h).status_code == 200
    assert set(evaluated) == {"Where"}
    assert stored(crm, reads["id"])[0] == '{"error":"#REF!","message":"unknown field {Region}"}'
    assert stored(crm, other["id"])[:3] == [0, 2, 4]
