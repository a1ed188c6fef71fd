"""Notes: create, edit, soft delete (each one transaction, versioned and audited) and reads."""
from core import audit
from core.db import utcnow
from core.errors import forbidden, not_found
from core.versioning import check_version
from plugins.fundraising.api import TABLES, fundraising, live_record_sql
from plugins.notes.render import mentioned_ids, to_html

PLUGIN, TABLE = "notes", "notes"


def _users(db, ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(db.execute(f"SELECT id, name FROM users WHERE id IN ({','.join('?' * len(ids))})",
                           ids).fetchall())


def _mentions(db, note_ids) -> dict[int, list[dict]]:
    """{note id: [{id, name}]} of the users each note mentions."""
    out = {i: [] for i in note_ids}
    if not note_ids:
        return out
    rows = db.execute(
        "SELECT m.note_id, u.id, u.name FROM notes_mentions m JOIN users u ON u.id = m.user_id "
        f"WHERE m.note_id IN ({','.join('?' * len(note_ids))}) ORDER BY u.id", list(note_ids))
    for note_id, user_id, name in rows:
        out[note_id].append({"id": user_id, "name": name})
    return out


def notes_json(db, rows) -> list[dict]:
    rows = list(rows)
    mentions = _mentions(db, [r["id"] for r in rows])
    authors = _users(db, [r["author_id"] for r in rows if r["author_id"] is not None])
    return [{"id": r["id"], "table": r["record_table"], "record_id": r["record_id"],
             "version": r["version"], "body": r["body"], "html": to_html(r["body"]),
             "mentions": mentions[r["id"]],
             "author": {"id": r["author_id"], "name": authors.get(r["author_id"])},
             "created_at": r["created_at"], "updated_at": r["updated_at"]} for r in rows]


def _row(db, note_id):
    rows = list(db.query("SELECT * FROM notes_notes WHERE id = ? AND deleted_at IS NULL",
                         [note_id]))
    if not rows:
        raise not_found(f"No note {note_id}")
    return rows[0]


def _set_mentions(db, note_id, body):
    db.execute("DELETE FROM notes_mentions WHERE note_id = ?", [note_id])
    for user_id in mentioned_ids(db, body):
        db.execute("INSERT INTO notes_mentions (note_id, user_id) VALUES (?, ?)",
                   [note_id, user_id])


def create_note(crm, table, record_id, body, user) -> dict:
    fundraising(crm).get(table, record_id)  # a 404 for a missing or archived record
    now = utcnow()
    with crm.write() as db:
        note_id = db.execute(
            "INSERT INTO notes_notes (record_table, record_id, body, author_id, created_at, "
            "created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [table, record_id, body, user["id"], now, user["id"], now, user["id"]]).lastrowid
        _set_mentions(db, note_id, body)
        audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table=TABLE,
                            row_id=note_id, action="create",
                            after={"record_table": table, "record_id": record_id, "body": body})
        return notes_json(db, [_row(db, note_id)])[0]


def _may_change(user, row):
    if user["role"] != "admin" and row["author_id"] != user["id"]:
        raise forbidden("Only the note's author or an admin may change it")


def update_note(crm, note_id, body, expected_version, user) -> dict:
    with crm.write() as db:
        row = _row(db, note_id)
        _may_change(user, row)
        check_version(db, row, expected_version, "note")
        if body != row["body"]:
            db.table("notes_notes").update(note_id, {
                "body": body, "version": row["version"] + 1, "updated_at": utcnow(),
                "updated_by": user["id"]})
            _set_mentions(db, note_id, body)
            audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table=TABLE,
                                row_id=note_id, action="update", before={"body": row["body"]},
                                after={"body": body})
        return notes_json(db, [_row(db, note_id)])[0]


def delete_note(crm, note_id, expected_version, user) -> dict:
    with crm.write() as db:
        row = _row(db, note_id)
        _may_change(user, row)
        check_version(db, row, expected_version, "note")
        now = utcnow()
        db.table("notes_notes").update(note_id, {
            "deleted_at": now, "version": row["version"] + 1, "updated_at": now,
            "updated_by": user["id"]})
        audit.record_change(db, actor_id=user["id"], plugin=PLUGIN, table=TABLE,
                            row_id=note_id, action="delete", before={"deleted_at": None},
                            after={"deleted_at": now})
    return {"id": note_id, "deleted": True}


def record_notes(crm, table, record_id, before=None, limit=200) -> list[dict]:
    """A record's notes, newest first; `before` (a timestamp) is inclusive."""
    rows = crm.db.query(
        "SELECT * FROM notes_notes WHERE record_table = ? AND record_id = ? AND "
        "deleted_at IS NULL AND (? IS NULL OR created_at <= ?) "
        "ORDER BY created_at DESC, id DESC LIMIT ?", [table, record_id, before, before, limit])
    return notes_json(crm.db, rows)


def timeline_entries(crm, table, record_id, kinds, before, limit) -> list[dict]:
    if table not in TABLES or (kinds is not None and "note" not in kinds):
        return []
    return [{**note, "kind": "note", "at": note["created_at"], "actor": note["author"]["id"],
             "summary": _summary(note["body"])}
            for note in record_notes(crm, table, record_id, before, limit)]


def _summary(body: str, size=140) -> str:
    line = next((s.strip() for s in body.splitlines() if s.strip()), "")
    return line if len(line) <= size else line[:size - 1] + "…"


def my_mentions(crm, user, limit=100) -> list[dict]:
    """Live notes on live records that mention `user`, newest first."""
    api, out = fundraising(crm), []
    for table in TABLES:
        rows = list(crm.db.query(
            "SELECT n.* FROM notes_notes n JOIN notes_mentions m ON m.note_id = n.id "
            "WHERE m.user_id = ? AND n.record_table = ? AND n.deleted_at IS NULL AND "
            f"{live_record_sql(table, 'n.record_id')} ORDER BY n.created_at DESC LIMIT ?",
            [user["id"], table, limit]))
        names = api.names(table, [r["record_id"] for r in rows], archived=False)
        for note in notes_json(crm.db, rows):
            out.append({**note, "record_name": names.get(note["record_id"]),
                        "summary": _summary(note["body"])})
    out.sort(key=lambda n: (n["created_at"], n["id"]), reverse=True)
    return out[:limit]
