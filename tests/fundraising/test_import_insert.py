"""Bulk insertion of imported records: building the indexes after the rows gives the same
records, audit entries and schema as updating them row by row."""
import sqlite3

import pytest

from plugins.fundraising.imports import insert as import_insert
from plugins.fundraising.imports.importer import apply_import, plan_import
from tests.fundraising.test_import import export, sample_rows

ROWS = 30
STAMPS = ("created_at", "updated_at")


def imported(crm, data):
    """(records without their timestamps, audit entries, schema) after importing `data`."""
    with crm.write() as db:
        summary = apply_import(db, plan_import(db, "investors", data), None)
    assert summary["creates"] == ROWS and not summary["errors"]
    cursor = crm.db.execute("SELECT * FROM fundraising_investors ORDER BY id")
    names = [d[0] for d in cursor.description]
    records = [{k: v for k, v in zip(names, row) if k not in STAMPS} for row in cursor]
    audit = crm.db.execute("SELECT table_name, row_id, action, changes, summary FROM audit_log "
                           "WHERE table_name = 'investors' ORDER BY id").fetchall()
    schema = sorted(crm.db.execute("SELECT type, name, sql FROM sqlite_master "
                                   "WHERE tbl_name = 'fundraising_investors'").fetchall())
    return records, audit, schema


def test_indexes_built_after_the_rows_give_what_row_by_row_gives(make_crm, tmp_path,
                                                                  monkeypatch):
    data = export(sample_rows(ROWS))
    monkeypatch.setattr(import_insert, "REBUILD_INDEXES_FROM", 10**9)
    monkeypatch.setattr(import_insert, "CACHE_KIB_PER_1000_ROWS", 10**6)  # a larger cache
    crm = make_crm(data_dir=tmp_path / "row_by_row")
    cache_size = crm.db.execute("PRAGMA cache_size").fetchone()[0]
    row_by_row = imported(crm, data)
    assert crm.db.execute("PRAGMA cache_size").fetchone()[0] == cache_size  # restored
    monkeypatch.setattr(import_insert, "REBUILD_INDEXES_FROM", 1)
    crm = make_crm(data_dir=tmp_path / "rebuilt")
    assert imported(crm, data) == row_by_row
    with pytest.raises(sqlite3.IntegrityError):  # the rebuilt unique index still holds
        with crm.write() as db:
            db.execute("UPDATE fundraising_investors SET external_id = 'recAAAAAAAAAAAA01' "
                       "WHERE id = 2")


def test_a_failed_import_leaves_the_indexes(make_crm, monkeypatch):
    crm = make_crm()
    before = crm.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    monkeypatch.setattr(import_insert, "REBUILD_INDEXES_FROM", 1)
    with pytest.raises(RuntimeError):
        with crm.write() as db:
            apply_import(db, plan_import(db, "investors", export(sample_rows(ROWS))), None)
            raise RuntimeError("after the rows, before the commit")
    assert crm.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall() == before
    assert crm.db.execute("SELECT count(*) FROM fundraising_investors").fetchone()[0] == 0
