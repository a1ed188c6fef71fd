"""Feature requests from the team: a title, a status and votes."""
from core import audit
from core.db import utcnow
from core.errors import not_found
from plugins.fundraising.field_defs import PLUGIN
from core.versioning import check_version

COLUMNS = ("id", "version", "title", "description", "status", "votes", "created_at",
           "created_by", "updated_at", "updated_by")


def _out(row):
    return {k: row[k] for k in COLUMNS}


def list_requests(db):
    return [_out(r) for r in db.query(
        "SELECT * FROM feature_requests WHERE deleted_at IS NULL ORDER BY votes DESC, id")]


def create_request(db, title: str, description: str, actor_id) -> dict:
    """A new open feature request, audited, in the caller's transaction."""
    now = utcnow()
    row_id = db.table("feature_requests").insert({
        "title": title, "description": description, "status": "open", "votes": 0,
        "version": 1, "created_at": now, "created_by": actor_id, "updated_at": now,
        "updated_by": actor_id}).last_pk
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="feature_requests",
                        row_id=row_id, action="create",
                        after={"title": title, "description": description})
    return _out(next(db.query("SELECT * FROM feature_requests WHERE id = ?", [row_id])))


def update_request(db, request_id: int, changes: dict, actor_id) -> dict:
    """Change a request's status, votes or text (`changes`: only what changes, with an
    optional expected_version), audited, in the caller's transaction."""
    rows = list(db.query("SELECT * FROM feature_requests WHERE id = ? AND deleted_at IS NULL",
                         [request_id]))
    if not rows:
        raise not_found("No such feature request")
    row = rows[0]
    changes = dict(changes)
    check_version(db, row, changes.pop("expected_version", None), "feature request")
    changes = {k: v for k, v in changes.items() if v is not None and v != row[k]}
    if changes:
        db.table("feature_requests").update(request_id, {
            **changes, "version": row["version"] + 1, "updated_at": utcnow(),
            "updated_by": actor_id})
        audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="feature_requests",
                            row_id=request_id, action="update",
                            before={k: row[k] for k in changes}, after=changes)
    return _out(next(db.query("SELECT * FROM feature_requests WHERE id = ?", [request_id])))
