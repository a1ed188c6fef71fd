"""Whose Gmail is synced: each active user's account row, turned on or off by an admin."""
from core.db import utcnow
from core.errors import not_found, unprocessable


def list_accounts(db) -> list[dict]:
    """Every active user with their sync state (off for users never turned on)."""
    rows = db.query(
        "SELECT u.id AS user_id, u.email, u.name, coalesce(a.enabled, 0) AS enabled, "
        "coalesce(a.address, u.email) AS address, a.last_sync_at, a.history_id, a.last_error, "
        "coalesce(a.messages_seen, 0) AS messages_seen FROM users u "
        "LEFT JOIN gmail_accounts a ON a.user_id = u.id WHERE u.active = 1 ORDER BY u.id")
    return [{**r, "enabled": bool(r["enabled"])} for r in rows]


def set_account(db, user_id: int, enabled: bool, address: str | None, actor_id,
                settings=None):
    """Turn sync on or off for an active user (404 otherwise), in the caller's transaction;
    a changed address starts its history over. With GMAIL_WORKSPACE_DOMAIN set (`settings`),
    a mailbox outside it is refused: the service account cannot read it."""
    user = db.execute("SELECT email FROM users WHERE id = ? AND active = 1", [user_id]).fetchone()
    if not user:
        raise not_found("No such active user")
    if enabled and settings is not None and not settings.in_workspace(address or user[0]):
        raise unprocessable(f"{address or user[0]} is not in the Workspace domain "
                            f"{settings.workspace_domain}; give their Workspace address",
                            field="address", code="outside_workspace")
    now = utcnow()
    db.execute(
        "INSERT INTO gmail_accounts (user_id, enabled, address, created_at, updated_at, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
        "enabled = excluded.enabled, address = excluded.address, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by, version = version + 1, "
        "history_id = CASE WHEN gmail_accounts.address IS excluded.address "
        "THEN gmail_accounts.history_id END, sync_cursor = CASE WHEN gmail_accounts.address "
        "IS excluded.address THEN gmail_accounts.sync_cursor END",
        [user_id, int(enabled), address or user[0], now, now, actor_id])
