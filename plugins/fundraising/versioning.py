"""Versions: the whole-grid version every write moves, and the 409 that names who and when."""
from core.db import utcnow
from core.versioning import user_ref, version_conflict  # noqa: F401  re-exported for now


def bump_state(db, actor_id):
    """Every fundraising write moves the whole-grid version forward."""
    db.execute("UPDATE fundraising_state SET version = version + 1, updated_at = ?, "
               "updated_by = ? WHERE id = 1", [utcnow(), actor_id])
