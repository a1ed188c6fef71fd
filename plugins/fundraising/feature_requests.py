"""Feature requests from the team: a title, a status and votes."""
from core import audit
from core.db import utcnow
from core.errors import not_found
from plugins.fundraising.fields import PLUGIN
from plugins.fundraising.versioning import version_conflict

COLUMNS = ("id", "version", "title", "description", "status", "votes", "created_at",
           "created_by", "updated_at", "updated_by")


def _out(row):
    return {k: row[k] for k in COLUMNS}


def list_requests(db):
    return [_out(r) for r in db.query(
        "SELECT * FROM feature_requests WHERE deleted_at IS NULL ORDER BY votes DESC, id")]


def create_request(db, body, actor_id):
    now = utcnow()
    row_id = db.table("feature_requests").insert({
        "title": body.title, "description": body.description, "status": "open", "votes": 0,
        "version": 1, "created_at": now, "created_by": actor_id, "updated_at": now,
        "updated_by": actor_id}).last_pk
    audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="feature_requests",
                        row_id=row_id, action="create",
                        after={"title": body.title, "description": body.description})
    return _out(next(db.query("SELECT * FROM feature_requests WHERE id = ?", [row_id])))


def update_request(db, request_id, body, actor_id):
    rows = list(db.query("SELECT * FROM feature_requests WHERE id = ? AND deleted_at IS NULL",
                         [request_id]))
    if not rows:
        raise not_found("No such feature request")
    row = rows[0]
    changes = body.model_dump(exclude_unset=True)
    expected = changes.pop("expected_version", None)
    if expected is not None and expected != row["version"]:
        raise version_conflict(db, row, "feature request")
    changes = {k: v for k, v in changes.items() if v is not None and v != row[k]}
    if changes:
        db.table("feature_requests").update(request_id, {
            **changes, "version": row["version"] + 1, "updated_at": utcnow(),
            "updated_by": actor_id})
        audit.record_change(db, actor_id=actor_id, plugin=PLUGIN, table="feature_requests",
                            row_id=request_id, action="update",
                            before={k: row[k] for k in changes}, after=changes)
    return _out(next(db.query("SELECT * FROM feature_requests WHERE id = ?", [request_id])))
