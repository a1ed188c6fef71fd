"""Versions: the whole-grid version every write moves, and the 409 that names who and when."""
from core.db import utcnow
from core.errors import conflict


def bump_state(db, actor_id):
    """Every fundraising write moves the whole-grid version forward."""
    db.execute("UPDATE fundraising_state SET version = version + 1, updated_at = ?, "
               "updated_by = ? WHERE id = 1", [utcnow(), actor_id])


def user_ref(db, user_id):
    if user_id is None:
        return None
    row = db.execute("SELECT name FROM users WHERE id = ?", [user_id]).fetchone()
    return {"id": user_id, "name": row[0] if row else None}


def version_conflict(db, row, what="record"):
    return conflict(
        f"This {what} was changed by someone else; reload it and apply your edit again",
        code="version_conflict", current_version=row["version"], updated_at=row["updated_at"],
        updated_by=user_ref(db, row["updated_by"]))
