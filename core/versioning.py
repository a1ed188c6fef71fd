"""Optimistic versions: the 409 that names who changed a row and when."""
from core.errors import conflict


def user_ref(db, user_id):
    """`{"id", "name"}` of a user (name None when the account is gone), or None."""
    if user_id is None:
        return None
    row = db.execute("SELECT name FROM users WHERE id = ?", [user_id]).fetchone()
    return {"id": user_id, "name": row[0] if row else None}


def version_conflict(db, row, what="record"):
    """The 409 for a stale write: the row's current version, when and by whom it changed."""
    return conflict(
        f"This {what} was changed by someone else; reload it and apply your edit again",
        code="version_conflict", current_version=row["version"], updated_at=row["updated_at"],
        updated_by=user_ref(db, row["updated_by"]))


def check_version(db, row, expected: int | None, what="record"):
    """Raise the 409 of version_conflict when `expected` is given and is not `row`'s version
    (a write without an expected version is last-writer-wins)."""
    if expected is not None and expected != row["version"]:
        raise version_conflict(db, row, what)
