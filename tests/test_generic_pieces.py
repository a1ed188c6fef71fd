"""The core's generic pieces: the one timestamp format, owner-only files, AuditEntry, and the
409 of a stale version."""
import os
import re
import stat
from datetime import datetime, timedelta, timezone

import pytest

from core import audit
from core.db import utc_text, utcnow
from core.errors import APIError
from core.files import write_owner_only
from core.versioning import check_version
from plugins.webapp.demo import load_demo
from tests.conftest import add_user

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_utc_text_is_the_one_format():
    assert STAMP.match(utcnow())
    berlin = timezone(timedelta(hours=1))
    assert utc_text(datetime(2026, 3, 2, 10, 15, 0, 5, berlin)) == "2026-03-02T09:15:00.000005Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        utc_text(datetime(2026, 3, 2))


def test_every_stored_timestamp_has_the_one_format(make_crm):
    """A CRM full of demo data (records, views, tasks, emails, audit entries, sessions): each
    `..._at` column holds UTC ISO 8601 with microseconds and Z, or nothing."""
    crm = make_crm()
    add_user(crm, "ada@fund.example")
    load_demo(crm, investors=40)
    checked, wrong = 0, []
    for table in crm.db.table_names():
        for column in crm.db[table].columns_dict:
            if not column.endswith("_at"):
                continue
            for (value,) in crm.db.execute(f"SELECT {column} FROM [{table}] "
                                           f"WHERE {column} IS NOT NULL"):
                checked += 1
                if not STAMP.match(value):
                    wrong.append((table, column, value))
    assert checked > 500 and wrong == []


def test_gmail_seconds_are_rewritten_to_the_one_format(make_crm):
    from plugins.gmail.tables import MIGRATIONS

    crm = make_crm()
    with crm.write() as db:
        db.execute("INSERT INTO email_activity (user_id, message_id, thread_id, direction, "
                   "sent_at, created_at) VALUES (?, 'm1', 't', 'out', ?, ?)",
                   [add_user(crm, "ada@fund.example")["id"], "2026-03-02T09:15:00Z", utcnow()])
        next(m for m in MIGRATIONS if m.version == 2).apply(db)
    assert crm.db.execute("SELECT sent_at FROM email_activity").fetchone()[0] == \
        "2026-03-02T09:15:00.000000Z"


def test_write_owner_only_is_0600_atomic_and_leaves_no_temp(tmp_path):
    old = os.umask(0)
    try:
        path = tmp_path / "meta.json"
        write_owner_only(path, "first")
        write_owner_only(path, b"second")
    finally:
        os.umask(old)
    assert path.read_text() == "second"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]
    with pytest.raises(TypeError):
        write_owner_only(path, 3)  # neither text nor bytes: the old content stays
    assert path.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]


def test_audit_entries_are_journalled_as_audit_entry(crm):
    with crm.write() as db:
        entry_id = audit.record_change(db, actor_id=None, plugin="x", table="t", row_id=7,
                                       action="create", after={"a": 1})
        audit.journal(db, [(99, "x", "t", "8", "create", None)])  # the old tuple form
        assert db.journal == [audit.AuditEntry(entry_id, "x", "t", "7", "create", None, ("a",)),
                              audit.AuditEntry(99, "x", "t", "8", "create", None)]
    entry = audit.AuditEntry(1, "x", "t", "7", "update", 3)
    assert entry.as_dict() == {"id": 1, "plugin": "x", "table_name": "t", "row_id": "7",
                               "action": "update", "actor_id": 3, "fields": None}
    with pytest.raises(AttributeError):
        entry.action = "delete"  # frozen


def test_check_version_names_who_and_when(crm):
    user = add_user(crm, "ada@fund.example", name="Ada")
    row = {"version": 3, "updated_at": "2026-03-02T09:15:00.000000Z", "updated_by": user["id"]}
    check_version(crm.db, row, None, "view")  # no expected version: last writer wins
    check_version(crm.db, row, 3, "view")
    with pytest.raises(APIError) as raised:
        check_version(crm.db, row, 2, "view")
    body = raised.value.to_dict()["error"]
    assert raised.value.status_code == 409
    assert body["code"] == "version_conflict" and "This view was changed" in body["message"]
    assert body["current_version"] == 3 and body["updated_by"] == {"id": user["id"], "name": "Ada"}
